import { ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { Variable } from '../core/variable.js';
import type { ConstraintIdentifier } from '../constraints/registry.js';
import type { Config } from '../core/config.js';
import type { InitializerIdentifier } from '../initializers/registry.js';
import type { Pair } from '../ops/conv_geometry.js';
import { conv2d, conv2dTranspose } from '../ops/conv.js';
import { convOutputLength, deconvOutputLength, geometry2d } from '../ops/conv_geometry.js';
import type { RegularizerIdentifier } from '../regularizers/registry.js';
import {
  BaseConv,
  describeLayer,
  imageShape,
  kernelSettings,
  serializeKernelSettings,
  type BaseConvArgs,
  type KernelSettings,
} from './convolutional_base.js';
import { registerLayerClass } from './registry.js';
import type { Shape } from './symbolic.js';

export interface Conv2DArgs extends BaseConvArgs {
  /** Number of output channels. */
  filters: number;
  /** Split input and output channels into this many independent convolutions (default 1). */
  groups?: number;
  kernelInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  kernelConstraint?: ConstraintIdentifier | null;
}

/**
 * 2-D convolution over channels-last images, Keras' Conv2D: kernel [kH, kW, inChannels / groups,
 * filters] then bias [filters], padding 'valid' by default.
 *
 * @example
 * const conv = new Conv2D({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] });
 * conv.apply(zeros([8, 28, 28, 1])); // shape [8, 26, 26, 32]
 */
export class Conv2D extends BaseConv {
  static override readonly className: string = 'Conv2D';
  readonly filters: number;
  readonly groups: number;
  readonly kernelSettings: KernelSettings;
  kernel: Variable | null = null;

  constructor(args: Conv2DArgs) {
    super(args);
    this.filters = positiveInteger(args.filters, 'filters', describeLayer(this));
    this.groups = positiveInteger(args.groups ?? 1, 'groups', describeLayer(this));
    if (this.filters % this.groups !== 0)
      throw new ValueError(
        `${describeLayer(this)}: 'filters' (${this.filters}) must be divisible by 'groups' (${this.groups})`,
      );
    this.kernelSettings = kernelSettings(args.kernelInitializer, args.kernelRegularizer, args.kernelConstraint);
  }

  override build(inputShape: Shape | Shape[]): void {
    const [, , c] = imageShape(this, inputShape as Shape);
    if (c % this.groups !== 0)
      throw new ValueError(
        `${describeLayer(this)}: the input's ${c} channels are not divisible by 'groups' (${this.groups})`,
      );
    this.checkFits(inputShape as Shape);
    const s = this.kernelSettings;
    this.kernel = this.addWeight(
      'kernel',
      [...this.kernelSize, c / this.groups, this.filters],
      undefined,
      s.initializer,
      s.regularizer,
      true,
      s.constraint,
    );
    this.buildBias(this.filters);
    this.inputSpec = [{ ndim: 4, axes: { [-1]: c } }];
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    this.checkFits(x.shape);
    const y = conv2d(
      x,
      this.kernel as Variable,
      { strides: this.strides, padding: this.padding, dilations: this.dilationRate },
      this.groups,
    );
    return this.finish(y);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    imageShape(this, shape);
    this.checkFits(shape);
    const [kh, kw] = this.kernelSize;
    return [
      shape[0],
      convOutputLength(shape[1], kh, this.strides[0], this.dilationRate[0], this.padding),
      convOutputLength(shape[2], kw, this.strides[1], this.dilationRate[1], this.padding),
      this.filters,
    ];
  }

  /** Throws naming this layer when the kernel does not fit in the (padded) input. */
  private checkFits(shape: Shape): void {
    if (shape[1] === null || shape[2] === null) return;
    geometry2d(
      shape[1],
      shape[2],
      this.kernelSize,
      this.strides,
      this.dilationRate,
      this.padding,
      `${describeLayer(this)} with input shape ${fmtShape(shape)}`,
    );
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      filters: this.filters,
      groups: this.groups,
      ...serializeKernelSettings('kernel', this.kernelSettings),
    };
  }
}

