import { ValueError } from '../core/errors.js';
import type { Config } from '../core/config.js';
import { globalRng, Rng } from '../core/rng.js';
import type { Tensor } from '../core/tensor.js';
import { tensor } from '../ops/convert.js';
import { add, mul } from '../ops/prims/binary.js';
import { describeLayer } from './convolutional_base.js';
import { Layer, type CallArgs, type LayerArgs } from './layer.js';
import { registerLayerClass } from './registry.js';
import { checkFormat } from './sequence_format.js';

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

export interface RandomDropArgs extends LayerArgs {
  /** Drop probability, in [0, 1). */
  rate: number;
  /** Seeds the layer's own generator (otherwise the global one, see setSeed). */
  seed?: number | null;
}

/** A regularizer active only while training, drawing from its own (seeded) or the global generator. */
abstract class TrainingNoise extends Layer {
  readonly rate: number;
  readonly seed: number | null;
  protected readonly rng: Rng;

  constructor(args: RandomDropArgs) {
    super(args);
    if (typeof args?.rate !== 'number' || !(args.rate >= 0 && args.rate < 1))
      throw new ValueError(
        `${describeLayer(this)}: 'rate' must be a number in [0, 1), got ${JSON.stringify(args?.rate)}`,
      );
    this.rate = args.rate;
    this.seed = args.seed ?? null;
    this.rng = this.seed === null ? globalRng : new Rng(this.seed);
    this.supportsMasking = true;
  }

  /** The noise applied while training (inference is the identity). */
  protected abstract noisy(x: Tensor): Tensor;

  call(inputs: Tensor | Tensor[], kwargs: CallArgs): Tensor {
    const x = inputs as Tensor;
    return kwargs.training && this.rate > 0 ? this.noisy(x) : x;
  }

  /** Values drawn by `draw`, as a tensor of `shape`. */
  protected drawn(shape: number[], dtype: Tensor['dtype'], draw: () => number): Tensor {
    const n = shape.reduce((a, b) => a * b, 1);
    return tensor(Float64Array.from({ length: n }, draw), shape, dtype);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}

/**
 * Multiplies the inputs by Gaussian noise of mean 1 and variance rate / (1 − rate) while
 * training (Keras `GaussianDropout`); the identity in inference.
 * @example new GaussianDropout({ rate: 0.2 }).apply(x, { training: true });
 */
export class GaussianDropout extends TrainingNoise {
  static override readonly className: string = 'GaussianDropout';

  protected noisy(x: Tensor): Tensor {
    const stddev = Math.sqrt(this.rate / (1 - this.rate));
    return mul(
      x,
      this.drawn([...x.shape], x.dtype, () => 1 + stddev * this.rng.normal()),
    );
  }
}

export interface AlphaDropoutArgs extends RandomDropArgs {
  /** Shape of the keep/drop mask, broadcast over the input; `null` entries take the input's size. */
  noiseShape?: (number | null)[] | null;
}

/**
 * Dropout for self-normalizing networks (Keras `AlphaDropout`, Klambauer et al. 2017): dropped
 * inputs are set to SELU's negative saturation value and an affine map restores the mean and
 * variance, so a `selu` network stays normalized. The identity in inference.
 * @example new AlphaDropout({ rate: 0.1 }).apply(x, { training: true });
 */
export class AlphaDropout extends TrainingNoise {
  static override readonly className: string = 'AlphaDropout';
  readonly noiseShape: (number | null)[] | null;

  constructor(args: AlphaDropoutArgs) {
    super(args);
    this.noiseShape = args.noiseShape ? [...args.noiseShape] : null;
  }

  protected noisy(x: Tensor): Tensor {
    const alphaP = -SELU_ALPHA * SELU_SCALE;
    const shape = this.noiseShape ? this.noiseShape.map((d, i) => (d === null ? x.shape[i] : d)) : [...x.shape];
    const kept = this.drawn(shape, x.dtype, () => (this.rng.uniform() >= this.rate ? 1 : 0));
    const a = ((1 - this.rate) * (1 + this.rate * alphaP ** 2)) ** -0.5;
    const b = -a * alphaP * this.rate;
    // a·(x·kept + alphaP·(1 − kept)) + b
    return add(mul(add(mul(x, kept), mul(add(mul(kept, -1), 1), alphaP)), a), b);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), noiseShape: this.noiseShape };
  }
}

export interface SpatialDropoutArgs extends RandomDropArgs {
  /** Where the channels are: 'channels_last' (default) or 'channels_first'. */
  dataFormat?: 'channels_last' | 'channels_first';
}

/**
 * Dropout of whole channels: each channel of each sample is zeroed with probability `rate` (the
 * rest scaled by 1 / (1 − rate)) while training, since neighbouring steps or voxels are too
 * correlated for element-wise dropout to regularize.
 */
abstract class SpatialDropout extends TrainingNoise {
  readonly dataFormat: 'channels_last' | 'channels_first';
  /** The input's rank (3 for sequences, 5 for volumes). */
  protected abstract readonly rank: number;

  constructor(args: SpatialDropoutArgs) {
    super(args);
    this.dataFormat = checkFormat(args.dataFormat, describeLayer(this));
  }

  override build(): void {
    this.inputSpec = [{ ndim: this.rank }];
  }

  protected noisy(x: Tensor): Tensor {
    const shape = x.shape.map((d, i) => {
      const channel = this.dataFormat === 'channels_last' ? x.rank - 1 : 1;
      return i === 0 || i === channel ? d : 1;
    });
    const keep = 1 - this.rate;
    return mul(
      x,
      this.drawn(shape, x.dtype, () => (this.rng.uniform() < keep ? 1 / keep : 0)),
    );
  }

  override getConfig(): Config {
    return { ...super.getConfig(), dataFormat: this.dataFormat };
  }
}

/**
 * Drops whole feature channels of sequences [batch, steps, channels] (Keras `SpatialDropout1D`).
 * @example new SpatialDropout1D({ rate: 0.2 }).apply(x, { training: true });
 */
export class SpatialDropout1D extends SpatialDropout {
  static override readonly className: string = 'SpatialDropout1D';
  protected readonly rank = 3;
}

/**
 * Drops whole feature channels of volumes [batch, depth, height, width, channels] (Keras
 * `SpatialDropout3D`).
 * @example new SpatialDropout3D({ rate: 0.2 }).apply(x, { training: true });
 */
export class SpatialDropout3D extends SpatialDropout {
  static override readonly className: string = 'SpatialDropout3D';
  protected readonly rank = 5;
}

registerLayerClass(GaussianDropout);
registerLayerClass(AlphaDropout);
registerLayerClass(SpatialDropout1D);
registerLayerClass(SpatialDropout3D);
