import type { Config, SerializedObject } from '../core/config.js';
import { toCamelKeys } from './config_case.js';
import { checkFormat, FileFormatError } from './format_error.js';
import { isKerasHubClass, isKerasHubModule, KERAS_HUB_CLASSES } from './keras_hub.js';
import { isJsonObject } from './safe_json.js';

const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);
const RECURRENT_CLASSES = new Set(['SimpleRNN', 'LSTM', 'GRU', 'RNN']);

/**
 * Options Myelin does not implement, with the values that mean "off": a file that turns one
 * on is rejected, since loading it anyway would compute something else than Keras does.
 */
const MUST_BE_OFF: Record<string, (v: unknown) => boolean> = {
  loraRank: (v) => v === null || v === undefined || v === 0,
  quantizationConfig: (v) => v === null || v === undefined,
  timeMajor: (v) => !v,
  renorm: (v) => !v,
  ragged: (v) => !v,
  sparse: (v) => !v,
};
/** Keras settings with no effect on the numbers (or Myelin's equivalents are implicit). */
const IGNORED = [
  'synchronized',
  'unroll',
  'implementation',
  'useCudnn',
  'optional',
  'renormClipping',
  'renormMomentum',
  'virtualBatchSize',
  'adjustment',
  'fused',
];

/**
 * Converts a Keras model config (Keras 3 `config.json`, or the `model_config` attribute of a
 * legacy `.h5` file) into Myelin's `{className, config}`. Keras spells keys in snake_case and
 * wraps classes as `{module, class_name, config, registered_name}`; Myelin's configs are
 * camelCase with Keras' option values. Only classes from Keras itself are accepted: custom
 * objects and `Lambda` layers (which carry serialized Python code) are clear errors.
 *
 * @example kerasToMyelinConfig(JSON.parse(configJson), 'config.json'); // { className: 'Sequential', config: {...} }
 */
export function kerasToMyelinConfig(raw: unknown, what: string): SerializedObject {
  checkFormat(
    isJsonObject(raw) && typeof raw.class_name === 'string',
    () => `${what}: expected a Keras model config {class_name, config}`,
  );
  const camel = toCamelKeys(raw) as Config;
  checkFormat(
    MODEL_CLASSES.has(camel.className as string),
    () =>
      `${what}: the top-level class is '${String(camel.className)}'; expected a Keras model (Sequential or Functional)`,
  );
  return convertModel(camel, what);
}

function convertModel(entry: Config, what: string): SerializedObject {
  checkKerasOrigin(entry, what);
  const isSequential = entry.className === 'Sequential';
  // Keras 2.2 wrote a Sequential's config as the bare list of layers.
  const config: Config = Array.isArray(entry.config) ? { layers: entry.config } : (entry.config as Config);
  checkFormat(
    isJsonObject(config) && Array.isArray(config.layers),
    () => `${what}: model '${String(config?.name)}' has no 'layers' list`,
  );
  const layers = (config.layers as unknown[]).map((l, i) =>
    convertLayerEntry(l, `${what}: layers[${i}]`, !isSequential),
  );
  const name = typeof config.name === 'string' ? config.name : undefined;
  if (isSequential) {
    // A Keras 3 Sequential built with build() records its input shape only at the model level.
    const shape = config.buildInputShape;
    if (
      Array.isArray(shape) &&
      layers[0]?.className !== 'InputLayer' &&
      !(layers[0]?.config as Config | undefined)?.batchInputShape
    ) {
      layers.unshift({ className: 'InputLayer', config: { batchInputShape: shape } });
    }
    return { className: 'Sequential', config: { name, layers } };
  }
  return {
    className: 'Functional',
    config: {
      name,
      layers,
      inputLayers: tensorRefs(config.inputLayers, `${what}: input_layers`),
      outputLayers: tensorRefs(config.outputLayers, `${what}: output_layers`),
    },
  };
}

/** One layer of a model config, as Myelin's `{className, config}` (plus name and inbound nodes in a functional model). */
function convertLayerEntry(raw: unknown, where: string, functional: boolean): Config {
  checkFormat(isJsonObject(raw) && typeof raw.className === 'string', () => `${where}: expected {class_name, config}`);
  const className = raw.className as string;
  const name = (isJsonObject(raw.config) && typeof raw.config.name === 'string' ? raw.config.name : raw.name) as
    | string
    | undefined;
  const label = `${where} ('${name ?? className}')`;
  if (className === 'Lambda') {
    throw new FileFormatError(
      `${label}: a Keras Lambda layer stores serialized Python code, which Myelin never runs; rebuild that step as a Myelin layer and load the other weights with loadKerasWeights`,
    );
  }
  checkKerasOrigin(raw, label);
  const converted: Config = MODEL_CLASSES.has(className)
    ? { ...convertModel(raw, label) }
    : { className, config: convertLayerConfig(className, raw.config, label) };
  if (!functional) return converted;
  return { ...converted, name: raw.name ?? name, inboundNodes: inboundNodes(raw.inboundNodes, label, className) };
}

