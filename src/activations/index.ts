import type { FusedActivation } from '../backend/backend.js';
import { ValueError } from '../core/errors.js';
import { Registry } from '../core/registry.js';
import type { Tensor } from '../core/tensor.js';
import { elu, exp, relu, relu6, selu, sigmoid, softplus, tanh } from '../ops/prims/unary.js';
import {
  gelu,
  hardSigmoid,
  hardSigmoidTfjs,
  hardSilu,
  leakyRelu,
  mish,
  silu,
  softsign,
} from '../ops/activation_ops.js';
import { logSoftmax, softmax } from '../ops/softmax.js';

/** An activation resolved from a name or function: what layers store and call. */
export interface Activation {
  /** The canonical (Keras) name, as written into configs. */
  readonly name: string;
  apply(x: Tensor): Tensor;
}

/** Anything `getActivation` accepts: a name, a function, an `Activation`, or nothing (linear). */
export type ActivationIdentifier = string | ((x: Tensor) => Tensor) | Activation | null | undefined;

/**
 * Canonical Keras 3 names and their functions, with Keras' defaults for the parameters.
 * `hard_sigmoid` is Keras 3's relu6(x + 3) / 6; `hard_sigmoid_tfjs` is the clip(0.2x + 0.5, 0, 1)
 * that TF.js and Keras up to 2.x call `hard_sigmoid` (their files load with it).
 */
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
  // The tanh approximation (GPT-2's; KerasHub's `gelu_approximate`).
  gelu_approximate: (x) => gelu(x, true),
  silu,
  hard_sigmoid: hardSigmoid,
  hard_sigmoid_tfjs: hardSigmoidTfjs,
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
  hardSigmoidTfjs: 'hard_sigmoid_tfjs',
  hardSilu: 'hard_silu',
  hardSwish: 'hard_silu',
  hard_swish: 'hard_silu',
  logSoftmax: 'log_softmax',
  swish: 'silu',
  geluApproximate: 'gelu_approximate',
};

/** Activations by name; each canonical Keras name is listed with its other spellings. */
export const activationRegistry = new Registry<Activation>({
  kind: 'activation',
  getter: 'getActivation',
  registerWith: 'registerActivation',
  alsoAccepts: 'a function',
  isInstance: (value): value is Activation =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Activation).apply === 'function' &&
    typeof (value as Activation).name === 'string',
  classNameOf: (activation) => activation.name,
  configOf: () => ({}),
});

/**
 * Makes an activation function known by name (so `activation: 'my_act'` works and configs
 * that name it load), under `name` and other `spellings`.
 * @example registerActivation('squareplus', (x) => mul(add(x, sqrt(add(square(x), 4))), 0.5));
 */
export function registerActivation(name: string, fn: (x: Tensor) => Tensor, spellings: readonly string[] = []): void {
  activationRegistry.register(name, () => ({ name, apply: fn }), { names: [name, ...spellings] });
}

for (const [name, fn] of Object.entries(ACTIVATIONS))
  registerActivation(
    name,
    fn,
    Object.keys(ALIASES).filter((alias) => ALIASES[alias] === name),
  );

/**
 * The name under which the fused dense and bias kernels apply an activation themselves (ReLU,
 * linear), or null for any other: those run after the kernel as ops.
 * @example fusedActivation(getActivation('relu')) // 'relu'
 */
export function fusedActivation(activation: Activation): FusedActivation | null {
  if (activation.apply === ACTIVATIONS.relu) return 'relu';
  return activation.apply === ACTIVATIONS.linear ? 'linear' : null;
}

/** Every name `getActivation` accepts, each canonical name followed by its other spellings. @example listActivations().includes('gelu') // true */
export function listActivations(): string[] {
  return activationRegistry.names();
}

/**
 * Resolves an activation by name (Keras snake_case or TF.js camelCase), passes functions and
 * resolved activations through, and treats `undefined`/`null` as linear.
 * @example getActivation('leaky_relu').apply(x)
 * @example getActivation((x) => mul(x, 2)).apply(x)
 */
export function getActivation(identifier?: ActivationIdentifier): Activation {
  if (identifier === undefined || identifier === null) return { name: 'linear', apply: ACTIVATIONS.linear };
  if (typeof identifier === 'string') return activationRegistry.resolve(identifier).make({});
  if (typeof identifier === 'function') return { name: identifier.name || 'custom_activation', apply: identifier };
  if (activationRegistry.spec.isInstance(identifier)) return identifier;
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
