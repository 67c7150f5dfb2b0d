import { nodePath } from './node_files.js';
import type { DType } from '../core/dtype.js';
import { fmtList, fmtShape } from '../core/errors.js';
import type { Config } from '../core/config.js';
import type { LayersModel } from '../models/layers_model.js';
import { tensor } from '../ops/convert.js';
import { cast } from '../ops/prims/shape_ops.js';
import { toCamelKeys, toSnakeKeys } from './config_case.js';
import { atomicWriteFile, checkSavePath } from './atomic_write.js';
import { checkFormat, FileFormatError } from './format_error.js';
import { adaptToOrigin } from './config_origin.js';
import { restoreCompileConfig } from './keras_compile.js';
import { ByteBudget, checkLoadOptions, type LoadOptions, readFileWithin } from './load_limits.js';
import { assignInOrder, buildModelFromConfig, namedModelWeights } from './model_weights.js';
import { isJsonObject, parseJsonSafely } from './safe_json.js';
import type { NamedTensor } from './safetensors.js';
import {
  dequantize,
  matchTfjsWeights,
  QUANTIZED_BYTES,
  tfjsWeightNames,
  type TfjsQuantization,
} from './tfjs_weights.js';

/** One weight in a TF.js weights manifest. */
export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool';
  /** Present when the converter stored the weight quantized. */
  quantization?: TfjsQuantization;
  /** 'optimizer' for optimizer state, which loading skips. */
  group?: 'model' | 'optimizer';
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
const TFJS_ACTIVATION: Record<string, string> = { silu: 'swish', hard_sigmoid_tfjs: 'hard_sigmoid' };

/**
 * Converts a model to TF.js' layers format: a Keras-style topology with snake_case keys and
 * one `weights.bin` shard of float32 (float64 models are cast), loadable by
 * `tf.loadLayersModel`: weights carry the names TF.js matches by, and what TF.js cannot
 * represent (a GRU with `resetAfter`, Keras 3's `hard_sigmoid`) is refused naming the layer.
 *
 * @example const { modelJson, shards } = toTfjsFiles(model); // shards['weights.bin']
 */
