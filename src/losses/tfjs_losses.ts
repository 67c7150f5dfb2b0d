/**
 * TF.js' `tf.losses.*`: element-wise losses reduced with optional weights, as in TF.js (and
 * TensorFlow 1's `tf.losses`). By default they average over the elements whose weight is not
 * zero, so each returns a scalar a custom training loop can minimize. The Keras losses (per
 * sample, for `compile`) are the classes and the other functions in `losses`.
 */
import { ValueError, fmtShape } from '../core/errors.js';
import { shapesEqual } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { toFloat, type TensorLike } from '../ops/convert.js';
import { ones } from '../ops/creation.js';
import { mean } from '../ops/moments.js';
import { add, div, minimum, mul, notEqual, sub } from '../ops/prims/binary.js';
import { cast } from '../ops/prims/shape_ops.js';
import { sum } from '../ops/prims/reduce.js';
import { abs, exp, log, log1p, neg, relu, square } from '../ops/prims/unary.js';
import { logSoftmax } from '../ops/softmax.js';

/** TF.js' `tf.Reduction`: how a `tf.losses` function reduces the weighted element losses. */
export const Reduction = {
  /** No reduction: the weighted losses, element by element. */
  NONE: 0,
  /** Sum of the weighted losses divided by the sum of the weights. */
  MEAN: 1,
  /** Sum of the weighted losses. */
  SUM: 2,
  /** Sum of the weighted losses divided by the number of non-zero weights (the default). */
  SUM_BY_NONZERO_WEIGHTS: 3,
} as const;

/** One of `Reduction`'s values. */
export type ReductionValue = (typeof Reduction)[keyof typeof Reduction];

function checkReductionValue(reduction: unknown, who: string): ReductionValue {
  if (reduction === 0 || reduction === 1 || reduction === 2 || reduction === 3) return reduction;
  throw new ValueError(
    `${who}: unknown reduction ${JSON.stringify(reduction)}; expected Reduction.NONE, MEAN, SUM or SUM_BY_NONZERO_WEIGHTS (0-3)`,
  );
}

function pair(
  labels: TensorLike,
  predictions: TensorLike,
  who: string,
  names = ['labels', 'predictions'],
): [Tensor, Tensor] {
  const p = toFloat(predictions, names[1], who);
  const l = toFloat(labels, names[0], who, p.dtype);
  if (!shapesEqual(l.shape, p.shape))
    throw new ValueError(
      `${who}: ${names[0]} ${fmtShape(l.shape)} and ${names[1]} ${fmtShape(p.shape)} must have the same shape`,
    );
  return [l, p];
}

/**
 * Weights `losses` and reduces them as TF.js' `computeWeightedLoss` does. Weights broadcast
 * against the losses (a scalar, one per sample, or one per element).
 * @example computeWeightedLoss(tensor([1, 2, 3]), tensor([1, 0, 1])).item(); // 2
 */
export function computeWeightedLoss(
  losses: TensorLike,
  weights?: TensorLike | null,
  reduction: ReductionValue = Reduction.SUM_BY_NONZERO_WEIGHTS,
): Tensor {
  const who = 'computeWeightedLoss';
  const l = toFloat(losses, 'losses', who);
  const r = checkReductionValue(reduction, who);
  const w = weights === undefined || weights === null ? null : toFloat(weights, 'weights', who, l.dtype);
  const weighted = w ? mul(l, w) : l;
  if (r === Reduction.NONE) return weighted;
  if (r === Reduction.SUM) return sum(weighted);
  if (r === Reduction.MEAN) {
    if (!w) return mean(weighted);
    const result = div(sum(weighted), sum(w));
    const broadcastFactor = l.size / w.size;
    return broadcastFactor > 1 ? div(result, broadcastFactor) : result;
  }
  if (!w) return div(sum(weighted), l.size);
  const nonZero = sum(cast(notEqual(mul(w, ones(l.shape, l.dtype)), 0), l.dtype));
  return div(sum(weighted), nonZero);
}

/**
 * |labels - predictions|, weighted and reduced (TF.js `losses.absoluteDifference`).
 * @example absoluteDifference(tensor([1, 2]), tensor([2, 4])).item(); // 1.5
 */
export function absoluteDifference(
  labels: TensorLike,
  predictions: TensorLike,
  weights?: TensorLike | null,
  reduction: ReductionValue = Reduction.SUM_BY_NONZERO_WEIGHTS,
): Tensor {
  const [l, p] = pair(labels, predictions, 'absoluteDifference');
  return computeWeightedLoss(abs(sub(l, p)), weights, reduction);
}

/**
 * (labels - predictions)², weighted and reduced: a scalar by default (TF.js
 * `losses.meanSquaredError`; the Keras per-sample form is `metrics.meanSquaredError`).
 * @example meanSquaredError(tensor([[1], [2]]), tensor([[2], [4]])).item(); // 2.5
 */
export function meanSquaredError(
  labels: TensorLike,
  predictions: TensorLike,
  weights?: TensorLike | null,
  reduction: ReductionValue = Reduction.SUM_BY_NONZERO_WEIGHTS,
): Tensor {
  const [l, p] = pair(labels, predictions, 'meanSquaredError');
  return computeWeightedLoss(square(sub(l, p)), weights, reduction);
}

