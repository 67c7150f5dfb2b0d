import type { DType } from '../core/dtype.js';
import { ValueError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { Config } from '../core/config.js';
import { Initializer, checkSeed, computeFans, rngFor, sample, truncatedNormalDraw } from './initializer.js';

export type FanMode = 'fan_in' | 'fan_out' | 'fan_avg';
export type Distribution = 'truncated_normal' | 'untruncated_normal' | 'uniform';

// Keras spellings are canonical; TF.js spellings are accepted ('normal' is truncated there too).
const MODES: Record<string, FanMode> = {
  fan_in: 'fan_in',
  fanIn: 'fan_in',
  fan_out: 'fan_out',
  fanOut: 'fan_out',
  fan_avg: 'fan_avg',
  fanAvg: 'fan_avg',
};
const DISTRIBUTIONS: Record<string, Distribution> = {
  truncated_normal: 'truncated_normal',
  truncatedNormal: 'truncated_normal',
  normal: 'truncated_normal',
  untruncated_normal: 'untruncated_normal',
  untruncatedNormal: 'untruncated_normal',
  uniform: 'uniform',
};
// Standard deviation of a unit normal truncated to [-2, 2]; dividing by it restores the target variance.
const TRUNCATED_STDDEV = 0.87962566103423978;

export interface VarianceScalingArgs {
  scale?: number;
  mode?: FanMode | 'fanIn' | 'fanOut' | 'fanAvg';
  distribution?: Distribution | 'normal' | 'truncatedNormal' | 'untruncatedNormal';
  seed?: number | null;
}

/**
 * Draws with variance `scale / n`, n being fan-in, fan-out or their average (Keras
 * `VarianceScaling(scale=1.0, mode="fan_in", distribution="truncated_normal")`).
 *
 * @example
 * new VarianceScaling({ scale: 2, mode: 'fan_in', distribution: 'uniform' }).call([64, 32]);
 */
export class VarianceScaling extends Initializer {
  static override readonly className: string = 'VarianceScaling';
  readonly scale: number;
  readonly mode: FanMode;
  readonly distribution: Distribution;
  readonly seed: number | null;

  constructor(args: VarianceScalingArgs = {}) {
    super();
    const who = (this.constructor as typeof Initializer).className;
    this.scale = args.scale ?? 1;
    if (typeof this.scale !== 'number' || !(this.scale > 0))
      throw new ValueError(`${who}: 'scale' must be a positive number, got ${JSON.stringify(args.scale)}`);
    const mode = MODES[args.mode ?? 'fan_in'];
    if (!mode)
      throw new ValueError(
        `${who}: unknown mode ${JSON.stringify(args.mode)}; expected one of ${Object.keys(MODES).join(', ')}`,
      );
    const distribution = DISTRIBUTIONS[args.distribution ?? 'truncated_normal'];
    if (!distribution)
      throw new ValueError(
        `${who}: unknown distribution ${JSON.stringify(args.distribution)}; expected one of ${Object.keys(DISTRIBUTIONS).join(', ')}`,
      );
    this.mode = mode;
    this.distribution = distribution;
    this.seed = checkSeed(args.seed, who);
  }

  call(shape: readonly number[], dtype?: DType): Tensor {
    const { fanIn, fanOut } = computeFans(shape);
    const n = this.mode === 'fan_in' ? fanIn : this.mode === 'fan_out' ? fanOut : (fanIn + fanOut) / 2;
    const variance = this.scale / Math.max(1, n);
    const rng = rngFor(this.seed);
    if (this.distribution === 'uniform') {
      const limit = Math.sqrt(3 * variance);
      return sample(shape, dtype, () => limit * (2 * rng.uniform() - 1));
    }
    if (this.distribution === 'untruncated_normal') {
      const stddev = Math.sqrt(variance);
      return sample(shape, dtype, () => stddev * rng.normal());
    }
    const stddev = Math.sqrt(variance) / TRUNCATED_STDDEV;
    return sample(shape, dtype, () => truncatedNormalDraw(rng, 0, stddev));
  }

  getConfig(): Config {
    return { scale: this.scale, mode: this.mode, distribution: this.distribution, seed: this.seed };
  }
}

/** The named presets only carry a seed in their config, as in Keras. */
abstract class Preset extends VarianceScaling {
  override getConfig(): Config {
    return { seed: this.seed };
  }
}

/**
 * Uniform in ±sqrt(6 / (fanIn + fanOut)): the default kernel initializer of Dense.
 * @example new GlorotUniform({ seed: 1 }).call([4, 3]);
 */
export class GlorotUniform extends Preset {
  static override readonly className: string = 'GlorotUniform';
  constructor(args: { seed?: number | null } = {}) {
    super({ scale: 1, mode: 'fan_avg', distribution: 'uniform', seed: args.seed });
  }
}

/**
 * Truncated normal with stddev sqrt(2 / (fanIn + fanOut)).
 * @example new GlorotNormal().call([4, 3]);
 */
export class GlorotNormal extends Preset {
  static override readonly className: string = 'GlorotNormal';
  constructor(args: { seed?: number | null } = {}) {
    super({ scale: 1, mode: 'fan_avg', distribution: 'truncated_normal', seed: args.seed });
  }
}

/**
 * Truncated normal with stddev sqrt(2 / fanIn), for ReLU networks.
 * @example new HeNormal().call([128, 64]);
 */
export class HeNormal extends Preset {
  static override readonly className: string = 'HeNormal';
  constructor(args: { seed?: number | null } = {}) {
    super({ scale: 2, mode: 'fan_in', distribution: 'truncated_normal', seed: args.seed });
  }
}

/**
 * Uniform in ±sqrt(6 / fanIn).
 * @example new HeUniform().call([128, 64]);
 */
export class HeUniform extends Preset {
  static override readonly className: string = 'HeUniform';
  constructor(args: { seed?: number | null } = {}) {
    super({ scale: 2, mode: 'fan_in', distribution: 'uniform', seed: args.seed });
  }
}

/**
 * Truncated normal with stddev sqrt(1 / fanIn), for SELU networks.
 * @example new LecunNormal().call([128, 64]);
 */
export class LecunNormal extends Preset {
  static override readonly className: string = 'LecunNormal';
  constructor(args: { seed?: number | null } = {}) {
    super({ scale: 1, mode: 'fan_in', distribution: 'truncated_normal', seed: args.seed });
  }
}

/**
 * Uniform in ±sqrt(3 / fanIn).
 * @example new LecunUniform().call([128, 64]);
 */
export class LecunUniform extends Preset {
  static override readonly className: string = 'LecunUniform';
  constructor(args: { seed?: number | null } = {}) {
    super({ scale: 1, mode: 'fan_in', distribution: 'uniform', seed: args.seed });
  }
}
