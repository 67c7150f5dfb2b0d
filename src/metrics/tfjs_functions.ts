/**
 * TF.js' metric functions that Keras has as classes only: `precision`, `recall` and `r2Score`
 * over a whole batch of binary (0/1) labels and predictions, each returning a scalar.
 */
import type { Tensor } from '../core/tensor.js';
import { toFloat, type TensorLike } from '../ops/convert.js';
import { add, div, equal, greater, logicalAnd, sub, where } from '../ops/prims/binary.js';
import { cast } from '../ops/prims/shape_ops.js';
import { sum } from '../ops/prims/reduce.js';
import { mean } from '../ops/moments.js';
import { square } from '../ops/prims/unary.js';

function count(a: Tensor, aValue: number, b: Tensor, bValue: number): Tensor {
  return sum(cast(logicalAnd(equal(a, aValue), equal(b, bValue)), 'float32'));
}

function ratio(numerator: Tensor, denominator: Tensor): Tensor {
  return where(greater(denominator, 0), div(numerator, where(greater(denominator, 0), denominator, 1)), 0);
}

/**
 * true positives / (true positives + false positives), for 0/1 labels and predictions (0 when
 * nothing is predicted positive).
 * @example precision(tensor([1, 0, 1]), tensor([1, 1, 0])).item(); // 0.5
 */
export function precision(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const t = toFloat(yTrue, 'yTrue', 'precision');
  const p = toFloat(yPred, 'yPred', 'precision', t.dtype);
  const tp = count(t, 1, p, 1);
  return ratio(tp, add(tp, count(t, 0, p, 1)));
}

/**
 * true positives / (true positives + false negatives), for 0/1 labels and predictions (0 when
 * there is no positive label).
 * @example recall(tensor([1, 0, 1]), tensor([1, 1, 0])).item(); // 0.5
 */
export function recall(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const t = toFloat(yTrue, 'yTrue', 'recall');
  const p = toFloat(yPred, 'yPred', 'recall', t.dtype);
  const tp = count(t, 1, p, 1);
  return ratio(tp, add(tp, count(t, 1, p, 0)));
}

/**
 * The coefficient of determination, 1 - Σ(y - ŷ)² / Σ(y - mean(y))².
 * @example r2Score(tensor([1, 2, 3]), tensor([1, 2, 3])).item(); // 1
 */
export function r2Score(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const t = toFloat(yTrue, 'yTrue', 'r2Score');
  const p = toFloat(yPred, 'yPred', 'r2Score', t.dtype);
  const residual = sum(square(sub(t, p)));
  const total = sum(square(sub(t, mean(t))));
  return sub(1, div(residual, total));
}
