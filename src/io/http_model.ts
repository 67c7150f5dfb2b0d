/**
 * Models over HTTP, as TF.js does it: `loadLayersModel('https://host/dir/model.json')` fetches
 * model.json and the weight files its manifest names, relative to it; `model.save(url)` POSTs
 * model.json and model.weights.bin as a multipart form. A Myelin model.json (native format) is
 * recognised and its model.safetensors fetched instead.
 */
import type { LayersModel } from '../models/layers_model.js';
import { checkFormat, FileFormatError } from './format_error.js';
import type { LoadOptions } from './load_limits.js';
import { loadWithState, MODEL_JSON, MODEL_WEIGHTS, type ModelFiles } from './native.js';
import { isJsonObject, parseJsonSafely } from './safe_json.js';
import { artifactsInfo, type ModelArtifacts, type SaveResult } from './tfjs_artifacts.js';
import { fromTfjsFiles, type TfjsModelJson, type TfjsWeightSpec } from './tfjs_format.js';

/** Options of loads and saves over HTTP (TF.js' `LoadOptions` fields that apply). */
export interface HttpOptions extends LoadOptions {
  /** Used instead of the global `fetch`. */
  fetchFunc?: typeof fetch;
  /** Passed to every request (headers, credentials). */
  requestInit?: RequestInit;
  /** Where the weight files are, when not beside model.json. */
  weightPathPrefix?: string;
}

async function fetchBytes(
  url: string,
  options: HttpOptions,
  budget: { left: number },
  who: string,
): Promise<Uint8Array> {
  const fetchFn = options.fetchFunc ?? globalThis.fetch;
  const response = await fetchFn(url, options.requestInit);
  if (!response.ok)
    throw new FileFormatError(`${who}: ${url} answered ${response.status} ${response.statusText ?? ''}`.trim());
  const declared = Number(response.headers?.get('content-length') ?? Number.NaN);
  if (declared > budget.left)
    throw new FileFormatError(
      `${who}: ${url} is ${declared} bytes, more than the ${budget.left} bytes left of the maxBytes limit; pass a larger { maxBytes } to accept it`,
    );
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.byteLength > budget.left)
    throw new FileFormatError(
      `${who}: ${url} sent ${bytes.byteLength} bytes, more than the ${budget.left} bytes left of the maxBytes limit`,
    );
  budget.left -= bytes.byteLength;
  return bytes;
}

/** A weight path from a manifest, resolved against the model.json URL; only files beside it or below. */
function weightUrl(path: unknown, base: string): string {
  checkFormat(
    typeof path === 'string' && path !== '' && !/^[a-z][a-z0-9+.-]*:/i.test(path) && !path.split('/').includes('..'),
    () => `model.json: weight path ${JSON.stringify(path)} must be a relative path beside model.json`,
  );
  return new URL(path as string, base).href;
}

/**
 * Loads a model from a model.json URL (TF.js layers format, or Myelin's native format).
 * @example const model = await loadFromUrl('https://example.com/models/iris/model.json');
 */
export async function loadFromUrl(url: string, options: HttpOptions = {}): Promise<LayersModel> {
  const who = 'loadLayersModel';
  const budget = { left: options.maxBytes ?? Number.POSITIVE_INFINITY };
  const base = new URL(url, (globalThis as { location?: { href: string } }).location?.href).href;
  const raw = await fetchBytes(base, options, budget, who);
  const json = parseJsonSafely(raw, 'model.json');
  checkFormat(isJsonObject(json), () => `${url}: expected a JSON object`);
  if (json.format === 'myelin-layers-model') {
    const files: ModelFiles = { [MODEL_JSON]: raw };
    files[MODEL_WEIGHTS] = await fetchBytes(new URL(MODEL_WEIGHTS, base).href, options, budget, who);
    return loadWithState(files, options).model;
  }
  return fromTfjsFiles(json as unknown as TfjsModelJson, await fetchShards(json, base, options, budget), options);
}

async function fetchShards(
  json: Record<string, unknown>,
  base: string,
  options: HttpOptions,
  budget: { left: number },
): Promise<Record<string, Uint8Array>> {
  checkFormat(
    Array.isArray(json.weightsManifest),
    () => `${base}: 'weightsManifest' must be a list of {paths, weights}`,
  );
  const prefix = options.weightPathPrefix ? new URL(options.weightPathPrefix, base).href : base;
  const shards: Record<string, Uint8Array> = {};
  for (const group of json.weightsManifest as unknown[]) {
    const paths = isJsonObject(group) && Array.isArray(group.paths) ? group.paths : [];
    for (const p of paths) {
      if (typeof p === 'string' && p in shards) continue;
      shards[p as string] = await fetchBytes(weightUrl(p, prefix), options, budget, 'loadLayersModel');
    }
  }
  return shards;
}

/**
 * TF.js artifacts from a model.json URL in TF.js' layers format: the topology, every weight
 * spec and the weight files joined in manifest order (what TF.js' `io.http(url).load()` gives).
 * @example const artifacts = await artifactsFromUrl('https://example.com/iris/model.json');
 */
export async function artifactsFromUrl(url: string, options: HttpOptions = {}): Promise<ModelArtifacts> {
  const budget = { left: options.maxBytes ?? Number.POSITIVE_INFINITY };
  const base = new URL(url, (globalThis as { location?: { href: string } }).location?.href).href;
  const json = parseJsonSafely(await fetchBytes(base, options, budget, 'io.http'), 'model.json');
  checkFormat(isJsonObject(json) && isJsonObject(json.modelTopology), () => `${url}: not a TF.js layers model.json`);
  const shards = await fetchShards(json, base, options, budget);
  const groups = json.weightsManifest as { paths: string[]; weights: TfjsWeightSpec[] }[];
  const parts = groups.flatMap((g) => g.paths.map((p) => shards[p]));
  const data = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.byteLength;
  }
  return {
    modelTopology: json.modelTopology as ModelArtifacts['modelTopology'],
    weightSpecs: groups.flatMap((g) => g.weights),
    weightData: data.buffer,
    format: json.format as string | undefined,
    generatedBy: json.generatedBy as string | undefined,
    trainingConfig: json.trainingConfig as ModelArtifacts['trainingConfig'],
  };
}

/**
 * Sends a model to a server as TF.js' `http` save handler does: a POST (or `requestInit.method`)
 * of a multipart form with model.json and model.weights.bin.
 * @example await model.save('https://example.com/upload');
 */
export async function saveToUrl(
  url: string,
  artifacts: ModelArtifacts,
  options: HttpOptions = {},
): Promise<SaveResult> {
  const json = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths: ['./model.weights.bin'], weights: artifacts.weightSpecs ?? [] }],
    ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
  };
  const form = new FormData();
  form.append('model.json', new Blob([JSON.stringify(json)], { type: 'application/json' }), 'model.json');
  form.append(
    'model.weights.bin',
    new Blob([artifacts.weightData ?? new ArrayBuffer(0)], { type: 'application/octet-stream' }),
    'model.weights.bin',
  );
  const fetchFn = options.fetchFunc ?? globalThis.fetch;
  const response = await fetchFn(url, { method: 'POST', ...options.requestInit, body: form });
  if (!response.ok)
    throw new FileFormatError(`save: ${url} answered ${response.status} ${response.statusText ?? ''}`.trim());
  return { modelArtifactsInfo: artifactsInfo(artifacts), responses: [response] } as SaveResult;
}
