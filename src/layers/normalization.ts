import { noGrad } from '../autograd/tape.js';
import { ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { Variable } from '../core/variable.js';
import type { ConstraintIdentifier } from '../constraints/registry.js';
import type { Config } from '../core/config.js';
import { getInitializer, serializeInitializer, type InitializerIdentifier } from '../initializers/registry.js';
import type { Initializer } from '../initializers/initializer.js';
import { add, mul, sub } from '../ops/prims/binary.js';
import { moments } from '../ops/moments.js';
import { fusedLayerNorm } from '../ops/prims/layer_norm.js';
import { reshape } from '../ops/prims/shape_ops.js';
import { rsqrt } from '../ops/prims/unary.js';
import type { RegularizerIdentifier } from '../regularizers/registry.js';
import { describeLayer, kernelSettings, serializeKernelSettings, type KernelSettings } from './convolutional_base.js';
import { Layer, type CallArgs, type LayerArgs } from './layer.js';
import { registerLayerClass } from './registry.js';
import type { Shape } from './symbolic.js';

/** Arguments shared by the normalization layers (Keras/TF.js names). */
export interface NormalizationArgs extends LayerArgs {
  epsilon?: number;
  /** Add the learned offset `beta` (default true). */
  center?: boolean;
  /** Multiply by the learned scale `gamma` (default true). */
  scale?: boolean;
  betaInitializer?: InitializerIdentifier;
  gammaInitializer?: InitializerIdentifier;
  betaRegularizer?: RegularizerIdentifier | null;
  gammaRegularizer?: RegularizerIdentifier | null;
  betaConstraint?: ConstraintIdentifier | null;
  gammaConstraint?: ConstraintIdentifier | null;
}

/** gamma/beta bookkeeping and the affine step shared by the batch, layer and group normalizations. */
export abstract class Normalization extends Layer {
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly betaSettings: KernelSettings;
  readonly gammaSettings: KernelSettings;
  gamma: Variable | null = null;
  beta: Variable | null = null;

  constructor(args: NormalizationArgs, defaultEpsilon: number) {
    super(args);
    this.epsilon = args.epsilon ?? defaultEpsilon;
    if (typeof this.epsilon !== 'number' || !(this.epsilon > 0))
      throw new ValueError(
        `${describeLayer(this)}: 'epsilon' must be a positive number, got ${JSON.stringify(args.epsilon)}`,
      );
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
    this.betaSettings = kernelSettings(args.betaInitializer ?? 'zeros', args.betaRegularizer, args.betaConstraint);
    this.gammaSettings = kernelSettings(args.gammaInitializer ?? 'ones', args.gammaRegularizer, args.gammaConstraint);
  }

  /** Keras' creation order: gamma, then beta. */
  protected buildAffine(shape: number[]): void {
    const g = this.gammaSettings,
      b = this.betaSettings;
    if (this.scale)
      this.gamma = this.addWeight('gamma', shape, undefined, g.initializer, g.regularizer, true, g.constraint);
    if (this.center)
      this.beta = this.addWeight('beta', shape, undefined, b.initializer, b.regularizer, true, b.constraint);
  }

  /** (x - mean) / sqrt(variance + epsilon) * gamma + beta, with parameters reshaped by `view`. */
  protected normalize(x: Tensor, mean: Tensor, variance: Tensor, view: (p: Tensor) => Tensor): Tensor {
    let inv = rsqrt(add(variance, this.epsilon));
    if (this.gamma) inv = mul(inv, view(this.gamma));
    const y = mul(sub(x, mean), inv);
    return this.beta ? add(y, view(this.beta)) : y;
  }

  protected resolveAxes(axes: number[], rank: number): number[] {
    const resolved = axes.map((a) => (a < 0 ? a + rank : a));
    if (
      resolved.some((a) => !Number.isInteger(a) || a < 1 || a >= rank) ||
      new Set(resolved).size !== resolved.length
    ) {
      throw new ValueError(
        `${describeLayer(this)}: 'axis' ${JSON.stringify(axes)} must name distinct non-batch axes of a rank-${rank} input`,
      );
    }
    return resolved.sort((a, b) => a - b);
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      ...serializeKernelSettings('beta', this.betaSettings),
      ...serializeKernelSettings('gamma', this.gammaSettings),
    };
  }
}

export interface BatchNormalizationArgs extends NormalizationArgs {
  /** The feature axis (default -1, the channels of NHWC images). */
  axis?: number;
  /** Weight of the old value in the moving averages (default 0.99). */
  momentum?: number;
  movingMeanInitializer?: InitializerIdentifier;
  movingVarianceInitializer?: InitializerIdentifier;
}

/**
 * Keras' BatchNormalization. In training (`training: true` and the layer trainable) it
 * normalizes with the batch's mean and (biased) variance per feature and updates the
 * non-trainable moving averages: `moving = moving * momentum + batch * (1 - momentum)`. In
 * inference it uses the moving averages. Weights: gamma, beta, moving_mean, moving_variance.
 *
 * @example
 * const bn = new BatchNormalization();
 * bn.apply(x, { training: true }); // per-channel zero mean, unit variance; moving stats updated
 */
export class BatchNormalization extends Normalization {
  static override readonly className: string = 'BatchNormalization';
  readonly axis: number;
  readonly momentum: number;
  readonly movingMeanInitializer: Initializer;
  readonly movingVarianceInitializer: Initializer;
  movingMean: Variable | null = null;
  movingVariance: Variable | null = null;