export interface Conv2DTransposeArgs extends BaseConvArgs {
  filters: number;
  /**
   * Extra rows and columns at the bottom and right of the output (each less than the stride),
   * choosing among the output sizes that the same convolution maps back to the input's size;
   * null (default) gives the smallest ('valid') or `in * stride` ('same').
   */
  outputPadding?: Pair | null;
  kernelInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  kernelConstraint?: ConstraintIdentifier | null;
}

/**
 * Transposed 2-D convolution (upsampling), Keras' Conv2DTranspose: kernel [kH, kW, filters,
 * inChannels]; output size `in * stride` ('same') or `in * stride + max(kernel - stride, 0)` ('valid'),
 * or with `outputPadding` `(in - 1) * stride + kernel - 2 * pad + outputPadding` (pad: kernel // 2
 * for 'same', 0 for 'valid'), as in Keras.
 *
 * @example
 * new Conv2DTranspose({ filters: 8, kernelSize: 3, strides: 2, padding: 'same' }).apply(zeros([1, 7, 7, 16])); // [1, 14, 14, 8]
 */
export class Conv2DTranspose extends BaseConv {
  static override readonly className: string = 'Conv2DTranspose';
  readonly filters: number;
  readonly kernelSettings: KernelSettings;
  kernel: Variable | null = null;

  readonly outputPadding: [number, number] | null;

  constructor(args: Conv2DTransposeArgs) {
    super(args);
    const who = describeLayer(this);
    this.filters = positiveInteger(args.filters, 'filters', who);
    this.kernelSettings = kernelSettings(args.kernelInitializer, args.kernelRegularizer, args.kernelConstraint);
    const op = args.outputPadding ?? null;
    const pair = op === null ? null : typeof op === 'number' ? [op, op] : Array.isArray(op) ? [...op] : [];
    if (pair && (pair.length !== 2 || pair.some((p) => !Number.isInteger(p) || p < 0)))
      throw new ValueError(
        `${who}: 'outputPadding' must be null, a non-negative integer or a pair of them, got ${JSON.stringify(op)}`,
      );
    this.outputPadding = pair as [number, number] | null;
    if (this.outputPadding?.some((p, i) => p >= this.strides[i]))
      throw new ValueError(
        `${who}: 'outputPadding' ${JSON.stringify(op)} must be less than the strides [${this.strides.join(', ')}] on each axis`,
      );
  }

  /** Output height or width for an input one (Keras' `deconv_output_length`). */
  private outputLength(size: number | null, axis: 0 | 1): number | null {
    const k = this.kernelSize[axis],
      s = this.strides[axis],
      d = this.dilationRate[axis];
    if (this.outputPadding === null || size === null) return deconvOutputLength(size, k, s, d, this.padding);
    const effective = (k - 1) * d + 1;
    const pad = this.padding === 'same' ? Math.floor(effective / 2) : 0;
    return (size - 1) * s + effective - 2 * pad + this.outputPadding[axis];
  }

  override build(inputShape: Shape | Shape[]): void {
    const [, , c] = imageShape(this, inputShape as Shape);
    const s = this.kernelSettings;
    this.kernel = this.addWeight(
      'kernel',
      [...this.kernelSize, this.filters, c],
      undefined,
      s.initializer,
      s.regularizer,
      true,
      s.constraint,
    );
    this.buildBias(this.filters);
    this.inputSpec = [{ ndim: 4, axes: { [-1]: c } }];
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    return this.finish(
      conv2dTranspose(x, this.kernel as Variable, {
        strides: this.strides,
        padding: this.padding,
        dilations: this.dilationRate,
        outputSize: this.outputPadding
          ? [this.outputLength(x.shape[1], 0) as number, this.outputLength(x.shape[2], 1) as number]
          : undefined,
      }),
    );
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    imageShape(this, shape);
    return [shape[0], this.outputLength(shape[1], 0), this.outputLength(shape[2], 1), this.filters];
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      filters: this.filters,
      outputPadding: this.outputPadding && [...this.outputPadding],
      ...serializeKernelSettings('kernel', this.kernelSettings),
    };
  }
}

/** Throws unless `value` is a positive integer. */
export function positiveInteger(value: unknown, arg: string, who: string): number {
  if (!Number.isInteger(value) || (value as number) < 1)
    throw new ValueError(`${who}: '${arg}' must be a positive integer, got ${JSON.stringify(value)}`);
  return value as number;
}

registerLayerClass(Conv2D);
registerLayerClass(Conv2DTranspose);
