// The differentiable wrappers of the backend's optional fused softmax kernel. The composites in
// ops/softmax.ts call them when the active backend has the kernel and build the same results
// from max/sub/exp/sum otherwise.
import { isRecording, record } from '../../autograd/tape.js';
import type { Tensor } from '../../core/tensor.js';
import { wrap } from '../convert.js';
import { mul, sub } from './binary.js';
import { sum } from './reduce.js';
import { exp } from './unary.js';

/**
 * The gradient of softmax (log-softmax with `log`) along the last axis from its output y: the
 * backend's one-pass kernel, or primitives where it has none or an outer gradient records the
 * backward pass.
 */
function softmaxBackward(y: Tensor, dy: Tensor, log: boolean): Tensor {
  const be = y.backend;
  if (be.softmaxGrad && !isRecording() && dy.backend === be && dy.dtype === y.dtype)
    return wrap(be.softmaxGrad(y, dy, log), y.shape, y.dtype);
  const a = y.rank - 1;
  return log ? sub(dy, mul(exp(y), sum(dy, a, true))) : mul(y, sub(dy, sum(mul(dy, y), a, true)));
}

/**
 * softmax (or, with `log`, log-softmax) of a float tensor along its last axis on the backend's
 * fused kernel; null when the backend has none.
 * @example const y = fusedSoftmax(logits, false) ?? composite(logits);
 */
export function fusedSoftmax(t: Tensor, log: boolean): Tensor | null {
  if (!t.backend.softmax) return null;
  const y = wrap(t.backend.softmax(t, log), t.shape, t.dtype);
  return record(log ? 'logSoftmax' : 'softmax', [t], y, (dy) => [softmaxBackward(y, dy, log)]);
}

/**
 * Softmax along the last axis over the entries a bool `mask` (t's rank, each axis t's size or 1)
 * allows, on the backend's fused kernel: 0 at masked entries and across rows with none allowed
 * (the values and gradient of Keras' masked softmax). Null when the backend has no such kernel.
 * @example const probs = fusedMaskedSoftmax(scores, causal) ?? composite(scores, causal);
 */
export function fusedMaskedSoftmax(t: Tensor, mask: Tensor): Tensor | null {
  const be = t.backend;
  if (!be.maskedSoftmax || mask.dtype !== 'bool' || mask.backend !== be || mask.rank !== t.rank) return null;
  if (mask.shape.some((d, i) => d !== 1 && d !== t.shape[i])) return null;
  const y = wrap(be.maskedSoftmax(t, mask), t.shape, t.dtype);
  // Masked entries of y are 0, so y·(dy - Σ dy·y) is 0 there: the plain softmax gradient.
  return record('maskedSoftmax', [t], y, (dy) => [softmaxBackward(y, dy, false)]);
}