  constructor(args: BatchNormalizationArgs = {}) {
    super(args, 1e-3);
    this.axis = args.axis ?? -1;
    this.momentum = args.momentum ?? 0.99;
    if (typeof this.momentum !== 'number' || !(this.momentum >= 0 && this.momentum <= 1))
      throw new ValueError(
        `${describeLayer(this)}: 'momentum' must be a number in [0, 1], got ${JSON.stringify(args.momentum)}`,
      );
    this.movingMeanInitializer = getInitializer(args.movingMeanInitializer ?? 'zeros');
    this.movingVarianceInitializer = getInitializer(args.movingVarianceInitializer ?? 'ones');
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = inputShape as Shape;
    const [axis] = this.resolveAxes([this.axis], shape.length);
    const dim = shape[axis];
    if (dim === null)
      throw new ValueError(
        `${describeLayer(this)}: axis ${this.axis} of the input must be known, got input shape ${fmtShape(shape)}`,
      );
    this.buildAffine([dim]);
    this.movingMean = this.addWeight('moving_mean', [dim], undefined, this.movingMeanInitializer, null, false);
    this.movingVariance = this.addWeight(
      'moving_variance',
      [dim],
      undefined,
      this.movingVarianceInitializer,
      null,
      false,
    );
    this.inputSpec = [{ ndim: shape.length, axes: { [axis]: dim } }];
  }

  call(inputs: Tensor | Tensor[], kwargs: CallArgs): Tensor {
    const x = inputs as Tensor;
    const [axis] = this.resolveAxes([this.axis], x.rank);
    const viewShape = x.shape.map((d, i) => (i === axis ? d : 1));
    const view = (p: Tensor) => reshape(p, viewShape);
    const movingMean = this.movingMean as Variable,
      movingVariance = this.movingVariance as Variable;
    if (!kwargs.training || !this.trainable) return this.normalize(x, view(movingMean), view(movingVariance), view);
    const reduced = x.shape.map((_, i) => i).filter((i) => i !== axis);
    const { mean, variance } = moments(x, reduced, true);
    noGrad(() => {
      const m = this.momentum;
      movingMean.assign(add(mul(movingMean, m), mul(reshape(mean, movingMean.shape), 1 - m)));
      movingVariance.assign(add(mul(movingVariance, m), mul(reshape(variance, movingVariance.shape), 1 - m)));
    });
    return this.normalize(x, mean, variance, view);
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      axis: this.axis,
      momentum: this.momentum,
      movingMeanInitializer: serializeInitializer(this.movingMeanInitializer),
      movingVarianceInitializer: serializeInitializer(this.movingVarianceInitializer),
    };
  }
}

export interface LayerNormalizationArgs extends NormalizationArgs {
  /** The axis or axes normalized over, per sample (default -1). */
  axis?: number | number[];
  /**
   * Keras 3's `rms_scaling`: x · rsqrt(variance + epsilon) · gamma, with no centering and no
   * beta. (As in Keras it divides by the standard deviation, not the root mean square.)
   */
  rmsScaling?: boolean;
}

/**
 * Keras' LayerNormalization: each sample is normalized over `axis` (default the last), the
 * same in training and inference; gamma and beta have the shape of those axes.
 * @example new LayerNormalization().apply(x) // every row: zero mean, unit variance
 */
export class LayerNormalization extends Normalization {
  static override readonly className: string = 'LayerNormalization';
  readonly axis: number[];
  readonly rmsScaling: boolean;

  constructor(args: LayerNormalizationArgs = {}) {
    super(args, 1e-3);
    this.axis = Array.isArray(args.axis) ? [...args.axis] : [args.axis ?? -1];
    this.rmsScaling = args.rmsScaling ?? false;
  }

  /** With rmsScaling, gamma exists even without `scale` and beta never does (Keras 3). */
  protected override buildAffine(shape: number[]): void {
    if (!this.rmsScaling) {
      super.buildAffine(shape);
      return;
    }
    const g = this.gammaSettings;
    this.gamma = this.addWeight('gamma', shape, undefined, g.initializer, g.regularizer, true, g.constraint);
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = inputShape as Shape;
    const axes = this.resolveAxes(this.axis, shape.length);
    const dims = axes.map((a) => shape[a]);
    if (dims.some((d) => d === null))
      throw new ValueError(
        `${describeLayer(this)}: axes ${JSON.stringify(this.axis)} of the input must be known, got input shape ${fmtShape(shape)}`,
      );
    this.buildAffine(dims as number[]);
    this.inputSpec = [{ ndim: shape.length, axes: Object.fromEntries(axes.map((a, i) => [a, dims[i] as number])) }];
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    const axes = this.resolveAxes(this.axis, x.rank);
    if (!this.rmsScaling && axes.length === 1 && axes[0] === x.rank - 1) {
      // The common case (the last axis) in one kernel each way where the backend has them.
      const fused = fusedLayerNorm(x, this.gamma, this.beta, this.epsilon);
      if (fused) return fused;
    }
    const viewShape = x.shape.map((d, i) => (axes.includes(i) ? d : 1));
    const { mean, variance } = moments(x, axes, true);
    const view = (p: Tensor) => reshape(p, viewShape);
    if (this.rmsScaling) return mul(mul(x, rsqrt(add(variance, this.epsilon))), view(this.gamma as Variable));
    return this.normalize(x, mean, variance, view);
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      axis: this.axis.length === 1 ? this.axis[0] : [...this.axis],
      rmsScaling: this.rmsScaling,
    };
  }
}

registerLayerClass(BatchNormalization);
registerLayerClass(LayerNormalization);
