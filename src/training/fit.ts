import { CallbackList, toCallbacks, type Logs } from '../callbacks/callback.js';
import { MyelinError, ValueError } from '../core/errors.js';
import { globalRng } from '../core/rng.js';
import type { Tensor } from '../core/tensor.js';
import { requireCompiled, type CompiledState } from './compile.js';
import { checkPositiveInt, sliceRows, takeRows } from './data.js';
import { iterateBatches } from './dataset.js';
import { evaluateLogs, LossAndMetricTracker, prepareData } from './evaluate.js';
import { History } from './history.js';
import { ProgressLogger } from './progress.js';
import { runBatch } from './batch.js';
import type { TrainableModel } from './trainable_model.js';
import type { FitArgs, FitDatasetArgs, ModelData } from './types.js';
import { combineSampleWeights } from './weights.js';
import { fusedStepFor } from './fused/support.js';

/** Thrown when training cannot go on (the loss became NaN or infinite). Carries the history so far. */
export class TrainingError extends MyelinError {
  constructor(
    message: string,
    readonly history: History,
  ) {
    super(message);
  }
}

/** Lets timers, I/O and Ctrl-C run during long synchronous training. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const YIELD_MS = 100;

function checkVerbose(v: unknown, call: string): 0 | 1 | 2 {
  if (v === undefined) return 1;
  if (v !== 0 && v !== 1 && v !== 2)
    throw new ValueError(`${call}: 'verbose' must be 0, 1 or 2, got ${JSON.stringify(v)}`);
  return v;
}

interface Split {
  xs: Tensor[];
  ys: Tensor[];
  n: number;
  sampleWeight?: Tensor;
}

/** Splits off validation data as Keras does: the last `fraction` of the samples, before shuffling. */
function splitValidation(data: Split, fraction: number): [Split, Split] {
  const nVal = Math.floor(data.n * fraction);
  const nTrain = data.n - nVal;
  if (nVal === 0 || nTrain === 0) {
    throw new ValueError(
      `fit: validationSplit ${fraction} of ${data.n} samples leaves ${nTrain} for training and ${nVal} for validation; both must be at least 1`,
    );
  }
  const part = (s: number, e: number): Split => ({
    xs: sliceRows(data.xs, s, e),
    ys: sliceRows(data.ys, s, e),
    n: e - s,
    sampleWeight: data.sampleWeight ? sliceRows([data.sampleWeight], s, e)[0] : undefined,
  });
  return [part(0, nTrain), part(nTrain, data.n)];
}

function makeCallbacks(
  model: TrainableModel,
  state: CompiledState,
  user: unknown,
  verbose: number,
  params: { epochs: number; steps?: number; samples?: number },
  hasValidation: boolean,
): { history: History; list: CallbackList } {
  const history = new History();
  const callbacks = [history, ...toCallbacks(user)];
  if (verbose > 0) callbacks.push(new ProgressLogger(verbose));
  const metrics = [...state.metricsNames, ...(hasValidation ? state.metricsNames.map((m) => `val_${m}`) : [])];
  const list = new CallbackList(callbacks);
  list.configure(model, { ...params, verbose, metrics });
  return { history, list };
}

function nonFiniteLoss(loss: number, epoch: number, batch: number, history: History): TrainingError {
  return new TrainingError(
    `fit: the loss became ${loss} at epoch ${epoch + 1}, batch ${batch + 1}; training stopped with the weights from before that batch. ` +
      `Try a lower learning rate, normalising the inputs, or gradient clipping (clipNorm).`,
    history,
  );
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
  const initialEpoch = args.initialEpoch ?? 0;
  if (!Number.isInteger(initialEpoch) || initialEpoch < 0 || initialEpoch >= epochs) {
    throw new ValueError(
      `fit: 'initialEpoch' must be an integer in [0, ${epochs - 1}] (epochs is ${epochs}), got ${JSON.stringify(args.initialEpoch)}`,
    );
  }
  const split = args.validationSplit ?? 0;
  if (typeof split !== 'number' || !(split >= 0 && split < 1))
    throw new ValueError(
      `fit: 'validationSplit' must be a number in [0, 1), got ${JSON.stringify(args.validationSplit)}`,
    );

  const all = prepareData(model, x, y, call);
  const sampleWeight = combineSampleWeights(all.n, all.ys[0], args.sampleWeight, args.classWeight, call);
  let train: Split = { ...all, sampleWeight };
  let validation: Split | undefined;
  if (args.validationData) {
    const [vx, vy, vw] = args.validationData as [ModelData, ModelData, Tensor?];
    const v = prepareData(model, vx, vy, 'fit (validationData)');
    validation = { ...v, sampleWeight: vw };
  } else if (split > 0) {
    [train, validation] = splitValidation(train, split);
  }

  const steps = Math.ceil(train.n / batchSize);
  const { history, list } = makeCallbacks(
    model,
    state,
    args.callbacks,
    verbose,
    { epochs, steps, samples: train.n },
    !!validation,
  );
  // Decided before any callback runs, so `jitCompile: true` on a model it cannot fuse fails early.
  const fused = fusedStepFor(model, state, train, batchSize, list.callbacks, call);
  const batchHooks = list.callbacks.some((c) => c.watchesBatches);
  model.stopTraining = false;
  await list.trainBegin();
  const order = new Int32Array(train.n).map((_, i) => i);
  let lastYield = performance.now();
  for (let epoch = initialEpoch; epoch < epochs && !model.stopTraining; epoch++) {
    await list.epochBegin(epoch);
    // A fresh permutation each epoch (as TF.js) makes epoch k depend only on the RNG state, so a
    // run resumed from a checkpoint at an epoch boundary shuffles exactly as an unbroken one.
    if (args.shuffle !== false) {
      for (let i = 0; i < order.length; i++) order[i] = i;
      globalRng.shuffle(order);
    }
    const tracker = new LossAndMetricTracker(state);
    // The fused step keeps weights in arrays during the epoch and writes them back at its end
    // (also when the epoch ends early), before validation and the epoch callbacks.
    fused?.load();
    try {
      for (let b = 0; b < steps; b++) {
        const start = b * batchSize,
          end = Math.min(train.n, start + batchSize);
        if (batchHooks) await list.batchBegin(b, { batch: b, size: end - start });
        const idx = order.subarray(start, end);
        const loss = fused
          ? fused.trainBatch(idx, tracker)
          : await runBatch('train', model, state, tracker, () => ({
              xs: takeRows(train.xs, idx),
              ys: takeRows(train.ys, idx),
              sampleWeight: train.sampleWeight ? takeRows([train.sampleWeight], idx)[0] : undefined,
              size: end - start,
            }));
        if (!Number.isFinite(loss)) {
          // A callback such as terminateOnNaN may end the run quietly; otherwise it is an error.
          fused?.store();
          if (batchHooks) await list.batchEnd(b, { batch: b, size: end - start, loss });
          if (!model.stopTraining) throw nonFiniteLoss(loss, epoch, b, history);
          break;
        }
        if (batchHooks) await list.batchEnd(b, { batch: b, size: end - start, ...tracker.logs() });
        if (model.stopTraining) break;
        if (performance.now() - lastYield > YIELD_MS) {
          await yieldToEventLoop();
          lastYield = performance.now();
        }
      }
    } finally {
      fused?.store();
    }
    const logs: Logs = tracker.logs();
    if (validation)
      Object.assign(
        logs,
        await evaluateLogs(
          model,
          state,
          validation.xs,
          validation.ys,
          validation.n,
          batchSize,
          validation.sampleWeight,
          'val_',
        ),
      );
    await list.epochEnd(epoch, logs);
    if (performance.now() - lastYield > YIELD_MS) {
      await yieldToEventLoop();
      lastYield = performance.now();
    }
  }
  await list.trainEnd();
  return history;
}