/**
 * Huber loss per element (quadratic within `delta`, linear beyond), weighted and reduced.
 * @example huberLoss(tensor([0, 0]), tensor([0.5, 3])).item(); // (0.125 + 2.5) / 2
 */
export function huberLoss(
  labels: TensorLike,
  predictions: TensorLike,
  weights?: TensorLike | null,
  delta = 1,
  reduction: ReductionValue = Reduction.SUM_BY_NONZERO_WEIGHTS,
): Tensor {
  const [l, p] = pair(labels, predictions, 'huberLoss');
  const error = abs(sub(p, l));
  const quadratic = minimum(error, delta);
  const linear = sub(error, quadratic);
  return computeWeightedLoss(add(mul(square(quadratic), 0.5), mul(linear, delta)), weights, reduction);
}

/**
 * Binary log loss of probabilities: -y·log(p + ε) - (1 - y)·log(1 - p + ε), weighted and reduced.
 * @example logLoss(tensor([1, 0]), tensor([0.9, 0.2]));
 */
export function logLoss(
  labels: TensorLike,
  predictions: TensorLike,
  weights?: TensorLike | null,
  epsilon = 1e-7,
  reduction: ReductionValue = Reduction.SUM_BY_NONZERO_WEIGHTS,
): Tensor {
  const [l, p] = pair(labels, predictions, 'logLoss');
  const positive = mul(neg(l), log(add(p, epsilon)));
  const negative = mul(sub(1, l), log(add(sub(1, p), epsilon)));
  return computeWeightedLoss(sub(positive, negative), weights, reduction);
}

/**
 * 1 - Σ labels·predictions along `axis` (inputs expected unit-normalized), weighted and reduced.
 * @example cosineDistance(tensor([[0, 1]]), tensor([[0, 1]]), 1).item(); // 0
 */
export function cosineDistance(
  labels: TensorLike,
  predictions: TensorLike,
  axis: number,
  weights?: TensorLike | null,
  reduction: ReductionValue = Reduction.SUM_BY_NONZERO_WEIGHTS,
): Tensor {
  const [l, p] = pair(labels, predictions, 'cosineDistance');
  return computeWeightedLoss(sub(1, sum(mul(l, p), axis, true)), weights, reduction);
}

/**
 * Hinge loss of labels in {0, 1} (mapped to ±1) and raw scores: relu(1 - y·s), weighted and reduced.
 * @example hingeLoss(tensor([1, 0]), tensor([0.5, -2])).item(); // 0.25
 */
export function hingeLoss(
  labels: TensorLike,
  predictions: TensorLike,
  weights?: TensorLike | null,
  reduction: ReductionValue = Reduction.SUM_BY_NONZERO_WEIGHTS,
): Tensor {
  const [l, p] = pair(labels, predictions, 'hingeLoss');
  const signed = sub(mul(l, 2), 1);
  return computeWeightedLoss(relu(sub(1, mul(signed, p))), weights, reduction);
}

/**
 * Sigmoid cross-entropy of logits against labels in [0, 1] (optionally smoothed towards 0.5),
 * computed stably as relu(x) - x·y + log(1 + exp(-|x|)), weighted and reduced.
 * @example sigmoidCrossEntropy(tensor([[1, 0]]), tensor([[2, -1]]));
 */
export function sigmoidCrossEntropy(
  multiClassLabels: TensorLike,
  logits: TensorLike,
  weights?: TensorLike | null,
  labelSmoothing = 0,
  reduction: ReductionValue = Reduction.SUM_BY_NONZERO_WEIGHTS,
): Tensor {
  let [l, x] = pair(multiClassLabels, logits, 'sigmoidCrossEntropy', ['multiClassLabels', 'logits']);
  if (labelSmoothing > 0) l = add(mul(l, 1 - labelSmoothing), 0.5 * labelSmoothing);
  const perElement = add(sub(relu(x), mul(x, l)), log1p(exp(neg(abs(x)))));
  return computeWeightedLoss(perElement, weights, reduction);
}

/**
 * Softmax cross-entropy of logits [batch, classes] against one-hot labels (optionally smoothed
 * towards uniform), one loss per sample, weighted and reduced.
 * @example softmaxCrossEntropy(tensor([[0, 1]]), tensor([[1, 3]]));
 */
export function softmaxCrossEntropy(
  onehotLabels: TensorLike,
  logits: TensorLike,
  weights?: TensorLike | null,
  labelSmoothing = 0,
  reduction: ReductionValue = Reduction.SUM_BY_NONZERO_WEIGHTS,
): Tensor {
  let [l, x] = pair(onehotLabels, logits, 'softmaxCrossEntropy', ['onehotLabels', 'logits']);
  if (labelSmoothing > 0) {
    const classes = x.shape[x.rank - 1];
    l = add(mul(l, 1 - labelSmoothing), labelSmoothing / classes);
  }
  const perSample = neg(sum(mul(l, logSoftmax(x, -1)), -1));
  return computeWeightedLoss(perSample, weights, reduction);
}
