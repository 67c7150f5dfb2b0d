import { ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { Variable } from '../core/variable.js';
import type { ConstraintIdentifier } from '../constraints/registry.js';
import type { Config } from '../core/config.js';
import type { InitializerIdentifier } from '../initializers/registry.js';
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
  kernelInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  kernelConstraint?: ConstraintIdentifier | null;
}

/**
 * Transposed 2-D convolution (upsampling), Keras' Conv2DTranspose: kernel [kH, kW, filters,
 * inChannels]; output size `in * stride` ('same') or `in * stride + max(kernel - stride, 0)` ('valid').
 *
 * @example
 * new Conv2DTranspose({ filters: 8, kernelSize: 3, strides: 2, padding: 'same' }).apply(zeros([1, 7, 7, 16])); // [1, 14, 14, 8]
 */
export class Conv2DTranspose extends BaseConv {
  static override readonly className: string = 'Conv2DTranspose';
  readonly filters: number;
  readonly kernelSettings: KernelSettings;
  kernel: Variable | null = null;

  constructor(args: Conv2DTransposeArgs) {
    super(args);
    this.filters = positiveInteger(args.filters, 'filters', describeLayer(this));
    this.kernelSettings = kernelSettings(args.kernelInitializer, args.kernelRegularizer, args.kernelConstraint);
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
      }),
    );
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    imageShape(this, shape);
    const [kh, kw] = this.kernelSize;
    return [
      shape[0],
      deconvOutputLength(shape[1], kh, this.strides[0], this.dilationRate[0], this.padding),
      deconvOutputLength(shape[2], kw, this.strides[1], this.dilationRate[1], this.padding),
      this.filters,
    ];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), filters: this.filters, ...serializeKernelSettings('kernel', this.kernelSettings) };
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
