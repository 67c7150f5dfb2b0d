import type { Tensor } from '../core/tensor.js';
import { add, div, greater, lessEqual, maximum, minimum, mul, sub, where } from '../ops/prims/binary.js';
import type { TensorLike } from '../ops/convert.js';
import { mean } from '../ops/moments.js';
import { sum } from '../ops/prims/reduce.js';
import { abs, log, rsqrt, softplus, square } from '../ops/prims/unary.js';
import { EPSILON, lastAxis, prepare } from './common.js';

/**
 * `mean(square(yTrue - yPred), -1)` per sample.
 * @example meanSquaredError([[0, 1]], [[1, 1]]) // [0.5]
 */
export function meanSquaredError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepare(yTrue, yPred, 'meanSquaredError');
  return mean(square(sub(t, p)), -1);
}

/**
 * `mean(abs(yTrue - yPred), -1)` per sample.
 * @example meanAbsoluteError([[0, 1]], [[1, 1]]) // [0.5]
 */
export function meanAbsoluteError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepare(yTrue, yPred, 'meanAbsoluteError');
  return mean(abs(sub(t, p)), -1);
}

/**
 * `100 * mean(abs((yTrue - yPred) / max(abs(yTrue), 1e-7)), -1)` per sample.
 * @example meanAbsolutePercentageError([[2, 4]], [[1, 4]]) // [25]
 */
export function meanAbsolutePercentageError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepare(yTrue, yPred, 'meanAbsolutePercentageError');
  return mul(mean(abs(div(sub(t, p), maximum(abs(t), EPSILON))), -1), 100);
}

/**
 * `mean(square(log(max(yPred, 1e-7) + 1) - log(max(yTrue, 1e-7) + 1)), -1)` per sample.
 * @example meanSquaredLogarithmicError([[0]], [[Math.E - 1]]) // [1]
 */
export function meanSquaredLogarithmicError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepare(yTrue, yPred, 'meanSquaredLogarithmicError');
  return mean(square(sub(log(add(maximum(p, EPSILON), 1)), log(add(maximum(t, EPSILON), 1)))), -1);
}

/**
 * Huber loss: `0.5·x²` where |x| <= delta, `delta·|x| - 0.5·delta²` elsewhere (x = yPred - yTrue),
 * averaged over the last axis.
 * @example huber([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]) // [0.18, 0.13]
 */
export function huber(yTrue: TensorLike, yPred: TensorLike, delta = 1): Tensor {
  const [t, p] = prepare(yTrue, yPred, 'huber');
  const error = sub(p, t);
  const absError = abs(error);
  return mean(
    where(lessEqual(absError, delta), mul(square(error), 0.5), sub(mul(absError, delta), 0.5 * delta * delta)),
    -1,
  );
}

/**
 * `mean(log(cosh(yPred - yTrue)), -1)`, computed as `x + softplus(-2x) - log 2` so large errors
 * do not overflow.
 * @example logCosh([[0, 1]], [[1, 1]]) // [0.2169]
 */
export function logCosh(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepare(yTrue, yPred, 'logCosh');
  const x = sub(p, t);
  return mean(sub(add(x, softplus(mul(x, -2))), Math.LN2), -1);
}

/** `x / max(norm(x), 1e-7)` along `axis`, with no NaN gradient at a zero vector. */
function l2Normalize(x: Tensor, axis: number): Tensor {
  const squareSum = sum(square(x), axis, true);
  const big = greater(squareSum, EPSILON * EPSILON);
  const inverseNorm = where(big, minimum(rsqrt(where(big, squareSum, 1)), 1 / EPSILON), 1 / EPSILON);
  return mul(x, inverseNorm);
}

/**
 * The negative cosine similarity along `axis`: -1 for parallel vectors, 0 when either is zero.
 * @example cosineSimilarity([[0, 1], [1, 1]], [[1, 0], [1, 1]]) // [-0, -1]
 */
export function cosineSimilarity(yTrue: TensorLike, yPred: TensorLike, axis = -1): Tensor {
  const [t, p] = prepare(yTrue, yPred, 'cosineSimilarity');
  const a = lastAxis(p, axis, 'cosineSimilarity');
  return mul(sum(mul(l2Normalize(t, a), l2Normalize(p, a)), a), -1);
}
