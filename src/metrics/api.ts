/** Everything the metrics package exports; `index.ts` also groups it as the `metrics` namespace. */
export { Metric, registerMetric, metricRegistry, type MetricFunction } from './metric.js';
export { MeanMetricWrapper, RunningMean, registerMetricFunction } from './mean_metric.js';
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
export { getMetric, serializeMetric, type MetricContext, type MetricConfig } from './registry.js';
import { metricRegistry } from './metric.js';

/** Every name `getMetric` lists in its errors (the built-in metrics). */
export const METRIC_NAMES: readonly string[] = metricRegistry.names();
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
  meanSquaredError as MSE,
  meanAbsoluteError as MAE,
  meanAbsolutePercentageError as MAPE,
  cosineSimilarity,
  cosineSimilarity as cosineProximity,
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
export { precision, recall, r2Score } from './tfjs_functions.js';
