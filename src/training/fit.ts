import { ValueError } from '../core/errors.js';
import { trainBatch } from './batch.js';
import { ArraySource, type BatchSource, DatasetSource, type Samples } from './batch_source.js';
import { requireCompiled } from './compile.js';
import { checkPositiveInt, sliceRows } from './data.js';
import { runEpochs } from './epoch_loop.js';
import type { History } from './history.js';
import { claimTraining, releaseTraining } from './in_flight.js';
import { prepareData } from './prepare.js';
import { LossAndMetricTracker } from './tracker.js';
import type { TrainableModel } from './trainable_model.js';
import type { BatchDataset, FitArgs, FitDatasetArgs, ModelData, ValidationArrays } from './types.js';
import { combineSampleWeights } from './weights.js';
import { replayedPassFor } from './train_step.js';

export { TrainingError } from './epoch_loop.js';

function checkVerbose(v: unknown, call: string): 0 | 1 | 2 {
  if (v === undefined) return 1;
  if (v !== 0 && v !== 1 && v !== 2)
    throw new ValueError(`${call}: 'verbose' must be 0, 1 or 2, got ${JSON.stringify(v)}`);
  return v;
}

function checkInitialEpoch(value: unknown, epochs: number, call: string): number {
  const initialEpoch = value ?? 0;
  if (typeof initialEpoch !== 'number' || !Number.isInteger(initialEpoch) || initialEpoch < 0 || initialEpoch >= epochs)
    throw new ValueError(
      `${call}: 'initialEpoch' must be an integer in [0, ${epochs - 1}] (epochs is ${epochs}), got ${JSON.stringify(value)}`,
    );
  return initialEpoch;
}

/** Splits off validation data as Keras does: the last `fraction` of the samples, before shuffling. */
function splitValidation(data: Samples, fraction: number): [Samples, Samples] {
  const nVal = Math.floor(data.n * fraction);
  const nTrain = data.n - nVal;
  if (nVal === 0 || nTrain === 0) {
    throw new ValueError(
      `fit: validationSplit ${fraction} of ${data.n} samples leaves ${nTrain} for training and ${nVal} for validation; both must be at least 1`,
    );
  }
  const part = (s: number, e: number): Samples => ({
    xs: sliceRows(data.xs, s, e),
    ys: sliceRows(data.ys, s, e),
    n: e - s,
    sampleWeight: data.sampleWeight ? sliceRows([data.sampleWeight], s, e)[0] : undefined,
  });
  return [part(0, nTrain), part(nTrain, data.n)];
}

/** `validationData` as arrays `[x, y]` or `[x, y, sampleWeight]`, checked before any training. */
function validationArrays(model: TrainableModel, data: ValidationArrays, call: string): Samples {
  if (!Array.isArray(data) || data.length < 2 || data.length > 3)
    throw new ValueError(
      `${call}: 'validationData' must be [x, y] or [x, y, sampleWeight]${call === 'fitDataset' ? ' or a dataset' : ''}, got ${Array.isArray(data) ? `an array of ${data.length}` : typeof data}`,
    );
  const v = prepareData(model, data[0], data[1], `${call} (validationData)`);
  const sampleWeight = combineSampleWeights(
    v.n,
    v.ys[0],
    data[2],
    undefined,
    `${call} (validationData)`,
    'validationData[2]',
  );
  return { ...v, sampleWeight };
}

/**
 * Trains the model for `epochs` passes over (x, y) in shuffled mini-batches, with Keras'
 * arguments and defaults (batchSize 32, shuffle true, verbose 1).
 * @example const history = await model.fit(xTrain, yTrain, { epochs: 10, validationSplit: 0.2 });
 */