function convertLayerConfig(className: string, raw: unknown, where: string): Config {
  checkFormat(isJsonObject(raw), () => `${where}: 'config' must be an object`);
  const config: Config = { ...raw };
  for (const [key, isOff] of Object.entries(MUST_BE_OFF)) {
    checkFormat(
      isOff(config[key]),
      () => `${where}: ${className} option '${key}' = ${JSON.stringify(config[key])} is not supported by Myelin`,
    );
    delete config[key];
  }
  for (const key of IGNORED) delete config[key];
  // tf.keras 2.2 wrote `dtype: null` for a wrapped layer: it takes the wrapper's (float32) dtype.
  if (config.dtype === null) delete config.dtype;
  if (config.dtype !== undefined) config.dtype = policyDtype(config.dtype, where);
  if (config.batchShape !== undefined) {
    config.batchInputShape = config.batchShape;
    delete config.batchShape;
  }
  for (const key of Object.keys(config)) {
    if (/(Initializer|Regularizer|Constraint)$/.test(key) && isJsonObject(config[key]))
      config[key] = plainObject(config[key] as Config, `${where}: '${key}'`);
    if (/[aA]ctivation$/.test(key) && isJsonObject(config[key]))
      config[key] = activationName(config[key] as Config, `${where}: '${key}'`);
  }
  // tf.keras 2 wrote a built BatchNormalization's axis as a one-element list.
  if (className === 'BatchNormalization' && Array.isArray(config.axis) && config.axis.length === 1)
    config.axis = config.axis[0];
  if (className === 'Bidirectional') {
    checkFormat(
      config.mergeMode !== null,
      () =>
        `${where}: Bidirectional with merge_mode None (two separate outputs) is not supported; use 'concat', 'sum', 'mul' or 'ave'`,
    );
    const forward = convertLayerEntry(config.layer, `${where}: layer`, false);
    checkFormat(
      RECURRENT_CLASSES.has(forward.className as string),
      () => `${where}: Bidirectional wraps '${String(forward.className)}'; Myelin wraps SimpleRNN, LSTM, GRU or RNN`,
    );
    const backward =
      config.backwardLayer === undefined || config.backwardLayer === null
        ? null
        : convertLayerEntry(config.backwardLayer, `${where}: backward_layer`, false);
    config.layer = forward;
    // Keras 3 always writes the backward layer; one that only mirrors the forward layer is left
    // to be rebuilt from it (so the model still saves to TF.js' format), any other is kept.
    if (backward && !mirrors(forward, backward)) config.backwardLayer = backward;
    else delete config.backwardLayer;
  } else if (className === 'TimeDistributed') {
    config.layer = convertLayerEntry(config.layer, `${where}: layer`, false);
  } else if (className === 'IntegerLookup' || className === 'StringLookup') {
    // An adapted vocabulary lives in the archive's assets, which are not read: without this
    // check every value would silently map to the OOV index.
    checkFormat(
      Array.isArray(config.vocabulary),
      () =>
        `${where}: ${className}'s vocabulary is not in its config (an adapted vocabulary is stored as an asset file, which Myelin does not read); build the layer with its vocabulary and load the weights with loadKerasWeights`,
    );
  } else if (className === 'RNN') {
    config.cell = convertLayerEntry(config.cell, `${where}: cell`, false);
  } else if (className === 'StackedRNNCells') {
    checkFormat(Array.isArray(config.cells), () => `${where}: StackedRNNCells needs a 'cells' list`);
    config.cells = (config.cells as unknown[]).map((c, i) => convertLayerEntry(c, `${where}: cells[${i}]`, false));
  }
  return config;
}

/** Whether a backward layer is the forward one run the other way (what Bidirectional builds by default). */
function mirrors(forward: Config, backward: Config): boolean {
  const strip = (c: Config) => {
    const { name: _n, goBackwards: _g, zeroOutputForMask: _z, ...rest } = c.config as Config;
    return JSON.stringify(rest);
  };
  return forward.className === backward.className && strip(forward) === strip(backward);
}

/** Class names some Keras versions wrote for objects Myelin knows under Keras' usual names. */
const CLASS_ALIASES: Record<string, string> = {
  // Keras 3's initializer classes are named so; the short names are their registered aliases.
  OrthogonalInitializer: 'Orthogonal',
  IdentityInitializer: 'Identity',
};

