import { fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { Variable } from '../core/variable.js';
import type { ConstraintIdentifier } from '../constraints/registry.js';
import type { Config } from '../core/config.js';
import type { InitializerIdentifier } from '../initializers/registry.js';
import { conv2d, depthwiseConv2d } from '../ops/conv.js';
import { convOutputLength, geometry2d } from '../ops/conv_geometry.js';
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
import { positiveInteger } from './convolutional.js';
import { registerLayerClass } from './registry.js';
import type { Shape } from './symbolic.js';

export interface DepthwiseConv2DArgs extends BaseConvArgs {
  /** Output channels per input channel (default 1). */
  depthMultiplier?: number;
  depthwiseInitializer?: InitializerIdentifier;
  depthwiseRegularizer?: RegularizerIdentifier | null;
  depthwiseConstraint?: ConstraintIdentifier | null;
}

/** The shared part of the depthwise layers: the multiplier, its kernel and the output shape. */
abstract class DepthwiseBase extends BaseConv {
  readonly depthMultiplier: number;
  readonly depthwiseSettings: KernelSettings;
  depthwiseKernel: Variable | null = null;

  constructor(args: DepthwiseConv2DArgs) {
    super(args);
    this.depthMultiplier = positiveInteger(args.depthMultiplier ?? 1, 'depthMultiplier', describeLayer(this));
    this.depthwiseSettings = kernelSettings(
      args.depthwiseInitializer,
      args.depthwiseRegularizer,
      args.depthwiseConstraint,
    );
  }

  protected buildDepthwise(inputShape: Shape): number {
    const [h, w, c] = imageShape(this, inputShape);
    if (h !== null && w !== null)
      geometry2d(
        h,
        w,
        this.kernelSize,
        this.strides,
        this.dilationRate,
        this.padding,
        `${describeLayer(this)} with input shape ${fmtShape(inputShape)}`,
      );
    const s = this.depthwiseSettings;
    this.depthwiseKernel = this.addWeight(
      'depthwise_kernel',
      [...this.kernelSize, c, this.depthMultiplier],
      undefined,
      s.initializer,
      s.regularizer,
      true,
      s.constraint,
    );
    this.inputSpec = [{ ndim: 4, axes: { [-1]: c } }];
    return c;
  }

  protected spatialOutput(shape: Shape, channels: number | null): Shape {
    imageShape(this, shape);
    const [kh, kw] = this.kernelSize;
    return [
      shape[0],
      convOutputLength(shape[1], kh, this.strides[0], this.dilationRate[0], this.padding),
      convOutputLength(shape[2], kw, this.strides[1], this.dilationRate[1], this.padding),
      channels,
    ];
  }

  protected depthwise(x: Tensor): Tensor {
    return depthwiseConv2d(x, this.depthwiseKernel as Variable, {
      strides: this.strides,
      padding: this.padding,
      dilations: this.dilationRate,
    });
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      depthMultiplier: this.depthMultiplier,
      ...serializeKernelSettings('depthwise', this.depthwiseSettings),
    };
  }
}

/**
 * Depthwise 2-D convolution, Keras' DepthwiseConv2D: every input channel gets its own
 * `depthMultiplier` filters; kernel [kH, kW, inChannels, depthMultiplier], bias [in * multiplier].
 *
 * @example
 * new DepthwiseConv2D({ kernelSize: 3, padding: 'same' }).apply(zeros([2, 8, 8, 4])); // [2, 8, 8, 4]
 */
export class DepthwiseConv2D extends DepthwiseBase {
  static override readonly className: string = 'DepthwiseConv2D';

  override build(inputShape: Shape | Shape[]): void {
    const c = this.buildDepthwise(inputShape as Shape);
    this.buildBias(c * this.depthMultiplier);
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    return this.finish(this.depthwise(inputs as Tensor));
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    return this.spatialOutput(shape, (shape[3] as number) * this.depthMultiplier);
  }
}

export interface SeparableConv2DArgs extends DepthwiseConv2DArgs {
  filters: number;
  pointwiseInitializer?: InitializerIdentifier;
  pointwiseRegularizer?: RegularizerIdentifier | null;
  pointwiseConstraint?: ConstraintIdentifier | null;
}

/**
 * Depthwise then 1x1 pointwise convolution, Keras' SeparableConv2D: weights depthwise_kernel
 * [kH, kW, in, multiplier], pointwise_kernel [1, 1, in * multiplier, filters], bias [filters].
 *
 * @example
 * new SeparableConv2D({ filters: 16, kernelSize: 3 }).apply(zeros([2, 8, 8, 4])); // [2, 6, 6, 16]
 */
export class SeparableConv2D extends DepthwiseBase {
  static override readonly className: string = 'SeparableConv2D';
  readonly filters: number;
  readonly pointwiseSettings: KernelSettings;
  pointwiseKernel: Variable | null = null;

  constructor(args: SeparableConv2DArgs) {
    super(args);
    this.filters = positiveInteger(args.filters, 'filters', describeLayer(this));
    this.pointwiseSettings = kernelSettings(
      args.pointwiseInitializer,
      args.pointwiseRegularizer,
      args.pointwiseConstraint,
    );
  }

  override build(inputShape: Shape | Shape[]): void {
    const c = this.buildDepthwise(inputShape as Shape);
    const s = this.pointwiseSettings;
    this.pointwiseKernel = this.addWeight(
      'pointwise_kernel',
      [1, 1, c * this.depthMultiplier, this.filters],
      undefined,
      s.initializer,
      s.regularizer,
      true,
      s.constraint,
    );
    this.buildBias(this.filters);
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    return this.finish(conv2d(this.depthwise(inputs as Tensor), this.pointwiseKernel as Variable));
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return this.spatialOutput(inputShape as Shape, this.filters);
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      filters: this.filters,
      ...serializeKernelSettings('pointwise', this.pointwiseSettings),
    };
  }
}

registerLayerClass(DepthwiseConv2D);
registerLayerClass(SeparableConv2D);
