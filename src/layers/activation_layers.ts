import { ValueError, fmtShape } from '../core/errors.js';
import type { Config } from '../core/config.js';
import type { Tensor } from '../core/tensor.js';
import type { Variable } from '../core/variable.js';
import { getConstraint, serializeConstraint, type ConstraintIdentifier } from '../constraints/registry.js';
import type { Constraint } from '../constraints/constraint.js';
import type { Initializer } from '../initializers/initializer.js';
import { getInitializer, serializeInitializer, type InitializerIdentifier } from '../initializers/registry.js';
import { leakyRelu } from '../ops/activation_ops.js';
import { clipByValue } from '../ops/clip.js';
import { add, greater, mul, sub, where } from '../ops/prims/binary.js';
import { elu, exp, neg, relu } from '../ops/prims/unary.js';
import { logSumExp, softmax } from '../ops/softmax.js';
import { getRegularizer, serializeRegularizer, type RegularizerIdentifier } from '../regularizers/registry.js';
import type { Regularizer } from '../regularizers/regularizer.js';
import { MASKED_SCORE, boolMask } from './attention_masks.js';
import { describeLayer } from './convolutional_base.js';
import { Layer, type CallArgs, type LayerArgs } from './layer.js';
import { registerLayerClass } from './registry.js';
import type { Shape } from './symbolic.js';

/** Throws unless `value` is a number >= 0 (or null where `nullable`), naming the layer and option. */
function nonNegative(layer: Layer, key: string, value: unknown, nullable = false): void {
  if (nullable && (value === null || value === undefined)) return;
  if (typeof value !== 'number' || !(value >= 0))
    throw new ValueError(
      `${describeLayer(layer)}: '${key}' must be a number >= 0${nullable ? ' or null' : ''}, got ${JSON.stringify(value)}`,
    );
}

/** Activation layers are element-wise: the shape is unchanged and a padding mask passes through. */
abstract class ElementwiseActivation extends Layer {
  constructor(args: LayerArgs) {
    super(args);
    this.supportsMasking = true;
  }
}

export interface ReLUArgs extends LayerArgs {
  /** Largest output (null: unbounded). */
  maxValue?: number | null;
  /** Slope below the threshold (default 0). */
  negativeSlope?: number;
  /** Inputs at or below it are "off" (default 0). */
  threshold?: number;
}

/**
 * Keras' `ReLU` layer: x above `threshold` (clipped at `maxValue`), `negativeSlope·(x − threshold)`
 * below it. The defaults give max(x, 0).
 * @example new ReLU({ maxValue: 10, negativeSlope: 0.5 }).apply(tensor([-10, -5, 0, 5, 10])); // [-5, -2.5, 0, 5, 10]
 */
export class ReLU extends ElementwiseActivation {
  static override readonly className: string = 'ReLU';
  readonly maxValue: number | null;
  readonly negativeSlope: number;
  readonly threshold: number;

  constructor(args: ReLUArgs = {}) {
    super(args);
    nonNegative(this, 'maxValue', args.maxValue, true);
    nonNegative(this, 'negativeSlope', args.negativeSlope ?? 0);
    nonNegative(this, 'threshold', args.threshold ?? 0);
    this.maxValue = args.maxValue ?? null;
    this.negativeSlope = args.negativeSlope ?? 0;
    this.threshold = args.threshold ?? 0;
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    const { negativeSlope: slope, threshold, maxValue } = this;
    if (slope !== 0 && maxValue === null && threshold === 0) return leakyRelu(x, slope);
    let y = threshold !== 0 ? where(greater(x, threshold), x, 0) : relu(x);
    if (maxValue !== null) y = clipByValue(y, 0, maxValue);
    if (slope !== 0) y = sub(y, mul(relu(threshold !== 0 ? add(neg(x), threshold) : neg(x)), slope));
    return y;
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      maxValue: this.maxValue,
      negativeSlope: this.negativeSlope,
      threshold: this.threshold,
    };
  }
}

export interface LeakyReLUArgs extends LayerArgs {
  /** Slope for x < 0 (default 0.3). */
  negativeSlope?: number;
  /** TF.js' and Keras 2's name for `negativeSlope`. */
  alpha?: number;
}

