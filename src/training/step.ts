import { valueAndGradsOf } from '../autograd/gradients.js';
import { noGrad } from '../autograd/tape.js';
import { withBackend } from '../backend/registry.js';
import { scoped } from '../core/memory.js';
import type { Tensor } from '../core/tensor.js';
import { add, mul } from '../ops/prims/binary.js';
import { tensor } from '../ops/convert.js';
import { ValueError } from '../core/errors.js';
import type { CompiledState } from './compile.js';
import type { TrainableModel } from './trainable_model.js';

/** One batch's results, still as tensors (on GPU backends they are not read yet). */
export interface StepTensors {
  /** Total loss (weighted output losses plus regularization). */
  loss: Tensor;
  /** Each output's loss, before weighting (reported for multi-output models). */
  outputLosses: Tensor[];
  outputs: Tensor[];
  /** Gradients of the loss for each trainable weight (training steps only). */
  grads: Tensor[];
}

/**
 * The loss the optimizer minimises: Σ weight_i · loss_i(y_i, ŷ_i) + Σ regularization penalties.
 */
function totalLoss(
  state: CompiledState,
  ys: Tensor[],
  outputs: Tensor[],
  penalties: Tensor[],
  sampleWeight?: Tensor,
): { total: Tensor; perOutput: Tensor[] } {
  const perOutput = outputs.map((yPred, i) => state.losses[i].compute(ys[i], yPred, sampleWeight));
  let total = perOutput.reduce<Tensor | null>((acc, l, i) => {
    const w = state.lossWeights[i] === 1 ? l : mul(l, state.lossWeights[i]);
    return acc ? add(acc, w) : w;
  }, null)!;
  for (const p of penalties) total = add(total, p);
  return { total, perOutput };
}

/** Forward in training mode, loss, and the gradient of every trainable weight. No update yet. */
export function forwardBackward(
  model: TrainableModel,
  state: CompiledState,
  xs: Tensor[],
  ys: Tensor[],
  sampleWeight?: Tensor,
  retried = false,
): StepTensors {
  let outputs: Tensor[] = [];
  let perOutput: Tensor[] = [];
  const watched = model.trainableWeights;
  const { value, grads } = valueAndGradsOf(
    () => {
      const result = model.forward(xs, true);
      outputs = result.outputs;
      const l = totalLoss(state, ys, outputs, result.regularizationLosses, sampleWeight);
      perOutput = l.perOutput;
      return l.total;
    },
    watched,
    undefined,
    'fit',
    false,
  ); // the caller's per-batch scope frees the intermediates
  // A layer that creates weights during its first call (a custom layer wrapping another) adds
  // them in this pass, too late to be watched: the step is computed again, now that they exist.
  if (!sameList(watched, model.trainableWeights)) {
    if (retried)
      throw new ValueError(
        `fit: model '${model.name}' created new weights (${model.trainableWeights
          .filter((v) => !watched.includes(v))
          .map((v) => `'${v.name}'`)
          .join(', ')}) on a second call; a layer must create its weights once (in build or on its first call)`,
      );
    return forwardBackward(model, state, xs, ys, sampleWeight, true);
  }
  return { loss: value, outputLosses: perOutput, outputs, grads };
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** One optimizer update from `forwardBackward`'s gradients. */
export function applyUpdate(model: TrainableModel, state: CompiledState, grads: Tensor[]): void {
  noGrad(() =>
    state.optimizer.applyGradients(model.trainableWeights.map((variable, i) => ({ variable, grad: grads[i] }))),
  );
}

/** Forward in inference mode and the loss (for evaluate and validation). */
export function forwardOnly(
  model: TrainableModel,
  state: CompiledState,
  xs: Tensor[],
  ys: Tensor[],
  sampleWeight?: Tensor,
): StepTensors {
  return noGrad(() => {
    const { outputs, regularizationLosses } = model.forward(xs, false);
    const { total, perOutput } = totalLoss(state, ys, outputs, regularizationLosses, sampleWeight);
    return { loss: total, outputLosses: perOutput, outputs, grads: [] };
  });
}

/** Whether tensors on the active backend can be read synchronously (not on GPU backends). */
export function canReadSync(t: Tensor): boolean {
  return t.backend.syncReads !== false;
}

/** The single values of scalar tensors: at once where the backend allows, else after the GPU finishes. */
export async function readScalars(ts: Tensor[]): Promise<number[]> {
  if (ts.every(canReadSync)) return ts.map((t) => t.dataSync()[0]);
  return Promise.all(ts.map(async (t) => (await t.data())[0]));
}

/**
 * Feeds one batch's predictions into every compiled metric. Metrics keep running totals on the
 * CPU; on a backend without synchronous reads they are fed copies on the reference backend.
 */
export async function updateMetrics(
  state: CompiledState,
  ys: Tensor[],
  outputs: Tensor[],
  sampleWeight?: Tensor,
): Promise<void> {
  if (state.metrics.length === 0) return;
  const all = sampleWeight ? [...ys, ...outputs, sampleWeight] : [...ys, ...outputs];
  if (all.every(canReadSync)) {
    updateMetricsSync(state, ys, outputs, sampleWeight);
    return;
  }
  const values = await Promise.all(all.map((t) => t.data()));
  withBackend('ref', () =>
    scoped(() => {
      const host = all.map((t, i) => tensor(values[i], t.shape, t.dtype));
      updateMetricsSync(
        state,
        host.slice(0, ys.length),
        host.slice(ys.length, ys.length + outputs.length),
        sampleWeight ? host[host.length - 1] : undefined,
      );
    }),
  );
}

/** `updateMetrics` for backends with synchronous reads. */
export function updateMetricsSync(state: CompiledState, ys: Tensor[], outputs: Tensor[], sampleWeight?: Tensor): void {
  // Metrics keep numbers; whatever tensors they compute with are freed at once.
  scoped(() =>
    noGrad(() => {
      for (const m of state.metrics) m.metric.updateState(ys[m.output], outputs[m.output], sampleWeight);
    }),
  );
}
