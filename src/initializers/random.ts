import type { DType } from '../core/dtype.js';
import { ValueError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { Config } from '../core/config.js';
import { Initializer, checkSeed, rngFor, sample, truncatedNormalDraw } from './initializer.js';

function checkPositive(value: number, arg: string, who: string): number {
  if (typeof value !== 'number' || !(value > 0))
    throw new ValueError(`${who}: '${arg}' must be a positive number, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * Normal draws (Keras `RandomNormal(mean=0.0, stddev=0.05, seed=None)`).
 * @example new RandomNormal({ stddev: 0.1, seed: 1 }).call([3, 3]);
 */
export class RandomNormal extends Initializer {
  static override readonly className: string = 'RandomNormal';
  readonly mean: number;
  readonly stddev: number;
  readonly seed: number | null;

  constructor(args: { mean?: number; stddev?: number; seed?: number | null } = {}) {
    super();
    this.mean = args.mean ?? 0;
    this.stddev = checkPositive(args.stddev ?? 0.05, 'stddev', 'RandomNormal');
    this.seed = checkSeed(args.seed, 'RandomNormal');
  }

  call(shape: readonly number[], dtype?: DType): Tensor {
    const rng = rngFor(this.seed);
    return sample(shape, dtype, () => this.mean + this.stddev * rng.normal());
  }

  getConfig(): Config {
    return { mean: this.mean, stddev: this.stddev, seed: this.seed };
  }
}

/**
 * Uniform draws in [minval, maxval) (Keras `RandomUniform(minval=-0.05, maxval=0.05, seed=None)`).
 * @example new RandomUniform({ minval: 0, maxval: 1 }).call([5]);
 */
export class RandomUniform extends Initializer {
  static override readonly className: string = 'RandomUniform';
  readonly minval: number;
  readonly maxval: number;
  readonly seed: number | null;

  constructor(args: { minval?: number; maxval?: number; seed?: number | null } = {}) {
    super();
    this.minval = args.minval ?? -0.05;
    this.maxval = args.maxval ?? 0.05;
    if (!(this.maxval >= this.minval))
      throw new ValueError(`RandomUniform: 'maxval' (${this.maxval}) must be >= 'minval' (${this.minval})`);
    this.seed = checkSeed(args.seed, 'RandomUniform');
  }

  call(shape: readonly number[], dtype?: DType): Tensor {
    const rng = rngFor(this.seed);
    const width = this.maxval - this.minval;
    return sample(shape, dtype, () => this.minval + width * rng.uniform());
  }

  getConfig(): Config {
    return { minval: this.minval, maxval: this.maxval, seed: this.seed };
  }
}

/**
 * Normal draws cut at two standard deviations, re-drawn beyond
 * (Keras `TruncatedNormal(mean=0.0, stddev=0.05, seed=None)`).
 * @example new TruncatedNormal({ stddev: 1 }).call([100]); // all within [-2, 2]
 */
export class TruncatedNormal extends Initializer {
  static override readonly className: string = 'TruncatedNormal';
  readonly mean: number;
  readonly stddev: number;
  readonly seed: number | null;

  constructor(args: { mean?: number; stddev?: number; seed?: number | null } = {}) {
    super();
    this.mean = args.mean ?? 0;
    this.stddev = checkPositive(args.stddev ?? 0.05, 'stddev', 'TruncatedNormal');
    this.seed = checkSeed(args.seed, 'TruncatedNormal');
  }

  call(shape: readonly number[], dtype?: DType): Tensor {
    const rng = rngFor(this.seed);
    return sample(shape, dtype, () => truncatedNormalDraw(rng, this.mean, this.stddev));
  }

  getConfig(): Config {
    return { mean: this.mean, stddev: this.stddev, seed: this.seed };
  }
}
