import { noGrad } from '../autograd/gradients.js';
import { ValueError, fmtShape } from '../core/errors.js';
import { shapesEqual } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { broadcastTo } from '../ops/prims/binary.js';
import { toFloat, type TensorLike } from '../ops/convert.js';
import { sigmoid } from '../ops/prims/unary.js';
import { reshape } from '../ops/prims/shape_ops.js';
import { squeezeOrExpand } from '../losses/common.js';

/** Confusion counts per threshold. */
export interface ConfusionCounts {
  tp: Float64Array;
  fp: Float64Array;
  tn: Float64Array;
  fn: Float64Array;
}

export function emptyCounts(n: number): ConfusionCounts {
  return { tp: new Float64Array(n), fp: new Float64Array(n), tn: new Float64Array(n), fn: new Float64Array(n) };
}

export interface ConfusionOptions {
  thresholds: readonly number[];
  /** Keep only the k largest predictions of each row (the rest count as negative). */
  topK?: number | null;
  /** Look only at this class of the last axis. */
  classId?: number | null;
  fromLogits?: boolean;
  /** Labels count as positive when non-zero (Precision/Recall) or by their value y and 1 - y (AUC). */
  numericLabels?: boolean;
}

/**
 * Keras' `update_confusion_matrix_variables`: a prediction is positive at a threshold when
 * strictly greater than it; every element is weighted by its (broadcast) sample weight.
 */
export function accumulateConfusion(
  counts: ConfusionCounts,
  yTrue: TensorLike,
  yPred: TensorLike,
  sampleWeight: TensorLike | null | undefined,
  opts: ConfusionOptions,
  metric: string,
): void {
  noGrad(() => {
    let p = toFloat(yPred, 'yPred', metric);
    if (opts.fromLogits) p = sigmoid(p);
    let t = toFloat(yTrue, 'yTrue', metric);
    [p, t] = squeezeOrExpand(p, t);
    if (!shapesEqual(p.shape, t.shape))
      throw new ValueError(
        `${metric}: yTrue and yPred must have the same shape, got yTrue ${fmtShape(t.shape)} and yPred ${fmtShape(p.shape)}`,
      );
    let w: Tensor | null = null;
    if (sampleWeight !== undefined && sampleWeight !== null) {
      [p, w] = squeezeOrExpand(p, toFloat(sampleWeight, 'sampleWeight', metric));
      // Per-sample weights [batch] weight every element of the sample's row.
      if (w.rank > 0 && w.rank < p.rank) w = reshape(w, [...w.shape, ...new Array<number>(p.rank - w.rank).fill(1)]);
      try {
        w = broadcastTo(w, p.shape);
      } catch {
        throw new ValueError(
          `${metric}: sampleWeight of shape ${fmtShape(w.shape)} does not broadcast to yPred ${fmtShape(p.shape)}`,
        );
      }
    }
    const preds = Float64Array.from(p.dataSync());
    const labels = t.dataSync();
    const weights = w ? w.dataSync() : null;
    for (let i = 0; i < preds.length; i++) {
      if (!(preds[i] >= 0 && preds[i] <= 1)) {
        throw new ValueError(
          `${metric}: predictions must be probabilities in [0, 1], got ${preds[i]} at position ${i}${opts.fromLogits ? '' : ' (pass fromLogits: true for logits)'}`,
        );
      }
    }
    const classes = p.shape[p.rank - 1] ?? 1;
    if (opts.topK) filterTopK(preds, classes, opts.topK);
    const { thresholds } = opts;
    for (let i = 0; i < preds.length; i++) {
      if (opts.classId !== null && opts.classId !== undefined && i % classes !== opts.classId) continue;
      const weight = weights ? weights[i] : 1;
      const pos = opts.numericLabels ? labels[i] * weight : labels[i] !== 0 ? weight : 0;
      const neg = opts.numericLabels ? (1 - labels[i]) * weight : labels[i] !== 0 ? 0 : weight;
      for (let k = 0; k < thresholds.length; k++) {
        if (preds[i] > thresholds[k]) {
          counts.tp[k] += pos;
          counts.fp[k] += neg;
        } else {
          counts.fn[k] += pos;
          counts.tn[k] += neg;
        }
      }
    }
  });
}

/** Keeps the k largest values of each row; the others become -Infinity (never positive). */
function filterTopK(values: Float64Array, classes: number, k: number): void {
  for (let r = 0; r < values.length; r += classes) {
    const row = Array.from(values.subarray(r, r + classes), (v, j) => [v, j] as const).sort(
      (a, b) => b[0] - a[0] || a[1] - b[1],
    );
    for (let j = k; j < row.length; j++) values[r + row[j][1]] = -Infinity;
  }
}
