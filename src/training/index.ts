/**
 * The trainer: compile, fit, evaluate, predict, written once against `TrainableModel`.
 * `LayersModel` methods delegate here.
 */
export type { TrainableModel } from './trainable_model.js';
export type * from './types.js';
export { compileModel, type CompiledState } from './compile.js';
export { fitModel, fitDatasetModel, trainOnBatchModel, TrainingError } from './fit.js';
export { evaluateModel, evaluateDatasetModel, predictModel } from './evaluate.js';
export { releaseInferenceCaptures } from './replay_predict.js';
export { History } from './history.js';
export {
  OPTIMIZER_NAMES,
  LOSS_NAMES,
  METRIC_NAMES,
  type OptimizerName,
  type LossName,
  type MetricName,
  type OptimizerIdentifier,
  type LossIdentifier,
  type MetricIdentifier,
  type LossFn,
} from './names.js';
export { ProgressLogger, formatLogs } from './progress.js';
