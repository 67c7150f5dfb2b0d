import { ValueError, fmtShape } from '../core/errors.js';
import { shapesEqual } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { add, div, equal, mul, sub } from '../ops/prims/binary.js';
import { checkValues } from '../ops/check.js';
import { range } from '../ops/creation.js';
import { expandDims } from '../ops/dims.js';
import { toFloat, toTensor, type TensorLike } from '../ops/convert.js';
import { logSoftmax } from '../ops/softmax.js';
import { mean } from '../ops/moments.js';
import { sum } from '../ops/prims/reduce.js';
import { cast, reshape } from '../ops/prims/shape_ops.js';
import { log, softplus } from '../ops/prims/unary.js';
import { EPSILON, clip, lastAxis, prepare } from './common.js';

/**
 * Binary crossentropy averaged over the last axis. Probabilities are clipped to [1e-7, 1 - 1e-7];
 * with `fromLogits` it is computed as `softplus(x) - x·y`, exact for any logit. `labelSmoothing`
 * moves targets towards 0.5: `y·(1 - s) + 0.5·s`.
 * @example binaryCrossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]) // [0.916, 0.714]
 */
export function binaryCrossentropy(
  yTrue: TensorLike,
  yPred: TensorLike,
  fromLogits = false,
  labelSmoothing = 0,
): Tensor {
  let [t, p] = prepare(yTrue, yPred, 'binaryCrossentropy');
  if (labelSmoothing) t = add(mul(t, 1 - labelSmoothing), 0.5 * labelSmoothing);
  if (fromLogits) return mean(sub(softplus(p), mul(p, t)), -1);
  const o = clip(p, EPSILON, 1 - EPSILON);
  return mean(mul(add(mul(t, log(o)), mul(sub(1, t), log(sub(1, o)))), -1), -1);
}

/**
 * Categorical crossentropy along `axis` for one-hot (or soft) targets. Probabilities are
 * renormalised to sum to 1 and clipped to [1e-7, 1 - 1e-7]; logits go through a stable
 * log-softmax. `labelSmoothing` mixes targets with the uniform distribution: `y·(1 - s) + s/classes`.
 * @example categoricalCrossentropy([[0, 1, 0]], [[0.05, 0.95, 0]]) // [0.0513]
 */
export function categoricalCrossentropy(
  yTrue: TensorLike,
  yPred: TensorLike,
  fromLogits = false,
  labelSmoothing = 0,
  axis = -1,
): Tensor {
  let [t, p] = prepare(yTrue, yPred, 'categoricalCrossentropy');
  const a = lastAxis(p, axis, 'categoricalCrossentropy');
  if (labelSmoothing) t = add(mul(t, 1 - labelSmoothing), labelSmoothing / t.shape[t.rank - 1]);
  const logProb = fromLogits ? logSoftmax(p, a) : log(clip(div(p, sum(p, a, true)), EPSILON, 1 - EPSILON));
  return mul(sum(mul(t, logProb), a), -1);
}

/**
 * Categorical crossentropy with integer class labels (shape [batch] or [batch, 1]; whole-number
 * floats are accepted). A label outside [0, numClasses) is an error naming the value.
 * @example sparseCategoricalCrossentropy([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]) // [0.0513, 2.303]
 */
export function sparseCategoricalCrossentropy(yTrue: TensorLike, yPred: TensorLike, fromLogits = false): Tensor {
  const loss = 'sparseCategoricalCrossentropy';
  const p = toFloat(yPred, 'yPred', loss);
  let t = toTensor(yTrue, 'yTrue', loss);
  const given = t.shape;
  if (p.rank < 1) throw new ValueError(`${loss}: yPred must have a class axis, got shape ${fmtShape(p.shape)}`);
  if (t.rank === p.rank && t.shape[t.rank - 1] === 1) t = reshape(t, t.shape.slice(0, -1));
  const classes = p.shape[p.rank - 1];
  if (!shapesEqual(t.shape, p.shape.slice(0, -1))) {
    throw new ValueError(
      `${loss}: yTrue must hold one integer label per sample, shaped ${fmtShape(p.shape.slice(0, -1))} or ${fmtShape([...p.shape.slice(0, -1), 1])} for yPred ${fmtShape(p.shape)}; got yTrue ${fmtShape(given)}`,
    );
  }
  checkValues(t, (labels) => {
    for (let i = 0; i < labels.length; i++) {
      const k = labels[i];
      if (!Number.isInteger(k) || k < 0 || k >= classes) {
        throw new ValueError(
          `${loss}: labels must be integers in [0, ${classes - 1}] (yPred has ${classes} classes), got ${k} at position ${i}`,
        );
      }
    }
  });
  // The one-hot targets on the backend (a label equals its class index), so the step reads nothing back.
  // Compared as float32 while every class index is exact in it: backends run float comparisons natively.
  const labels = classes <= 2 ** 24 ? cast(t, 'float32') : t;
  const target = cast(equal(expandDims(labels, -1), range(0, classes, 1, labels.dtype)), p.dtype);
  const logProb = fromLogits ? logSoftmax(p, -1) : log(clip(div(p, sum(p, -1, true)), EPSILON, 1 - EPSILON));
  return mul(sum(mul(target, logProb), -1), -1);
}

/**
 * Kullback-Leibler divergence `sum(y·log(y / p), -1)` with both clipped to [1e-7, 1].
 * @example kullbackLeiblerDivergence([[0.5, 0.5]], [[0.25, 0.75]]) // [0.1438]
 */
export function kullbackLeiblerDivergence(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t0, p0] = prepare(yTrue, yPred, 'kullbackLeiblerDivergence');
  const t = clip(t0, EPSILON, 1);
  const p = clip(p0, EPSILON, 1);
  return sum(mul(t, log(div(t, p))), -1);
}

/**
 * Poisson loss `mean(yPred - yTrue·log(yPred + 1e-7), -1)`.
 * @example poisson([[1]], [[Math.E]]) // [e - 1]
 */
export function poisson(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepare(yTrue, yPred, 'poisson');
  return mean(sub(p, mul(t, log(add(p, EPSILON)))), -1);
}
