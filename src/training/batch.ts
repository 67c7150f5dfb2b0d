import { dispose, scoped, scopedWithSurvivors } from '../core/memory.js';
import type { Tensor } from '../core/tensor.js';
import type { CompiledState } from './compile.js';
import { StepUndo } from './rollback.js';
import {
  type StepTensors,
  applyUpdate,
  forwardBackward,
  forwardOnly,
  readScalars,
  updateMetrics,
  updateMetricsSync,
} from './step.js';
import type { LossAndMetricTracker } from './tracker.js';
import type { TrainableModel } from './trainable_model.js';

/** One batch's data, made inside the batch's scope (so row gathers are freed with it). */
export interface BatchData {
  xs: Tensor[];
  ys: Tensor[];
  sampleWeight?: Tensor;
  size: number;
}

/** What one training step did: the batch's loss, and the weight an update made non-finite. */
export interface StepResult {
  loss: number;
  /** Set when the update left this weight NaN or infinite; the step was undone. */
  nonFiniteWeight?: string;
}

/** The forward and backward pass of a step: `forwardBackward`, or its replay (replay_step.ts). */
export type Pass = (
  model: TrainableModel,
  state: CompiledState,
  xs: Tensor[],
  ys: Tensor[],
  sampleWeight?: Tensor,
) => StepTensors;

/**
 * One training step, written once for every backend: the forward and backward pass (`pass`) in
 * a scope that frees all intermediates, then the loss read (at once on CPU backends, after the
 * GPU finishes on others), the optimizer update, and the metric updates. A step that diverges
 * (the loss is NaN or infinite, or the update leaves a weight so) is undone, weights and
 * optimizer state, so training stops with the last finite weights.
 * @example const { loss } = await trainBatch(model, state, tracker, () => ({ xs, ys, size: n }));
 */
export async function trainBatch(
  model: TrainableModel,
  state: CompiledState,
  tracker: LossAndMetricTracker,
  makeBatch: () => BatchData,
  pass: Pass = forwardBackward,
): Promise<StepResult> {
  const undo = new StepUndo(model.weights, state.optimizer);
  const { result: step, survivors } = scopedWithSurvivors(() => {
    const batch = makeBatch();
    const tensors = pass(model, state, batch.xs, batch.ys, batch.sampleWeight);
    return { ...tensors, ys: batch.ys, sampleWeight: batch.sampleWeight, size: batch.size };
  });
  try {
    const [loss, ...outputLosses] = await readScalars([step.loss, ...step.outputLosses]);
    if (!Number.isFinite(loss)) {
      undo.undo(); // the forward pass may have moved statistics (batch normalization)
      return { loss };
    }
    scoped(() => applyUpdate(model, state, step.grads));
    const nonFiniteWeight = await undo.firstNonFinite();
    if (nonFiniteWeight !== null) {
      undo.undo();
      return { loss, nonFiniteWeight };
    }
    tracker.addLosses(loss, outputLosses, step.size);
    await updateMetrics(state, step.ys, step.outputs, step.sampleWeight);
    return { loss };
  } finally {
    dispose(survivors);
    undo.release();
  }
}

/**
 * One evaluation step (inference mode): loss and metrics into `tracker`. Returns the loss.
 * @example await testBatch(model, state, tracker, () => ({ xs, ys, size: n }));
 */
export async function testBatch(
  model: TrainableModel,
  state: CompiledState,
  tracker: LossAndMetricTracker,
  makeBatch: () => BatchData,
): Promise<number> {
  const { result: step, survivors } = scopedWithSurvivors(() => {
    const batch = makeBatch();
    const tensors = forwardOnly(model, state, batch.xs, batch.ys, batch.sampleWeight);
    return { ...tensors, ys: batch.ys, sampleWeight: batch.sampleWeight, size: batch.size };
  });
  try {
    const [loss, ...outputLosses] = await readScalars([step.loss, ...step.outputLosses]);
    tracker.addLosses(loss, outputLosses, step.size);
    await updateMetrics(state, step.ys, step.outputs, step.sampleWeight);
    return loss;
  } finally {
    dispose(survivors);
  }
}

/**
 * `testBatch` for backends with synchronous reads (the synchronous `evaluate`).
 * @example testBatchSync(model, state, tracker, () => ({ xs, ys, size: n }));
 */
export function testBatchSync(
  model: TrainableModel,
  state: CompiledState,
  tracker: LossAndMetricTracker,
  makeBatch: () => BatchData,
): number {
  return scoped(() => {
    const batch = makeBatch();
    const step = forwardOnly(model, state, batch.xs, batch.ys, batch.sampleWeight);
    const loss = step.loss.dataSync()[0];
    tracker.addLosses(
      loss,
      step.outputLosses.map((t) => t.dataSync()[0]),
      batch.size,
    );
    updateMetricsSync(state, batch.ys, step.outputs, batch.sampleWeight);
    return loss;
  });
}