export async function fitModel(
  model: TrainableModel,
  x: ModelData,
  y: ModelData,
  args: FitArgs = {},
): Promise<History> {
  const call = 'fit';
  const state = requireCompiled(model, call);
  const epochs = checkPositiveInt(args.epochs ?? 1, 'epochs', call);
  const batchSize = checkPositiveInt(args.batchSize ?? 32, 'batchSize', call);
  const verbose = checkVerbose(args.verbose, call);
  const initialEpoch = checkInitialEpoch(args.initialEpoch, epochs, call);
  const split = args.validationSplit ?? 0;
  if (typeof split !== 'number' || !(split >= 0 && split < 1))
    throw new ValueError(
      `fit: 'validationSplit' must be a number in [0, 1), got ${JSON.stringify(args.validationSplit)}`,
    );

  const all = prepareData(model, x, y, call);
  const sampleWeight = combineSampleWeights(all.n, all.ys[0], args.sampleWeight, args.classWeight, call);
  let train: Samples = { ...all, sampleWeight };
  let validation: Samples | undefined;
  if (args.validationData) validation = validationArrays(model, args.validationData, call);
  else if (split > 0) [train, validation] = splitValidation(train, split);

  return runEpochs(model, state, {
    call,
    epochs,
    initialEpoch,
    verbose,
    callbacks: args.callbacks,
    yieldEvery: args.yieldEvery,
    train: new ArraySource(train, batchSize, args.shuffle !== false),
    batchSize,
    validation: validation && new ArraySource(validation, batchSize),
  });
}

/**
 * Trains on batches from a dataset (an iterable or async iterable of `{xs, ys}` or `[xs, ys]`,
 * optionally with per-sample weights), re-iterated each epoch, as TF.js' `fitDataset`.
 * @example await model.fitDataset(arrayDataset(x, y, { batchSize: 32, shuffle: true }), { epochs: 5 });
 */
export async function fitDatasetModel(
  model: TrainableModel,
  dataset: BatchDataset,
  args: FitDatasetArgs = {},
): Promise<History> {
  const call = 'fitDataset';
  const state = requireCompiled(model, call);
  const epochs = checkPositiveInt(args.epochs ?? 1, 'epochs', call);
  const verbose = checkVerbose(args.verbose, call);
  const initialEpoch = checkInitialEpoch(args.initialEpoch, epochs, call);
  const limit = args.batchesPerEpoch;
  if (limit !== undefined) checkPositiveInt(limit, 'batchesPerEpoch', call);
  const validationBatchSize = checkPositiveInt(args.validationBatchSize ?? 32, 'validationBatchSize', call);
  const v = args.validationData;
  let validation: BatchSource | undefined;
  // An array of batches ({xs, ys} elements) is a dataset too; otherwise an array is [x, y(, weights)].
  const isBatches = Array.isArray(v) && v[0] !== null && typeof v[0] === 'object' && 'xs' in v[0];
  if (Array.isArray(v) && !isBatches)
    validation = new ArraySource(validationArrays(model, v as ValidationArrays, call), validationBatchSize);
  else if (v) validation = new DatasetSource(model, v as BatchDataset, `${call} (validationData)`);
  return runEpochs(model, state, {
    call,
    epochs,
    initialEpoch,
    verbose,
    callbacks: args.callbacks,
    yieldEvery: args.yieldEvery,
    train: new DatasetSource(model, dataset, call, limit, args.classWeight),
    validation,
  });
}

/**
 * One gradient step on a single batch; returns the loss, or [loss, ...metrics] on this batch.
 * @example const loss = await model.trainOnBatch(xBatch, yBatch);
 */
export async function trainOnBatchModel(model: TrainableModel, x: ModelData, y: ModelData): Promise<number | number[]> {
  const call = 'trainOnBatch';
  const state = requireCompiled(model, call);
  claimTraining(model, call);
  try {
    const { xs, ys, n } = prepareData(model, x, y, call);
    const tracker = new LossAndMetricTracker(state);
    const replay = replayedPassFor(model, state, call);
    const result = await trainBatch(model, state, tracker, () => ({ xs, ys, size: n }), replay?.pass);
    if (result.nonFiniteWeight !== undefined)
      throw new ValueError(
        `${call}: the update made weight '${result.nonFiniteWeight}' NaN or infinite (the loss was ${result.loss}); the weights were not updated`,
      );
    if (!Number.isFinite(result.loss))
      throw new ValueError(`${call}: the loss became ${result.loss}; the weights were not updated`);
    const logs = tracker.logs();
    const values = state.metricsNames.map((name) => logs[name]);
    return values.length === 1 ? values[0] : values;
  } finally {
    releaseTraining(model);
  }
}
