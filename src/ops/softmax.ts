import { normAxes, normAxis, reducedShape } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { toFloat, type TensorLike } from './convert.js';
import { add, div, sub, where } from './prims/binary.js';
import { max, sum } from './prims/reduce.js';
import { reshape } from './prims/shape_ops.js';
import { fusedSoftmax } from './prims/softmax.js';
import { exp, isFinite, log, stopGradient } from './prims/unary.js';

type Axis = number | readonly number[] | null;

/**
 * exp(x) / sum(exp(x)) along `axis`, stable for large inputs: the (gradient-free) max is
 * subtracted first, so logits of 1e4 do not overflow.
 * @example softmax(tensor([1, 2, 3])) // [0.090, 0.245, 0.665]
 */
export function softmax(logits: TensorLike, axis = -1): Tensor {
  const t = toFloat(logits, 'logits', 'softmax');
  const a = normAxis(axis, t.rank, 'softmax');
  const fused = a === t.rank - 1 ? fusedSoftmax(t, false) : null;
  if (fused) return fused;
  const e = exp(sub(t, maxShift(t, [a])));
  return div(e, sum(e, a, true));
}

/**
 * log(softmax(x)) along `axis`, computed as (x - max) - log(sum(exp(x - max))) so it stays
 * finite where softmax underflows to 0.
 * @example logSoftmax(tensor([1000, 0])) // [0, -1000]
 */
export function logSoftmax(logits: TensorLike, axis = -1): Tensor {
  const t = toFloat(logits, 'logits', 'logSoftmax');
  const a = normAxis(axis, t.rank, 'logSoftmax');
  const fused = a === t.rank - 1 ? fusedSoftmax(t, true) : null;
  if (fused) return fused;
  // Subtracting log-sum-exp from the shifted values (not adding the shift back) keeps full
  // precision where the logits are large.
  const shifted = sub(t, maxShift(t, [a]));
  return sub(shifted, log(sum(exp(shifted), a, true)));
}

/**
 * log(sum(exp(x))) computed stably (the max is subtracted first, so large inputs do not overflow).
 * @example logSumExp(logits, -1)
 */
export function logSumExp(x: TensorLike, axis?: Axis, keepDims = false): Tensor {
  const t = toFloat(x, 'x', 'logSumExp');
  const axes = normAxes(axis ?? undefined, t.rank, 'logSumExp');
  const shift = maxShift(t, axes);
  const out = add(log(sum(exp(sub(t, shift)), axes, true)), shift);
  return keepDims ? out : reshape(out, reducedShape(t.shape, axes, false));
}

/**
 * max(x) over `axes` (kept as size-1 dimensions), 0 where that max is not finite. It is only a
 * shift for stability, so it carries no gradient (its contributions cancel).
 */
function maxShift(t: Tensor, axes: number[]): Tensor {
  const m = stopGradient(max(t, axes, true));
  return where(isFinite(m), m, 0);
}
