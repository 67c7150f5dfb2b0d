/**
 * Where `model.save` and `loadLayersModel` send and find models: TF.js' URL schemes
 * (`file://`, `http(s)://`, `indexeddb://`, `localstorage://`, `downloads://`), TF.js save and
 * load handlers (objects with `save` or `load`), and plain paths (Myelin's native format).
 * Node's file-system code and the browser stores are imported only when a scheme needs them,
 * so a browser bundle never pulls in Node built-ins.
 */
import { ValueError } from '../core/errors.js';
import type { LayersModel } from '../models/layers_model.js';
import { FileFormatError } from './format_error.js';
import { nodeFs, nodePath } from './node_files.js';
import type { HttpOptions } from './http_model.js';
import type { SaveOptions } from './native.js';
import {
  artifactsInfo,
  type LoadHandler,
  modelArtifacts,
  modelFromArtifacts,
  type SaveHandler,
  type SaveResult,
} from './tfjs_artifacts.js';

/** The schemes `model.save` accepts. */
export const SAVE_SCHEMES = ['file://', 'http://', 'https://', 'indexeddb://', 'localstorage://', 'downloads://'];
/** The schemes `loadLayersModel` accepts. */
export const LOAD_SCHEMES = ['file://', 'http://', 'https://', 'indexeddb://', 'localstorage://'];

/** The scheme of `url` in lower case (`'indexeddb'`), or null for a plain path. */
export function schemeOf(url: string): string | null {
  const match = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url);
  return match ? match[1].toLowerCase() : null;
}

function unknownScheme(url: string, scheme: string, schemes: readonly string[], who: string): ValueError {
  return new ValueError(
    `${who}: unknown URL scheme '${scheme}://' in '${url}'; expected one of ${schemes.map((s) => `'${s}'`).join(', ')}, or a plain path for Myelin's native format`,
  );
}

const isSaveHandler = (x: unknown): x is SaveHandler =>
  typeof x === 'object' && x !== null && typeof (x as SaveHandler).save === 'function';
const isLoadHandler = (x: unknown): x is LoadHandler =>
  typeof x === 'object' && x !== null && typeof (x as LoadHandler).load === 'function';

/**
 * Saves `model` where `target` says (see `LayersModel.save`).
 * @example await saveModelTo(model, 'indexeddb://iris');
 */
export async function saveModelTo(
  model: LayersModel,
  target: string | SaveHandler,
  options: SaveOptions & HttpOptions = {},
): Promise<SaveResult> {
  if (isSaveHandler(target)) return target.save(modelArtifacts(model));
  // An empty path is refused by saveModel, which says why.
  if (typeof target !== 'string')
    throw new ValueError(
      `save: expected a path, a URL (${SAVE_SCHEMES.join(', ')}) or a save handler, got ${target === null ? 'null' : typeof target}`,
    );
  const scheme = schemeOf(target);
  const rest = scheme === null ? target : target.slice(scheme.length + 3);
  switch (scheme) {
    case null: {
      const { saveModel } = await import('./model_files.js');
      return nativeResult(await saveModel(model, target, nativeOptions(options)));
    }
    case 'file':
      return saveFileUrl(model, rest, options);
    case 'http':
    case 'https': {
      const { saveToUrl } = await import('./http_model.js');
      return saveToUrl(target, modelArtifacts(model), options);
    }
    case 'indexeddb':
    case 'localstorage':
    case 'downloads': {
      const { saveToBrowser } = await import('./browser_storage.js');
      return saveToBrowser(scheme, rest, modelArtifacts(model));
    }
    default:
      throw unknownScheme(target, scheme, SAVE_SCHEMES, 'save');
  }
}

function nativeOptions(options: SaveOptions & HttpOptions): SaveOptions {
  const { includeOptimizer, trainingState } = options;
  const out: SaveOptions = {};
  if (includeOptimizer !== undefined) out.includeOptimizer = includeOptimizer;
  if (trainingState !== undefined) out.trainingState = trainingState;
  return out;
}

function nativeResult(files: Record<string, Uint8Array>): SaveResult {
  const info = artifactsInfo({ modelTopology: {} });
  info.modelTopologyBytes = files['model.json']?.byteLength ?? 0;
  info.weightDataBytes = files['model.safetensors']?.byteLength ?? 0;
  return { modelArtifactsInfo: info };
}

