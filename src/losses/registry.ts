import { ValueError } from '../core/errors.js';
import * as c from './classes.js';
import { Loss, type LossArgs } from './loss.js';

type LossClass = new (args?: never) => Loss;

/** Each loss: its class, the Keras function name (its name when resolved from a string), and aliases. */
const ENTRIES: [LossClass, string, string[]][] = [
  [c.MeanSquaredError, 'mean_squared_error', ['mse']],
  [c.MeanAbsoluteError, 'mean_absolute_error', ['mae']],
  [c.MeanAbsolutePercentageError, 'mean_absolute_percentage_error', ['mape']],
  [c.MeanSquaredLogarithmicError, 'mean_squared_logarithmic_error', ['msle']],
  [c.Huber, 'huber', ['huber_loss']],
  [c.LogCosh, 'log_cosh', ['logcosh']],
  [c.CosineSimilarity, 'cosine_similarity', []],
  [c.BinaryCrossentropy, 'binary_crossentropy', ['bce']],
  [c.CategoricalCrossentropy, 'categorical_crossentropy', []],
  [c.SparseCategoricalCrossentropy, 'sparse_categorical_crossentropy', []],
  [c.Hinge, 'hinge', []],
  [c.SquaredHinge, 'squared_hinge', []],
  [c.CategoricalHinge, 'categorical_hinge', []],
  [c.KLDivergence, 'kl_divergence', ['kld', 'kullback_leibler_divergence']],
  [c.Poisson, 'poisson', []],
];

/** Lookups ignore case and underscores, so camelCase, snake_case and Keras' names all match. */
const key = (name: string): string => name.toLowerCase().replace(/_/g, '');

const BY_KEY = new Map<string, { ctor: LossClass; name: string | null }>();
for (const [ctor, fnName, aliases] of ENTRIES) {
  for (const alias of [fnName, ...aliases]) BY_KEY.set(key(alias), { ctor, name: fnName });
  if (!BY_KEY.has(key(ctor.name))) BY_KEY.set(key(ctor.name), { ctor, name: null });
}
const CLASS_NAMES = new Map<string, LossClass>([
  ...ENTRIES.map(([ctor]) => [ctor.name, ctor] as [string, LossClass]),
  ['LossFunctionWrapper', c.LossFunctionWrapper as unknown as LossClass],
]);

/** Every name `getLoss` accepts, as listed in its errors. */
export const LOSS_NAMES: readonly string[] = ENTRIES.flatMap(([, fnName, aliases]) => [fnName, ...aliases]);

/** A serialised loss: its class name and `getConfig()`. */
export interface LossConfig {
  className: string;
  config: Record<string, unknown>;
}

/**
 * Resolves a loss: a name in camelCase, snake_case, PascalCase or a Keras short name ('mse',
 * 'mae', 'mape', 'msle', 'kld', 'kl_divergence', 'logcosh', 'huber', 'bce'), a `Loss`, a
 * per-sample function (wrapped and named after it), or `{ className, config }`.
 * @example getLoss('sparseCategoricalCrossentropy').compute(labels, probs)
 */
export function getLoss(identifier: string | Loss | c.LossFunction | LossConfig): Loss {
  if (identifier instanceof Loss) return identifier;
  if (typeof identifier === 'function') return new c.LossFunctionWrapper(identifier);
  if (typeof identifier === 'string') {
    // An exact class name ('Huber') gives the class's own default name ('huber_loss'), as in Keras.
    const byClass = CLASS_NAMES.get(identifier);
    if (byClass && byClass !== (c.LossFunctionWrapper as unknown)) return new byClass({} as never);
    const found = BY_KEY.get(key(identifier));
    if (!found)
      throw new ValueError(
        `Unknown loss '${identifier}'; expected one of ${LOSS_NAMES.map((n) => `'${n}'`).join(', ')} (camelCase also accepted), a Loss or a function`,
      );
    return new found.ctor((found.name ? { name: found.name } : {}) as never);
  }
  if (identifier && typeof identifier === 'object' && typeof identifier.className === 'string') {
    const ctor = CLASS_NAMES.get(identifier.className);
    if (!ctor || ctor === (c.LossFunctionWrapper as unknown)) {
      throw new ValueError(
        `getLoss: cannot rebuild a loss of class '${identifier.className}'; expected one of ${ENTRIES.map(([k]) => k.name).join(', ')}`,
      );
    }
    return new ctor(identifier.config as LossArgs as never);
  }
  throw new ValueError(
    `getLoss: expected a loss name, Loss, function or {className, config}, got ${String(identifier)}`,
  );
}

/** `{ className, config }` that `getLoss` rebuilds the loss from. */
export function serializeLoss(loss: Loss): LossConfig {
  return { className: loss.className, config: loss.getConfig() };
}
