import { nodeFs, nodePath } from './node_files.js';
import { globalRng } from '../core/rng.js';
import type { LayersModel } from '../models/layers_model.js';
import { atomicWriteFile, checkSavePath } from './atomic_write.js';
import { checkFormat, FileFormatError } from './format_error.js';
import { checkLoadOptions, type LoadOptions, readFileWithin } from './load_limits.js';
import {
  loadWithState,
  MODEL_JSON,
  MODEL_WEIGHTS,
  saveToBuffers,
  type LoadedModel,
  type ModelFiles,
  type SaveOptions,
} from './native.js';

/**
 * Saves a model in Myelin's native format (Node). A path ending in `.safetensors` gets one
 * self-contained file; any other path is a directory with `model.json` (architecture, weight
 * names and shapes, training config) and `model.safetensors` (weights, optimizer state).
 * Every file is written atomically.
 *
 * @example
 * await saveModel(model, 'out/boston');              // out/boston/model.json + model.safetensors
 * await saveModel(model, 'out/boston.safetensors');  // one file
 */
export async function saveModel(model: LayersModel, path: string, options: SaveOptions = {}): Promise<ModelFiles> {
  checkSavePath(
    path,
    'saveModel',
    "give a directory ('out/model'; '.' for the current one) or a file ending in .safetensors",
  );
  const files = saveToBuffers(model, options);
  if (path.endsWith('.safetensors')) {
    await atomicWriteFile(path, files[MODEL_WEIGHTS]);
    return files;
  }
  const { join } = nodePath('saveModel');
  // Weights first: a model.json never points at weights that are not fully written.
  await atomicWriteFile(join(path, MODEL_WEIGHTS), files[MODEL_WEIGHTS]);
  await atomicWriteFile(join(path, MODEL_JSON), files[MODEL_JSON]);
  return files;
}

/**
 * Loads a model saved by `saveModel` / `model.save` (Node): a directory or a `.safetensors`
 * file, also written as a `file://` URL; an `http(s)://` URL is fetched (its model.json and
 * model.safetensors). A model saved compiled comes back compiled, with its optimizer state.
 * `options.maxBytes` bounds what is read (see LoadOptions).
 *
 * @example const model = await loadModel('out/boston'); model.predict(x);
 */
export async function loadModel(path: string, options?: LoadOptions): Promise<LayersModel> {
  return (await loadModelWithState(path, options)).model;
}

/** `loadModel` that also returns the training state a checkpoint recorded. */
export async function loadModelWithState(path: string, options?: LoadOptions): Promise<LoadedModel> {
  checkLoadOptions('loadModel', options);
  if (typeof path === 'string' && /^https?:\/\//i.test(path))
    return loadWithState(await fetchModelFiles(path, fetch, options), options);
  const local = typeof path === 'string' && /^file:\/\//i.test(path) ? path.slice('file://'.length) : path;
  return loadWithState(await readModelFiles(local, options), options);
}

/**
 * Loads a checkpoint to continue training exactly where it stopped: the model (compiled, with
 * optimizer state), the epoch to pass as `initialEpoch`, and the global random generator put
 * back where it was, so shuffling and dropout continue the same sequence.
 *
 * @example
 * const { model, initialEpoch } = await resumeFromCheckpoint('ckpt/last.safetensors');
 * await model.fit(x, y, { epochs: 20, initialEpoch });
 */
export async function resumeFromCheckpoint(
  path: string,
  options?: LoadOptions,
): Promise<{ model: LayersModel; initialEpoch: number }> {
  const { model, trainingState } = await loadModelWithState(path, options);
  checkFormat(
    trainingState !== undefined,
    () => `${path}: not a training checkpoint (no trainingState); use loadModel for a plain saved model`,
  );
  checkFormat(
    model.compiled !== undefined,
    () => `${path}: the checkpoint has no training config; save it with includeOptimizer`,
  );
  try {
    globalRng.setState(trainingState.rng);
  } catch (e) {
    throw new FileFormatError(`${path}: ${(e as Error).message}`);
  }
  return { model, initialEpoch: trainingState.epoch };
}

async function readModelFiles(path: string, options?: LoadOptions): Promise<ModelFiles> {
  const fs = nodeFs('loadModel');
  const { join } = nodePath('loadModel');
  let stat;
  try {
    stat = await fs.stat(path);
  } catch {
    throw new FileFormatError(`loadModel: '${path}' does not exist`);
  }
  if (stat.isFile()) return { [MODEL_WEIGHTS]: await readFileWithin(path, 'loadModel', options) };
  const files: ModelFiles = {};
  // The weights file carries its own copy of model.json, so a missing one is not an error.
  const jsonPath = join(path, MODEL_JSON);
  const jsonStat = await fs.stat(jsonPath).catch(() => null);
  if (jsonStat?.isFile()) files[MODEL_JSON] = await readFileWithin(jsonPath, 'loadModel', options);
  files[MODEL_WEIGHTS] = await readFileWithin(
    join(path, MODEL_WEIGHTS),
    'loadModel',
    options,
    () => `loadModel: '${path}' has no ${MODEL_WEIGHTS}; expected a directory written by model.save`,
  );
  return files;
}

/**
 * Loads a native model from URLs (browsers): `base/model.json` and `base/model.safetensors`.
 * With `options.maxBytes`, a response declaring a larger size is refused before it is read.
 * @example const model = await fetchModel('/models/boston');
 */
export async function fetchModel(
  baseUrl: string,
  fetchFn: typeof fetch = fetch,
  options?: LoadOptions,
): Promise<LayersModel> {
  checkLoadOptions('fetchModel', options);
  return loadWithState(await fetchModelFiles(baseUrl, fetchFn, options), options).model;
}

async function fetchModelFiles(baseUrl: string, fetchFn: typeof fetch, options?: LoadOptions): Promise<ModelFiles> {
  const base = baseUrl.replace(/\/+$/, '');
  const files: ModelFiles = {};
  for (const name of [MODEL_JSON, MODEL_WEIGHTS]) {
    const response = await fetchFn(`${base}/${name}`);
    if (!response.ok) throw new FileFormatError(`fetchModel: ${base}/${name} answered ${response.status}`);
    const declared = Number(response.headers?.get('content-length') ?? Number.NaN);
    const tooLarge = (size: string) =>
      new FileFormatError(
        `fetchModel: ${base}/${name} ${size}, more than the maxBytes limit of ${options?.maxBytes} bytes; pass a larger { maxBytes } to accept it`,
      );
    if (options?.maxBytes !== undefined && declared > options.maxBytes) throw tooLarge(`is ${declared} bytes`);
    files[name] = await readBody(response, options?.maxBytes, tooLarge);
  }
  return files;
}

/**
 * A response's bytes. With a limit, the body is read as a stream and abandoned as soon as it
 * passes the limit, so a server that sends no content-length (or a false one) cannot make the
 * loader hold more than `maxBytes`.
 */
async function readBody(
  response: Response,
  maxBytes: number | undefined,
  tooLarge: (size: string) => Error,
): Promise<Uint8Array> {
  if (maxBytes === undefined || !response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (maxBytes !== undefined && bytes.byteLength > maxBytes) throw tooLarge(`is ${bytes.byteLength} bytes`);
    return bytes;
  }
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge(`sent ${size} bytes before the reading stopped`);
    }
    parts.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