/**
 * `file://dir`: TF.js' files (dir/model.json and dir/weights.bin), which TF.js loads too. A
 * model TF.js cannot represent (Keras 3's GRU with resetAfter, its hardSigmoid) is saved in
 * Myelin's native format in the same directory instead, with a warning saying why; both load
 * with `loadLayersModel('file://dir/model.json')`.
 */
async function saveFileUrl(model: LayersModel, dir: string, options: SaveOptions): Promise<SaveResult> {
  const { saveTfjsModel } = await import('./tfjs_format.js');
  let artifacts: ReturnType<typeof modelArtifacts>;
  try {
    artifacts = modelArtifacts(model);
  } catch (e) {
    if (!(e instanceof FileFormatError)) throw e;
    console.warn(
      `save('file://${dir}'): saved in Myelin's native format, since TF.js' cannot hold this model: ${e.message}`,
    );
    const { saveModel } = await import('./model_files.js');
    return nativeResult(await saveModel(model, dir, nativeOptions(options)));
  }
  await saveTfjsModel(model, dir);
  return { modelArtifactsInfo: artifactsInfo(artifacts) };
}

/** Options of `loadLayersModel`. */
export type LoadLayersModelOptions = HttpOptions;

/**
 * Loads a layers model (TF.js `tf.loadLayersModel`) from a URL, a path or a TF.js load
 * handler: `file://dir/model.json` (Node), `http(s)://.../model.json` (fetched, weight files
 * beside it), `indexeddb://name` and `localstorage://name` (browsers); a relative URL in a
 * browser is fetched. TF.js' layers format and Myelin's native format are both recognised.
 * `options.maxBytes` bounds what is read.
 * @example const model = await loadLayersModel('file://out/abalone/model.json');
 */
export async function loadLayersModel(
  source: string | LoadHandler,
  options: LoadLayersModelOptions = {},
): Promise<LayersModel> {
  if (isLoadHandler(source)) return modelFromArtifacts(await source.load(), options);
  if (typeof source !== 'string' || source.trim() === '')
    throw new ValueError(
      `loadLayersModel: expected a URL (${LOAD_SCHEMES.join(', ')}), a path or a load handler, got ${JSON.stringify(source)}`,
    );
  const scheme = schemeOf(source);
  const rest = scheme === null ? source : source.slice(scheme.length + 3);
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  switch (scheme) {
    case null:
      if (!isNode) return (await import('./http_model.js')).loadFromUrl(source, options);
      return loadFilePath(source, options);
    case 'file':
      return loadFilePath(rest, options);
    case 'http':
    case 'https':
      return (await import('./http_model.js')).loadFromUrl(source, options);
    case 'indexeddb':
    case 'localstorage': {
      const { loadFromBrowser } = await import('./browser_storage.js');
      return modelFromArtifacts(await loadFromBrowser(scheme, rest), options);
    }
    case 'downloads':
      throw new ValueError(
        `loadLayersModel: 'downloads://' only saves; load the downloaded files with tf.io.browserFiles or serve them and give their URL`,
      );
    default:
      throw unknownScheme(source, scheme, LOAD_SCHEMES, 'loadLayersModel');
  }
}

/** A model.json path (either format), a directory holding one, or a native `.safetensors` file. */
async function loadFilePath(path: string, options: LoadLayersModelOptions): Promise<LayersModel> {
  const fs = nodeFs('loadLayersModel');
  const { dirname, join } = nodePath('loadLayersModel');
  const stat = await fs.stat(path).catch(() => null);
  if (!stat) throw new FileFormatError(`loadLayersModel: '${path}' does not exist`);
  const jsonPath = stat.isDirectory() ? join(path, 'model.json') : path;
  if (!jsonPath.endsWith('.json')) {
    const { loadModel } = await import('./model_files.js');
    return loadModel(path, options);
  }
  const { readFileWithin } = await import('./load_limits.js');
  const { parseJsonSafely } = await import('./safe_json.js');
  const json = parseJsonSafely(await readFileWithin(jsonPath, 'loadLayersModel', options), 'model.json') as {
    format?: unknown;
  };
  if (json?.format === 'myelin-layers-model') {
    const { loadModel } = await import('./model_files.js');
    return loadModel(dirname(jsonPath), options);
  }
  const { loadTfjsModel } = await import('./tfjs_format.js');
  return loadTfjsModel(jsonPath, options);
}
