import type { Loss } from '../../losses/loss.js';
import { EPSILON } from '../../losses/common.js';

/**
 * Losses of the fused dense step, on plain arrays. `samples` returns the sum over the batch of
 * each sample's loss and writes into `grad` the derivative of each sample's loss with respect to
 * the predictions; the caller applies the reduction ('sum_over_batch_size': divide by rows).
 * Targets `t` have `targetCols` values a row (1 for sparse labels). Each follows the eager loss of
 * the same class (src/losses), which the tests use as the oracle.
 */
export interface HostLoss {
  readonly targetCols: (outputCols: number) => number;
  samples(t: Float64Array, p: Float64Array, grad: Float64Array, rows: number, cols: number): number;
}

// The eager losses clip in float32, so the bounds are the float32 values of eps and 1 - eps.
const LO = Math.fround(EPSILON);
const HI = Math.fround(1 - EPSILON);
const clipped = (x: number): number => (x < LO ? LO : x > HI ? HI : x);
const inRange = (x: number): boolean => x >= LO && x <= HI;

const sameShape = (cols: number): number => cols;

const meanSquared: HostLoss = {
  targetCols: sameShape,
  samples(t, p, grad, rows, cols) {
    let total = 0;
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let j = r * cols, e = j + cols; j < e; j++) {
        const d = p[j] - t[j];
        s += d * d;
        grad[j] = (2 * d) / cols;
      }
      total += s / cols;
    }
    return total;
  },
};

const meanAbsolute: HostLoss = {
  targetCols: sameShape,
  samples(t, p, grad, rows, cols) {
    let total = 0;
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let j = r * cols, e = j + cols; j < e; j++) {
        const d = p[j] - t[j];
        s += Math.abs(d);
        grad[j] = Math.sign(d) / cols;
      }
      total += s / cols;
    }
    return total;
  },
};

function binaryCrossentropy(fromLogits: boolean, labelSmoothing: number): HostLoss {
  return {
    targetCols: sameShape,
    samples(t, p, grad, rows, cols) {
      let total = 0;
      for (let r = 0; r < rows; r++) {
        let s = 0;
        for (let j = r * cols, e = j + cols; j < e; j++) {
          const y = labelSmoothing ? t[j] * (1 - labelSmoothing) + 0.5 * labelSmoothing : t[j];
          const x = p[j];
          if (fromLogits) {
            s += Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))) - x * y;
            grad[j] = (1 / (1 + Math.exp(-x)) - y) / cols;
          } else {
            const o = clipped(x);
            s -= y * Math.log(o) + (1 - y) * Math.log(1 - o);
            grad[j] = inRange(x) ? -(y / o - (1 - y) / (1 - o)) / cols : 0;
          }
        }
        total += s / cols;
      }
      return total;
    },
  };
}

/**
 * Crossentropy over the classes of each row against `target(r, j)`. On probabilities the row is
 * first normalised to sum 1 and clipped, as Keras does; on logits it is a log-softmax.
 */
function crossentropy(
  fromLogits: boolean,
  target: (t: Float64Array, r: number, j: number, cols: number) => number,
  targetCols: (cols: number) => number,
): HostLoss {
  return {
    targetCols,
    samples(t, p, grad, rows, cols) {
      let total = 0;
      for (let r = 0; r < rows; r++) {
        const o = r * cols;
        if (fromLogits) {
          let max = -Infinity;
          for (let j = 0; j < cols; j++) if (p[o + j] > max) max = p[o + j];
          let sumExp = 0;
          for (let j = 0; j < cols; j++) sumExp += Math.exp(p[o + j] - max);
          const logSumExp = max + Math.log(sumExp);
          let targetSum = 0;
          for (let j = 0; j < cols; j++) {
            const y = target(t, r, j, cols);
            targetSum += y;
            total -= y * (p[o + j] - logSumExp);
          }
          for (let j = 0; j < cols; j++)
            grad[o + j] = Math.exp(p[o + j] - logSumExp) * targetSum - target(t, r, j, cols);
        } else {
          let sum = 0;
          for (let j = 0; j < cols; j++) sum += p[o + j];
          // d loss / d q_j for q = p / sum, zero where the clip is active; then through the division.
          let weighted = 0;
          for (let j = 0; j < cols; j++) {
            const q = p[o + j] / sum;
            const y = target(t, r, j, cols);
            total -= y * Math.log(clipped(q));
            const dq = inRange(q) ? -y / clipped(q) : 0;
            grad[o + j] = dq;
            weighted += dq * p[o + j];
          }
          for (let j = 0; j < cols; j++) grad[o + j] = grad[o + j] / sum - weighted / (sum * sum);
        }
      }
      return total;
    },
  };
}

/** The fused step's version of `loss`, or a reason why it has none. */
export function hostLoss(loss: Loss): HostLoss | string {
  if (loss.reduction !== 'sum_over_batch_size')
    return `loss '${loss.name}' uses reduction '${loss.reduction}' (only 'sum_over_batch_size' is fused)`;
  const l = loss as Loss & { fromLogits?: boolean; labelSmoothing?: number; axis?: number };
  switch (loss.className) {
    case 'MeanSquaredError':
      return meanSquared;
    case 'MeanAbsoluteError':
      return meanAbsolute;
    case 'BinaryCrossentropy':
      return binaryCrossentropy(!!l.fromLogits, l.labelSmoothing ?? 0);
    case 'CategoricalCrossentropy': {
      if (l.axis !== undefined && l.axis !== -1)
        return `loss '${loss.name}' reduces over axis ${l.axis} (only the last axis is fused)`;
      const smoothing = l.labelSmoothing ?? 0;
      return crossentropy(
        !!l.fromLogits,
        (t, r, j, cols) => (smoothing ? t[r * cols + j] * (1 - smoothing) + smoothing / cols : t[r * cols + j]),
        sameShape,
      );
    }
    case 'SparseCategoricalCrossentropy':
      return crossentropy(
        !!l.fromLogits,
        (t, r, j) => (t[r] === j ? 1 : 0),
        () => 1,
      );
    default:
      return `loss '${loss.name}' (${loss.className}) has no fused form (fused: MeanSquaredError, MeanAbsoluteError, BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy)`;
  }
}
