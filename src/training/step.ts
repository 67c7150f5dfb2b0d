import { valueAndGradsOf } from '../autograd/gradients.js';
import { noGrad } from '../autograd/tape.js';
import type { Tensor } from '../core/tensor.js';
import { add, mul } from '../ops/binary.js';
import type { CompiledState } from './compile.js';
import type { TrainableModel } from './trainable_model.js';

export interface StepResult {
  /** Total loss (weighted output losses plus regularization), as a number. */
  loss: number;
  /** Each output's loss, before weighting (reported for multi-output models). */
  outputLosses: number[];
  outputs: Tensor[];
}

/**
 * The loss the optimizer minimises: Σ weight_i · loss_i(y_i, ŷ_i) + Σ regularization penalties.
 */
function totalLoss(state: CompiledState, ys: Tensor[], outputs: Tensor[], penalties: Tensor[], sampleWeight?: Tensor): { total: Tensor; perOutput: Tensor[] } {
  const perOutput = outputs.map((yPred, i) => state.losses[i].compute(ys[i], yPred, sampleWeight));
  let total = perOutput.reduce<Tensor | null>((acc, l, i) => {
    const w = state.lossWeights[i] === 1 ? l : mul(l, state.lossWeights[i]);
    return acc ? add(acc, w) : w;
  }, null)!;
  for (const p of penalties) total = add(total, p);
  return { total, perOutput };
}

/**
 * One optimisation step: forward in training mode, loss, gradients of every trainable weight,
 * optimizer update. A non-finite loss is returned without updating, so the caller can stop
 * with the last good weights.
 */
export function trainStep(model: TrainableModel, state: CompiledState, xs: Tensor[], ys: Tensor[], sampleWeight?: Tensor): StepResult {
  const vars = model.trainableWeights;
  let outputs: Tensor[] = [];
  let perOutput: Tensor[] = [];
  const { value, grads } = valueAndGradsOf(() => {
    const result = model.forward(xs, true);
    outputs = result.outputs;
    const l = totalLoss(state, ys, outputs, result.regularizationLosses, sampleWeight);
    perOutput = l.perOutput;
    return l.total;
  }, vars, undefined, 'fit', false); // the caller's per-batch scope frees the intermediates
  const loss = value.dataSync()[0];
  if (Number.isFinite(loss)) {
    noGrad(() => state.optimizer.applyGradients(vars.map((variable, i) => ({ variable, grad: grads[i] }))));
  }
  return { loss, outputLosses: perOutput.map((t) => t.dataSync()[0]), outputs };
}

/** Forward in inference mode and the loss (for evaluate and validation). */
export function testStep(model: TrainableModel, state: CompiledState, xs: Tensor[], ys: Tensor[], sampleWeight?: Tensor): StepResult {
  return noGrad(() => {
    const { outputs, regularizationLosses } = model.forward(xs, false);
    const { total, perOutput } = totalLoss(state, ys, outputs, regularizationLosses, sampleWeight);
    return { loss: total.dataSync()[0], outputLosses: perOutput.map((t) => t.dataSync()[0]), outputs };
  });
}

/** Feeds one batch's predictions into every compiled metric. */
export function updateMetrics(state: CompiledState, ys: Tensor[], outputs: Tensor[], sampleWeight?: Tensor): void {
  noGrad(() => {
    for (const m of state.metrics) m.metric.updateState(ys[m.output], outputs[m.output], sampleWeight);
  });
}
