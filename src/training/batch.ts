import { dispose, scoped, scopedWithSurvivors } from '../core/memory.js';
import type { Tensor } from '../core/tensor.js';
import type { CompiledState } from './compile.js';
import type { LossAndMetricTracker } from './evaluate.js';
import { applyUpdate, forwardBackward, forwardOnly, readScalars, updateMetrics } from './step.js';
import type { TrainableModel } from './trainable_model.js';

/** One batch's data, made inside the batch's scope (so row gathers are freed with it). */
export interface BatchData {
  xs: Tensor[];
  ys: Tensor[];
  sampleWeight?: Tensor;
  size: number;
}

/**
 * Runs one batch, written once for every backend: the forward (and backward) pass in a scope
 * that frees all intermediates, then the loss read (at once on CPU backends, after the GPU
 * finishes on others), the optimizer update unless the loss is NaN or infinite (so training can
 * stop with the last good weights), and the metric updates. Returns the batch's total loss.
 */
export async function runBatch(
  kind: 'train' | 'test',
  model: TrainableModel,
  state: CompiledState,
  tracker: LossAndMetricTracker,
  makeBatch: () => BatchData,
): Promise<number> {
  const { result: step, survivors } = scopedWithSurvivors(() => {
    const batch = makeBatch();
    const tensors =
      kind === 'train'
        ? forwardBackward(model, state, batch.xs, batch.ys, batch.sampleWeight)
        : forwardOnly(model, state, batch.xs, batch.ys, batch.sampleWeight);
    return { ...tensors, ys: batch.ys, sampleWeight: batch.sampleWeight, size: batch.size };
  });
  try {
    const [loss, ...outputLosses] = await readScalars([step.loss, ...step.outputLosses]);
    if (kind === 'train' && !Number.isFinite(loss)) return loss;
    if (kind === 'train') scoped(() => applyUpdate(model, state, step.grads));
    tracker.addLosses(loss, outputLosses, step.size);
    await updateMetrics(state, step.ys, step.outputs, step.sampleWeight);
    return loss;
  } finally {
    dispose(survivors);
  }
}
