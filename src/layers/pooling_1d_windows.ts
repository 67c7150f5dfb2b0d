import { ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { Config } from '../core/config.js';
import { checkPadding, convOutputLength, type PaddingMode } from '../ops/conv_geometry.js';
import { expandDims, squeeze } from '../ops/dims.js';
import { avgPool2d, maxPool2d } from '../ops/pool.js';
import { transpose } from '../ops/prims/shape_ops.js';
import { Layer, type LayerArgs } from './layer.js';
import { registerLayer } from './registry.js';
import type { Shape } from './symbolic.js';

export interface Pooling1DArgs extends LayerArgs {
  /** Window length in steps (default 2); Keras files write it as a one-element list. */
  poolSize?: number | [number];
  /** Step between windows (default: the window length). */
  strides?: number | [number] | null;
  padding?: PaddingMode;
  /** 'channels_last' ([batch, steps, channels], the default) or 'channels_first'. */
  dataFormat?: 'channels_last' | 'channels_first' | 'channelsLast' | 'channelsFirst';
}

/** One positive integer from a number or a one-element list. */
function single(value: unknown, arg: string, who: string): number {
  const v = Array.isArray(value) && value.length === 1 ? value[0] : value;
  if (!Number.isInteger(v) || (v as number) < 1)
    throw new ValueError(`${who}: '${arg}' must be a positive integer, got ${JSON.stringify(value)}`);
  return v as number;
}

/** Windows along the steps of a sequence, computed as 2-D pooling over [batch, steps, 1, channels]. */
abstract class Pooling1D extends Layer {
  readonly poolSize: number;
  readonly strides: number;
  readonly padding: PaddingMode;
  readonly dataFormat: 'channels_last' | 'channels_first';

  constructor(args: Pooling1DArgs = {}) {
    super(args);
    const who = `${this.getClassName()} '${this.name}'`;
    this.poolSize = single(args.poolSize ?? 2, 'poolSize', who);
    this.strides =
      args.strides === null || args.strides === undefined ? this.poolSize : single(args.strides, 'strides', who);
    this.padding = checkPadding(args.padding ?? 'valid', who);
    const format = args.dataFormat ?? 'channels_last';
    if (format === 'channels_last' || format === 'channelsLast') this.dataFormat = 'channels_last';
    else if (format === 'channels_first' || format === 'channelsFirst') this.dataFormat = 'channels_first';
    else
      throw new ValueError(
        `${who}: 'dataFormat' must be 'channels_last' or 'channels_first', got ${JSON.stringify(format)}`,
      );
    this.inputSpec = [{ ndim: 3 }];
  }

  protected abstract pool2d(x: Tensor, size: [number, number], strides: [number, number]): Tensor;

  override build(inputShape: Shape | Shape[]): void {
    this.computeOutputShape(inputShape);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    if (shape.length !== 3)
      throw new ValueError(
        `${this.getClassName()} '${this.name}': expected input of rank 3 [batch, steps, channels], got shape ${fmtShape(shape)}`,
      );
    const first = this.dataFormat === 'channels_first';
    const steps = shape[first ? 2 : 1];
    const out = convOutputLength(steps, this.poolSize, this.strides, 1, this.padding);
    if (out !== null && out < 1)
      throw new ValueError(
        `${this.getClassName()} '${this.name}': a window of ${this.poolSize} does not fit input shape ${fmtShape(shape)} with padding '${this.padding}'`,
      );
    return first ? [shape[0], shape[1], out] : [shape[0], out, shape[2]];
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    const first = this.dataFormat === 'channels_first';
    const seq = first ? transpose(x, [0, 2, 1]) : x;
    const y = squeeze(this.pool2d(expandDims(seq, 2), [this.poolSize, 1], [this.strides, 1]), 2);
    return first ? transpose(y, [0, 2, 1]) : y;
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      poolSize: [this.poolSize],
      strides: [this.strides],
      padding: this.padding,
      dataFormat: this.dataFormat,
    };
  }
}

/**
 * Max over windows of steps (Keras `MaxPooling1D`): [batch, steps, channels] → [batch, steps', channels].
 * @example new MaxPooling1D({ poolSize: 2 }).apply(zeros([1, 6, 3])); // shape [1, 3, 3]
 */
export class MaxPooling1D extends Pooling1D {
  static override readonly className: string = 'MaxPooling1D';
  protected pool2d(x: Tensor, size: [number, number], strides: [number, number]): Tensor {
    return maxPool2d(x, size, { strides, padding: this.padding });
  }
}

/**
 * Mean over windows of steps (Keras `AveragePooling1D`); with 'same' padding the padded steps
 * are left out of the mean.
 * @example new AveragePooling1D({ poolSize: 3, strides: 1, padding: 'same' }).apply(zeros([1, 6, 3])); // shape [1, 6, 3]
 */
export class AveragePooling1D extends Pooling1D {
  static override readonly className: string = 'AveragePooling1D';
  protected pool2d(x: Tensor, size: [number, number], strides: [number, number]): Tensor {
    return avgPool2d(x, size, { strides, padding: this.padding });
  }
}

registerLayer(MaxPooling1D.className, (config) => new MaxPooling1D(config as Pooling1DArgs));
registerLayer(AveragePooling1D.className, (config) => new AveragePooling1D(config as Pooling1DArgs));
