import { ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import {
  fusedActivation,
  getActivation,
  serializeActivation,
  type Activation,
  type ActivationIdentifier,
} from '../activations/index.js';
import { getConstraint, serializeConstraint, type ConstraintIdentifier } from '../constraints/registry.js';
import type { Constraint } from '../constraints/constraint.js';
import type { Config } from '../core/config.js';
import type { Initializer } from '../initializers/initializer.js';
import { getInitializer, serializeInitializer, type InitializerIdentifier } from '../initializers/registry.js';
import { add } from '../ops/prims/binary.js';
import { biasActivationFused } from '../ops/prims/linear.js';
import { checkPadding, toPair, type Pair, type PaddingMode } from '../ops/conv_geometry.js';
import { getRegularizer, serializeRegularizer, type RegularizerIdentifier } from '../regularizers/registry.js';
import type { Regularizer } from '../regularizers/regularizer.js';
import type { Variable } from '../core/variable.js';
import { Layer, type LayerArgs } from './layer.js';
import type { Shape } from './symbolic.js';

/** Image layers compute channels-last (NHWC), Keras' default. */
export type ImageDataFormat = 'channels_last' | 'channelsLast';

/** Arguments shared by the convolution layers (Keras/TF.js names). */
export interface BaseConvArgs extends LayerArgs {
  kernelSize: Pair;
  strides?: Pair;
  padding?: PaddingMode;
  dataFormat?: ImageDataFormat;
  dilationRate?: Pair;
  activation?: ActivationIdentifier;
  useBias?: boolean;
  biasInitializer?: InitializerIdentifier;
  biasRegularizer?: RegularizerIdentifier | null;
  biasConstraint?: ConstraintIdentifier | null;
}

/** The label errors use: `Conv2D 'conv2d_1'`. */
export function describeLayer(layer: Layer): string {
  return `${layer.getClassName()} '${layer.name}'`;
}

/**
 * Checks that `shape` is a batch of channels-last images with a known channel count, naming
 * the layer and the expected and received shapes. Returns [height, width, channels].
 */
export function imageShape(layer: Layer, shape: Shape): [number | null, number | null, number] {
  if (shape.length !== 4) {
    throw new ValueError(
      `${describeLayer(layer)} expects a rank-4 batch of images [batch, height, width, channels], got input shape ${fmtShape(shape)} (rank ${shape.length})`,
    );
  }
  const c = shape[3];
  if (c === null)
    throw new ValueError(
      `${describeLayer(layer)}: the channel dimension (last axis) of the input must be known, got input shape ${fmtShape(shape)}`,
    );
  return [shape[1], shape[2], c];
}

/** Throws for data formats other than channels-last. */
export function checkDataFormat(format: string | undefined, who: string): 'channels_last' {
  if (format === undefined || format === 'channels_last' || format === 'channelsLast') return 'channels_last';
  throw new ValueError(
    `${who}: 'dataFormat' must be 'channels_last' (images as [batch, height, width, channels]), got ${JSON.stringify(format)}; transpose channels-first data with transpose(x, [0, 2, 3, 1])`,
  );
}

/**
 * What every convolution layer shares: window arguments, activation and bias. Subclasses add
 * their kernels in `build` and compute in `convolve`.
 */
export abstract class BaseConv extends Layer {
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: PaddingMode;
  readonly dataFormat = 'channels_last' as const;
  readonly dilationRate: [number, number];
  readonly activation: Activation;
  readonly useBias: boolean;
  readonly biasInitializer: Initializer;
  readonly biasRegularizer: Regularizer | null;
  readonly biasConstraint: Constraint | null;
  bias: Variable | null = null;

  constructor(args: BaseConvArgs) {
    super(args);
    const who = describeLayer(this);
    this.kernelSize = toPair(args.kernelSize, 'kernelSize', who);
    this.strides = toPair(args.strides ?? 1, 'strides', who);
    this.padding = checkPadding(args.padding ?? 'valid', who);
    checkDataFormat(args.dataFormat, who);
    this.dilationRate = toPair(args.dilationRate ?? 1, 'dilationRate', who);
    this.activation = getActivation(args.activation);
    this.useBias = args.useBias ?? true;
    this.biasInitializer = getInitializer(args.biasInitializer ?? 'zeros');
    this.biasRegularizer = optionalRegularizer(args.biasRegularizer);
    this.biasConstraint = optionalConstraint(args.biasConstraint);
  }

  /** Adds the bias (when used) of length `units`. */
  protected buildBias(units: number): void {
    if (this.useBias)
      this.bias = this.addWeight(
        'bias',
        [units],
        undefined,
        this.biasInitializer,
        this.biasRegularizer,
        true,
        this.biasConstraint,
      );
  }

  /** Bias and activation after the convolution. */
  protected finish(y: Tensor): Tensor {
    // Bias and ReLU in one pass where the backend has the kernel; other activations after it.
    const fusable = fusedActivation(this.activation);
    if (this.bias || fusable === 'relu') {
      const fused = biasActivationFused(y, this.bias, fusable ?? 'linear');
      if (fused) return fusable ? fused : this.activation.apply(fused);
    }
    return this.activation.apply(this.bias ? add(y, this.bias) : y);
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      kernelSize: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      dataFormat: this.dataFormat,
      dilationRate: [...this.dilationRate],
      activation: serializeActivation(this.activation),
      useBias: this.useBias,
      biasInitializer: serializeInitializer(this.biasInitializer),
      biasRegularizer: this.biasRegularizer && serializeRegularizer(this.biasRegularizer),
      biasConstraint: this.biasConstraint && serializeConstraint(this.biasConstraint),
    };
  }
}

/** An initializer, regularizer and constraint for one kernel, resolved and serializable. */
export interface KernelSettings {
  initializer: Initializer;
  regularizer: Regularizer | null;
  constraint: Constraint | null;
}

export function kernelSettings(
  init: InitializerIdentifier | undefined,
  reg: RegularizerIdentifier | null | undefined,
  con: ConstraintIdentifier | null | undefined,
): KernelSettings {
  return {
    initializer: getInitializer(init ?? 'glorotUniform'),
    regularizer: optionalRegularizer(reg),
    constraint: optionalConstraint(con),
  };
}

/** `{<prefix>Initializer, <prefix>Regularizer, <prefix>Constraint}` for getConfig. */
export function serializeKernelSettings(prefix: string, s: KernelSettings): Config {
  return {
    [`${prefix}Initializer`]: serializeInitializer(s.initializer),
    [`${prefix}Regularizer`]: s.regularizer && serializeRegularizer(s.regularizer),
    [`${prefix}Constraint`]: s.constraint && serializeConstraint(s.constraint),
  };
}

function optionalRegularizer(id: RegularizerIdentifier | null | undefined): Regularizer | null {
  return id ? getRegularizer(id) : null;
}

function optionalConstraint(id: ConstraintIdentifier | null | undefined): Constraint | null {
  return id ? getConstraint(id) : null;
}