export function toTfjsFiles(model: LayersModel, shardName = 'weights.bin'): TfjsFiles {
  const config = tfjsTopologyConfig(model);
  const tfjsNames = tfjsWeightNames(model);
  const named = namedModelWeights(model).map(({ tensor: t }, i) => ({
    name: tfjsNames[i],
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

/**
 * The topology in TF.js' terms. TF.js writes no InputLayer in a Sequential config (the first
 * layer carries the input shape), knows fewer activations and regularizer classes, and has no
 * GRU with `resetAfter`: what it cannot represent is refused, naming the layer.
 */
function tfjsTopologyConfig(model: LayersModel): Config {
  const config = structuredClone(model.getConfig());
  const layers = config.layers as { className: string; config: Config }[];
  if (model.getClassName() === 'Sequential' && layers[0]?.className === 'InputLayer') {
    const inputLayer = layers.shift() as { config: Config };
    if (layers[0] && !layers[0].config.batchInputShape)
      layers[0].config.batchInputShape = inputLayer.config.batchInputShape;
  }
  const visit = (layer: { className: string; config: Config }) => {
    const c = layer.config;
    const who = `toTfjsFiles: layer '${String(c.name)}' (${layer.className})`;
    if ((layer.className === 'GRU' || layer.className === 'GRUCell') && c.resetAfter)
      throw new FileFormatError(
        `${who} has resetAfter: true, which TF.js' GRU cannot represent; build it with resetAfter: false to save in the TF.js format`,
      );
    for (const [key, isDefault] of Object.entries(TFJS_LACKS[layer.className] ?? {}))
      if (!isDefault(c[key]))
        throw new FileFormatError(
          `${who} has ${key}: ${JSON.stringify(c[key])}, which TF.js' ${layer.className} does not have (it would load and compute something else); keep the default to save in the TF.js format`,
        );
    for (const [ours, theirs] of Object.entries(TFJS_RENAMED[layer.className] ?? {})) {
      c[theirs] = c[ours];
      delete c[ours];
    }
    for (const [key, value] of Object.entries(c)) {
      if (/[aA]ctivation$/.test(key) && typeof value === 'string') c[key] = tfjsActivation(value, who, key);
      if (/Regularizer$/.test(key) && value && typeof value === 'object') c[key] = tfjsRegularizer(value as Config);
    }
    if (c.dtype === 'float64') c.dtype = 'float32';
    // TF.js names a Bidirectional's directions 'forward_' + the wrapped layer's name without
    // removing a 'forward_' already there (Keras does), so it gets the bare name.
    if (layer.className === 'Bidirectional' && c.layer && typeof c.layer === 'object') {
      const inner = (c.layer as { config: Config }).config;
      if (typeof inner.name === 'string') inner.name = inner.name.replace(/^forward_/, '');
    }
    if (c.layer && typeof c.layer === 'object') visit(c.layer as { className: string; config: Config });
    if (c.cell && typeof c.cell === 'object') visit(c.cell as { className: string; config: Config });
    if (Array.isArray(c.layers)) (c.layers as { className: string; config: Config }[]).forEach(visit);
    if (Array.isArray(c.cells)) (c.cells as { className: string; config: Config }[]).forEach(visit);
  };
  layers.forEach(visit);
  return config;
}

const notKeepdims = { keepdims: (v: unknown) => !v };
/**
 * Options of Keras layers that TF.js 4.22's class lacks and would silently ignore, with the
 * values that mean "off": a layer that turns one on cannot be saved in TF.js' format.
 */
const TFJS_LACKS: Record<string, Record<string, (v: unknown) => boolean>> = {
  GlobalAveragePooling1D: notKeepdims,
  GlobalMaxPooling1D: notKeepdims,
  GlobalAveragePooling2D: notKeepdims,
  GlobalMaxPooling2D: notKeepdims,
  ReLU: { negativeSlope: (v) => !v, threshold: (v) => !v },
  Softmax: { axis: (v) => !Array.isArray(v) },
  Conv2DTranspose: { outputPadding: (v) => v === null || v === undefined },
  Bidirectional: { backwardLayer: (v) => v === null || v === undefined },
  // TF.js has the option but throws on any other value when the file is loaded.
  ELU: { alpha: (v) => v === undefined || v === 1 },
};

/** Options TF.js 4.22 knows under the name Keras 2 gave them. */
const TFJS_RENAMED: Record<string, Record<string, string>> = {
  LeakyReLU: { negativeSlope: 'alpha' },
};

/** The activations TF.js 4.22 has, by the name Myelin uses. */
const TFJS_ACTIVATIONS = new Set([
  'linear',
  'sigmoid',
  'tanh',
  'relu',
  'relu6',
  'elu',
  'selu',
  'softplus',
  'softsign',
  'softmax',
  'log_softmax',
  'gelu',
  'mish',
  'silu',
  'hard_sigmoid_tfjs',
]);

function tfjsActivation(name: string, who: string, key: string): string {
  if (name === 'hard_sigmoid')
    throw new FileFormatError(
      `${who}: ${key} 'hard_sigmoid' is Keras 3's relu6(x + 3) / 6, which TF.js does not have (TF.js' hardSigmoid is clip(0.2x + 0.5, 0, 1), Myelin's 'hard_sigmoid_tfjs'); use 'hard_sigmoid_tfjs' to save in the TF.js format`,
    );
  if (!TFJS_ACTIVATIONS.has(name))
    throw new FileFormatError(
      `${who}: TF.js has no activation '${name}' (${key}); TF.js' activations are ${[...TFJS_ACTIVATIONS].join(', ')}`,
    );
  return TFJS_ACTIVATION[name] ?? name;
}

/** TF.js knows Keras' L1 and L2 penalties only as its L1L2 class. */
function tfjsRegularizer(reg: Config): Config {
  const config = (reg.config ?? {}) as Config;
  if (reg.className === 'L1') return { className: 'L1L2', config: { l1: config.l1, l2: 0 } };
  if (reg.className === 'L2') return { className: 'L1L2', config: { l1: 0, l2: config.l2 } };
  return reg;
}

/**
 * Builds a model from TF.js layers-format files (`model.json` parsed or as bytes, plus the
 * shards it lists). Everything is validated first: the manifest, each weight's dtype and
 * shape, that each shard is listed once, and that the shards hold exactly the bytes the
 * manifest describes; `options.maxBytes` bounds the weights read (see LoadOptions). Weights are
 * matched to layers by name (quantized ones dequantised), names mean what TF.js computes
 * (`hard_sigmoid` is `hard_sigmoid_tfjs`), and a saved training config compiles the model.
 *
 * @example const model = fromTfjsFiles(modelJsonBytes, { 'group1-shard1of1.bin': bin });
 */
export function fromTfjsFiles(
  modelJson: TfjsModelJson | Uint8Array | string,
  shards: Record<string, Uint8Array>,
  options?: LoadOptions,
): LayersModel {
  checkLoadOptions('fromTfjsFiles', options);
  const json =
    modelJson instanceof Uint8Array || typeof modelJson === 'string'
      ? parseJsonSafely(modelJson, 'model.json')
      : modelJson;
  checkFormat(isJsonObject(json), () => `model.json: expected a JSON object`);
  checkNotGraphModel(json);
  checkFormat(
    json.format === undefined || json.format === 'layers-model',
    () => `model.json: format '${String(json.format)}' is not a TF.js layers model`,
  );
  const topology =
    isJsonObject(json.modelTopology) && isJsonObject(json.modelTopology.model_config)
      ? json.modelTopology.model_config
      : json.modelTopology;
  checkFormat(
    isJsonObject(topology) && typeof topology.class_name === 'string' && isJsonObject(topology.config),
    () => `model.json: 'modelTopology' must be {class_name, config}`,
  );
  const fileBytes =
    (typeof modelJson === 'string' ? modelJson.length : modelJson instanceof Uint8Array ? modelJson.byteLength : 0) +
    Object.values(shards).reduce((n, s) => n + (s instanceof Uint8Array ? s.byteLength : 0), 0);
  const weights = readTfjsWeights(
    json.weightsManifest,
    shards,
    ByteBudget.for(fileBytes, options, 'loadTfjsModel (or fromTfjsFiles)'),
  ).filter((w) => w.group !== 'optimizer');
  // TF.js computes what these names mean in TF.js (hardSigmoid is clip(0.2x + 0.5, 0, 1)).
  const serialized = adaptToOrigin(toCamelKeys(topology) as { className: string; config: Config }, 'tfjs');
  const model = buildModelFromConfig(
    serialized,
    weights.reduce((n, w) => n + w.tensor.size, 0),
    'model.json',
  );
  assignInOrder(matchTfjsWeights(model, weights, 'weights.bin'), model, 'weights.bin');
  const training = isJsonObject(json.modelTopology) ? json.modelTopology.training_config : undefined;
  const problem = restoreCompileConfig(model, json.trainingConfig ?? training, 'model.json');
  if (problem) console.warn(problem);
  return model;
}

/** A graph model is refused with what it is and what to use instead. */
function checkNotGraphModel(json: Record<string, unknown>): void {
  const topology = json.modelTopology;
  const isGraph = json.format === 'graph-model' || (isJsonObject(topology) && Array.isArray(topology.node));
  if (!isGraph) return;
  const ops = isJsonObject(topology) && Array.isArray(topology.node) ? topology.node : [];
  const names = [...new Set(ops.map((n) => (isJsonObject(n) ? n.op : undefined)).filter((o) => typeof o === 'string'))];
  throw new FileFormatError(
    `model.json is a TF.js graph model (format 'graph-model'${names.length ? `; ops ${names.slice(0, 8).join(', ')}` : ''}): a frozen TensorFlow graph of low-level operations that tensorflowjs_converter writes from a SavedModel or a frozen graph. It has no Keras layers, so Myelin cannot rebuild it as a model. Instead, load the Keras model it came from (loadKerasModel on its .keras or .h5 file), convert that model to a TF.js layers model (tensorflowjs_converter --input_format keras) and load it with loadTfjsModel, or run the graph model in TF.js with tf.loadGraphModel`,
  );
}

/**
 * Checks the manifest against the shards and slices out every weight. Each shard may be listed
 * once, so the weights can never add up to more than the distinct shards hold (dequantised
 * weights are charged to `budget` at their decoded size).
 */
function readTfjsWeights(
  manifest: unknown,
  shards: Record<string, Uint8Array>,
  budget: ByteBudget,
): (NamedTensor & { group?: string })[] {
  checkFormat(Array.isArray(manifest), () => `model.json: 'weightsManifest' must be a list of {paths, weights}`);
  const out: (NamedTensor & { group?: string })[] = [];
  const listedIn = new Map<string, number>();
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
        () => `${where}: shard ${JSON.stringify(p)} was not provided (have ${fmtList(Object.keys(shards)) || 'none'})`,
      );
      const first = listedIn.get(p);
      checkFormat(
        first === undefined,
        () =>
          `${where}: shard '${p}' is already listed by weightsManifest[${first}]; each shard holds the weights of one group`,
      );
      listedIn.set(p, g);
      total += shards[p].byteLength;
    }
    const specs = (group.weights as unknown[]).map((w, i) => readSpec(w, `${where}.weights[${i}]`, total));
    const needed = specs.reduce((n, s) => n + s.bytes, 0);
    checkFormat(
      needed === total,
      () => `${where}: the weights need ${needed} bytes but the shards ${fmtList(paths)} hold ${total}`,
    );
    budget.take(
      specs.reduce((n, s) => n + s.decodedBytes, 0),
      where,
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
      const values = s.quantization
        ? dequantize(bytes, s.quantization, s.dtype as 'float32' | 'int32', `model.json: weight '${s.name}'`)
        : s.dtype === 'float32'
          ? new Float32Array(bytes.buffer)
          : s.dtype === 'int32'
            ? new Int32Array(bytes.buffer)
            : bytes;
      out.push({ name: s.name, tensor: tensor(values, s.shape, s.dtype), group: s.group });
    }
  });
  return out;
}

