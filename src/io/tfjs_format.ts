import type { DType } from '../core/dtype.js';
import { fmtShape } from '../core/errors.js';
import type { Config } from '../initializers/initializer.js';
import type { LayersModel } from '../models/layers_model.js';
import { tensor } from '../ops/convert.js';
import { cast } from '../ops/prims/shape_ops.js';
import { toCamelKeys, toSnakeKeys } from './config_case.js';
import { checkFormat, FileFormatError } from './format_error.js';
import { assignInOrder, assignNamedWeights, buildModelFromConfig, namedModelWeights } from './model_weights.js';
import { isJsonObject, parseJsonSafely } from './safe_json.js';
import type { NamedTensor } from './safetensors.js';

/** One weight in a TF.js weights manifest. */
export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool';
}

/** TF.js' `model.json` for a layers model. */
export interface TfjsModelJson {
  format: 'layers-model';
  generatedBy: string;
  convertedBy: null;
  modelTopology: Config;
  weightsManifest: { paths: string[]; weights: TfjsWeightSpec[] }[];
}

/** A TF.js model in memory: `model.json` and the weight shards it names, by file name. */
export interface TfjsFiles {
  modelJson: TfjsModelJson;
  shards: Record<string, Uint8Array>;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };
/** Myelin activation names TF.js spells differently. */
const TFJS_ACTIVATION: Record<string, string> = { silu: 'swish' };

/**
 * Converts a model to TF.js' layers format: a Keras-style topology with snake_case keys and
 * one `weights.bin` shard of float32 (float64 models are cast), loadable by
 * `tf.loadLayersModel`.
 *
 * @example const { modelJson, shards } = toTfjsFiles(model); // shards['weights.bin']
 */
export function toTfjsFiles(model: LayersModel, shardName = 'weights.bin'): TfjsFiles {
  const named = namedModelWeights(model).map(({ name, tensor: t }) => ({
    name,
    tensor: t.dtype === 'float64' ? cast(t, 'float32') : t,
  }));
  const specs: TfjsWeightSpec[] = named.map(({ name, tensor: t }) => ({
    name,
    shape: [...t.shape],
    dtype: t.dtype as TfjsWeightSpec['dtype'],
  }));
  const parts = named.map(({ tensor: t }) => {
    const v = t.dataSync();
    return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  });
  const data = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.byteLength;
  }
  const config = tfjsTopologyConfig(model);
  return {
    modelJson: {
      format: 'layers-model',
      generatedBy: 'Myelin',
      convertedBy: null,
      modelTopology: {
        class_name: model.getClassName() === 'Functional' ? 'Model' : model.getClassName(),
        config: toSnakeKeys(config) as Config,
        keras_version: 'tfjs-layers 4.22.0',
        backend: 'tensor_flow.js',
      },
      weightsManifest: [{ paths: [shardName], weights: specs }],
    },
    shards: { [shardName]: data },
  };
}

/** TF.js writes no InputLayer in a Sequential config: the first layer carries the input shape. */
function tfjsTopologyConfig(model: LayersModel): Config {
  const config = structuredClone(model.getConfig());
  const layers = config.layers as { className: string; config: Config }[];
  if (model.getClassName() === 'Sequential' && layers[0]?.className === 'InputLayer') {
    const inputLayer = layers.shift() as { config: Config };
    if (layers[0] && !layers[0].config.batchInputShape)
      layers[0].config.batchInputShape = inputLayer.config.batchInputShape;
  }
  for (const layer of layers) {
    const act = layer.config.activation;
    if (typeof act === 'string' && act in TFJS_ACTIVATION) layer.config.activation = TFJS_ACTIVATION[act];
    if (layer.config.dtype === 'float64') layer.config.dtype = 'float32';
  }
  return config;
}

/**
 * Builds a model from TF.js layers-format files (`model.json` parsed or as bytes, plus the
 * shards it lists). Everything is validated first: the manifest, each weight's dtype and
 * shape, and that the shards hold exactly the bytes the manifest describes.
 *
 * @example const model = fromTfjsFiles(modelJsonBytes, { 'group1-shard1of1.bin': bin });
 */
export function fromTfjsFiles(
  modelJson: TfjsModelJson | Uint8Array | string,
  shards: Record<string, Uint8Array>,
): LayersModel {
  const json =
    modelJson instanceof Uint8Array || typeof modelJson === 'string'
      ? parseJsonSafely(modelJson, 'model.json')
      : modelJson;
  checkFormat(isJsonObject(json), () => `model.json: expected a JSON object`);
  checkFormat(
    json.format === undefined || json.format === 'layers-model',
    () => `model.json: format '${String(json.format)}' is not a TF.js layers model (graph models are not supported)`,
  );
  const topology =
    isJsonObject(json.modelTopology) && isJsonObject(json.modelTopology.model_config)
      ? json.modelTopology.model_config
      : json.modelTopology;
  checkFormat(
    isJsonObject(topology) && typeof topology.class_name === 'string' && isJsonObject(topology.config),
    () => `model.json: 'modelTopology' must be {class_name, config}`,
  );
  const weights = readTfjsWeights(json.weightsManifest, shards);
  const serialized = toCamelKeys(topology) as { className: string; config: Config };
  const model = buildModelFromConfig(
    serialized,
    weights.reduce((n, w) => n + w.tensor.size, 0),
    'model.json',
  );
  const names = new Set(model.weights.map((v) => v.name));
  if (weights.length === names.size && weights.every((w) => names.has(w.name)))
    assignNamedWeights(model, weights, 'weights.bin');
  else assignInOrder(weights, model, 'weights.bin'); // TF.js may uniquify variable names ('kernel_1')
  return model;
}

