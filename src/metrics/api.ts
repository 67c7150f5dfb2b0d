/** Everything the metrics package exports; `index.ts` also groups it as the `metrics` namespace. */
export { Metric, type MetricFunction } from './metric.js';
export { MeanMetricWrapper, RunningMean } from './mean_metric.js';
export * from './wrapped.js';
export { Precision, Recall, type PrecisionRecallArgs } from './precision_recall.js';
export { AUC, type AUCArgs } from './auc.js';
export {
  binaryAccuracy,
  categoricalAccuracy,
  sparseCategoricalAccuracy,
  topKCategoricalAccuracy,
  sparseTopKCategoricalAccuracy,
} from './accuracy.js';
export { getMetric, serializeMetric, METRIC_NAMES, type MetricContext, type MetricConfig } from './registry.js';
// Per-sample functions, as TF.js `metrics.*` offers them.
export {
  meanSquaredError,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredLogarithmicError,
  meanSquaredError as mse,
  meanAbsoluteError as mae,
  meanAbsolutePercentageError as mape,
  meanSquaredLogarithmicError as msle,
  cosineSimilarity,
  huber,
  logCosh,
} from '../losses/regression.js';
export {
  binaryCrossentropy,
  categoricalCrossentropy,
  sparseCategoricalCrossentropy,
  kullbackLeiblerDivergence,
  poisson,
} from '../losses/probabilistic.js';
export { hinge, squaredHinge, categoricalHinge } from '../losses/hinge.js';
