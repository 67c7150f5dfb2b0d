import { noGrad } from '../autograd/tape.js';
import { ValueError } from '../core/errors.js';
import { scoped } from '../core/memory.js';
import type { Tensor } from '../core/tensor.js';
import { concat, scalar } from '../ops/index.js';
import { testBatchSync } from './batch.js';
import { ArraySource, DatasetSource } from './batch_source.js';
import type { Logs } from './callback.js';
import { requireCompiled } from './compile.js';
import { checkPositiveInt, checkSampleCounts, checkShapes, sliceRows, toTensorList } from './data.js';
import { evaluateSource } from './epoch_loop.js';
import { syncTrainingWeights } from './in_flight.js';
import { prepareData } from './prepare.js';
import { inferenceOutputs } from './replay_predict.js';
import { canReadSync } from './step.js';
import { LossAndMetricTracker } from './tracker.js';
import type { TrainableModel } from './trainable_model.js';
import type { BatchDataset, EvaluateArgs, ModelData, PredictArgs } from './types.js';
import { combineSampleWeights } from './weights.js';

function asScalars(logs: Logs, names: readonly string[]): Tensor | Tensor[] {
  const values = names.map((name) => scalar(logs[name]));
  return values.length === 1 ? values[0] : values;
}

/**
 * Loss (then each metric) of the model on test data, as scalars: a single tensor when there is
 * nothing but the loss, a list otherwise (TF.js' convention). The batches are the same source
 * `fit` validates on; they are evaluated synchronously, so the result is not a promise.
 * @example const [loss, mae] = model.evaluate(xTest, yTest) as Tensor[];
 */
export function evaluateModel(
  model: TrainableModel,
  x: ModelData,
  y: ModelData,
  args: EvaluateArgs = {},
): Tensor | Tensor[] {
  const call = 'evaluate';
  const state = requireCompiled(model, call);
  const batchSize = checkPositiveInt(args.batchSize ?? 32, 'batchSize', call);
  const data = prepareData(model, x, y, call);
  if (!data.xs.every(canReadSync)) {
    throw new ValueError(
      `evaluate: the '${data.xs[0].backend.name}' backend cannot read values synchronously; use await model.evaluateDataset(...), or validationData in fit`,
    );
  }
  const sampleWeight = combineSampleWeights(data.n, data.ys[0], args.sampleWeight, undefined, call);
  syncTrainingWeights(model);
  const tracker = new LossAndMetricTracker(state);
  for (const batch of new ArraySource({ ...data, sampleWeight }, batchSize).batches())
    testBatchSync(model, state, tracker, () => batch.tensors());
  return asScalars(tracker.logs(), state.metricsNames);
}

/**
 * Like `evaluateModel`, over a dataset of batches (at most `batches` of them).
 * @example const [loss, acc] = (await model.evaluateDataset(testSet)) as Tensor[];
 */
export async function evaluateDatasetModel(
  model: TrainableModel,
  dataset: BatchDataset,
  args: { batches?: number } = {},
): Promise<Tensor | Tensor[]> {
  const call = 'evaluateDataset';
  const state = requireCompiled(model, call);
  if (args.batches !== undefined) checkPositiveInt(args.batches, 'batches', call);
  syncTrainingWeights(model);
  const logs = await evaluateSource(model, state, new DatasetSource(model, dataset, call, args.batches));
  return asScalars(logs, state.metricsNames);
}

/**
 * Model outputs for `x` in inference mode (dropout off), computed in batches; repeated calls on
 * the same shapes replay the captured pass (replay_predict.ts).
 * @example const yHat = model.predict(xTest) as Tensor;
 */
export function predictModel(model: TrainableModel, x: ModelData, args: PredictArgs = {}): Tensor | Tensor[] {
  const call = 'predict';
  syncTrainingWeights(model);
  const batchSize = checkPositiveInt(args.batchSize ?? 32, 'batchSize', call);
  const xs = checkShapes(toTensorList(x, model.inputNames, 'x', call), model.inputNames, model.inputShapes, 'x', call);
  const n = checkSampleCounts([{ arg: 'x', tensors: xs }], call);
  // Each batch's intermediates are freed as soon as its outputs exist; the parts once joined.
  const outs = scoped(() =>
    noGrad(() => {
      if (n <= batchSize) return inferenceOutputs(model, xs);
      const parts: Tensor[][] = model.outputNames.map(() => []);
      for (let start = 0; start < n; start += batchSize) {
        const outputs = scoped(() => inferenceOutputs(model, sliceRows(xs, start, Math.min(n, start + batchSize))));
        outputs.forEach((o, i) => parts[i].push(o));
      }
      return parts.map((p) => concat(p, 0));
    }),
  );
  return outs.length === 1 ? outs[0] : outs;
}
