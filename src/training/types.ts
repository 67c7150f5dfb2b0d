import { optionKeys } from '../core/options.js';
import type { Callback, CustomCallbackArgs } from './callback.js';
import type { Tensor } from '../core/tensor.js';
import type { SampleWeightData } from './weights.js';
import type { YieldEvery } from './yield.js';
import type { LossIdentifier, MetricIdentifier, OptimizerIdentifier } from './names.js';

export type { SampleWeightData } from './weights.js';
export type { YieldEvery } from './yield.js';

/** `fit`'s callbacks: Callback instances and/or plain objects of hook functions (TF.js style). */
export type CallbackLike = Callback | CustomCallbackArgs;

/**
 * Inputs or targets of a model: one tensor, one per input/output in order, or keyed by layer
 * name. For a model with one input (output), nested arrays of numbers are that one tensor's
 * values, as in TF.js and Keras.
 */
export type ModelData = Tensor | Tensor[] | Record<string, Tensor> | NestedNumbers;

/** Nested arrays of numbers (a batch of samples). */
export type NestedNumbers = readonly (number | NestedNumbers)[];

/** Validation data for `fit`: inputs, targets and optional per-sample weights. */
export type ValidationArrays = [ModelData, ModelData] | [ModelData, ModelData, SampleWeightData | undefined];

/**
 * Arguments of `model.compile`. Optimizer, losses and metrics are names (Keras short names
 * included: 'mse', 'mae', 'mape', 'msle', ...; see training/names.ts), instances or functions.
 * Losses and metrics are given once for all outputs, as a list (one per output) or keyed by
 * output name.
 */
export interface CompileArgs {
  optimizer: OptimizerIdentifier;
  loss: LossIdentifier | LossIdentifier[] | Record<string, LossIdentifier>;
  metrics?: MetricIdentifier[] | Record<string, MetricIdentifier | MetricIdentifier[]>;
  /** Weights of each output's loss in the total (multi-output models). */
  lossWeights?: number[] | Record<string, number>;
  /**
   * Keras' `jit_compile`: whether the training step runs compiled instead of op by op. 'auto'
   * (default) fuses small chains of Dense layers into one routine and captures and replays the
   * forward and backward pass of any other model where the backend allows (see
   * docs/training.md); true requires one of the two and throws naming why neither can run; false
   * always trains op by op.
   */
  jitCompile?: boolean | 'auto';
}

/** Arguments of `model.fit`, with Keras/TF.js names and defaults. */
export interface FitArgs {
  epochs?: number;
  batchSize?: number;
  /** 0 silent, 1 progress bar (plain lines when not a terminal), 2 one line per epoch. */
  verbose?: 0 | 1 | 2;
  validationSplit?: number;
  validationData?: ValidationArrays;
  shuffle?: boolean;
  callbacks?: CallbackLike | CallbackLike[];
  initialEpoch?: number;
  classWeight?: Record<number, number>;
  /** One weight per sample: a tensor of shape [n] or an array of n numbers. */
  sampleWeight?: SampleWeightData;
  /**
   * When training lets timers, I/O and UI events run (TF.js' `yieldEvery`): 'auto' (default)
   * every 100 ms, 'batch', 'epoch', 'never', or a number of milliseconds.
   */
  yieldEvery?: YieldEvery;
}

export interface EvaluateArgs {
  batchSize?: number;
  verbose?: 0 | 1;
  sampleWeight?: SampleWeightData;
}

export interface PredictArgs {
  batchSize?: number;
}

/** What `fit` returns: per-epoch values of the loss and every metric (validation ones prefixed `val_`). */
export interface History {
  epoch: number[];
  history: Record<string, number[]>;
  params: { epochs: number; steps?: number; samples?: number; verbose: number; metrics: string[] };
}

/** One batch of a dataset: `{xs, ys}` or `[xs, ys]`, optionally with per-sample weights. */
export type DatasetBatch =
  | { xs: ModelData; ys: ModelData; sampleWeight?: SampleWeightData }
  | [ModelData, ModelData]
  | [ModelData, ModelData, SampleWeightData];

/** An iterable or async iterable of batches, for `fitDataset` and `evaluateDataset`. */
/** (A `data` pipeline's elements are typed loosely; each batch is checked when it arrives.) */
export type BatchDataset = AsyncIterable<DatasetBatch> | Iterable<DatasetBatch> | AsyncIterable<unknown>;

export interface FitDatasetArgs {
  epochs?: number;
  verbose?: 0 | 1 | 2;
  callbacks?: CallbackLike | CallbackLike[];
  validationData?: BatchDataset | ValidationArrays;
  /** Rows per batch when `validationData` is arrays (default 32). */
  validationBatchSize?: number;
  initialEpoch?: number;
  /** Batches per epoch; by default the dataset is iterated to its end each epoch. */
  batchesPerEpoch?: number;
  /** Weights of each class in the loss (the class of a sample as in `fit`). */
  classWeight?: Record<number, number>;
  /** When training yields to the event loop; see `FitArgs.yieldEvery`. */
  yieldEvery?: YieldEvery;
}

// The keys of each options type, for `checkOptions` (the compiler keeps them complete).
export const COMPILE_OPTIONS = optionKeys<CompileArgs>({
  optimizer: true,
  loss: true,
  metrics: true,
  lossWeights: true,
  jitCompile: true,
});
export const FIT_OPTIONS = optionKeys<FitArgs>({
  epochs: true,
  batchSize: true,
  verbose: true,
  validationSplit: true,
  validationData: true,
  shuffle: true,
  callbacks: true,
  initialEpoch: true,
  classWeight: true,
  sampleWeight: true,
  yieldEvery: true,
});
export const EVALUATE_OPTIONS = optionKeys<EvaluateArgs>({ batchSize: true, verbose: true, sampleWeight: true });
export const PREDICT_OPTIONS = optionKeys<PredictArgs>({ batchSize: true });
export const FIT_DATASET_OPTIONS = optionKeys<FitDatasetArgs>({
  epochs: true,
  verbose: true,
  callbacks: true,
  validationData: true,
  initialEpoch: true,
  batchesPerEpoch: true,
  validationBatchSize: true,
  classWeight: true,
  yieldEvery: true,
});
