import { ValueError, fmtShape } from '../core/errors.js';
import { globalRng, Rng } from '../core/rng.js';
import type { Tensor } from '../core/tensor.js';
import type { Config } from '../core/config.js';
import { mul } from '../ops/prims/binary.js';
import { dropoutMask } from '../ops/random.js';
import { Layer, type CallArgs, type LayerArgs } from './layer.js';
import { registerLayerClass } from './registry.js';

export interface DropoutArgs extends LayerArgs {
  /** Fraction of the inputs to drop, in [0, 1]. */
  rate: number;
  /** Shape of the keep/drop mask, broadcast over the input; `null` entries take the input's size. */
  noiseShape?: (number | null)[] | null;
  /** Seeds the layer's own generator (otherwise the global one, see setSeed). */
  seed?: number | null;
}

/**
 * Inverted dropout: while training, zeroes each input with probability `rate` and scales the
 * rest by 1 / (1 - rate), so inference (the default) is the identity.
 *
 * @example
 * const drop = new Dropout({ rate: 0.5, seed: 1 });
 * drop.apply(ones([2, 4]), { training: true }); // entries are 0 or 2
 */
export class Dropout extends Layer {
  static override readonly className: string = 'Dropout';
  readonly rate: number;
  readonly noiseShape: (number | null)[] | null;
  readonly seed: number | null;
  /** The generator its masks are drawn from: its own when seeded, else the global one. */
  readonly rng: Rng;

  constructor(args: DropoutArgs) {
    super(args);
    if (typeof args.rate !== 'number' || !(args.rate >= 0 && args.rate <= 1)) {
      throw new ValueError(
        `Dropout '${this.name}': 'rate' must be a number in [0, 1], got ${JSON.stringify(args.rate)}`,
      );
    }
    this.rate = args.rate;
    this.supportsMasking = true; // as in Keras 3: the input mask passes through
    this.noiseShape = args.noiseShape ? [...args.noiseShape] : null;
    this.seed = args.seed ?? null;
    // A seeded layer owns a generator: reproducible, yet a fresh mask at every step.
    this.rng = this.seed === null ? globalRng : new Rng(this.seed);
  }

  call(inputs: Tensor | Tensor[], kwargs: CallArgs): Tensor {
    const x = inputs as Tensor;
    if (!kwargs.training || this.rate === 0) return x;
    return mul(x, dropoutMask(this.maskShape(x.shape), this.rate, x.dtype, this.rng));
  }

  private maskShape(inputShape: readonly number[]): number[] {
    if (!this.noiseShape) return [...inputShape];
    if (this.noiseShape.length !== inputShape.length) {
      throw new ValueError(
        `Dropout '${this.name}': noiseShape ${fmtShape(this.noiseShape)} must have the input's rank ${inputShape.length} (input shape ${fmtShape(inputShape)})`,
      );
    }
    return this.noiseShape.map((d, i) => {
      if (d === null) return inputShape[i];
      if (d !== 1 && d !== inputShape[i]) {
        throw new ValueError(
          `Dropout '${this.name}': noiseShape ${fmtShape(this.noiseShape as (number | null)[])} does not broadcast to the input shape ${fmtShape(inputShape)} (axis ${i})`,
        );
      }
      return d;
    });
  }

  override getConfig(): Config {
    return { ...super.getConfig(), rate: this.rate, noiseShape: this.noiseShape, seed: this.seed };
  }
}

registerLayerClass(Dropout);
