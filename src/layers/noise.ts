import { ValueError } from '../core/errors.js';
import { globalRng, Rng } from '../core/rng.js';
import type { Tensor } from '../core/tensor.js';
import type { Config } from '../core/config.js';
import { add, mul } from '../ops/prims/binary.js';
import { drawnTensor, dropoutMask } from '../ops/random.js';
import { describeLayer, imageShape } from './convolutional_base.js';
import { Layer, type CallArgs, type LayerArgs } from './layer.js';
import { registerLayerClass } from './registry.js';
import type { Shape } from './symbolic.js';

export interface GaussianNoiseArgs extends LayerArgs {
  /** Standard deviation of the added noise. */
  stddev: number;
  seed?: number | null;
}

/**
 * Adds zero-mean Gaussian noise while training (a regularizer); the identity in inference.
 * @example new GaussianNoise({ stddev: 0.1 }).apply(x, { training: true })
 */
export class GaussianNoise extends Layer {
  static override readonly className: string = 'GaussianNoise';
  readonly stddev: number;
  readonly seed: number | null;
  private readonly rng: Rng;

  constructor(args: GaussianNoiseArgs) {
    super(args);
    if (typeof args.stddev !== 'number' || !(args.stddev >= 0))
      throw new ValueError(
        `${describeLayer(this)}: 'stddev' must be a non-negative number, got ${JSON.stringify(args.stddev)}`,
      );
    this.stddev = args.stddev;
    this.seed = args.seed ?? null;
    this.rng = this.seed === null ? globalRng : new Rng(this.seed);
  }

  call(inputs: Tensor | Tensor[], kwargs: CallArgs): Tensor {
    const x = inputs as Tensor;
    if (!kwargs.training || this.stddev === 0) return x;
    const noise = drawnTensor(x.shape, x.dtype, (values) => {
      for (let i = 0; i < values.length; i++) values[i] = this.stddev * this.rng.normal();
    });
    return add(x, noise);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), stddev: this.stddev, seed: this.seed };
  }
}

export interface SpatialDropout2DArgs extends LayerArgs {
  /** Fraction of the channels to drop, in [0, 1]. */
  rate: number;
  seed?: number | null;
  dataFormat?: 'channels_last' | 'channelsLast';
}

/**
 * Dropout of whole feature maps: while training each channel of each image is zeroed with
 * probability `rate` (the rest scaled by 1 / (1 - rate)), since neighbouring pixels are too
 * correlated for element-wise dropout to regularize. The identity in inference.
 * @example new SpatialDropout2D({ rate: 0.2 }).apply(images, { training: true })
 */
export class SpatialDropout2D extends Layer {
  static override readonly className: string = 'SpatialDropout2D';
  readonly rate: number;
  readonly seed: number | null;
  private readonly rng: Rng;

  constructor(args: SpatialDropout2DArgs) {
    super(args);
    if (typeof args.rate !== 'number' || !(args.rate >= 0 && args.rate <= 1))
      throw new ValueError(
        `${describeLayer(this)}: 'rate' must be a number in [0, 1], got ${JSON.stringify(args.rate)}`,
      );
    this.rate = args.rate;
    this.seed = args.seed ?? null;
    this.rng = this.seed === null ? globalRng : new Rng(this.seed);
    this.inputSpec = [{ ndim: 4 }];
  }

  override build(inputShape: Shape | Shape[]): void {
    imageShape(this, inputShape as Shape);
  }

  call(inputs: Tensor | Tensor[], kwargs: CallArgs): Tensor {
    const x = inputs as Tensor;
    if (!kwargs.training || this.rate === 0) return x;
    const [n, , , c] = x.shape;
    return mul(x, dropoutMask([n, 1, 1, c], this.rate, x.dtype, this.rng));
  }

  override getConfig(): Config {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed, dataFormat: 'channels_last' };
  }
}

registerLayerClass(GaussianNoise);
registerLayerClass(SpatialDropout2D);
