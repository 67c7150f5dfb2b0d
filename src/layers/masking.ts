import { ValueError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { Config } from '../core/config.js';
import { mul, notEqual } from '../ops/prims/binary.js';
import { any } from '../ops/prims/reduce.js';
import { cast } from '../ops/prims/shape_ops.js';
import { expandDims } from '../ops/dims.js';
import { Layer, type LayerArgs } from './layer.js';
import { registerLayerClass } from './registry.js';

export interface MaskingArgs extends LayerArgs {
  /** Timesteps whose features all equal this value are masked; default 0. */
  maskValue?: number;
}

/**
 * Marks padded timesteps of [batch, time, features] inputs (Keras `Masking`): a timestep is
 * skipped downstream when every feature equals `maskValue`, and its features are zeroed.
 *
 * @example
 * const m = sequential({ layers: [new Masking({ maskValue: 0, inputShape: [10, 3] }), new LSTM({ units: 4 })] });
 */
export class Masking extends Layer {
  static override readonly className: string = 'Masking';
  readonly maskValue: number;

  constructor(args: MaskingArgs = {}) {
    super(args);
    this.maskValue = args.maskValue ?? 0;
    if (typeof this.maskValue !== 'number')
      throw new ValueError(
        `Masking '${this.name}': 'maskValue' must be a number, got ${JSON.stringify(args.maskValue)}`,
      );
    this.supportsMasking = true;
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    if (x.rank < 2)
      throw new ValueError(
        `Masking '${this.name}': expected input of rank >= 2 [batch, timesteps, ...], got rank ${x.rank}`,
      );
    return mul(x, cast(expandDims(this.timestepMask(x), -1), x.dtype));
  }

  override computeMask(inputs: Tensor | Tensor[]): Tensor {
    return this.timestepMask(inputs as Tensor);
  }

  private timestepMask(x: Tensor): Tensor {
    return any(notEqual(x, this.maskValue), -1);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), maskValue: this.maskValue };
  }
}

registerLayerClass(Masking);
