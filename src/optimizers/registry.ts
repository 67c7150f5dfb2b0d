import { ValueError } from '../core/errors.js';
import { Adadelta } from './adadelta.js';
import { Adagrad } from './adagrad.js';
import { Adam, AdamW } from './adam.js';
import { Adamax } from './adamax.js';
import { Nadam } from './nadam.js';
import { Optimizer } from './optimizer.js';
import { RMSprop } from './rmsprop.js';
import { SGD } from './sgd.js';

type OptimizerClass = new (args?: never) => Optimizer;

/** Optimizers by lower-case name; lookups also ignore underscores ('RMSprop', 'rms_prop'). */
const OPTIMIZERS: Record<string, OptimizerClass> = {
  sgd: SGD,
  adam: Adam,
  adamw: AdamW,
  adamax: Adamax,
  nadam: Nadam,
  rmsprop: RMSprop,
  adagrad: Adagrad,
  adadelta: Adadelta,
};

/** A serialised optimizer: its class name and `getConfig()`. */
export interface OptimizerConfig {
  className: string;
  config: Record<string, unknown>;
}

/**
 * Resolves an optimizer: a name ('sgd', 'adam', 'adamw', 'adamax', 'nadam', 'rmsprop', 'adagrad',
 * 'adadelta', in any case), a `{ className, config }` from `serializeOptimizer`, or an instance
 * (returned as is). Names give Keras' defaults.
 * @example getOptimizer('adam').learningRate; // 0.001
 */
export function getOptimizer(identifier: string | Optimizer | OptimizerConfig): Optimizer {
  if (identifier instanceof Optimizer) return identifier;
  const isConfig =
    typeof identifier === 'object' &&
    identifier !== null &&
    typeof (identifier as OptimizerConfig).className === 'string';
  const name =
    typeof identifier === 'string' ? identifier : isConfig ? (identifier as OptimizerConfig).className : null;
  const ctor = name === null ? undefined : OPTIMIZERS[name.toLowerCase().replace(/_/g, '')];
  if (!ctor) {
    const shown =
      typeof identifier === 'string' ? `'${identifier}'` : isConfig ? `className '${name}'` : String(identifier);
    throw new ValueError(
      `Unknown optimizer ${shown}; expected one of ${Object.keys(OPTIMIZERS)
        .map((k) => `'${k}'`)
        .join(', ')} or an Optimizer instance`,
    );
  }
  return new ctor((isConfig ? (identifier as OptimizerConfig).config : {}) as never);
}

/** `{ className, config }` that `getOptimizer` rebuilds the optimizer from (state not included). */
export function serializeOptimizer(optimizer: Optimizer): OptimizerConfig {
  return { className: optimizer.className, config: optimizer.getConfig() };
}