function readSpec(
  raw: unknown,
  where: string,
  available: number,
): {
  name: string;
  shape: number[];
  dtype: DType;
  bytes: number;
  /** The bytes the weight takes once dequantised. */
  decodedBytes: number;
  quantization?: TfjsQuantization;
  group?: string;
} {
  checkFormat(isJsonObject(raw) && typeof raw.name === 'string', () => `${where}: expected {name, shape, dtype}`);
  const { shape, dtype } = raw;
  checkFormat(
    typeof dtype === 'string' && dtype in BYTES,
    () => `${where} ('${raw.name}'): unsupported dtype ${JSON.stringify(dtype)}; expected float32, int32 or bool`,
  );
  const quantization =
    raw.quantization === undefined ? undefined : readQuantization(raw.quantization, dtype, `${where} ('${raw.name}')`);
  const size = quantization ? QUANTIZED_BYTES[quantization.dtype] : BYTES[dtype];
  checkFormat(
    Array.isArray(shape) && shape.length <= 16 && shape.every((d) => Number.isSafeInteger(d) && d >= 0),
    () => `${where} ('${raw.name}'): shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`,
  );
  let count = 1;
  for (const d of shape as number[]) {
    count *= d;
    if (count === 0) break;
    if (count * size > available)
      throw new FileFormatError(
        `${where} ('${raw.name}'): shape ${fmtShape(shape as number[])} needs more than the ${available} bytes the shards hold`,
      );
  }
  return {
    name: raw.name,
    shape: shape as number[],
    dtype: dtype as DType,
    bytes: count * size,
    decodedBytes: count * BYTES[dtype],
    quantization,
    group: typeof raw.group === 'string' ? raw.group : undefined,
  };
}