/** Keras 3 dtype policies (`{class_name: 'DTypePolicy', config: {name}}`) become a plain dtype. */
function policyDtype(value: unknown, where: string): string {
  const name = isJsonObject(value) ? (isJsonObject(value.config) ? value.config.name : undefined) : value;
  checkFormat(typeof name === 'string', () => `${where}: unreadable dtype ${JSON.stringify(value)}`);
  checkFormat(
    name !== 'string',
    () =>
      `${where}: dtype 'string' is not supported: Myelin's tensors hold numbers, so a model cannot take strings; apply StringLookup or Hashing to the strings before the model and load the model that follows them`,
  );
  // Mixed precision keeps float32 variables; Myelin computes those in float32.
  return name === 'float64' ? 'float64' : name === 'int32' ? 'int32' : 'float32';
}

/** `{module, className, config, registeredName}` → `{className, config}`, for Keras' own classes only. */
function plainObject(obj: Config, where: string): SerializedObject {
  checkKerasOrigin(obj, where);
  checkFormat(typeof obj.className === 'string', () => `${where}: expected {class_name, config}`);
  const className = CLASS_ALIASES[obj.className as string] ?? (obj.className as string);
  return { className, config: isJsonObject(obj.config) ? obj.config : {} };
}

/** Keras may write a built-in activation as `{module: 'keras.activations', class_name: 'function', config: 'relu'}`. */
function activationName(obj: Config, where: string): string {
  checkKerasOrigin(obj, where);
  checkFormat(
    typeof obj.config === 'string',
    () =>
      `${where}: a custom activation object cannot be loaded; only Keras' built-in activations (by name) are supported`,
  );
  return obj.config as string;
}

/** Refuses objects from outside Keras (custom classes registered in Python), except KerasHub's layers Myelin has. */
function checkKerasOrigin(obj: Config, where: string): void {
  if (isKerasHubClass(obj)) return;
  const module = obj.module;
  checkFormat(
    !isKerasHubModule(module) || KERAS_HUB_CLASSES.has(obj.className as string),
    () =>
      `${where}: KerasHub class '${String(obj.className)}' is not one Myelin has; of KerasHub's layers it loads ${[...KERAS_HUB_CLASSES].join(', ')}`,
  );
  checkFormat(
    module === undefined || module === null || (typeof module === 'string' && /^keras(\.|$)/.test(module)),
    () =>
      `${where}: class '${String(obj.className)}' comes from module '${String(module)}', not from Keras; custom classes cannot be loaded`,
  );
  const registered = obj.registeredName;
  // Keras names custom registrations 'package>Name'; its own classes have null or their class name.
  checkFormat(
    registered === undefined || registered === null || !String(registered).includes('>'),
    () => `${where}: '${String(registered)}' is a custom registered class; custom classes cannot be loaded`,
  );
}

/** Keras 3 writes `[name, node, index]` or a list of them; legacy files always a list. */
function tensorRefs(raw: unknown, where: string): [string, number, number][] {
  const refs = Array.isArray(raw) && typeof raw[0] === 'string' ? [raw] : raw;
  checkFormat(
    Array.isArray(refs) && refs.length > 0 && refs.every(isTensorRef),
    () => `${where}: expected a list of [layer_name, node_index, tensor_index]`,
  );
  return refs as [string, number, number][];
}

function isTensorRef(r: unknown): boolean {
  return (
    Array.isArray(r) &&
    r.length >= 3 &&
    typeof r[0] === 'string' &&
    Number.isSafeInteger(r[1]) &&
    Number.isSafeInteger(r[2])
  );
}

/**
 * Inbound nodes in Myelin's form `[[layer, node, tensor, kwargs], ...]` per call. Legacy files
 * already use it; Keras 3 writes `{args, kwargs}` with `__keras_tensor__` objects.
 */
