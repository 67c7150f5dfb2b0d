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
import { registerWasmBackend, useDefaultBackend } from './backends/wasm/register.js';
import { setBackend } from './backend/registry.js';

registerBackend('ref', () => new RefBackend());
registerWasmBackend();
// MYELIN_BACKEND=ref|wasm picks the backend for a whole process (e.g. to run the tests on either).
const requestedBackend = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
  ?.MYELIN_BACKEND;
// Otherwise the wasm backend where it loads, the reference one where it cannot.
if (requestedBackend) setBackend(requestedBackend);
else useDefaultBackend();

// Tensors, backends, autodiff.
export { Tensor, type NestedArray } from './core/tensor.js';
export { Variable, variable } from './core/variable.js';
export { type DType, getFloatX, setFloatX } from './core/dtype.js';
export { setSeed } from './core/rng.js';
export { MyelinError, ValueError, StateError } from './core/errors.js';
export { setBackend, getBackend, listBackends, registerBackend, withBackend } from './backend/registry.js';
export type { Backend } from './backend/backend.js';
export {
  registerWasmBackend,
  setThreadCount,
  initWasmBackend,
  useDefaultBackend,
  wasmSimdSupported,
  ready,
  backendInfo,
  type BackendInfo,
  type WasmBackendUrls,
} from './backends/wasm/register.js';
export { NodeOnlyError } from './core/platform.js';
export { initWebGPU, webgpuBackend } from './backends/webgpu/register.js';
export { WebGPUBackend } from './backends/webgpu/index.js';
export type { GpuDevice } from './backends/webgpu/gpu_types.js';
export * from './ops/index.js';
export { grad, grads, valueAndGrad, valueAndGrads, variableGrads, noGrad } from './autograd/gradients.js';
export {
  getActivation,
  serializeActivation,
  listActivations,
  type Activation,
  type ActivationIdentifier,
} from './activations/index.js';
export { tidy, dispose, keep, memory, type MemoryInfo, type TensorContainer } from './core/memory.js';

// Layers and models.
export { layers } from './layers/tfjs_layers.js';
export {
  Layer,
  SymbolicTensor,
  registerLayer,
  deserializeLayer,
  serializeLayer,
  type LayerArgs,
  type CallArgs,
  type Shape,
} from './layers/index.js';
export {
  LayersModel,
  Sequential,
  sequential,
  model,
  input,
  modelFromConfig,
  type ModelArgs,
  type SequentialArgs,
  type InputArgs,
} from './models/index.js';
export * as models from './models/builders.js';
export { generate, generateStream, type GenerateOptions, type Tokenizer } from './models/generate.js';
export {
  linearRegression,
  logisticRegression,
  type LinearRegressionArgs,
  type LogisticRegressionArgs,
} from './models/regression.js';
export { initializers, Initializer, getInitializer } from './initializers/index.js';
export { regularizers, Regularizer, getRegularizer } from './regularizers/index.js';
export { constraints, Constraint, getConstraint } from './constraints/index.js';

// Custom classes, registered by name for every kind so that names and saved configs resolve to them.
export { serialization, registerClass } from './core/registry.js';
export type { Config, SerializedObject } from './core/config.js';
export { registerLayerClass } from './layers/index.js';
export { registerActivation } from './activations/index.js';
export { registerInitializer } from './initializers/registry.js';
export { registerRegularizer } from './regularizers/registry.js';
export { registerConstraint } from './constraints/registry.js';
export { registerOptimizer } from './optimizers/index.js';
export { registerLoss } from './losses/index.js';
export { registerMetric, registerMetricFunction } from './metrics/index.js';

// Training.
export { optimizers, Optimizer, getOptimizer, train, schedules, LearningRateSchedule } from './optimizers/index.js';
export { losses, Loss, getLoss } from './losses/index.js';
export { metrics, Metric, getMetric } from './metrics/index.js';
export * as callbacks from './callbacks/index.js';
export { Callback, CustomCallback, type Logs, type CustomCallbackArgs } from './callbacks/index.js';
export {
  History,
  TrainingError,
  ProgressLogger,
  type CompileArgs,
  type FitArgs,
  type EvaluateArgs,
  type PredictArgs,
  type FitDatasetArgs,
  type ModelData,
  type BatchDataset,
  type TrainableModel,
  type OptimizerName,
  type LossName,
  type MetricName,
  type OptimizerIdentifier,
  type LossIdentifier,
  type MetricIdentifier,
} from './training/index.js';

// Saving and loading.
export { saveModel, loadModel, loadModelWithState, resumeFromCheckpoint, fetchModel } from './io/model_files.js';
export {
  saveToBuffers,
  loadFromBuffers,
  type SaveOptions,
  type ModelFiles,
  type TrainingState,
  type ModelJson,
  type LoadedModel,
} from './io/native.js';
export { encodeSafetensors, decodeSafetensors, type NamedTensor } from './io/safetensors.js';
export {
  toTfjsFiles,
  fromTfjsFiles,
  saveTfjsModel,
  loadTfjsModel,
  type TfjsFiles,
  type TfjsModelJson,
} from './io/tfjs_format.js';
export { FileFormatError } from './io/format_error.js';
export { WriteError } from './io/atomic_write.js';
export type { LoadOptions } from './io/load_limits.js';
export { MAX_LAYERS } from './layers/limits.js';
export { loadKerasModel, loadKerasWeights, type KerasSource, type KerasLoadOptions } from './io/keras_format.js';
export { exportOnnx, saveOnnx, onnxSupportedLayers, ONNX_OPSET } from './io/onnx_export.js';

// Data.
export {
  datasets,
  loadCsv,
  parseCsv,
  readCsvTable,
  takeRows,
  standardScaler,
  minMaxScaler,
  StandardScaler,
  MinMaxScaler,
  trainTestSplit,
  arrayDataset,
} from './data/index.js';

// Text: vectorization, padding, sampling, and the text datasets.
export * as text from './text/index.js';
export {
  tinyShakespeare,
  sentimentSentences,
  type TinyShakespeareData,
  type SentimentData,
  type SentimentSource,
} from './data/text_datasets.js';

// The rest of TF.js' surface: tf.util, tf.nextFrame, tf.Reduction, tf.data and TF.js' type names.
export { util, nextFrame } from './core/util.js';
export { loadLayersModel, type LoadLayersModelOptions } from './io/model_urls.js';
export { io } from './io/tfjs_io.js';
export type { ModelArtifacts, SaveResult, SaveHandler, LoadHandler } from './io/tfjs_artifacts.js';
export { Reduction } from './losses/tfjs_losses.js';
export {
  data,
  Dataset,
  CSVDataset,
  type CsvConfig,
  type ColumnConfig,
  type LazyIterator,
} from './data/pipeline/index.js';
export type {
  Scalar,
  Tensor1D,
  Tensor2D,
  Tensor3D,
  Tensor4D,
  Tensor5D,
  Tensor6D,
  Rank,
  LayerVariable,
} from './core/tfjs_types.js';
