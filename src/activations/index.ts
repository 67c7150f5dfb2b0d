import { ValueError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { elu, exp, relu, relu6, selu, sigmoid, softplus, tanh } from '../ops/prims/unary.js';
import { gelu, hardSigmoid, hardSilu, leakyRelu, mish, silu, softsign } from '../ops/activation_ops.js';
import { logSoftmax, softmax } from '../ops/softmax.js';

/** An activation resolved from a name or function: what layers store and call. */
export interface Activation {
  /** The canonical (Keras) name, as written into configs. */
  readonly name: string;
  apply(x: Tensor): Tensor;
}

/** Anything `getActivation` accepts: a name, a function, an `Activation`, or nothing (linear). */
export type ActivationIdentifier = string | ((x: Tensor) => Tensor) | Activation | null | undefined;

/** Canonical Keras 3 names and their functions, with Keras' defaults for the parameters. */
const ACTIVATIONS: Record<string, (x: Tensor) => Tensor> = {
  linear: (x) => x,
  sigmoid,
  tanh,
  relu,
  relu6,
  elu: (x) => elu(x),
  selu,
  softplus,
  softsign,
  leaky_relu: (x) => leakyRelu(x, 0.2),
  gelu: (x) => gelu(x, false),
  silu,
  hard_sigmoid: hardSigmoid,
  hard_silu: hardSilu,
  softmax: (x) => softmax(x, -1),
  log_softmax: (x) => logSoftmax(x, -1),
  exponential: exp,
  mish,
};

/** Other spellings users write: TF.js camelCase and Keras aliases. */
const ALIASES: Record<string, string> = {
  leakyRelu: 'leaky_relu',
  hardSigmoid: 'hard_sigmoid',
  hardSilu: 'hard_silu',
  hardSwish: 'hard_silu',
  hard_swish: 'hard_silu',
  logSoftmax: 'log_softmax',
  swish: 'silu',
};

/** Every name `getActivation` accepts, canonical names first. @example listActivations().includes('gelu') // true */
export function listActivations(): string[] {
  return [...Object.keys(ACTIVATIONS), ...Object.keys(ALIASES)];
}

function canonicalName(name: string): string | undefined {
  if (name in ACTIVATIONS) return name;
  return ALIASES[name];
}

/**
 * Resolves an activation by name (Keras snake_case or TF.js camelCase), passes functions and
 * resolved activations through, and treats `undefined`/`null` as linear.
 * @example getActivation('leaky_relu').apply(x)
 * @example getActivation((x) => mul(x, 2)).apply(x)
 */
export function getActivation(identifier?: ActivationIdentifier): Activation {
  if (identifier === undefined || identifier === null) return { name: 'linear', apply: ACTIVATIONS.linear };
  if (typeof identifier === 'string') {
    const name = canonicalName(identifier);
    if (!name) {
      throw new ValueError(
        `Unknown activation ${JSON.stringify(identifier)}; valid names are ${listActivations()
          .map((n) => `'${n}'`)
          .join(', ')}`,
      );
    }
    return { name, apply: ACTIVATIONS[name] };
  }
  if (typeof identifier === 'function') return { name: identifier.name || 'custom_activation', apply: identifier };
  if (typeof identifier === 'object' && typeof identifier.apply === 'function' && typeof identifier.name === 'string')
    return identifier;
  throw new ValueError(`getActivation: expected a name, a function or an Activation, got ${typeof identifier}`);
}

/**
 * The canonical name of an activation, for `getConfig()`: `serializeActivation('leakyRelu')`
 * is `'leaky_relu'`. A custom function serializes to its function name.
 * @example serializeActivation(getActivation('swish')) // 'silu'
 */
export function serializeActivation(activation?: ActivationIdentifier): string {
  return getActivation(activation).name;
}
