import { fmtList, MyelinError, ValueError, fmtShape } from '../core/errors.js';
import { sizeOf } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import type { Config, SerializedObject } from '../core/config.js';
import { Layer } from '../layers/layer.js';
import { deserializeLayer } from '../layers/registry.js';
import type { LayersModel } from '../models/layers_model.js';
import { cast } from '../ops/prims/shape_ops.js';
import { checkLayerClasses } from './config_origin.js';
import { checkFormat, FileFormatError } from './format_error.js';
import type { NamedTensor } from './safetensors.js';

/**
 * The model's weights under their variable names (`dense/kernel`), in `model.weights` order.
 * @example encodeSafetensors(namedModelWeights(model));
 */
/** A model nested as a layer (io knows models by their shape, not their class). */
export function isModel(layer: Layer): layer is LayersModel {
  return Array.isArray((layer as Partial<LayersModel>).layers);
}

export function namedModelWeights(model: LayersModel): NamedTensor[] {
  const seen = new Set<string>();
  return model.weights.map((v) => {
    if (seen.has(v.name))
      throw new FileFormatError(
        `Model '${model.name}': two weights are named '${v.name}'; give the layers unique names before saving`,
      );
    seen.add(v.name);
    return { name: v.name, tensor: v };
  });
}

/**
 * Sets every weight of `model` from the tensor of the same name. Missing, unexpected and
 * mis-shaped weights are all reported at once, before anything is assigned.
 * @example assignNamedWeights(model, decodeSafetensors(bytes).tensors, 'model.safetensors');
 */
export function assignNamedWeights(model: LayersModel, tensors: readonly NamedTensor[], what: string): void {
  const byName = new Map(tensors.map((t) => [t.name, t.tensor]));
  const variables = model.weights;
  const missing = variables.filter((v) => !byName.has(v.name)).map((v) => v.name);
  const known = new Set(variables.map((v) => v.name));
  const extra = tensors.filter((t) => !known.has(t.name)).map((t) => t.name);
  checkFormat(
    missing.length === 0 && extra.length === 0,
    () =>
      `${what}: weights do not match the model: ${[
        missing.length ? `missing ${fmtList(missing)}` : '',
        extra.length ? `unexpected ${fmtList(extra)}` : '',
      ]
        .filter(Boolean)
        .join('; ')}`,
  );
  assignInOrder(
    variables.map((v) => ({ name: v.name, tensor: byName.get(v.name) as Tensor })),
    model,
    what,
  );
}

/** Assigns `values[i]` to `model.weights[i]` after checking every shape. */
export function assignInOrder(values: readonly NamedTensor[], model: LayersModel, what: string): void {
  const variables = model.weights;
  checkFormat(
    values.length === variables.length,
    () =>
      `${what}: the file has ${values.length} weights but model '${model.name}' has ${variables.length} (${fmtList(variables.map((v) => `${v.name} ${fmtShape(v.shape)}`))})`,
  );
  variables.forEach((v, i) => {
    const t = values[i].tensor;
    checkFormat(
      t.shape.length === v.shape.length && t.shape.every((d, k) => d === v.shape[k]),
      () =>
        `${what}: weight '${values[i].name}' has shape ${fmtShape(t.shape)} but '${v.name}' needs ${fmtShape(v.shape)}`,
    );
  });
  variables.forEach((v, i) => {
    const t = values[i].tensor;
    v.assign(t.dtype === v.dtype ? t : cast(t, v.dtype));
  });
}

/**
 * Builds a model from an untrusted config. Only registered classes are built (configs are data,
 * never code; every unknown class is named at once), weight creation is capped at `maxWeightElements` scalars in all (the size of the
 * weights the file really holds), so a config asking for a huge layer fails before allocating,
 * and any failure while building is reported as a FileFormatError naming the file.
 *
 * @example const model = buildModelFromConfig(json.modelConfig, totalElements, 'model.json');
 */
export function buildModelFromConfig(
  config: SerializedObject | Config,
  maxWeightElements: number,
  what: string,
): LayersModel {
  checkLayerClasses(config, what);
  const proto = Layer.prototype as unknown as { addWeight: (...args: unknown[]) => unknown };
  const original = proto.addWeight;
  let created = 0;
  proto.addWeight = function guarded(this: Layer, ...args: unknown[]) {
    const [name, shape] = args as [string, readonly number[]];
    const n = Array.isArray(shape) && shape.every((d) => Number.isSafeInteger(d) && d >= 0) ? sizeOf(shape) : 0;
    created += n;
    if (created > maxWeightElements) {
      throw new FileFormatError(
        `${what}: layer '${this.name}' would create weight '${name}' of shape ${fmtShape(shape as number[])}, more values than the ${maxWeightElements} the file holds`,
      );
    }
    return original.apply(this, args);
  };
  try {
    return modelFromRegistry(config);
  } catch (e) {
    if (e instanceof FileFormatError) throw e;
    if (e instanceof MyelinError) throw new FileFormatError(`${what}: cannot build the model: ${e.message}`);
    throw new FileFormatError(`${what}: the model config is malformed (${e instanceof Error ? e.message : String(e)})`);
  } finally {
    proto.addWeight = original;
  }
}

/** Total scalars in a list of tensors (the budget for `buildModelFromConfig`). */
export function totalElements(tensors: readonly NamedTensor[]): number {
  return tensors.reduce((n, t) => n + t.tensor.size, 0);
}

/** The model classes configs name; each registers itself in the layer registry, as in Keras. */
const MODEL_CLASSES = ['Sequential', 'Functional', 'Model'];

/**
 * A model rebuilt from `{className, config}` or a bare model config through the layer registry
 * (where the model classes register), so io reaches no model class directly.
 */
function modelFromRegistry(serialized: SerializedObject | Config): LayersModel {
  const wrapped = typeof serialized.className === 'string' && typeof serialized.config === 'object';
  const config = (wrapped ? serialized.config : serialized) as Config;
  const className = wrapped ? (serialized.className as string) : config.inputLayers ? 'Functional' : 'Sequential';
  if (!MODEL_CLASSES.includes(className))
    throw new ValueError(`the config names model class '${className}'; expected 'Sequential' or 'Functional'`);
  return deserializeLayer({ className, config }) as LayersModel;
}