/** The converter's quantization entry: uint8/uint16 codes with scale and min, or float16 values. */
function readQuantization(raw: unknown, dtype: string, where: string): TfjsQuantization {
  checkFormat(
    isJsonObject(raw) && typeof raw.dtype === 'string' && raw.dtype in QUANTIZED_BYTES,
    () =>
      `${where}: unsupported quantization ${JSON.stringify(raw)?.slice(0, 80)}; expected dtype 'uint8', 'uint16' or 'float16'`,
  );
  const q = raw as unknown as TfjsQuantization;
  if (q.dtype === 'float16')
    checkFormat(dtype === 'float32', () => `${where}: float16 quantization is for float32 weights, not ${dtype}`);
  else
    checkFormat(
      Number.isFinite(q.scale) && Number.isFinite(q.min) && (dtype === 'float32' || dtype === 'int32'),
      () => `${where}: ${q.dtype} quantization needs a finite 'scale' and 'min' and a float32 or int32 weight`,
    );
  return { dtype: q.dtype, scale: q.scale, min: q.min };
}

/**
 * Saves a model in TF.js' layers format (Node): `dir/model.json` and `dir/weights.bin`, each
 * written atomically. `tf.loadLayersModel('file://dir/model.json')` reads it.
 * @example await saveTfjsModel(model, 'web/model');
 */