/**
 * x for x >= 0, `negativeSlope·x` below (Keras' `LeakyReLU`, default slope 0.3).
 * @example new LeakyReLU({ negativeSlope: 0.5 }).apply(tensor([-10, 10])); // [-5, 10]
 */
export class LeakyReLU extends ElementwiseActivation {
  static override readonly className: string = 'LeakyReLU';
  readonly negativeSlope: number;

  constructor(args: LeakyReLUArgs = {}) {
    super(args);
    const slope = args.negativeSlope ?? args.alpha ?? 0.3;
    nonNegative(this, 'negativeSlope', slope);
    this.negativeSlope = slope;
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    return leakyRelu(inputs as Tensor, this.negativeSlope);
  }

  override acceptedOptions(): readonly string[] {
    return [...super.acceptedOptions(), 'alpha'];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), negativeSlope: this.negativeSlope };
  }
}

export interface PReLUArgs extends LayerArgs {
  /** Initializer of the learned slopes (default zeros: a plain ReLU at first). */
  alphaInitializer?: InitializerIdentifier;
  alphaRegularizer?: RegularizerIdentifier | null;
  alphaConstraint?: ConstraintIdentifier | null;
  /** Axes (1-based, past the batch) along which one slope is shared, e.g. [1, 2] for images. */
  sharedAxes?: number | number[] | null;
}

/**
 * Parametric ReLU (Keras' `PReLU`): x for x >= 0, `alpha·x` below, with a learned `alpha` per
 * input element (shared along `sharedAxes`).
 * @example new PReLU({ sharedAxes: [1, 2] }).apply(images); // one slope per channel
 */
export class PReLU extends ElementwiseActivation {
  static override readonly className: string = 'PReLU';
  readonly alphaInitializer: Initializer;
  readonly alphaRegularizer: Regularizer | null;
  readonly alphaConstraint: Constraint | null;
  readonly sharedAxes: number[] | null;
  alpha: Variable | null = null;

  constructor(args: PReLUArgs = {}) {
    super(args);
    this.alphaInitializer = getInitializer(args.alphaInitializer ?? 'zeros');
    this.alphaRegularizer = args.alphaRegularizer ? getRegularizer(args.alphaRegularizer) : null;
    this.alphaConstraint = args.alphaConstraint ? getConstraint(args.alphaConstraint) : null;
    const shared = args.sharedAxes ?? null;
    this.sharedAxes = shared === null ? null : Array.isArray(shared) ? [...shared] : [shared];
    if (this.sharedAxes?.some((a) => !Number.isInteger(a) || a < 1))
      throw new ValueError(
        `${describeLayer(this)}: 'sharedAxes' must be axes >= 1 (the batch axis 0 is always shared), got ${JSON.stringify(shared)}`,
      );
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = inputShape as Shape;
    const param = shape.slice(1);
    for (const a of this.sharedAxes ?? []) {
      if (a >= shape.length)
        throw new ValueError(
          `${describeLayer(this)}: shared axis ${a} is outside an input of shape ${fmtShape(shape)}`,
        );
      param[a - 1] = 1;
    }
    if (param.some((d) => d === null))
      throw new ValueError(
        `${describeLayer(this)}: every non-shared axis must be known to size the slopes, got input shape ${fmtShape(shape)}; share the unknown axes with 'sharedAxes'`,
      );
    this.alpha = this.addWeight(
      'alpha',
      param as number[],
      undefined,
      this.alphaInitializer,
      this.alphaRegularizer,
      true,
      this.alphaConstraint,
    );
    const axes: Record<number, number> = {};
    for (let i = 1; i < shape.length; i++) if (!this.sharedAxes?.includes(i)) axes[i] = shape[i] as number;
    this.inputSpec = [{ ndim: shape.length, axes }];
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    return sub(relu(x), mul(this.alpha as Variable, relu(neg(x))));
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      alphaInitializer: serializeInitializer(this.alphaInitializer),
      alphaRegularizer: this.alphaRegularizer && serializeRegularizer(this.alphaRegularizer),
      alphaConstraint: this.alphaConstraint && serializeConstraint(this.alphaConstraint),
      sharedAxes: this.sharedAxes,
    };
  }
}

export interface ELUArgs extends LayerArgs {
  /** Scale of the negative part, alpha·(exp(x) − 1) (default 1). */
  alpha?: number;
}

