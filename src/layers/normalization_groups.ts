import { ValueError, fmtShape } from '../core/errors.js';
import type { Config } from '../core/config.js';
import type { Tensor } from '../core/tensor.js';
import { maximum, mul } from '../ops/prims/binary.js';
import { moments } from '../ops/moments.js';
import { sum } from '../ops/prims/reduce.js';
import { reshape } from '../ops/prims/shape_ops.js';
import { rsqrt, square } from '../ops/prims/unary.js';
import { describeLayer } from './convolutional_base.js';
import { Layer, type LayerArgs } from './layer.js';
import { Normalization, type NormalizationArgs } from './normalization.js';
import { registerLayerClass } from './registry.js';
import type { Shape } from './symbolic.js';

export interface GroupNormalizationArgs extends NormalizationArgs {
  /** How many groups the channels are split into (default 32; -1: one per channel, instance normalization). */
  groups?: number;
  /** The channel axis (default -1). */
  axis?: number;
}

/**
 * Keras' `GroupNormalization` (Wu & He 2018): the channels are split into `groups` groups and
 * each sample is normalized over its spatial axes and the channels of a group, then scaled and
 * offset per channel by `gamma` and `beta`. The same in training and inference; independent of
 * the batch size. `groups: 1` is layer normalization over all axes, `-1` instance normalization.
 * @example new GroupNormalization({ groups: 2 }).apply(images); // 2 groups of channels
 */
export class GroupNormalization extends Normalization {
  static override readonly className: string = 'GroupNormalization';
  readonly groups: number;
  readonly axis: number;

  constructor(args: GroupNormalizationArgs = {}) {
    super(args, 1e-3);
    const groups = args.groups ?? 32;
    if (!Number.isInteger(groups) || (groups <= 0 && groups !== -1))
      throw new ValueError(
        `${describeLayer(this)}: 'groups' must be a positive integer or -1 (one group per channel), got ${JSON.stringify(args.groups)}`,
      );
    this.groups = groups;
    this.axis = args.axis ?? -1;
    if (!Number.isInteger(this.axis))
      throw new ValueError(`${describeLayer(this)}: 'axis' must be an integer, got ${JSON.stringify(args.axis)}`);
    this.supportsMasking = true;
  }

  /** The channel axis and the group count for inputs of `shape`, checked. */
  private layout(shape: Shape): { axis: number; groups: number; channels: number } {
    const [axis] = this.resolveAxes([this.axis], shape.length);
    const channels = shape[axis];
    if (channels === null)
      throw new ValueError(
        `${describeLayer(this)}: the channel axis ${this.axis} must be known, got input shape ${fmtShape(shape)}`,
      );
    const groups = this.groups === -1 ? channels : this.groups;
    if (channels < groups || channels % groups !== 0)
      throw new ValueError(
        `${describeLayer(this)}: ${channels} channels cannot be split into ${groups} equal groups (input shape ${fmtShape(shape)})`,
      );
    return { axis, groups, channels };
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = inputShape as Shape;
    const { axis, channels } = this.layout(shape);
    this.buildAffine([channels]);
    this.inputSpec = [{ ndim: shape.length, axes: { [axis]: channels } }];
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    const { axis, groups, channels } = this.layout(x.shape);
    // [batch, ..., groups, channels / groups, ...]: statistics over all but the batch and group axes.
    const grouped = [...x.shape.slice(0, axis), groups, channels / groups, ...x.shape.slice(axis + 1)];
    const g = reshape(x, grouped);
    const reduced = grouped.map((_, i) => i).filter((i) => i !== 0 && i !== axis);
    const { mean, variance } = moments(g, reduced, true);
    const view = (p: Tensor) =>
      reshape(
        p,
        grouped.map((d, i) => (i === axis || i === axis + 1 ? d : 1)),
      );
    return reshape(this.normalize(g, mean, variance, view), x.shape);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), groups: this.groups, axis: this.axis };
  }
}

export interface UnitNormalizationArgs extends LayerArgs {
  /** The axis or axes over which each sample's vector gets unit L2 norm (default -1). */
  axis?: number | number[];
}

/**
 * Scales each vector to unit L2 norm (Keras' `UnitNormalization`): x · rsqrt(max(Σx², 1e-24)),
 * so that a zero vector stays zero.
 * @example new UnitNormalization().apply(tensor([[3, 4]])); // [[0.6, 0.8]]
 */
export class UnitNormalization extends Layer {
  static override readonly className: string = 'UnitNormalization';
  readonly axis: number | number[];

  constructor(args: UnitNormalizationArgs = {}) {
    super(args);
    const axis = args.axis ?? -1;
    const list = Array.isArray(axis) ? axis : [axis];
    if (list.length === 0 || !list.every(Number.isInteger))
      throw new ValueError(
        `${describeLayer(this)}: 'axis' must be an integer or a non-empty list of integers, got ${JSON.stringify(args.axis)}`,
      );
    this.axis = Array.isArray(axis) ? [...axis] : axis;
    this.supportsMasking = true;
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    const squares = sum(square(x), this.axis, true);
    return mul(x, rsqrt(maximum(squares, 1e-24)));
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    for (const a of Array.isArray(this.axis) ? this.axis : [this.axis])
      if (a >= shape.length || a < -shape.length)
        throw new ValueError(`${describeLayer(this)}: axis ${a} is outside an input of shape ${fmtShape(shape)}`);
    return shape;
  }

  override getConfig(): Config {
    return { ...super.getConfig(), axis: Array.isArray(this.axis) ? [...this.axis] : this.axis };
  }
}

registerLayerClass(GroupNormalization);
registerLayerClass(UnitNormalization);
