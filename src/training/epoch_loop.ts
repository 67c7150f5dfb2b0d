import { MyelinError } from '../core/errors.js';
import { testBatch } from './batch.js';
import type { Batch, BatchSource } from './batch_source.js';
import { CallbackList, type Logs, toCallbacks } from './callback.js';
import type { CompiledState } from './compile.js';
import { History, withTfjsNames } from './history.js';
import { claimTraining, releaseTraining, setTrainingFlush } from './in_flight.js';
import { ProgressLogger } from './progress.js';
import { LossAndMetricTracker } from './tracker.js';
import type { TrainableModel } from './trainable_model.js';
import { trainStepFor } from './train_step.js';
import { Yielder, type YieldEvery } from './yield.js';

/**
 * Thrown when training cannot go on (the loss or a weight became NaN or infinite). Carries the
 * history so far.
 * @example try { await model.fit(x, y); } catch (e) { if (e instanceof TrainingError) console.log(e.history.history.loss); }
 */
export class TrainingError extends MyelinError {
  override name = 'TrainingError';
  constructor(
    message: string,
    readonly history: History,
  ) {
    super(message);
  }
}

/** What `fit` and `fitDataset` hand the loop, validated. */
export interface LoopArgs {
  call: string;
  epochs: number;
  initialEpoch: number;
  verbose: 0 | 1 | 2;
  callbacks: unknown;
  yieldEvery?: YieldEvery;
  train: BatchSource;
  /** Rows per batch of in-memory data (the fused step is sized by it). */
  batchSize?: number;
  validation?: BatchSource;
}

function makeCallbacks(
  model: TrainableModel,
  state: CompiledState,
  args: LoopArgs,
): { history: History; list: CallbackList } {
  const history = new History();
  const callbacks = [history, ...toCallbacks(args.callbacks)];
  if (args.verbose > 0) callbacks.push(new ProgressLogger(args.verbose));
  const names = state.metricsNames;
  const metrics = [...names, ...(args.validation ? names.map((m) => `val_${m}`) : [])];
  const list = new CallbackList(callbacks);
  const { epochs, verbose } = args;
  list.configure(model, { epochs, steps: args.train.steps, samples: args.train.samples, verbose, metrics });
  return { history, list };
}

const ADVICE = 'Try a lower learning rate, normalising the inputs, or gradient clipping (clipNorm).';
const KEPT =
  'training stopped with the weights from before that batch (the last finite ones; no checkpoint is saved with non-finite weights)';

function diverged(call: string, epoch: number, batch: number, loss: number, weight: string | undefined): string {
  const where = `epoch ${epoch + 1}, batch ${batch + 1}`;
  const what = weight
    ? `the update at ${where} made weight '${weight}' NaN or infinite (the loss was ${loss})`
    : `the loss became ${loss} at ${where}`;
  return `${call}: ${what}; ${KEPT}. ${ADVICE}`;
}

/** A source's batch iterator, synchronous or not. */
interface BatchIterator {
  next(): IteratorResult<Batch> | Promise<IteratorResult<Batch>>;
  /** Ends the iteration early (a dataset's generator closes). */
  return(): unknown;
}

function iterate(source: BatchSource): BatchIterator {
  const batches = source.batches();
  const it =
    Symbol.iterator in batches
      ? (batches as Iterable<Batch>)[Symbol.iterator]()
      : (batches as AsyncIterable<Batch>)[Symbol.asyncIterator]();
  return {
    next: () => it.next(),
    return: () => it.return?.(),
  };
}

/**
 * Loss and metrics of the model on every batch of `source`, in inference mode (validation and
 * `evaluateDataset`), yielding to the event loop as training does.
 * @example const logs = await evaluateSource(model, model.compiled!, new ArraySource(data, 32), 'val_');
 */
export async function evaluateSource(
  model: TrainableModel,
  state: CompiledState,
  source: BatchSource,
  prefix = '',
  yielder = new Yielder(),
): Promise<Logs> {
  const tracker = new LossAndMetricTracker(state);
  for await (const batch of source.batches()) {
    await testBatch(model, state, tracker, () => batch.tensors());
    if (yielder.due(false)) await yielder.yield();
  }
  return tracker.logs(prefix);
}

/**
 * The one epoch loop under `fit` and `fitDataset` (Keras' epoch iterator): callbacks in Keras'
 * order, the step (fused or op by op) on each batch of the source, validation after each
 * epoch, `stopTraining` checked after every batch, yields to the event loop as `yieldEvery`
 * says, and a clear stop, with the last finite weights, when training diverges. One run per
 * model at a time.
 * @example const history = await runEpochs(model, state, { call: 'fit', epochs: 5, initialEpoch: 0, verbose: 0, callbacks: [], train: new ArraySource(data, 32, true), batchSize: 32 });
 */
export async function runEpochs(model: TrainableModel, state: CompiledState, args: LoopArgs): Promise<History> {
  const { call } = args;
  claimTraining(model, call);
  try {
    const { history, list } = makeCallbacks(model, state, args);
    // Decided before any callback runs, so `jitCompile: true` on a backend that can do neither fails early.
    const step = trainStepFor(model, state, args.train, args.batchSize, call);
    setTrainingFlush(model, () => step.leave());
    const batchHooks = list.callbacks.some((c) => c.watchesBatches);
    const yielder = new Yielder(args.yieldEvery, call);
    model.stopTraining = false;
    await list.trainBegin();
    for (let epoch = args.initialEpoch; epoch < args.epochs && !model.stopTraining; epoch++) {
      await list.epochBegin(epoch);
      const tracker = new LossAndMetricTracker(state);
      let b = 0;
      step.enter();
      const batches = iterate(args.train);
      try {
        for (;;) {
          // In-memory batches and the fused step are synchronous: no await between their batches.
          const next = batches.next();
          const item = next instanceof Promise ? await next : next;
          if (item.done) break;
          const batch = item.value;
          const size = batch.size;
          // Batch hooks find the model's variables current, and the step reads back what they change.
          if (batchHooks) {
            step.leave();
            await list.batchBegin(b, { batch: b, size });
            step.enter();
          }
          const pending = step.run(batch, tracker);
          const result = pending instanceof Promise ? await pending : pending;
          if (result.nonFiniteWeight !== undefined || !Number.isFinite(result.loss)) {
            // A callback such as terminateOnNaN may end the run quietly; otherwise it is an error.
            // An update that left a weight non-finite reaches the batch hooks as a NaN loss, so
            // that such callbacks treat both kinds of divergence alike.
            step.leave();
            const loss = result.nonFiniteWeight === undefined ? result.loss : Number.NaN;
            if (batchHooks) await list.batchEnd(b, { batch: b, size, loss });
            if (!model.stopTraining)
              throw new TrainingError(diverged(call, epoch, b, result.loss, result.nonFiniteWeight), history);
            break;
          }
          if (batchHooks) {
            step.leave();
            await list.batchEnd(b, withTfjsNames({ batch: b, size, ...tracker.logs() }));
            step.enter();
          }
          b++;
          if (model.stopTraining) break;
          if (yielder.due(false)) {
            step.leave();
            await yielder.yield();
            step.enter();
          }
        }
      } finally {
        step.leave();
        await batches.return();
      }
      const logs: Logs = tracker.logs();
      if (args.validation)
        withTfjsNames(Object.assign(logs, await evaluateSource(model, state, args.validation, 'val_', yielder)));
      await list.epochEnd(epoch, logs);
      if (yielder.due(true)) await yielder.yield();
    }
    await list.trainEnd();
    return history;
  } finally {
    releaseTraining(model);
  }
}