function inboundNodes(raw: unknown, where: string, className: string): unknown[] {
  if (raw === undefined || raw === null) return [];
  checkFormat(Array.isArray(raw), () => `${where}: 'inbound_nodes' must be a list`);
  return raw.map((node, n) => {
    if (Array.isArray(node)) {
      checkFormat(
        node.every((r) => isTensorRef(r)),
        () => `${where}: inbound node ${n} must list [layer, node, tensor, kwargs] entries`,
      );
      return node.map((r: unknown[]) => [r[0], r[1], r[2], plainCallArgs(r[3])]);
    }
    checkFormat(
      isJsonObject(node) && Array.isArray(node.args),
      () => `${where}: inbound node ${n} must be {args, kwargs}`,
    );
    if (ATTENTION_CALLS.has(className)) return attentionNode(node, `${where}: inbound node ${n}`);
    const tensors: unknown[] = [];
    const collect = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(collect);
      else if (isJsonObject(v) && v.className === '__keras_tensor__' && isJsonObject(v.config))
        tensors.push(v.config.kerasHistory);
      else
        throw new FileFormatError(
          `${where}: inbound node ${n} passes a non-tensor argument (${JSON.stringify(v)?.slice(0, 80)}), which Myelin's layers do not take`,
        );
    };
    const { args, kwargs: rest } = tensorKeywordsAsInputs(node, className);
    args.forEach(collect);
    checkFormat(
      tensors.length > 0 && tensors.every(isTensorRef),
      () => `${where}: inbound node ${n} has no valid keras_history references`,
    );
    const kwargs = plainCallArgs(rest);
    return (tensors as unknown[][]).map((h) => [h[0], h[1], h[2], kwargs]);
  });
}

/**
 * Tensors some layers take by keyword and Myelin's take as further inputs: KerasHub's
 * TransformerDecoder called as `decoder(x, encoder_sequence=encoded)` is Myelin's
 * `decoder.apply([x, encoded])`.
 */
function tensorKeywordsAsInputs(node: Config, className: string): { args: unknown[]; kwargs: unknown } {
  const args = node.args as unknown[];
  if (className !== 'TransformerDecoder' || !isJsonObject(node.kwargs) || node.kwargs.encoderSequence == null)
    return { args, kwargs: node.kwargs };
  const { encoderSequence, ...kwargs } = node.kwargs;
  return { args: [...args, encoderSequence], kwargs };
}

/**
 * The call's flags (`training`, the attention layers' `useCausalMask` and
 * `returnAttentionScores`, ReversibleEmbedding's `reverse`); tensors passed as keyword arguments
 * (masks, states) are not supported.
 */
function plainCallArgs(raw: unknown): Config {
  if (!isJsonObject(raw)) return {};
  for (const [k, v] of Object.entries(raw)) {
    if (JSON.stringify(v)?.includes('__keras_tensor__'))
      throw new FileFormatError(`a layer call passes a tensor as keyword argument '${k}', which is not supported`);
  }
  const flags: Config = {};
  for (const key of CALL_FLAGS) if (typeof raw[key] === 'boolean') flags[key] = raw[key];
  return flags;
}

/** Boolean call arguments kept from a file, each meaning in Myelin what it means in Keras. */
const CALL_FLAGS = ['training', 'useCausalMask', 'returnAttentionScores', 'reverse'];

/** Layers called as `layer(query, value, key=None, attention_mask=None, ...)`. */
const ATTENTION_CALLS = new Set(['MultiHeadAttention', 'GroupedQueryAttention', 'GroupQueryAttention']);

/**
 * A Keras 3 call of multi-head attention, where value, key and the attention mask may come as
 * positional or keyword tensors: Myelin's node lists [query, value, key] and then the mask,
 * flagged by `hasAttentionMask`.
 */
function attentionNode(node: Config, where: string): unknown[] {
  const args = node.args as unknown[];
  const kwargs = isJsonObject(node.kwargs) ? { ...node.kwargs } : {};
  const history = (v: unknown, what: string): unknown[] => {
    const h =
      isJsonObject(v) && v.className === '__keras_tensor__' && isJsonObject(v.config) ? v.config.kerasHistory : null;
    checkFormat(
      isTensorRef(h),
      () => `${where}: ${what} must be a Keras tensor reference, got ${JSON.stringify(v)?.slice(0, 80)}`,
    );
    return h as unknown[];
  };
  checkFormat(
    args.length <= 3,
    () => `${where}: expected at most query, value and key as positional arguments, got ${args.length}`,
  );
  const named = ['query', 'value', 'key'].map((k, i) => {
    const v = i < args.length ? args[i] : kwargs[k];
    delete kwargs[k];
    return v === undefined || v === null ? null : history(v, k);
  });
  checkFormat(named[0] !== null && named[1] !== null, () => `${where}: an attention call needs a query and a value`);
  const refs = named.filter((r): r is unknown[] => r !== null);
  const mask = kwargs.attentionMask;
  delete kwargs.attentionMask;
  const flags = plainCallArgs(kwargs);
  if (mask !== undefined && mask !== null) {
    refs.push(history(mask, 'attention_mask'));
    flags.hasAttentionMask = true;
  }
  return refs.map((h) => [h[0], h[1], h[2], flags]);
}
