/**
 * TF.js' in-memory form of a saved model (`ModelArtifacts`: topology, weight specs and one
 * buffer of weight data) and what a save reports (`SaveResult`), converted to and from the
 * TF.js layers-format files Myelin reads and writes. Browser storage, HTTP and custom save
 * handlers all speak artifacts, as in TF.js, so a model stored by one library loads in the other.
 */
import type { Config } from '../core/config.js';
import type { LayersModel } from '../models/layers_model.js';
import { checkFormat } from './format_error.js';
import type { LoadOptions } from './load_limits.js';
import { isJsonObject } from './safe_json.js';
import { fromTfjsFiles, toTfjsFiles, type TfjsModelJson, type TfjsWeightSpec } from './tfjs_format.js';

/** TF.js' `ModelArtifacts` (the fields a layers model uses). */
export interface ModelArtifacts {
  modelTopology: Config;
  weightSpecs?: TfjsWeightSpec[];
  weightData?: ArrayBuffer;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: Config;
  userDefinedMetadata?: Record<string, unknown>;
}

/** TF.js' `ModelArtifactsInfo`: what was saved, and how large. */
export interface ModelArtifactsInfo {
  dateSaved: Date;
  modelTopologyType: 'JSON';
  modelTopologyBytes: number;
  weightSpecsBytes: number;
  weightDataBytes: number;
}

/** What `model.save` reports (TF.js' `SaveResult`). */
export interface SaveResult {
  modelArtifactsInfo: ModelArtifactsInfo;
  /** Errors a handler reported without throwing (TF.js field; Myelin's handlers throw). */
  errors?: unknown[];
}

/** Something `model.save` can save to, as TF.js' save handlers: `save(artifacts)`. */
export interface SaveHandler {
  save(artifacts: ModelArtifacts): Promise<SaveResult>;
}

/** Something `loadLayersModel` can load from, as TF.js' load handlers: `load()`. */
export interface LoadHandler {
  load(): Promise<ModelArtifacts>;
}

/**
 * A model as TF.js artifacts: the topology and weights as `toTfjsFiles` writes them.
 * @example const artifacts = modelArtifacts(model); artifacts.weightData.byteLength;
 */
export function modelArtifacts(
  model: LayersModel,
): ModelArtifacts & { weightSpecs: TfjsWeightSpec[]; weightData: ArrayBuffer } {
  const { modelJson, shards } = toTfjsFiles(model);
  const bytes = Object.values(shards)[0];
  return {
    modelTopology: modelJson.modelTopology,
    weightSpecs: modelJson.weightsManifest[0].weights,
    weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    format: modelJson.format,
    generatedBy: modelJson.generatedBy,
    convertedBy: modelJson.convertedBy,
  };
}

/**
 * Rebuilds a model from TF.js artifacts (what a browser store or a load handler returns).
 * @example const model = modelFromArtifacts(await handler.load());
 */
export function modelFromArtifacts(artifacts: ModelArtifacts, options?: LoadOptions): LayersModel {
  checkFormat(
    isJsonObject(artifacts) && isJsonObject(artifacts.modelTopology),
    () => 'loadLayersModel: the model artifacts have no modelTopology',
  );
  const data = artifacts.weightData;
  checkFormat(
    data === undefined || data instanceof ArrayBuffer || ArrayBuffer.isView(data),
    () => 'loadLayersModel: weightData must be an ArrayBuffer',
  );
  const bytes =
    data === undefined
      ? new Uint8Array(0)
      : data instanceof ArrayBuffer
        ? new Uint8Array(data)
        : new Uint8Array(
            (data as ArrayBufferView).buffer,
            (data as ArrayBufferView).byteOffset,
            (data as ArrayBufferView).byteLength,
          );
  const json: TfjsModelJson = {
    format: 'layers-model',
    generatedBy: artifacts.generatedBy ?? '',
    convertedBy: null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
  };
  if (artifacts.trainingConfig) (json as unknown as Config).trainingConfig = artifacts.trainingConfig;
  return fromTfjsFiles(json, { 'weights.bin': bytes }, options);
}

/**
 * What a save of `artifacts` reports: the sizes TF.js' `getModelArtifactsInfoForJSON` gives.
 * @example artifactsInfo(modelArtifacts(model)).weightDataBytes;
 */
export function artifactsInfo(artifacts: ModelArtifacts): ModelArtifactsInfo {
  const length = (value: unknown) =>
    value === undefined ? 0 : new TextEncoder().encode(JSON.stringify(value)).byteLength;
  return {
    dateSaved: new Date(),
    modelTopologyType: 'JSON',
    modelTopologyBytes: length(artifacts.modelTopology),
    weightSpecsBytes: length(artifacts.weightSpecs),
    weightDataBytes: artifacts.weightData?.byteLength ?? 0,
  };
}
