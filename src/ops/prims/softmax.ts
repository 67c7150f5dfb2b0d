// The differentiable wrappers of the backend's optional fused softmax kernel. The composites in
// ops/softmax.ts call them when the active backend has the kernel and build the same results
// from max/sub/exp/sum otherwise.
import { record } from '../../autograd/tape.js';
import type { Tensor } from '../../core/tensor.js';
import { wrap } from '../convert.js';
import { mul, sub } from './binary.js';
import { sum } from './reduce.js';
import { exp } from './unary.js';

/**
 * softmax (or, with `log`, log-softmax) of a float tensor along its last axis on the backend's
 * fused kernel; null when the backend has none.
 * @example const y = fusedSoftmax(logits, false) ?? composite(logits);
 */
export function fusedSoftmax(t: Tensor, log: boolean): Tensor | null {
  if (!t.backend.softmax) return null;
  const a = t.rank - 1;
  const y = wrap(t.backend.softmax(t, log), t.shape, t.dtype);
  if (log) return record('logSoftmax', [t], y, (dy) => [sub(dy, mul(exp(y), sum(dy, a, true)))]);
  return record('softmax', [t], y, (dy) => [mul(y, sub(dy, sum(mul(dy, y), a, true)))]);
}
