import type { CompileArgs } from '../training/types.js';
import { checkOptions, optionKeys } from '../core/options.js';
import { fmtList, ValueError } from '../core/errors.js';
import { globalRng, type RngState } from '../core/rng.js';
import type { SerializedObject } from '../core/config.js';
import { getLoss, serializeLoss, type LossConfig } from '../losses/index.js';
import type { LayersModel } from '../models/layers_model.js';
import { getOptimizer, serializeOptimizer, type OptimizerConfig } from '../optimizers/index.js';
import { checkFormat, FileFormatError } from './format_error.js';
import { checkLoadOptions, type LoadOptions } from './load_limits.js';
import { assignNamedWeights, buildModelFromConfig, namedModelWeights, totalElements } from './model_weights.js';
import { isJsonObject, parseJsonSafely } from './safe_json.js';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from './safetensors.js';

export const MODEL_JSON = 'model.json';
export const MODEL_WEIGHTS = 'model.safetensors';
const FORMAT = 'myelin-layers-model';
const OPTIMIZER_PREFIX = '__optimizer__/';
/** The safetensors metadata key under which a single-file save keeps its model.json. */
const METADATA_KEY = 'myelin.model';

/** Where training stands, so a resumed run continues exactly. */
export interface TrainingState {
  /** Epochs completed: the `initialEpoch` to resume `fit` with. */
  epoch: number;
  /** Batches done in the current epoch when saved mid-epoch, else null. */
  batch: number | null;
  /** The global random generator's position (shuffling, dropout, initialisers). */
  rng: RngState;
}

/** The architecture file of the native format. */
export interface ModelJson {
  format: typeof FORMAT;
  formatVersion: 1;
  modelConfig: SerializedObject;
  weights: { name: string; shape: number[]; dtype: string }[];
  trainingConfig?: {
    optimizer: OptimizerConfig;
    loss: LossConfig[];
    lossWeights: number[];
    metrics: string[];
    jitCompile?: boolean | 'auto';
  };
  optimizerWeights?: string[];
  trainingState?: TrainingState;
}

/** What to include in a save. */
export interface SaveOptions {
  /** Save the compile settings and the optimizer's state (default true when compiled). */
  includeOptimizer?: boolean;
  /** Training progress, as a checkpoint records it. */
  trainingState?: Omit<TrainingState, 'rng'> & { rng?: RngState };
}

/** The files of a saved model, by name, as bytes: what `save` writes and `loadFromBuffers` reads. */
export type ModelFiles = Record<string, Uint8Array>;

/**
 * Serializes a model to in-memory files (`model.json` and `model.safetensors`), for browsers
 * or any storage. The safetensors file is self-contained: it also carries model.json in its
 * metadata, so it can be stored and loaded alone (what checkpoints do).
 *
 * @example
 * const files = saveToBuffers(model);
 * const copy = loadFromBuffers(files);
 */
export function saveToBuffers(model: LayersModel, options: SaveOptions = {}): ModelFiles {
  checkOptions('save', options, optionKeys<SaveOptions>({ includeOptimizer: true, trainingState: true }));
  const tensors: NamedTensor[] = namedModelWeights(model);
  const reserved = tensors.find((t) => t.name.startsWith(OPTIMIZER_PREFIX));
  if (reserved)
    throw new ValueError(
      `Model '${model.name}': weight '${reserved.name}' belongs to a layer named '${OPTIMIZER_PREFIX.slice(0, -1)}', a name saved files reserve for optimizer state (it would load back as optimizer state, not as the layer's weights); rename the layer`,
    );
  const json: ModelJson = {
    format: FORMAT,
    formatVersion: 1,
    modelConfig: { className: model.getClassName(), config: model.getConfig() },
    weights: tensors.map((t) => ({ name: t.name, shape: [...t.tensor.shape], dtype: t.tensor.dtype })),
  };
  const compiled = model.compiled;
  if (compiled && options.includeOptimizer !== false) {
    json.trainingConfig = {
      optimizer: serializeOptimizer(compiled.optimizer),
      loss: compiled.losses.map(serializeLoss),
      lossWeights: [...compiled.lossWeights],
      metrics: compiled.metrics.map((m) => m.displayName),
      ...(compiled.jitCompile === 'auto' ? {} : { jitCompile: compiled.jitCompile }),
    };
    const state = compiled.optimizer.getWeights();
    json.optimizerWeights = state.map((w) => w.name);
    for (const w of state) tensors.push({ name: OPTIMIZER_PREFIX + w.name, tensor: w.tensor });
  }
  if (options.trainingState)
    json.trainingState = { ...options.trainingState, rng: options.trainingState.rng ?? globalRng.getState() };
  const text = JSON.stringify(json);
  return {
    [MODEL_JSON]: new TextEncoder().encode(text),
    [MODEL_WEIGHTS]: encodeSafetensors(tensors, { format: FORMAT, [METADATA_KEY]: text }),
  };
}

