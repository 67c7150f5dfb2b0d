export {
  Callback,
  CustomCallback,
  CallbackList,
  type Logs,
  type TrainingParams,
  type CustomCallbackArgs,
} from '../training/callback.js';
export { EarlyStopping, earlyStopping, type EarlyStoppingArgs } from './early_stopping.js';
export {
  ReduceLROnPlateau,
  reduceLROnPlateau,
  LearningRateScheduler,
  learningRateScheduler,
  type ReduceLROnPlateauArgs,
} from './learning_rate.js';
export { CsvLogger, csvLogger, type CsvLoggerArgs } from './csv_logger.js';
export { PlotLogger, plotLogger, type PlotLoggerArgs } from './plot_logger.js';
export { TerminateOnNaN, terminateOnNaN } from './terminate_on_nan.js';
export {
  ModelCheckpoint,
  modelCheckpoint,
  formatCheckpointPath,
  type ModelCheckpointArgs,
} from './model_checkpoint.js';
