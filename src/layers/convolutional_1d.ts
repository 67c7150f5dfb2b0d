import { ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { Variable } from '../core/variable.js';
import {
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
import { conv2d } from '../ops/conv.js';
import { convOutputLength } from '../ops/conv_geometry.js';
import { expandDims } from '../ops/dims.js';
import { pad } from '../ops/prims/slice.js';
import { reshape } from '../ops/prims/shape_ops.js';
import { getRegularizer, serializeRegularizer, type RegularizerIdentifier } from '../regularizers/registry.js';
import type { Regularizer } from '../regularizers/regularizer.js';
import { Layer, type LayerArgs } from './layer.js';
import { registerLayerClass } from './registry.js';
import { sequenceShape } from './sequence_format.js';
import type { Shape } from './symbolic.js';

export type Conv1DPadding = 'valid' | 'same' | 'causal';

export interface Conv1DArgs extends LayerArgs {
  filters: number;
  kernelSize: number | [number];
  strides?: number | [number];
  /** 'causal' pads only the start, so output t sees inputs up to t (WaveNet). */
  padding?: Conv1DPadding;
  dilationRate?: number | [number];
  activation?: ActivationIdentifier;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  biasRegularizer?: RegularizerIdentifier | null;
  kernelConstraint?: ConstraintIdentifier | null;
  biasConstraint?: ConstraintIdentifier | null;
}

function single(value: number | [number] | undefined, fallback: number, arg: string, who: string): number {
  const v = Array.isArray(value) ? (value.length === 1 ? value[0] : NaN) : (value ?? fallback);
  if (!Number.isInteger(v) || v < 1)
    throw new ValueError(
      `${who}: '${arg}' must be a positive integer (or a list of one), got ${JSON.stringify(value)}`,
    );
  return v;
}

/**
 * 1-D convolution over the steps of [batch, steps, channels] (Keras `Conv1D`), kernel
 * [kernelSize, inChannels, filters]. Computed as a 2-D convolution of height 1.
 *
 * @example
 * const conv = new Conv1D({ filters: 8, kernelSize: 3, padding: 'causal' });
 * conv.apply(ones([2, 10, 4])); // shape [2, 10, 8]
 */
export class Conv1D extends Layer {
  static override readonly className: string = 'Conv1D';
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides: number;
  readonly padding: Conv1DPadding;
  readonly dilationRate: number;
  readonly activation: Activation;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  readonly kernelConstraint: Constraint | null;
  readonly biasConstraint: Constraint | null;
  kernel: Variable | null = null;
  bias: Variable | null = null;

  constructor(args: Conv1DArgs) {
    super(args);
    const who = `Conv1D '${this.name}'`;
    if (!Number.isInteger(args.filters) || args.filters <= 0)
      throw new ValueError(`${who}: 'filters' must be a positive integer, got ${JSON.stringify(args.filters)}`);
    this.filters = args.filters;
    this.kernelSize = single(args.kernelSize, NaN, 'kernelSize', who);
    this.strides = single(args.strides, 1, 'strides', who);
    this.dilationRate = single(args.dilationRate, 1, 'dilationRate', who);
    this.padding = args.padding ?? 'valid';
    if (!['valid', 'same', 'causal'].includes(this.padding))
      throw new ValueError(`${who}: 'padding' must be one of valid, same, causal, got ${JSON.stringify(args.padding)}`);
    if (this.strides > 1 && this.dilationRate > 1)
      throw new ValueError(
        `${who}: strides > 1 cannot be combined with dilationRate > 1 (got strides ${this.strides}, dilationRate ${this.dilationRate})`,
      );
    this.activation = getActivation(args.activation);
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = getInitializer(args.kernelInitializer ?? 'glorotUniform');
    this.biasInitializer = getInitializer(args.biasInitializer ?? 'zeros');
    this.kernelRegularizer = args.kernelRegularizer ? getRegularizer(args.kernelRegularizer) : null;
    this.biasRegularizer = args.biasRegularizer ? getRegularizer(args.biasRegularizer) : null;
    this.kernelConstraint = args.kernelConstraint ? getConstraint(args.kernelConstraint) : null;
    this.biasConstraint = args.biasConstraint ? getConstraint(args.biasConstraint) : null;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = inputShape as Shape;
    sequenceShape(this, shape);
    const channels = shape[2];
    if (channels === null)
      throw new ValueError(
        `Conv1D '${this.name}': the channel dimension (last axis) must be known, got input shape ${fmtShape(shape)}`,
      );
    this.kernel = this.addWeight(
      'kernel',
      [this.kernelSize, channels, this.filters],
      undefined,
      this.kernelInitializer,
      this.kernelRegularizer,
      true,
      this.kernelConstraint,
    );
    if (this.useBias)
      this.bias = this.addWeight(
        'bias',
        [this.filters],
        undefined,
        this.biasInitializer,
        this.biasRegularizer,
        true,
        this.biasConstraint,
      );
    this.inputSpec = [{ ndim: 3, axes: { [-1]: channels } }];
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    let x = inputs as Tensor;
    if (this.padding === 'causal')
      x = pad(x, [
        [0, 0],
        [(this.kernelSize - 1) * this.dilationRate, 0],
        [0, 0],
      ]);
    const kernel = this.kernel as Variable;
    const images = expandDims(x, 1);
    const k = reshape(kernel, [1, ...kernel.shape]);
    const padding = this.padding === 'same' ? 'same' : 'valid';
    let y = conv2d(images, k, { strides: [1, this.strides], padding, dilations: [1, this.dilationRate] });
    y = reshape(y, [y.shape[0], y.shape[2], this.filters]);
    if (this.bias) y = add(y, this.bias);
    return this.activation.apply(y);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    const steps =
      this.padding === 'causal'
        ? convOutputLength(shape[1], this.kernelSize, this.strides, this.dilationRate, 'same')
        : convOutputLength(shape[1], this.kernelSize, this.strides, this.dilationRate, this.padding);
    return [shape[0], steps, this.filters];
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: [this.kernelSize],
      strides: [this.strides],
      padding: this.padding,
      dilationRate: [this.dilationRate],
      activation: serializeActivation(this.activation),
      useBias: this.useBias,
      kernelInitializer: serializeInitializer(this.kernelInitializer),
      biasInitializer: serializeInitializer(this.biasInitializer),
      kernelRegularizer: this.kernelRegularizer && serializeRegularizer(this.kernelRegularizer),
      biasRegularizer: this.biasRegularizer && serializeRegularizer(this.biasRegularizer),
      kernelConstraint: this.kernelConstraint && serializeConstraint(this.kernelConstraint),
      biasConstraint: this.biasConstraint && serializeConstraint(this.biasConstraint),
    };
  }
}

registerLayerClass(Conv1D);