/** A model loaded with what was saved alongside it. */
export interface LoadedModel {
  model: LayersModel;
  /** Present when the file was a checkpoint saved during training. */
  trainingState?: TrainingState;
}

/**
 * Rebuilds a model from `saveToBuffers` files: from `model.json` plus `model.safetensors`, or
 * from `model.safetensors` alone. A model saved compiled comes back compiled, with the
 * optimizer's state. Never runs code from the files; every size is checked before allocation.
 *
 * @example const model = loadFromBuffers({ 'model.safetensors': bytes });
 */
export function loadFromBuffers(files: ModelFiles, options?: LoadOptions): LayersModel {
  return loadWithState(files, options).model;
}

/** `loadFromBuffers` that also returns the saved training state. */
export function loadWithState(files: ModelFiles, options?: LoadOptions): LoadedModel {
  checkLoadOptions('loadFromBuffers', options);
  const weightBytes = files?.[MODEL_WEIGHTS];
  checkFormat(
    weightBytes instanceof Uint8Array,
    () =>
      `loadFromBuffers: expected a '${MODEL_WEIGHTS}' Uint8Array, got files ${fmtList(Object.keys(files ?? {})) || 'none'}`,
  );
  const { tensors, metadata } = decodeSafetensors(
    weightBytes,
    { maxBytes: options?.maxBytes },
    MODEL_WEIGHTS,
    'loadModel (or loadFromBuffers)',
  );
  // The copy inside the weights file was written together with them, so it wins: a directory
  // whose model.json is older (a save interrupted between the two files) still loads consistently.
  const jsonSource = metadata[METADATA_KEY] ?? files[MODEL_JSON];
  checkFormat(
    jsonSource !== undefined,
    () =>
      `${MODEL_WEIGHTS}: no '${MODEL_JSON}' given and the file carries no model config in its metadata; is it a Myelin model?`,
  );
  const json = readModelJson(parseJsonSafely(jsonSource, MODEL_JSON));

  const modelTensors = tensors.filter((t) => !t.name.startsWith(OPTIMIZER_PREFIX));
  const manifest = new Map(json.weights.map((w) => [w.name, w.shape.join(',')]));
  for (const t of modelTensors) {
    checkFormat(
      manifest.get(t.name) === t.tensor.shape.join(','),
      () =>
        `${MODEL_WEIGHTS}: tensor '${t.name}' of shape [${t.tensor.shape}] is not listed with that shape in ${MODEL_JSON}`,
    );
  }
  const model = buildModelFromConfig(json.modelConfig, totalElements(modelTensors), MODEL_JSON);
  assignNamedWeights(model, modelTensors, MODEL_WEIGHTS);
  if (json.trainingConfig) restoreTraining(model, json, tensors);
  return { model, trainingState: json.trainingState };
}

