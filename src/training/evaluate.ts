import { noGrad } from '../autograd/tape.js';
import type { Logs } from '../callbacks/callback.js';
import { ValueError, fmtShape } from '../core/errors.js';
import { scoped } from '../core/memory.js';
import type { Tensor } from '../core/tensor.js';
import { concat, scalar } from '../ops/index.js';
import { requireCompiled, type CompiledState } from './compile.js';
import { checkFinite, checkPositiveInt, checkSampleCounts, checkShapes, sliceRows, toTensorList } from './data.js';
import { runBatch } from './batch.js';
import { canReadSync, forwardOnly, updateMetricsSync } from './step.js';
import type { TrainableModel } from './trainable_model.js';
import type { BatchDataset, EvaluateArgs, ModelData, PredictArgs } from './types.js';
import { iterateBatches } from './dataset.js';

/** Validated inputs and targets in model order. */
export function prepareData(
  model: TrainableModel,
  x: ModelData,
  y: ModelData,
  call: string,
): { xs: Tensor[]; ys: Tensor[]; n: number } {
  const xs = checkShapes(toTensorList(x, model.inputNames, 'x', call), model.inputNames, model.inputShapes, 'x', call);
  const ys = checkShapes(
    toTensorList(y, model.outputNames, 'y', call),
    model.outputNames,
    model.outputShapes,
    'y',
    call,
  );
  const n = checkSampleCounts(
    [
      { arg: 'x', tensors: xs },
      { arg: 'y', tensors: ys },
    ],
    call,
  );
  checkFinite(xs, 'x', call);
  checkFinite(ys, 'y', call);
  if (model.compiled) checkSparseLabels(model, model.compiled, ys, call);
  return { xs, ys, n };
}

/**
 * Sparse categorical losses need integer class ids in [0, classes): checked on the whole
 * dataset up front, so the error names the sample in the user's data (not in a shuffled batch).
 */
function checkSparseLabels(model: TrainableModel, state: CompiledState, ys: Tensor[], call: string): void {
  state.losses.forEach((loss, i) => {
    if (loss.name !== 'sparse_categorical_crossentropy') return;
    const classes = model.outputShapes[i].at(-1);
    const y = ys[i];
    const label = ys.length > 1 ? `y[${i}] (output '${model.outputNames[i]}')` : 'y';
    // One class id per prediction: y has the output's shape without its class axis (or with a 1 there).
    const outRank = model.outputShapes[i].length;
    if (!(y.rank === outRank - 1 || (y.rank === outRank && y.shape[y.rank - 1] === 1))) {
      const expected = model.outputShapes[i].slice(0, -1);
      throw new ValueError(
        `${call}: sparseCategoricalCrossentropy expects ${label} to hold one integer class id per prediction (shape ${fmtShape(expected)} or ${fmtShape([...expected, 1])}), got shape ${fmtShape(y.shape)}; for one-hot targets use categoricalCrossentropy`,
      );
    }
    const v = y.dataSync();
    for (let k = 0; k < v.length; k++) {
      if (!Number.isInteger(v[k]) || v[k] < 0 || (typeof classes === 'number' && v[k] >= classes)) {
        throw new ValueError(
          `${call}: sparseCategoricalCrossentropy expects ${label} to hold integer class ids in [0, ${typeof classes === 'number' ? classes - 1 : 'classes - 1'}] (the output has ${classes} units), got ${v[k]} at sample ${k}`,
        );
      }
    }
  });
}

/**
 * Accumulates loss (weighted by batch size, as Keras) and metrics over batches, and reports
 * them under `metricsNames`.
 */
export class LossAndMetricTracker {
  private lossSum = 0;
  private outputLossSums: number[];
  private count = 0;

  constructor(private readonly state: CompiledState) {
    this.outputLossSums = state.losses.map(() => 0);
    for (const m of state.metrics) m.metric.resetState();
  }

  addLosses(loss: number, outputLosses: number[], batchSize: number): void {
    this.lossSum += loss * batchSize;
    outputLosses.forEach((l, i) => (this.outputLossSums[i] += l * batchSize));
    this.count += batchSize;
  }

  logs(prefix = ''): Logs {
    const logs: Logs = { [`${prefix}loss`]: this.lossSum / this.count };
    if (this.outputLossSums.length > 1) {
      this.state.metricsNames
        .slice(1, 1 + this.outputLossSums.length)
        .forEach((name, i) => (logs[prefix + name] = this.outputLossSums[i] / this.count));
    }
    for (const m of this.state.metrics) logs[prefix + m.displayName] = m.metric.result();
    return logs;
  }
}

