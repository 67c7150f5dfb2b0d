import { meanAbsoluteError, meanSquaredError } from '../../losses/regression.js';
import { categoricalAccuracy, sparseCategoricalAccuracy } from '../../metrics/accuracy.js';
import { MeanMetricWrapper } from '../../metrics/mean_metric.js';
import type { Metric } from '../../metrics/metric.js';
import type { ArrayMetricUpdate } from './dense_step.js';

/**
 * Per-sample metric values on plain arrays, for metrics that are running means of a known
 * function (Keras `MeanMetricWrapper`): returns the batch's sum of per-sample values. Any other
 * metric is fed tensors of the batch instead (see dense_step.ts), so every metric works.
 */
type SampleSum = (t: Float64Array, p: Float64Array, rows: number, cols: number) => number;

function rowArgMax(x: Float64Array, o: number, cols: number): number {
  let best = 0;
  for (let j = 1; j < cols; j++) if (x[o + j] > x[o + best]) best = j;
  return best;
}

const rowMeans =
  (f: (d: number) => number): SampleSum =>
  (t, p, rows, cols) => {
    let total = 0;
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let j = r * cols, e = j + cols; j < e; j++) s += f(p[j] - t[j]);
      total += s / cols;
    }
    return total;
  };

const BY_FUNCTION = new Map<unknown, SampleSum>([
  [meanSquaredError, rowMeans((d) => d * d)],
  [meanAbsoluteError, rowMeans(Math.abs)],
  [
    categoricalAccuracy,
    (t, p, rows, cols) => {
      let hits = 0;
      for (let r = 0; r < rows; r++) if (rowArgMax(t, r * cols, cols) === rowArgMax(p, r * cols, cols)) hits++;
      return hits;
    },
  ],
  [
    sparseCategoricalAccuracy,
    (t, p, rows, cols) => {
      let hits = 0;
      for (let r = 0; r < rows; r++) if (t[r] === rowArgMax(p, r * cols, cols)) hits++;
      return hits;
    },
  ],
]);

/** A metric update from arrays, or null when the metric must be fed tensors. */
export function hostMetric(metric: Metric): ArrayMetricUpdate | null {
  if (!(metric instanceof MeanMetricWrapper)) return null;
  // Only the known per-sample functions: a subclass's own function (RootMeanSquaredError's) is fed tensors.
  const sampleSum = BY_FUNCTION.get(metric.fn);
  if (!sampleSum) return null;
  return (t, p, rows, cols) => {
    metric.mean.total += sampleSum(t, p, rows, cols);
    metric.mean.count += rows;
  };
}