/**
 * Trains on batches from a dataset (an iterable or async iterable of `{xs, ys}`), re-iterated
 * each epoch, as TF.js' `fitDataset`.
 */
export async function fitDatasetModel(
  model: TrainableModel,
  dataset: import('./types.js').BatchDataset,
  args: FitDatasetArgs = {},
): Promise<History> {
  const call = 'fitDataset';
  const state = requireCompiled(model, call);
  const epochs = checkPositiveInt(args.epochs ?? 1, 'epochs', call);
  const verbose = checkVerbose(args.verbose, call);
  const limit = args.batchesPerEpoch;
  if (limit !== undefined) checkPositiveInt(limit, 'batchesPerEpoch', call);
  const validation = args.validationData;
  const { history, list } = makeCallbacks(
    model,
    state,
    args.callbacks,
    verbose,
    { epochs, steps: limit },
    !!validation,
  );
  model.stopTraining = false;
  await list.trainBegin();
  for (let epoch = args.initialEpoch ?? 0; epoch < epochs && !model.stopTraining; epoch++) {
    await list.epochBegin(epoch);
    const tracker = new LossAndMetricTracker(state);
    let b = 0;
    for await (const batch of iterateBatches(dataset, call)) {
      if (limit !== undefined && b >= limit) break;
      const { xs, ys, n } = prepareData(model, batch.xs, batch.ys, call);
      await list.batchBegin(b, { batch: b, size: n });
      const loss = await runBatch('train', model, state, tracker, () => ({ xs, ys, size: n }));
      if (!Number.isFinite(loss)) {
        await list.batchEnd(b, { batch: b, size: n, loss });
        if (!model.stopTraining) throw nonFiniteLoss(loss, epoch, b, history);
        break;
      }
      await list.batchEnd(b, { batch: b, size: n, ...tracker.logs() });
      b++;
      if (model.stopTraining) break;
    }
    if (b === 0) throw new ValueError(`${call}: the dataset yielded no batches in epoch ${epoch + 1}`);
    const logs = tracker.logs();
    if (validation) {
      if (Array.isArray(validation)) {
        const v = prepareData(model, validation[0], validation[1], `${call} (validationData)`);
        Object.assign(logs, await evaluateLogs(model, state, v.xs, v.ys, v.n, 32, undefined, 'val_'));
      } else {
        const vt = new LossAndMetricTracker(state);
        for await (const batch of iterateBatches(validation, call)) {
          const { xs, ys, n } = prepareData(model, batch.xs, batch.ys, call);
          await runBatch('test', model, state, vt, () => ({ xs, ys, size: n }));
        }
        Object.assign(logs, vt.logs('val_'));
      }
    }
    await list.epochEnd(epoch, logs);
    await yieldToEventLoop();
  }
  await list.trainEnd();
  return history;
}

/**
 * One gradient step on a single batch; returns the loss, or [loss, ...metrics] on this batch.
 * @example const loss = await model.trainOnBatch(xBatch, yBatch);
 */
export async function trainOnBatchModel(model: TrainableModel, x: ModelData, y: ModelData): Promise<number | number[]> {
  const state = requireCompiled(model, 'trainOnBatch');
  const { xs, ys, n } = prepareData(model, x, y, 'trainOnBatch');
  const tracker = new LossAndMetricTracker(state);
  const loss = await runBatch('train', model, state, tracker, () => ({ xs, ys, size: n }));
  if (!Number.isFinite(loss))
    throw new ValueError(`trainOnBatch: the loss became ${loss}; the weights were not updated`);
  const logs = tracker.logs();
  const values = state.metricsNames.map((name) => logs[name]);
  return values.length === 1 ? values[0] : values;
}