/** Loss and metrics of the model on (xs, ys) in inference mode, batch by batch. */
export async function evaluateLogs(
  model: TrainableModel,
  state: CompiledState,
  xs: Tensor[],
  ys: Tensor[],
  n: number,
  batchSize: number,
  sampleWeight?: Tensor,
  prefix = '',
): Promise<Logs> {
  const tracker = new LossAndMetricTracker(state);
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    await runBatch('test', model, state, tracker, () => ({
      xs: sliceRows(xs, start, end),
      ys: sliceRows(ys, start, end),
      sampleWeight: sampleWeight ? sliceRows([sampleWeight], start, end)[0] : undefined,
      size: end - start,
    }));
  }
  return tracker.logs(prefix);
}

/** `evaluateLogs` for backends with synchronous reads (the synchronous `evaluate`). */
function evaluateLogsSync(
  model: TrainableModel,
  state: CompiledState,
  xs: Tensor[],
  ys: Tensor[],
  n: number,
  batchSize: number,
  sampleWeight?: Tensor,
): Logs {
  const tracker = new LossAndMetricTracker(state);
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    scoped(() => {
      const by = sliceRows(ys, start, end);
      const bsw = sampleWeight ? sliceRows([sampleWeight], start, end)[0] : undefined;
      const step = forwardOnly(model, state, sliceRows(xs, start, end), by, bsw);
      tracker.addLosses(
        step.loss.dataSync()[0],
        step.outputLosses.map((t) => t.dataSync()[0]),
        end - start,
      );
      updateMetricsSync(state, by, step.outputs, bsw);
    });
  }
  return tracker.logs();
}

function asScalars(logs: Logs, names: readonly string[]): Tensor | Tensor[] {
  const values = names.map((name) => scalar(logs[name]));
  return values.length === 1 ? values[0] : values;
}

/**
 * Loss (then each metric) of the model on test data, as scalars: a single tensor when there is
 * nothing but the loss, a list otherwise (TF.js' convention).
 * @example const [loss, mae] = model.evaluate(xTest, yTest) as Tensor[];
 */
export function evaluateModel(
  model: TrainableModel,
  x: ModelData,
  y: ModelData,
  args: EvaluateArgs = {},
): Tensor | Tensor[] {
  const state = requireCompiled(model, 'evaluate');
  const batchSize = checkPositiveInt(args.batchSize ?? 32, 'batchSize', 'evaluate');
  const { xs, ys, n } = prepareData(model, x, y, 'evaluate');
  if (!xs.every(canReadSync)) {
    throw new ValueError(
      `evaluate: the '${xs[0].backend.name}' backend cannot read values synchronously; use await model.evaluateDataset(...), or validationData in fit`,
    );
  }
  const logs = evaluateLogsSync(model, state, xs, ys, n, batchSize, args.sampleWeight);
  return asScalars(logs, state.metricsNames);
}

/** Like `evaluateModel`, over a dataset of batches. */
export async function evaluateDatasetModel(
  model: TrainableModel,
  dataset: BatchDataset,
  _args: { batches?: number } = {},
): Promise<Tensor | Tensor[]> {
  const state = requireCompiled(model, 'evaluateDataset');
  const tracker = new LossAndMetricTracker(state);
  let seen = 0;
  for await (const { xs, ys } of iterateBatches(dataset, 'evaluateDataset')) {
    if (_args.batches !== undefined && seen >= _args.batches) break;
    const { xs: bx, ys: by, n } = prepareData(model, xs, ys, 'evaluateDataset');
    await runBatch('test', model, state, tracker, () => ({ xs: bx, ys: by, size: n }));
    seen++;
  }
  if (seen === 0) throw new Error('evaluateDataset: the dataset yielded no batches');
  return asScalars(tracker.logs(), state.metricsNames);
}

/**
 * Model outputs for `x` in inference mode (dropout off), computed in batches.
 * @example const yHat = model.predict(xTest) as Tensor;
 */
export function predictModel(model: TrainableModel, x: ModelData, args: PredictArgs = {}): Tensor | Tensor[] {
  const call = 'predict';
  const batchSize = checkPositiveInt(args.batchSize ?? 32, 'batchSize', call);
  const xs = checkShapes(toTensorList(x, model.inputNames, 'x', call), model.inputNames, model.inputShapes, 'x', call);
  const n = checkSampleCounts([{ arg: 'x', tensors: xs }], call);
  const parts: Tensor[][] = model.outputNames.map(() => []);
  // Each batch's intermediates are freed as soon as its outputs exist; the parts once joined.
  const outs = scoped(() =>
    noGrad(() => {
      if (n <= batchSize) return model.forward(xs, false).outputs;
      for (let start = 0; start < n; start += batchSize) {
        const outputs = scoped(
          () => model.forward(sliceRows(xs, start, Math.min(n, start + batchSize)), false).outputs,
        );
        outputs.forEach((o, i) => parts[i].push(o));
      }
      return parts.map((p) => concat(p, 0));
    }),
  );
  return outs.length === 1 ? outs[0] : outs;
}
