import type { Tensor } from '../core/tensor.js';
import type { Config } from '../core/config.js';
import { div, mul } from '../ops/prims/binary.js';
import { expandDims } from '../ops/dims.js';
import { max, sum } from '../ops/prims/reduce.js';
import { mean } from '../ops/moments.js';
import { cast } from '../ops/prims/shape_ops.js';
import { Layer, type CallArgs, type LayerArgs } from './layer.js';
import { registerLayerClass } from './registry.js';
import { checkFormat, sequenceShape, type SequenceDataFormat } from './sequence_format.js';
import type { Shape } from './symbolic.js';

export interface GlobalPooling1DArgs extends LayerArgs {
  dataFormat?: SequenceDataFormat | 'channelsLast' | 'channelsFirst';
  /** Keep the pooled axis with size 1. */
  keepdims?: boolean;
}

abstract class GlobalPooling1D extends Layer {
  readonly dataFormat: SequenceDataFormat;
  readonly keepdims: boolean;

  constructor(args: GlobalPooling1DArgs = {}) {
    super(args);
    this.dataFormat = checkFormat(args.dataFormat, `${this.getClassName()} '${this.name}'`);
    this.keepdims = args.keepdims ?? false;
  }

  protected get stepAxis(): number {
    return this.dataFormat === 'channels_last' ? 1 : 2;
  }

  override build(inputShape: Shape | Shape[]): void {
    sequenceShape(this, inputShape as Shape);
    this.inputSpec = [{ ndim: 3 }];
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    return this.keepdims
      ? shape.map((d, i) => (i === this.stepAxis ? 1 : d))
      : shape.filter((_, i) => i !== this.stepAxis);
  }

  /** Pooling consumes the timestep mask. */
  override computeMask(): null {
    return null;
  }

  override getConfig(): Config {
    return { ...super.getConfig(), dataFormat: this.dataFormat, keepdims: this.keepdims };
  }
}

/**
 * Mean over the steps of [batch, steps, channels] (Keras `GlobalAveragePooling1D`); masked
 * steps (padding) are left out of the mean.
 * @example new GlobalAveragePooling1D().apply(ones([2, 5, 3])); // shape [2, 3]
 */
export class GlobalAveragePooling1D extends GlobalPooling1D {
  static override readonly className: string = 'GlobalAveragePooling1D';

  call(inputs: Tensor | Tensor[], kwargs: CallArgs): Tensor {
    const x = inputs as Tensor;
    const m = Array.isArray(kwargs.mask) ? kwargs.mask[0] : kwargs.mask;
    if (!m) return mean(x, this.stepAxis, this.keepdims);
    const weights = cast(expandDims(m, this.dataFormat === 'channels_last' ? 2 : 1), x.dtype);
    return div(sum(mul(x, weights), this.stepAxis, this.keepdims), sum(weights, this.stepAxis, this.keepdims));
  }
}

/**
 * Maximum over the steps of [batch, steps, channels] (Keras `GlobalMaxPooling1D`).
 * @example new GlobalMaxPooling1D().apply(ones([2, 5, 3])); // shape [2, 3]
 */
export class GlobalMaxPooling1D extends GlobalPooling1D {
  static override readonly className: string = 'GlobalMaxPooling1D';

  call(inputs: Tensor | Tensor[]): Tensor {
    return max(inputs as Tensor, this.stepAxis, this.keepdims);
  }
}

registerLayerClass(GlobalAveragePooling1D);
registerLayerClass(GlobalMaxPooling1D);
