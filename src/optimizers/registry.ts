import type { SerializedObject } from '../core/config.js';
import { checkBuiltFrom } from '../core/options.js';
import { Registry, type ConfigurableClass } from '../core/registry.js';
import { Optimizer } from './optimizer.js';

/** Optimizers by name ('adam', 'Adam', 'rms_prop'): each optimizer's file registers itself. */
export const optimizerRegistry = new Registry<Optimizer>({
  kind: 'optimizer',
  getter: 'getOptimizer',
  registerWith: 'registerOptimizer',
  alsoAccepts: 'an Optimizer instance',
  isInstance: (value): value is Optimizer => value instanceof Optimizer,
  classNameOf: (optimizer) => optimizer.className,
  configOf: (optimizer) => optimizer.getConfig(),
});

/** A serialised optimizer: its class name and `getConfig()`. */
export type OptimizerConfig = SerializedObject;

/**
 * Makes an optimizer class known by name to `getOptimizer`, `compile` and saved training
 * configs, under `className` (what `optimizer.className` is) and lower-case `names`.
 * @example registerOptimizer('SignSGD', SignSGD, ['sign_sgd']);
 */
export function registerOptimizer(
  className: string,
  cls: ConfigurableClass<Optimizer>,
  names: readonly string[] = [className.toLowerCase()],
): void {
  optimizerRegistry.registerClass(cls, { className, names });
}

/**
 * An `optimizers.adam(args)`-style factory for `cls`: its options are checked, so a
 * misspelt one is an error rather than a default silently kept.
 * @example export const adam = optimizerFactory('adam', (args: AdamArgs = {}) => new Adam(args));
 */
export function optimizerFactory<A extends object, O extends Optimizer>(
  name: string,
  make: (args?: A) => O,
): (args?: A) => O {
  return (args?: A) => checkBuiltFrom(`optimizers.${name}`, make(args), args);
}

/**
 * Resolves an optimizer: a name ('sgd', 'adam', 'adamw', 'adamax', 'nadam', 'rmsprop',
 * 'adagrad', 'adadelta', in any case, or any registered one), a `{ className, config }` from
 * `serializeOptimizer`, or an instance (returned as is). Names give Keras' defaults.
 * @example getOptimizer('adam').learningRate; // 0.001
 */
export function getOptimizer(identifier: string | Optimizer | OptimizerConfig): Optimizer {
  return optimizerRegistry.get(identifier);
}

/** `{ className, config }` that `getOptimizer` rebuilds the optimizer from (state not included). */
export function serializeOptimizer(optimizer: Optimizer): OptimizerConfig {
  return optimizerRegistry.serialize(optimizer);
}
