import { record } from '../autograd/tape.js';
import { normAxis } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { div, mul, sub, where } from './prims/binary.js';
import { toFloat, wrap, type TensorLike } from './convert.js';
import { max, sum } from './prims/reduce.js';
import { exp, isFinite, log, stopGradient } from './prims/unary.js';

/**
 * exp(x) / sum(exp(x)) along `axis`, stable for large inputs: the (gradient-free) max is
 * subtracted first, so logits of 1e4 do not overflow.
 * @example softmax(tensor([1, 2, 3])) // [0.090, 0.245, 0.665]
 */
export function softmax(logits: TensorLike, axis = -1): Tensor {
  const t = toFloat(logits, 'logits', 'softmax');
  const a = normAxis(axis, t.rank, 'softmax');
  if (a === t.rank - 1 && t.backend.softmax) {
    const y = wrap(t.backend.softmax(t, false), t.shape, t.dtype);
    return record('softmax', [t], y, (dy) => [mul(y, sub(dy, sum(mul(dy, y), a, true)))]);
  }
  const e = exp(shiftByMax(t, a));
  return div(e, sum(e, a, true));
}

/** x - max(x) along `axis`; the max is only a shift, so it carries no gradient. */
function shiftByMax(t: Tensor, axis: number): Tensor {
  const m = stopGradient(max(t, axis, true));
  return sub(t, where(isFinite(m), m, 0));
}

/**
 * log(softmax(x)) along `axis`, computed as (x - max) - log(sum(exp(x - max))) so it stays
 * finite where softmax underflows to 0.
 * @example logSoftmax(tensor([1000, 0])) // [0, -1000]
 */
export function logSoftmax(logits: TensorLike, axis = -1): Tensor {
  const t = toFloat(logits, 'logits', 'logSoftmax');
  const a = normAxis(axis, t.rank, 'logSoftmax');
  if (a === t.rank - 1 && t.backend.softmax) {
    const y = wrap(t.backend.softmax(t, true), t.shape, t.dtype);
    return record('logSoftmax', [t], y, (dy) => [sub(dy, mul(exp(y), sum(dy, a, true)))]);
  }
  // Subtracting log-sum-exp from the shifted values (not adding the shift back) keeps full
  // precision where the logits are large.
  const shifted = shiftByMax(t, a);
  return sub(shifted, log(sum(exp(shifted), a, true)));
}