function restoreTraining(model: LayersModel, json: ModelJson, tensors: NamedTensor[]): void {
  const tc = json.trainingConfig as NonNullable<ModelJson['trainingConfig']>;
  try {
    model.compile({
      optimizer: getOptimizer(tc.optimizer),
      loss: tc.loss.length === 1 ? getLoss(tc.loss[0]) : tc.loss.map((l) => getLoss(l)),
      lossWeights: tc.lossWeights.some((w) => w !== 1) ? tc.lossWeights : undefined,
      metrics: model.outputNames.length === 1 ? (tc.metrics as CompileArgs['metrics']) : undefined,
      jitCompile: tc.jitCompile,
    });
  } catch (e) {
    if (e instanceof FileFormatError) throw e;
    throw new FileFormatError(`${MODEL_JSON}: cannot restore the training config: ${(e as Error).message}`);
  }
  const state = tensors
    .filter((t) => t.name.startsWith(OPTIMIZER_PREFIX))
    .map((t) => ({ name: t.name.slice(OPTIMIZER_PREFIX.length), tensor: t.tensor }));
  const listed = json.optimizerWeights ?? [];
  checkFormat(
    state.length === listed.length && state.every((s) => listed.includes(s.name)),
    () =>
      `${MODEL_WEIGHTS}: optimizer state tensors (${fmtList(state.map((s) => s.name))}) do not match ${MODEL_JSON}'s list (${fmtList(listed)})`,
  );
  const byName = new Map(state.map((s) => [s.name, s]));
  const variables = new Map(model.weights.map((v) => [v.name, v]));
  for (const s of state) {
    // Slots are `<variable>/<slot>`: each must belong to a weight of the same shape.
    if (s.name === 'iteration') continue;
    const owner = [...variables.keys()].find((n) => s.name.startsWith(`${n}/`));
    if (owner === undefined) {
      checkFormat(
        s.tensor.size === 1,
        () => `${MODEL_WEIGHTS}: optimizer state '${s.name}' belongs to no weight of the model`,
      );
      continue;
    }
    const v = variables.get(owner)!;
    checkFormat(
      s.tensor.shape.join(',') === v.shape.join(','),
      () =>
        `${MODEL_WEIGHTS}: optimizer slot '${s.name}' has shape [${s.tensor.shape}] but weight '${owner}' has [${v.shape}]`,
    );
  }
  model.compiled!.optimizer.setWeights(listed.map((n) => byName.get(n)!));
}

/** Checks the structure of a parsed model.json; returns it typed. */
export function readModelJson(raw: unknown): ModelJson {
  checkFormat(isJsonObject(raw), () => `${MODEL_JSON}: expected a JSON object`);
  checkFormat(
    raw.format === FORMAT,
    () => `${MODEL_JSON}: 'format' must be '${FORMAT}', got ${JSON.stringify(raw.format)}`,
  );
  checkFormat(
    raw.formatVersion === 1,
    () =>
      `${MODEL_JSON}: unsupported formatVersion ${JSON.stringify(raw.formatVersion)}; this version of Myelin reads 1`,
  );
  const mc = raw.modelConfig;
  checkFormat(
    isJsonObject(mc) && typeof mc.className === 'string' && isJsonObject(mc.config),
    () => `${MODEL_JSON}: 'modelConfig' must be {className, config}`,
  );
  const weights = raw.weights;
  checkFormat(
    Array.isArray(weights) &&
      weights.every(
        (w) =>
          isJsonObject(w) &&
          typeof w.name === 'string' &&
          Array.isArray(w.shape) &&
          w.shape.every((d) => Number.isSafeInteger(d) && d >= 0),
      ),
    () => `${MODEL_JSON}: 'weights' must be a list of {name, shape, dtype}`,
  );
  const tc = raw.trainingConfig;
  if (tc !== undefined) {
    checkFormat(
      isJsonObject(tc) &&
        isJsonObject(tc.optimizer) &&
        Array.isArray(tc.loss) &&
        tc.loss.length > 0 &&
        tc.loss.every(isJsonObject) &&
        Array.isArray(tc.lossWeights) &&
        tc.lossWeights.every((w) => typeof w === 'number') &&
        Array.isArray(tc.metrics) &&
        tc.metrics.every((m) => typeof m === 'string') &&
        (tc.jitCompile === undefined || tc.jitCompile === true || tc.jitCompile === false || tc.jitCompile === 'auto'),
      () =>
        `${MODEL_JSON}: 'trainingConfig' must be {optimizer, loss: [...], lossWeights: [...], metrics: [...], jitCompile?: true | false | 'auto'}`,
    );
    checkFormat(
      Array.isArray(raw.optimizerWeights) && raw.optimizerWeights.every((n) => typeof n === 'string'),
      () => `${MODEL_JSON}: 'optimizerWeights' must be a list of names`,
    );
  }
  const ts = raw.trainingState;
  if (ts !== undefined) {
    checkFormat(
      isJsonObject(ts) &&
        Number.isSafeInteger(ts.epoch) &&
        (ts.epoch as number) >= 0 &&
        (ts.batch === null || (Number.isSafeInteger(ts.batch) && (ts.batch as number) >= 0)) &&
        isJsonObject(ts.rng),
      () => `${MODEL_JSON}: 'trainingState' must be {epoch, batch, rng}`,
    );
  }
  return raw as unknown as ModelJson;
}
