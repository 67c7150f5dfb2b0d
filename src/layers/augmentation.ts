import { ValueError } from '../core/errors.js';
import { globalRng, Rng } from '../core/rng.js';
import type { Tensor } from '../core/tensor.js';
import type { Config } from '../core/config.js';
import { where } from '../ops/prims/binary.js';
import { drawnTensor } from '../ops/random.js';
import { reverse } from '../ops/reverse.js';
import { describeLayer, imageShape } from './convolutional_base.js';
import { Layer, type CallArgs, type LayerArgs } from './layer.js';
import { registerLayerClass } from './registry.js';
import type { Shape } from './symbolic.js';

export type FlipMode = 'horizontal' | 'vertical' | 'horizontal_and_vertical';

export interface RandomFlipArgs extends LayerArgs {
  /** Which flips may happen (default 'horizontal_and_vertical', as in Keras). */
  mode?: FlipMode;
  seed?: number | null;
}

const MODES: readonly FlipMode[] = ['horizontal', 'vertical', 'horizontal_and_vertical'];

/**
 * Data augmentation, Keras' RandomFlip: while training, each image is mirrored left-right
 * and/or upside-down, each with probability 1/2; the identity in inference.
 * @example new RandomFlip({ mode: 'horizontal' }).apply(images, { training: true })
 */
export class RandomFlip extends Layer {
  static override readonly className: string = 'RandomFlip';
  readonly mode: FlipMode;
  readonly seed: number | null;
  private readonly rng: Rng;

  constructor(args: RandomFlipArgs = {}) {
    super(args);
    this.mode = args.mode ?? 'horizontal_and_vertical';
    if (!MODES.includes(this.mode))
      throw new ValueError(
        `${describeLayer(this)}: 'mode' must be one of ${MODES.map((m) => `'${m}'`).join(', ')}, got ${JSON.stringify(args.mode)}`,
      );
    this.seed = args.seed ?? null;
    this.rng = this.seed === null ? globalRng : new Rng(this.seed);
    this.inputSpec = [{ ndim: 4 }];
  }

  override build(inputShape: Shape | Shape[]): void {
    imageShape(this, inputShape as Shape);
  }

  call(inputs: Tensor | Tensor[], kwargs: CallArgs): Tensor {
    let x = inputs as Tensor;
    if (!kwargs.training) return x;
    if (this.mode !== 'vertical') x = this.flipSome(x, 2);
    if (this.mode !== 'horizontal') x = this.flipSome(x, 1);
    return x;
  }

  /** Mirrors a random half (in expectation) of the images along `axis`. */
  private flipSome(x: Tensor, axis: number): Tensor {
    const n = x.shape[0];
    const chosen = drawnTensor([n, 1, 1, 1], 'bool', (flags) => {
      for (let i = 0; i < n; i++) flags[i] = this.rng.uniform() < 0.5 ? 1 : 0;
    });
    return where(chosen, reverse(x, axis), x);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), mode: this.mode, seed: this.seed };
  }
}

registerLayerClass(RandomFlip);
