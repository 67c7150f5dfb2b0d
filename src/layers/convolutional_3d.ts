import { ValueError, fmtShape } from '../core/errors.js';
import type { Config } from '../core/config.js';
import type { Tensor } from '../core/tensor.js';
import type { Variable } from '../core/variable.js';
import {
  getActivation,
  serializeActivation,
  type Activation,
  type ActivationIdentifier,
} from '../activations/index.js';
import type { ConstraintIdentifier } from '../constraints/registry.js';
import type { InitializerIdentifier } from '../initializers/registry.js';
import { checkPadding, convOutputLength, type PaddingMode } from '../ops/conv_geometry.js';
import { avgPool3d, conv3d, maxPool3d, toTriple, type Triple } from '../ops/conv3d.js';
import { add } from '../ops/prims/binary.js';
import type { RegularizerIdentifier } from '../regularizers/registry.js';
import {
  checkDataFormat,
  describeLayer,
  kernelSettings,
  serializeKernelSettings,
  type ImageDataFormat,
  type KernelSettings,
} from './convolutional_base.js';
import { Layer, type LayerArgs } from './layer.js';
import { registerLayerClass } from './registry.js';
import type { Shape } from './symbolic.js';

/** Throws naming the layer unless `shape` is a batch of volumes with known channels; returns them. */
function volumeChannels(layer: Layer, shape: Shape): number {
  if (shape.length !== 5 || shape[4] === null)
    throw new ValueError(
      `${describeLayer(layer)}: expected volumes [batch, depth, height, width, channels] with known channels, got shape ${fmtShape(shape)}`,
    );
  return shape[4];
}

export interface Conv3DArgs extends LayerArgs {
  filters: number;
  kernelSize: Triple;
  strides?: Triple;
  padding?: PaddingMode;
  dataFormat?: ImageDataFormat;
  dilationRate?: Triple;
  /** Channel groups: the filters split into `groups` sets, each reading its own slice of the channels. */
  groups?: number;
  activation?: ActivationIdentifier;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  biasRegularizer?: RegularizerIdentifier | null;
  kernelConstraint?: ConstraintIdentifier | null;
  biasConstraint?: ConstraintIdentifier | null;
}

/**
 * 3-D convolution over channels-last volumes [batch, depth, height, width, channels] (Keras'
 * Conv3D, e.g. video or medical scans): kernel [kD, kH, kW, channels / groups, filters], then bias.
 * @example new Conv3D({ filters: 8, kernelSize: 3, padding: 'same' }).apply(zeros([1, 8, 16, 16, 1])); // [1, 8, 16, 16, 8]
 */
export class Conv3D extends Layer {
  static override readonly className: string = 'Conv3D';
  readonly filters: number;
  readonly kernelSize: [number, number, number];
  readonly strides: [number, number, number];
  readonly padding: PaddingMode;
  readonly dilationRate: [number, number, number];
  readonly groups: number;
  readonly activation: Activation;
  readonly useBias: boolean;
  readonly kernelSettings: KernelSettings;
  readonly biasSettings: KernelSettings;
  kernel: Variable | null = null;
  bias: Variable | null = null;

  constructor(args: Conv3DArgs) {
    super(args);
    const who = describeLayer(this);
    if (!Number.isInteger(args?.filters) || args.filters < 1)
      throw new ValueError(`${who}: 'filters' must be a positive integer, got ${JSON.stringify(args?.filters)}`);
    this.filters = args.filters;
    this.kernelSize = toTriple(args.kernelSize, 'kernelSize', who);
    this.strides = toTriple(args.strides ?? 1, 'strides', who);
    this.padding = checkPadding(args.padding ?? 'valid', who);
    checkDataFormat(args.dataFormat, who);
    this.dilationRate = toTriple(args.dilationRate ?? 1, 'dilationRate', who);
    this.groups = args.groups ?? 1;
    if (!Number.isInteger(this.groups) || this.groups < 1)
      throw new ValueError(`${who}: 'groups' must be a positive integer, got ${JSON.stringify(args.groups)}`);
    if (this.filters % this.groups !== 0)
      throw new ValueError(`${who}: 'filters' (${this.filters}) must be divisible by 'groups' (${this.groups})`);
    this.activation = getActivation(args.activation);
    this.useBias = args.useBias ?? true;
    this.kernelSettings = kernelSettings(args.kernelInitializer, args.kernelRegularizer, args.kernelConstraint);
    this.biasSettings = kernelSettings(args.biasInitializer ?? 'zeros', args.biasRegularizer, args.biasConstraint);
  }

