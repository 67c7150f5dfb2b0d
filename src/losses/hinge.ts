import type { Tensor } from '../core/tensor.js';
import { add, maximum, mul, sub } from '../ops/prims/binary.js';
import type { TensorLike } from '../ops/convert.js';
import { max, sum } from '../ops/prims/reduce.js';
import { mean } from '../ops/moments.js';
import { square } from '../ops/prims/unary.js';
import { prepare } from './common.js';

/** Labels of only 0s and 1s become -1/1, as Keras does for hinge losses; others pass unchanged. */
function toSignedLabels(t: Tensor): Tensor {
  const values = t.dataSync();
  for (let i = 0; i < values.length; i++) if (values[i] !== 0 && values[i] !== 1) return t;
  return sub(mul(t, 2), 1);
}

/**
 * `mean(max(1 - yTrue·yPred, 0), -1)`; yTrue in {-1, 1} (or {0, 1}, converted).
 * @example hinge([[1, -1]], [[0.5, 0.5]]) // [1]
 */
export function hinge(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepare(yTrue, yPred, 'hinge');
  return mean(maximum(sub(1, mul(toSignedLabels(t), p)), 0), -1);
}

/**
 * `mean(square(max(1 - yTrue·yPred, 0)), -1)`; yTrue in {-1, 1} (or {0, 1}, converted).
 * @example squaredHinge([[1, -1]], [[0.5, 0.5]]) // [1.25]
 */
export function squaredHinge(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepare(yTrue, yPred, 'squaredHinge');
  return mean(square(maximum(sub(1, mul(toSignedLabels(t), p)), 0)), -1);
}

/**
 * `max(neg - pos + 1, 0)` with `pos = sum(yTrue·yPred)`, `neg = max((1 - yTrue)·yPred)` over the last axis.
 * @example categoricalHinge([[0, 1, 0]], [[0.3, 0.5, 0.2]]) // [0.8]
 */
export function categoricalHinge(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepare(yTrue, yPred, 'categoricalHinge');
  const pos = sum(mul(t, p), -1);
  const neg = max(mul(sub(1, t), p), -1);
  return maximum(add(sub(neg, pos), 1), 0);
}