/** Checks the manifest against the shards and slices out every weight. */
function readTfjsWeights(manifest: unknown, shards: Record<string, Uint8Array>): NamedTensor[] {
  checkFormat(Array.isArray(manifest), () => `model.json: 'weightsManifest' must be a list of {paths, weights}`);
  const out: NamedTensor[] = [];
  manifest.forEach((group, g) => {
    const where = `model.json: weightsManifest[${g}]`;
    checkFormat(
      isJsonObject(group) && Array.isArray(group.paths) && Array.isArray(group.weights),
      () => `${where} must be {paths, weights}`,
    );
    const paths = group.paths as unknown[];
    let total = 0;
    for (const p of paths) {
      checkFormat(
        typeof p === 'string' && shards[p] instanceof Uint8Array,
        () =>
          `${where}: shard ${JSON.stringify(p)} was not provided (have ${Object.keys(shards).join(', ') || 'none'})`,
      );
      total += shards[p as string].byteLength;
    }
    const specs = (group.weights as unknown[]).map((w, i) => readSpec(w, `${where}.weights[${i}]`, total));
    const needed = specs.reduce((n, s) => n + s.bytes, 0);
    checkFormat(
      needed === total,
      () => `${where}: the weights need ${needed} bytes but the shards ${paths.join(', ')} hold ${total}`,
    );
    const data = new Uint8Array(total);
    let at = 0;
    for (const p of paths) {
      data.set(shards[p as string], at);
      at += shards[p as string].byteLength;
    }
    let offset = 0;
    for (const s of specs) {
      const bytes = data.slice(offset, offset + s.bytes);
      offset += s.bytes;
      const values =
        s.dtype === 'float32'
          ? new Float32Array(bytes.buffer)
          : s.dtype === 'int32'
            ? new Int32Array(bytes.buffer)
            : bytes;
      out.push({ name: s.name, tensor: tensor(values, s.shape, s.dtype) });
    }
  });
  return out;
}

function readSpec(
  raw: unknown,
  where: string,
  available: number,
): { name: string; shape: number[]; dtype: DType; bytes: number } {
  checkFormat(isJsonObject(raw) && typeof raw.name === 'string', () => `${where}: expected {name, shape, dtype}`);
  checkFormat(
    raw.quantization === undefined,
    () => `${where} ('${raw.name}'): quantized weights are not supported; save the TF.js model without quantization`,
  );
  const { shape, dtype } = raw;
  checkFormat(
    typeof dtype === 'string' && dtype in BYTES,
    () => `${where} ('${raw.name}'): unsupported dtype ${JSON.stringify(dtype)}; expected float32, int32 or bool`,
  );
  checkFormat(
    Array.isArray(shape) && shape.length <= 16 && shape.every((d) => Number.isSafeInteger(d) && d >= 0),
    () => `${where} ('${raw.name}'): shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`,
  );
  let count = 1;
  for (const d of shape as number[]) {
    count *= d;
    if (count === 0) break;
    if (count * BYTES[dtype] > available)
      throw new FileFormatError(
        `${where} ('${raw.name}'): shape ${fmtShape(shape as number[])} needs more than the ${available} bytes the shards hold`,
      );
  }
  return { name: raw.name, shape: shape as number[], dtype: dtype as DType, bytes: count * BYTES[dtype] };
}

/**
 * Saves a model in TF.js' layers format (Node): `dir/model.json` and `dir/weights.bin`, each
 * written atomically. `tf.loadLayersModel('file://dir/model.json')` reads it.
 * @example await saveTfjsModel(model, 'web/model');
 */
export async function saveTfjsModel(model: LayersModel, dir: string): Promise<void> {
  const { join } = await import('node:path');
  const { atomicWriteFile } = await import('./atomic_write.js');
  const { modelJson, shards } = toTfjsFiles(model);
  for (const [name, bytes] of Object.entries(shards)) await atomicWriteFile(join(dir, name), bytes);
  await atomicWriteFile(join(dir, 'model.json'), new TextEncoder().encode(JSON.stringify(modelJson)));
}

/**
 * Loads a TF.js layers model from `model.json` and the shards beside it (Node). Shard paths
 * must be plain file names in the same directory: nothing outside it is ever read.
 * @example const model = await loadTfjsModel('web/model/model.json');
 */
export async function loadTfjsModel(modelJsonPath: string): Promise<LayersModel> {
  const fs = await import('node:fs/promises');
  const { dirname, join } = await import('node:path');
  let raw: Uint8Array;
  try {
    raw = new Uint8Array(await fs.readFile(modelJsonPath));
  } catch {
    throw new FileFormatError(`loadTfjsModel: cannot read '${modelJsonPath}'`);
  }
  const json = parseJsonSafely(raw, 'model.json');
  checkFormat(
    isJsonObject(json) && Array.isArray(json.weightsManifest),
    () => `model.json: 'weightsManifest' must be a list of {paths, weights}`,
  );
  const shards: Record<string, Uint8Array> = {};
  for (const group of json.weightsManifest as unknown[]) {
    const paths = isJsonObject(group) && Array.isArray(group.paths) ? group.paths : [];
    for (const p of paths) {
      checkFormat(
        typeof p === 'string' && /^[\w.-]+$/.test(p) && p !== '.' && p !== '..',
        () => `model.json: shard path ${JSON.stringify(p)} must be a plain file name in the model's directory`,
      );
      try {
        shards[p] = new Uint8Array(await fs.readFile(join(dirname(modelJsonPath), p)));
      } catch {
        throw new FileFormatError(`model.json: weight shard '${p}' is missing next to ${modelJsonPath}`);
      }
    }
  }
  return fromTfjsFiles(json as unknown as TfjsModelJson, shards);
}