/**
 * Exponential linear unit (Keras' `ELU`): x for x > 0, `alpha·(exp(x) − 1)` below.
 * @example new ELU({ alpha: 0.5 }).apply(tensor([-1, 2])); // [-0.316, 2]
 */
export class ELU extends ElementwiseActivation {
  static override readonly className: string = 'ELU';
  readonly alpha: number;

  constructor(args: ELUArgs = {}) {
    super(args);
    const alpha = args.alpha ?? 1;
    if (typeof alpha !== 'number' || !Number.isFinite(alpha))
      throw new ValueError(`${describeLayer(this)}: 'alpha' must be a number, got ${JSON.stringify(args.alpha)}`);
    this.alpha = alpha;
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    return elu(inputs as Tensor, this.alpha);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}

export interface ThresholdedReLUArgs extends LayerArgs {
  /** Inputs at or below it become 0 (default 1). */
  theta?: number;
}

/**
 * x where x > theta, 0 elsewhere (TF.js' and Keras 2's `ThresholdedReLU`; Keras 3 writes it as
 * `ReLU({threshold})`).
 * @example new ThresholdedReLU({ theta: 1 }).apply(tensor([0.5, 1, 2])); // [0, 0, 2]
 */
export class ThresholdedReLU extends ElementwiseActivation {
  static override readonly className: string = 'ThresholdedReLU';
  readonly theta: number;

  constructor(args: ThresholdedReLUArgs = {}) {
    super(args);
    nonNegative(this, 'theta', args.theta ?? 1);
    this.theta = args.theta ?? 1;
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    return where(greater(x, this.theta), x, 0);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), theta: this.theta };
  }
}

export interface SoftmaxArgs extends LayerArgs {
  /** The axis (or axes) normalized over (default -1). */
  axis?: number | number[];
}

/**
 * Softmax over `axis` (Keras' `Softmax` layer). A mask (bool, or numbers kept above 0.5) that
 * broadcasts against the input from the right zeroes the masked positions: they get no
 * probability, and a slice masked entirely gives zeros.
 * @example new Softmax().apply(scores, { mask: keep }); // keep: [batch, 1, keys]
 */
export class Softmax extends ElementwiseActivation {
  static override readonly className: string = 'Softmax';
  readonly axis: number | number[];

  constructor(args: SoftmaxArgs = {}) {
    super(args);
    const axis = args.axis ?? -1;
    const axes = Array.isArray(axis) ? axis : [axis];
    if (axes.length === 0 || !axes.every(Number.isInteger))
      throw new ValueError(
        `${describeLayer(this)}: 'axis' must be an integer or a non-empty list of integers, got ${JSON.stringify(args.axis)}`,
      );
    this.axis = Array.isArray(axis) ? [...axis] : axis;
  }

  call(inputs: Tensor | Tensor[], kwargs: CallArgs = {}): Tensor {
    let x = inputs as Tensor;
    const mask = Array.isArray(kwargs.mask) ? kwargs.mask[0] : kwargs.mask;
    const keep = mask ? boolMask(this.checkedMask(mask, x)) : null;
    if (keep) x = where(keep, x, MASKED_SCORE);
    const axes = Array.isArray(this.axis) ? this.axis : [this.axis];
    const y = axes.length > 1 ? exp(sub(x, logSumExp(x, axes, true))) : softmax(x, axes[0]);
    return keep ? where(keep, y, 0) : y;
  }

  /** Keras' rule: the mask has no more axes than the input and each is 1 or the input's size. */
  private checkedMask(mask: Tensor, x: Tensor): Tensor {
    const m = mask.shape;
    const fits = m.length <= x.rank && m.every((d, i) => d === 1 || d === x.shape[x.rank - m.length + i]);
    if (!fits)
      throw new ValueError(
        `${describeLayer(this)}: the mask must broadcast against the input from the right (each axis 1 or the input's size), got mask ${fmtShape(m)} for input ${fmtShape(x.shape)}`,
      );
    return mask;
  }

  override getConfig(): Config {
    return { ...super.getConfig(), axis: Array.isArray(this.axis) ? [...this.axis] : this.axis };
  }
}

registerLayerClass(ReLU);
registerLayerClass(LeakyReLU);
registerLayerClass(PReLU);
registerLayerClass(ELU);
registerLayerClass(ThresholdedReLU);
registerLayerClass(Softmax);
