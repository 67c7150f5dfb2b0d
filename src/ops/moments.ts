import type { Tensor } from '../core/tensor.js';
import { sub } from './prims/binary.js';
import { toFloat, type TensorLike } from './convert.js';
import { mean } from './prims/reduce.js';
import { reshape } from './prims/shape_ops.js';
import { square } from './prims/unary.js';
import { normAxes, reducedShape } from '../core/shape.js';

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
