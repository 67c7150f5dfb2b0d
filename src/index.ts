/**
 * Myelin: deep learning in TypeScript. Tensors with reverse-mode autodiff, a Keras-style layers
 * API, training with optimizers, losses, metrics and callbacks, and shipped datasets.
 *
 * @example
 * import * as my from 'myelin';
 * const model = my.sequential({ layers: [
 *   my.layers.dense({ units: 10, activation: 'relu', inputShape: [13] }),
 *   my.layers.dense({ units: 1 }),
 * ] });
 * model.compile({ optimizer: 'adam', loss: 'mse', metrics: ['mae'] });
 */
import { registerBackend } from './backend/registry.js';
import { RefBackend } from './backends/ref/index.js';

registerBackend('ref', () => new RefBackend());

// Tensors, backends, autodiff.
export { Tensor, type NestedArray } from './core/tensor.js';
export { Variable, variable } from './core/variable.js';
export { type DType, getFloatX, setFloatX } from './core/dtype.js';
export { setSeed } from './core/rng.js';
export { MyelinError, ValueError, StateError } from './core/errors.js';
export { setBackend, getBackend, listBackends, registerBackend } from './backend/registry.js';
export type { Backend } from './backend/backend.js';
export * from './ops/index.js';
export { grad, grads, valueAndGrad, valueAndGrads, variableGrads, noGrad } from './autograd/gradients.js';
export { getActivation, serializeActivation, listActivations, type Activation, type ActivationIdentifier } from './activations/index.js';
export { tidy, dispose, keep, memory, type MemoryInfo, type TensorContainer } from './core/memory.js';

// Layers and models.
export { layers, Layer, SymbolicTensor, registerLayer, type LayerArgs, type CallArgs, type Shape } from './layers/index.js';
export { LayersModel, Sequential, sequential, model, input, modelFromConfig, type ModelArgs, type SequentialArgs, type InputArgs } from './models/index.js';
export { linearRegression, logisticRegression, type LinearRegressionArgs, type LogisticRegressionArgs } from './models/regression.js';
export { initializers, Initializer, getInitializer } from './initializers/index.js';
export { regularizers, Regularizer, getRegularizer } from './regularizers/index.js';
export { constraints, Constraint, getConstraint } from './constraints/index.js';

// Training.
export { optimizers, Optimizer, getOptimizer, train, schedules, LearningRateSchedule } from './optimizers/index.js';
export { losses, Loss, getLoss } from './losses/index.js';
export { metrics, Metric, getMetric } from './metrics/index.js';
export * as callbacks from './callbacks/index.js';
export { Callback, CustomCallback, type Logs, type CustomCallbackArgs } from './callbacks/index.js';
export {
  History, TrainingError, ProgressLogger,
  type CompileArgs, type FitArgs, type EvaluateArgs, type PredictArgs, type FitDatasetArgs, type ModelData, type BatchDataset, type TrainableModel,
} from './training/index.js';

// Data.
export { datasets, loadCsv, parseCsv, standardScaler, minMaxScaler, StandardScaler, MinMaxScaler, trainTestSplit, arrayDataset } from './data/index.js';
