/**
 * TF.js' `tf.io` helpers that programs use: list and remove models in browser storage, wrap a
 * function as a save handler, give artifacts in memory as a load handler, and an explicit
 * HTTP handler with options.
 * @example await model.save(io.withSaveHandler(async (artifacts) => upload(artifacts)));
 */
import type { HttpOptions } from './http_model.js';
import { listModels, removeModel } from './browser_storage.js';
import {
  artifactsInfo,
  type LoadHandler,
  type ModelArtifacts,
  type SaveHandler,
  type SaveResult,
} from './tfjs_artifacts.js';

/**
 * A save handler calling `save` with the model's artifacts (TF.js `io.withSaveHandler`).
 * @example let saved; await model.save(io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: ... }; }));
 */
function withSaveHandler(save: (artifacts: ModelArtifacts) => Promise<SaveResult>): SaveHandler {
  return { save };
}

/**
 * A load handler serving artifacts held in memory (TF.js `io.fromMemory`): either one
 * artifacts object, or the topology, weight specs and weight data apart.
 * @example const model = await loadLayersModel(io.fromMemory(artifacts));
 */
function fromMemory(
  modelArtifacts: ModelArtifacts | ModelArtifacts['modelTopology'],
  weightSpecs?: ModelArtifacts['weightSpecs'],
  weightData?: ArrayBuffer,
): LoadHandler {
  const artifacts: ModelArtifacts =
    weightSpecs === undefined && 'modelTopology' in modelArtifacts
      ? (modelArtifacts as ModelArtifacts)
      : { modelTopology: modelArtifacts as ModelArtifacts['modelTopology'], weightSpecs, weightData };
  return { load: async () => artifacts };
}

/**
 * An HTTP handler (TF.js `io.http` / `io.browserHTTPRequest`): `save` POSTs the model as a
 * multipart form, `load` fetches model.json and its weight files, both with `options`.
 * @example await model.save(io.http('https://example.com/upload', { requestInit: { method: 'PUT' } }));
 */
function http(url: string, options: HttpOptions = {}): SaveHandler & LoadHandler {
  return {
    async save(artifacts) {
      const { saveToUrl } = await import('./http_model.js');
      return saveToUrl(url, artifacts, options);
    },
    async load() {
      const { artifactsFromUrl } = await import('./http_model.js');
      return artifactsFromUrl(url, options);
    },
  };
}

/** TF.js' `tf.io` namespace (the parts TF.js programs use). */
export const io = {
  listModels,
  removeModel,
  withSaveHandler,
  fromMemory,
  http,
  browserHTTPRequest: http,
  getModelArtifactsInfoForJSON: artifactsInfo,
};