  override build(inputShape: Shape | Shape[]): void {
    const c = volumeChannels(this, inputShape as Shape);
    if (c % this.groups !== 0)
      throw new ValueError(
        `${describeLayer(this)}: the input's ${c} channels are not divisible by 'groups' (${this.groups})`,
      );
    const [k, b] = [this.kernelSettings, this.biasSettings];
    this.kernel = this.addWeight(
      'kernel',
      [...this.kernelSize, c / this.groups, this.filters],
      undefined,
      k.initializer,
      k.regularizer,
      true,
      k.constraint,
    );
    if (this.useBias)
      this.bias = this.addWeight('bias', [this.filters], undefined, b.initializer, b.regularizer, true, b.constraint);
    this.inputSpec = [{ ndim: 5, axes: { [-1]: c } }];
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    const y = conv3d(inputs as Tensor, this.kernel as Variable, {
      strides: this.strides,
      padding: this.padding,
      dilations: this.dilationRate,
      groups: this.groups,
    });
    return this.activation.apply(this.bias ? add(y, this.bias) : y);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = inputShape as Shape;
    volumeChannels(this, s);
    const len = (i: 0 | 1 | 2) =>
      convOutputLength(s[i + 1], this.kernelSize[i], this.strides[i], this.dilationRate[i], this.padding);
    return [s[0], len(0), len(1), len(2), this.filters];
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      dataFormat: 'channels_last',
      dilationRate: [...this.dilationRate],
      groups: this.groups,
      activation: serializeActivation(this.activation),
      useBias: this.useBias,
      ...serializeKernelSettings('kernel', this.kernelSettings),
      ...serializeKernelSettings('bias', this.biasSettings),
    };
  }
}

export interface Pooling3DArgs extends LayerArgs {
  /** Window [depth, height, width] (default 2 on every axis). */
  poolSize?: Triple;
  /** Steps between windows (default: the pool size). */
  strides?: Triple | null;
  padding?: PaddingMode;
  dataFormat?: ImageDataFormat;
}

/** Window arguments of the 3-D pooling layers. */
abstract class Pooling3D extends Layer {
  readonly poolSize: [number, number, number];
  readonly strides: [number, number, number];
  readonly padding: PaddingMode;

  constructor(args: Pooling3DArgs = {}) {
    super(args);
    const who = describeLayer(this);
    this.poolSize = toTriple(args.poolSize ?? 2, 'poolSize', who);
    this.strides = toTriple(args.strides ?? this.poolSize, 'strides', who);
    this.padding = checkPadding(args.padding ?? 'valid', who);
    checkDataFormat(args.dataFormat, who);
    this.inputSpec = [{ ndim: 5 }];
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = inputShape as Shape;
    const c = volumeChannels(this, s);
    const len = (i: 0 | 1 | 2) => convOutputLength(s[i + 1], this.poolSize[i], this.strides[i], 1, this.padding);
    return [s[0], len(0), len(1), len(2), c];
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      poolSize: [...this.poolSize],
      strides: [...this.strides],
      padding: this.padding,
      dataFormat: 'channels_last',
    };
  }
}

/**
 * The maximum of each [depth, height, width] window of channels-last volumes (Keras' MaxPooling3D).
 * @example new MaxPooling3D({ poolSize: 2 }).apply(zeros([1, 4, 4, 4, 3])); // [1, 2, 2, 2, 3]
 */
export class MaxPooling3D extends Pooling3D {
  static override readonly className: string = 'MaxPooling3D';

  call(inputs: Tensor | Tensor[]): Tensor {
    return maxPool3d(inputs as Tensor, this.poolSize, { strides: this.strides, padding: this.padding });
  }
}

/**
 * The mean of each [depth, height, width] window of channels-last volumes (Keras'
 * AveragePooling3D; with 'same' padding only real voxels count).
 * @example new AveragePooling3D({ poolSize: 2 }).apply(zeros([1, 4, 4, 4, 3])); // [1, 2, 2, 2, 3]
 */
export class AveragePooling3D extends Pooling3D {
  static override readonly className: string = 'AveragePooling3D';

  call(inputs: Tensor | Tensor[]): Tensor {
    return avgPool3d(inputs as Tensor, this.poolSize, { strides: this.strides, padding: this.padding });
  }
}

registerLayerClass(Conv3D);
registerLayerClass(MaxPooling3D);
registerLayerClass(AveragePooling3D);