export async function saveTfjsModel(model: LayersModel, dir: string): Promise<void> {
  checkSavePath(dir, 'saveTfjsModel', "give a directory ('web/model'; '.' for the current one)");
  const { join } = nodePath('saveTfjsModel');
  const { modelJson, shards } = toTfjsFiles(model);
  for (const [name, bytes] of Object.entries(shards)) await atomicWriteFile(join(dir, name), bytes);
  await atomicWriteFile(join(dir, 'model.json'), new TextEncoder().encode(JSON.stringify(modelJson)));
}

/**
 * Loads a TF.js layers model from `model.json` and the shards beside it (Node). Shard paths
 * must be plain file names in the same directory: nothing outside it is ever read, and each
 * shard is read once. `options.maxBytes` bounds what is read (see LoadOptions).
 * @example const model = await loadTfjsModel('web/model/model.json');
 */
export async function loadTfjsModel(modelJsonPath: string, options?: LoadOptions): Promise<LayersModel> {
  checkLoadOptions('loadTfjsModel', options);
  const { dirname, join } = nodePath('loadTfjsModel');
  const raw = await readFileWithin(modelJsonPath, 'loadTfjsModel', options);
  const json = parseJsonSafely(raw, 'model.json');
  checkFormat(
    isJsonObject(json) && Array.isArray(json.weightsManifest),
    () => `model.json: 'weightsManifest' must be a list of {paths, weights}`,
  );
  const shards: Record<string, Uint8Array> = {};
  let read = raw.byteLength;
  for (const group of json.weightsManifest as unknown[]) {
    const paths = isJsonObject(group) && Array.isArray(group.paths) ? group.paths : [];
    for (const p of paths) {
      // A plain file name, possibly written './name' (as TF.js' downloads:// writes it).
      const file = typeof p === 'string' ? p.replace(/^\.\//, '') : p;
      checkFormat(
        typeof file === 'string' && /^[\w.-]+$/.test(file) && file !== '.' && file !== '..',
        () => `model.json: shard path ${JSON.stringify(p)} must be a plain file name in the model's directory`,
      );
      if (p in shards) continue; // listed twice: fromTfjsFiles reports it
      const left = options?.maxBytes === undefined ? undefined : { maxBytes: options.maxBytes - read };
      shards[p as string] = await readFileWithin(
        join(dirname(modelJsonPath), file as string),
        'loadTfjsModel',
        left,
        () => `model.json: weight shard '${p}' is missing next to ${modelJsonPath}`,
      );
      read += shards[p as string].byteLength;
    }
  }
  return fromTfjsFiles(json as unknown as TfjsModelJson, shards, options);
}
