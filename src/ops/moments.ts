import { normAxes, reducedShape, sizeOf } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { toFloat, type TensorLike } from './convert.js';
import { div, sub } from './prims/binary.js';
import { sum } from './prims/reduce.js';
import { reshape } from './prims/shape_ops.js';
import { square } from './prims/unary.js';

type Axis = number | readonly number[] | null;

/** Mean over `axis` (all axes when omitted). */
export function mean(x: TensorLike, axis?: Axis, keepDims = false): Tensor {
  const t = toFloat(x, 'x', 'mean');
  const axes = normAxes(axis ?? undefined, t.rank, 'mean');
  const count = sizeOf(axes.map((a) => t.shape[a]));
  return div(sum(t, axes, keepDims), count);
}

/**
 * Mean and (biased) variance over `axes` (all axes when omitted), as used by normalization.
 * @example const { mean, variance } = moments(x, [0]);
 */
export function moments(
  x: TensorLike,
  axes?: number | readonly number[],
  keepDims = false,
): { mean: Tensor; variance: Tensor } {
  const t = toFloat(x, 'x', 'moments');
  const ax = normAxes(axes, t.rank, 'moments');
  const m = mean(t, ax, true);
  const variance = mean(square(sub(t, m)), ax, keepDims);
  return { mean: keepDims ? m : reshape(m, reducedShape(t.shape, ax, false)), variance };
}
