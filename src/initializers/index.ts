/**
 * Weight initializers with Keras 3 formulas and defaults. Factories follow TF.js
 * (`initializers.glorotUniform({seed: 1})`); names resolve through `getInitializer`.
 */
import { strictFactories } from '../core/options.js';
import { Constant, Ones, Zeros } from './constant.js';
import { Identity, Orthogonal } from './orthogonal.js';
import { RandomNormal, RandomUniform, TruncatedNormal } from './random.js';
import {
  GlorotNormal,
  GlorotUniform,
  HeNormal,
  HeUniform,
  LecunNormal,
  LecunUniform,
  VarianceScaling,
  type VarianceScalingArgs,
} from './variance_scaling.js';
import { getInitializer, initializerNames, serializeInitializer } from './registry.js';

export { Initializer, computeFans } from './initializer.js';
export type { Config, SerializedObject } from '../core/config.js';
export { Constant, Ones, Zeros } from './constant.js';
export { Identity, Orthogonal } from './orthogonal.js';
export { RandomNormal, RandomUniform, TruncatedNormal } from './random.js';
export {
  GlorotNormal,
  GlorotUniform,
  HeNormal,
  HeUniform,
  LecunNormal,
  LecunUniform,
  VarianceScaling,
  type VarianceScalingArgs,
  type FanMode,
  type Distribution,
} from './variance_scaling.js';
export {
  getInitializer,
  initializerNames,
  serializeInitializer,
  registerInitializer,
  initializerRegistry,
  type InitializerIdentifier,
} from './registry.js';

type Seeded = { seed?: number | null };

/**
 * Factory functions (each checks its options: an unknown key is an error), one per initializer.
 * @example layers.dense({ units: 8, kernelInitializer: initializers.heNormal({ seed: 7 }) })
 */
export const initializers = {
  ...strictFactories('initializers', {
    zeros: () => new Zeros(),
    ones: () => new Ones(),
    constant: (args: { value?: number } = {}) => new Constant(args),
    randomNormal: (args: { mean?: number; stddev?: number } & Seeded = {}) => new RandomNormal(args),
    randomUniform: (args: { minval?: number; maxval?: number } & Seeded = {}) => new RandomUniform(args),
    truncatedNormal: (args: { mean?: number; stddev?: number } & Seeded = {}) => new TruncatedNormal(args),
    varianceScaling: (args: VarianceScalingArgs = {}) => new VarianceScaling(args),
    glorotUniform: (args: Seeded = {}) => new GlorotUniform(args),
    glorotNormal: (args: Seeded = {}) => new GlorotNormal(args),
    heNormal: (args: Seeded = {}) => new HeNormal(args),
    heUniform: (args: Seeded = {}) => new HeUniform(args),
    lecunNormal: (args: Seeded = {}) => new LecunNormal(args),
    lecunUniform: (args: Seeded = {}) => new LecunUniform(args),
    orthogonal: (args: { gain?: number } & Seeded = {}) => new Orthogonal(args),
    identity: (args: { gain?: number } = {}) => new Identity(args),
  }),
  get: getInitializer,
  serialize: serializeInitializer,
  names: initializerNames,
};
