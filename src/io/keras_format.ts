import { fmtList, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { Variable } from '../core/variable.js';
import type { Layer } from '../layers/layer.js';
import { toSnakeCase } from '../layers/naming.js';
import { ConvLSTM2D } from '../layers/conv_lstm.js';
import { RecurrentLayer } from '../layers/recurrent.js';
import { StackedRNNCells } from '../layers/recurrent_cells.js';
import { RNN } from '../layers/rnn.js';
import { Bidirectional, TimeDistributed } from '../layers/recurrent_wrappers.js';
import { GroupedQueryAttention } from '../layers/grouped_query_attention.js';
import { MultiHeadAttention } from '../layers/multi_head_attention.js';
import type { LayersModel } from '../models/layers_model.js';
import { MAX_LAYERS } from '../layers/limits.js';
import { cast } from '../ops/prims/shape_ops.js';
import { checkFormat, FileFormatError } from './format_error.js';
import { adaptToOrigin, kerasOrigin } from './config_origin.js';
import { kerasToMyelinConfig } from './keras_config.js';
import { restoreCompileConfig } from './keras_compile.js';
import { H5Reader } from './keras_h5.js';
import { kerasHubSublayerPaths } from './keras_hub.js';
import { readKerasArchive } from './keras_zip.js';
import { ByteBudget, checkLoadOptions, type LoadOptions, readFileWithin } from './load_limits.js';
import { buildModelFromConfig, isModel } from './model_weights.js';
import { isJsonObject, parseJsonSafely } from './safe_json.js';

/** A path to a Keras file (Node) or its bytes. */
export type KerasSource = string | Uint8Array;

/**
 * Loads a Keras model: a Keras 3 `.keras` archive (config.json + model.weights.h5) or a legacy
 * whole-model `.h5` file (`model_config` attribute + `model_weights` group). Only layers that
 * Myelin has are built, from Keras' own classes; nothing in the file is ever run as code.
 * Every weight's shape is checked against the built layer before any is assigned, and what the
 * file may expand to is bounded by `options.maxBytes` (see LoadOptions). Names mean what the
 * writing Keras version meant (Keras 2's `hard_sigmoid` is `hard_sigmoid_tfjs`), and a model
 * saved compiled comes back compiled.
 *
 * @example
 * const model = await loadKerasModel('mnist.keras');
 * model.predict(x);
 */
export async function loadKerasModel(source: KerasSource, options: KerasLoadOptions = {}): Promise<LayersModel> {
  checkLoadOptions('loadKerasModel', options, ['compile']);
  const { bytes, what } = await readSource(source, 'loadKerasModel', options);
  const budget = ByteBudget.for(bytes.byteLength, options, 'loadKerasModel');
  let model: LayersModel;
  let trainingConfig: unknown;
  if (isZip(bytes)) {
    const archive = readKerasArchive(bytes, what, budget);
    const raw = parseJsonSafely(archive.config, `${what}/config.json`);
    const origin = kerasOrigin(archiveVersion(archive.metadata, what));
    const config = adaptToOrigin(kerasToMyelinConfig(raw, `${what}/config.json`), origin);
    model = buildModelFromConfig(config, valueBudget(archive.weights), `${what}/config.json`);
    await assignKerasWeights(model, archive.weights, `${what}/model.weights.h5`, budget);
    trainingConfig = isJsonObject(raw) ? raw.compile_config : undefined;
  } else {
    [model, trainingConfig] = await H5Reader.use(
      bytes,
      what,
      (h5): [LayersModel, unknown] => {
        const text = h5.stringAttr('', 'model_config');
        checkFormat(
          typeof text === 'string',
          () =>
            `${what}: no 'model_config' attribute; this is a weights-only file (use loadKerasWeights with a model built in Myelin)`,
        );
        const origin = kerasOrigin(h5.stringAttr('', 'keras_version'));
        const config = adaptToOrigin(
          kerasToMyelinConfig(parseJsonSafely(text, `${what}: model_config`), `${what}: model_config`),
          origin,
        );
        const built = buildModelFromConfig(config, valueBudget(bytes), `${what}: model_config`);
        assign(legacyWeights(h5, built, 'model_weights'));
        const training = h5.stringAttr('', 'training_config');
        return [
          built,
          typeof training === 'string' ? parseJsonSafely(training, `${what}: training_config`) : undefined,
        ];
      },
      budget,
    );
  }
  if (options.compile !== false && trainingConfig) {
    const problem = restoreCompileConfig(model, trainingConfig, what);
    if (problem) console.warn(problem);
  }
  return model;
}

/** Options of `loadKerasModel`: the byte bound every loader takes, and whether to compile. */
export interface KerasLoadOptions extends LoadOptions {
  /**
   * Compile the model with the optimizer, loss and metrics the file records, as Keras'
   * `load_model(compile=True)` does (default true). A setting Myelin cannot rebuild (a custom
   * loss, say) leaves the model uncompiled, with a warning.
   */
  compile?: boolean;
}

/** The Keras version a `.keras` archive's metadata.json records (Keras 3 and 2.13+ always write one). */
function archiveVersion(metadata: Uint8Array | undefined, what: string): unknown {
  if (!metadata) return '3';
  const json = parseJsonSafely(metadata, `${what}/metadata.json`);
  return isJsonObject(json) ? json.keras_version : undefined;
}

/**
 * Sets the weights of a Myelin model from a Keras file: a `.keras` archive, a Keras 3
 * `.weights.h5` file, or a legacy `.h5` (whole model or weights only). As in Keras, weights are
 * matched by position (layer order and class), so the model must have the same architecture;
 * counts and shapes are all checked before anything is assigned.
 *
 * @example
 * const model = sequential({ layers: [layers.dense({ units: 10, inputShape: [784] })] });
 * await loadKerasWeights(model, 'weights.weights.h5');
 */
export async function loadKerasWeights(model: LayersModel, source: KerasSource, options?: LoadOptions): Promise<void> {
  checkLoadOptions('loadKerasWeights', options);
  const { bytes, what } = await readSource(source, 'loadKerasWeights', options);
  const budget = ByteBudget.for(bytes.byteLength, options, 'loadKerasWeights');
  if (isZip(bytes))
    return assignKerasWeights(model, readKerasArchive(bytes, what, budget).weights, `${what}/model.weights.h5`, budget);
  return H5Reader.use(
    bytes,
    what,
    (h5) => {
      if (h5.get('layers') || h5.get('vars')) assign(kerasV3Weights(h5, model));
      else assign(legacyWeights(h5, model, h5.get('model_weights') ? 'model_weights' : ''));
    },
    budget,
  );
}

async function assignKerasWeights(
  model: LayersModel,
  h5bytes: Uint8Array,
  what: string,
  budget: ByteBudget,
): Promise<void> {
  await H5Reader.use(h5bytes, what, (h5) => assign(kerasV3Weights(h5, model)), budget);
}

interface Pairing {
  variable: Variable;
  value: Tensor;
  source: string;
}

/**
 * Keras 3 layout (`saving_lib`): each layer's variables are datasets `0, 1, ...` in a
 * `vars` group under `layers/<class name in snake_case>` (`dense`, `dense_1`, ...), with
 * recurrent cells, Bidirectional directions and nested models as sub-groups.
 */
function kerasV3Weights(h5: H5Reader, model: LayersModel): Pairing[] {
  const pairs: Pairing[] = [];
  for (const [layer, path] of childPaths(model, '')) {
    const values = varGroups(layer, path).flatMap((g) => readVars(h5, g));
    pairs.push(...pairUp(layer, layer.weights, values, h5.what));
  }
  return pairs;
}

/** The H5 paths Keras gives a model's layers: by class name, numbered per class, in layer order. */
function childPaths(model: LayersModel, prefix: string): [Layer, string][] {
  return containerPaths(model.layers, `${prefix}layers/`);
}

/** Keras' names for the layers of a list it saves (`_save_container_state`): class names in snake_case, numbered per class. */
function containerPaths(list: readonly Layer[], prefix: string): [Layer, string][] {
  const used = new Map<string, number>();
  return list.map((layer) => {
    const base = toSnakeCase(layer.getClassName());
    const n = used.get(base);
    used.set(base, n === undefined ? 0 : n + 1);
    return [layer, `${prefix}${n === undefined ? base : `${base}_${n + 1}`}`];
  });
}

function varGroups(layer: Layer, path: string): string[] {
  if (isModel(layer)) return childPaths(layer, `${path}/`).flatMap(([l, p]) => varGroups(l, p));
  if (layer instanceof Bidirectional)
    return [
      ...varGroups(layer.forwardLayer, `${path}/forward_layer`),
      ...varGroups(layer.backwardLayer, `${path}/backward_layer`),
    ];
  if (layer instanceof TimeDistributed) return varGroups(layer.layer, `${path}/layer`);
  if (layer instanceof MultiHeadAttention || layer instanceof GroupedQueryAttention)
    return attentionGroups(layer, path);
  const hub = kerasHubSublayerPaths(layer, path);
  if (hub) return hub.flatMap(([sub, subPath]) => varGroups(sub, subPath));
  if (layer instanceof RecurrentLayer || layer instanceof ConvLSTM2D) return [`${path}/cell/vars`];
  if (layer instanceof RNN)
    return layer.cell instanceof StackedRNNCells
      ? containerPaths(layer.cell.cells, `${path}/cell/cells/`).map(([, p]) => `${p}/vars`)
      : [`${path}/cell/vars`];
  return [`${path}/vars`];
}

/**
 * Keras saves an attention layer's projections under the attribute names it keeps them in:
 * MultiHeadAttention's public properties (`query_dense`, ...; its gate only as `_gate_dense`),
 * GroupedQueryAttention's private attributes (`_query_dense`, ...). Listed in the order of the
 * layer's weights: query, key, gate, value, output.
 */
function attentionGroups(layer: MultiHeadAttention | GroupedQueryAttention, path: string): string[] {
  const mha = layer instanceof MultiHeadAttention;
  const attr = (name: string) => `${path}/${mha && name !== 'gate' ? '' : '_'}${name}_dense/vars`;
  return [attr('query'), attr('key'), ...(layer.gateDense ? [attr('gate')] : []), attr('value'), attr('output')];
}

/** The datasets `0..n-1` of a vars group, in order (none when the group is absent). */
function readVars(h5: H5Reader, path: string): { name: string; tensor: Tensor }[] {
  const keys = h5.keys(path);
  checkFormat(
    keys.every((k) => /^(0|[1-9]\d{0,5})$/.test(k)) &&
      keys
        .map(Number)
        .sort((a, b) => a - b)
        .every((k, i) => k === i),
    () => `${h5.what}: '${path}' should hold datasets named 0..${keys.length - 1}, got ${fmtList(keys, 8)}`,
  );
  return keys.map((_, i) => ({ name: `${path}/${i}`, tensor: h5.readTensor(`${path}/${i}`) }));
}

/**
 * Legacy layout (`legacy_h5_format`): one group per layer that has weights, listed in the
 * `layer_names` attribute, each naming its datasets in `weight_names`. As Keras does, layers
 * with weights are matched to those groups by position.
 */
function legacyWeights(h5: H5Reader, model: LayersModel, root: string): Pairing[] {
  const prefix = root ? `${root}/` : '';
  const layerNames = chunkedNames(h5, root, 'layer_names');
  checkFormat(
    layerNames !== undefined,
    () => `${h5.what}: '${root || '/'}' has no 'layer_names' attribute; not a Keras weights file`,
  );
  const saved = layerNames
    .map((name) => ({ name, weights: chunkedNames(h5, prefix + name, 'weight_names') ?? [] }))
    .filter((g) => g.weights.length > 0);
  const layers = model.layers.filter((l) => l.weights.length > 0);
  checkFormat(
    saved.length === layers.length,
    () =>
      `${h5.what}: the file has weights for ${saved.length} layers (${fmtList(saved.map((g) => g.name))}) but model '${model.name}' has ${layers.length} layers with weights (${fmtList(layers.map((l) => l.name))})`,
  );
  return layers.flatMap((layer, k) => {
    const group = saved[k];
    const values = group.weights.map((w) => ({
      name: `${group.name}/${w}`,
      tensor: h5.readTensor(`${prefix}${group.name}/${w}`),
    }));
    return pairUp(layer, [...layer.trainableWeights, ...layer.nonTrainableWeights], values, h5.what);
  });
}

/**
 * A list-of-names attribute, which Keras splits into `name0`, `name1`, ... when large. The
 * attribute names are listed once, so reading n chunks costs n lookups, not n listings.
 */
function chunkedNames(h5: H5Reader, path: string, name: string): string[] | undefined {
  const names = h5.attributeNames(path);
  const whole = h5.stringAttr(path, name, names);
  if (whole !== undefined) return typeof whole === 'string' ? [whole] : whole;
  const out: string[] = [];
  for (let i = 0; i < MAX_LAYERS; i++) {
    const part = h5.stringAttr(path, `${name}${i}`, names);
    if (part === undefined) return i === 0 ? undefined : out;
    for (const n of typeof part === 'string' ? [part] : part) {
      out.push(n);
      checkFormat(
        out.length <= MAX_LAYERS,
        () => `${h5.what}: attribute '${name}' lists more than ${MAX_LAYERS} names (the most layers a model may have)`,
      );
    }
  }
  throw new FileFormatError(`${h5.what}: attribute '${name}' is split into more than ${MAX_LAYERS} chunks`);
}

function pairUp(
  layer: Layer,
  variables: Variable[],
  values: { name: string; tensor: Tensor }[],
  what: string,
): Pairing[] {
  checkFormat(
    values.length === variables.length,
    () =>
      `${what}: layer '${layer.name}' (${layer.getClassName()}) has ${variables.length} weights (${fmtList(variables.map((v) => `${v.name} ${fmtShape(v.shape)}`)) || 'none'}) but the file has ${values.length} for it${values.length ? ` (${fmtList(values.map((v) => `${v.name} ${fmtShape(v.tensor.shape)}`))})` : ''}`,
  );
  return variables.map((variable, i) => {
    const { name, tensor } = values[i];
    checkFormat(
      tensor.shape.length === variable.shape.length && tensor.shape.every((d, k) => d === variable.shape[k]),
      () =>
        `${what}: '${name}' has shape ${fmtShape(tensor.shape)} but weight '${variable.name}' of layer '${layer.name}' needs ${fmtShape(variable.shape)}`,
    );
    return { variable, value: tensor, source: name };
  });
}

/** Assigns after every pairing has been checked, so a bad file leaves the model untouched. */
function assign(pairs: Pairing[]): void {
  for (const { variable, value } of pairs)
    variable.assign(value.dtype === variable.dtype ? value : cast(value, variable.dtype));
}

/** The most float32 values a file of this size could hold: the cap on what a config may create. */
function valueBudget(bytes: Uint8Array): number {
  return Math.floor(bytes.byteLength / 4);
}

function isZip(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

async function readSource(
  source: KerasSource,
  who: string,
  options?: LoadOptions,
): Promise<{ bytes: Uint8Array; what: string }> {
  if (source instanceof Uint8Array) return { bytes: source, what: 'Keras file' };
  checkFormat(
    typeof source === 'string',
    () => `${who}: expected a file path or a Uint8Array, got ${source === null ? 'null' : typeof source}`,
  );
  return { bytes: await readFileWithin(source, who, options), what: source };
}
