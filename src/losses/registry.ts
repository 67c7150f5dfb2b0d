import type { SerializedObject } from '../core/config.js';
import { ValueError } from '../core/errors.js';
import { Registry, type ConfigurableClass } from '../core/registry.js';
import { LossFunctionWrapper, type LossFunction } from './function_wrapper.js';
import { Loss } from './loss.js';

/**
 * Losses by name: Keras' function names ('mean_squared_error') first, then short forms
 * ('mse'); lookups ignore case and underscores, so camelCase and class names match too.
 */
export const lossRegistry = new Registry<Loss>({
  kind: 'loss',
  getter: 'getLoss',
  registerWith: 'registerLoss',
  alsoAccepts: 'a Loss or a function (camelCase also accepted)',
  isInstance: (value): value is Loss => value instanceof Loss,
  classNameOf: (loss) => loss.className,
  configOf: (loss) => loss.getConfig(),
});

/**
 * Makes a loss class known by name to `getLoss`, `compile` and saved training configs, under
 * `className` and `names` (the first is the name a loss resolved from a string reports).
 * @example registerLoss('MeanSquaredError', MeanSquaredError, ['mean_squared_error', 'mse']);
 */
export function registerLoss(
  className: string,
  cls: ConfigurableClass<Loss>,
  names: readonly string[] = [className],
): void {
  lossRegistry.registerClass(cls, { className, names });
}

/** A serialised loss: its class name and `getConfig()`. */
export type LossConfig = SerializedObject;

/**
 * Resolves a loss: a name in camelCase, snake_case, PascalCase or a Keras short name ('mse',
 * 'mae', 'mape', 'msle', 'kld', 'kl_divergence', 'logcosh', 'huber', 'bce'), a `Loss`, a
 * per-sample function (wrapped and named after it), or `{ className, config }`.
 * @example getLoss('sparseCategoricalCrossentropy').compute(labels, probs)
 */
export function getLoss(identifier: string | Loss | LossFunction | LossConfig): Loss {
  if (typeof identifier === 'function') return new LossFunctionWrapper(identifier);
  if (typeof identifier === 'string') {
    const entry = lossRegistry.resolve(identifier);
    // An exact class name ('Huber') gives the class's own default name ('huber_loss'), as in
    // Keras; any other spelling names the loss after its function ('huber').
    return entry.make(identifier === entry.className ? {} : { name: entry.names[0] });
  }
  if (identifier instanceof Loss || (identifier && typeof identifier === 'object')) return lossRegistry.get(identifier);
  throw new ValueError(
    `getLoss: expected a loss name, Loss, function or {className, config}, got ${String(identifier)}`,
  );
}

/** `{ className, config }` that `getLoss` rebuilds the loss from. */
export function serializeLoss(loss: Loss): LossConfig {
  return lossRegistry.serialize(loss);
}
