import type { Tensor } from '../../core/tensor.js';
import { Dense } from '../../layers/dense.js';
import { Dropout } from '../../layers/dropout.js';
import { L1, L1L2, L2, type Regularizer } from '../../regularizers/regularizer.js';
import type { CompiledState } from '../compile.js';
import type { TrainableModel } from '../trainable_model.js';
import { HOST_ACTIVATIONS } from './activations.js';
import { FusedDenseStep, type FusedLayer } from './dense_step.js';
import { DenseKernels } from './dense_kernels.js';
import { hostLoss } from './losses.js';
import { hostMetric } from './metrics.js';
import { layerChain } from './chain.js';
import { arrayUpdate } from './updates.js';

/**
 * Below this many multiply-adds in one batch's forward pass, the fused step beats the backend's
 * kernels (their per-operation cost dominates); above it the op-by-op step with SIMD matrix
 * products on every core wins. Measured on a 2-core machine with 64-input MLPs at batch 32:
 * fused 3.5x faster at 2^15, 1.2x at 2^17, even at about 2^18, 0.8x at 2^19.
 */
export const FUSED_STEP_MAX_FORWARD_MACS = 1 << 18;
/** The fused step copies the training data to plain arrays; larger data stays eager. */
const MAX_HOST_DATA = 1 << 24;

/** The l1 and l2 factors of a weight regularizer, none for no regularizer, null for one the step cannot fuse. */
function penaltyOf(reg: Regularizer | null): { l1: number; l2: number } | undefined | null {
  if (!reg) return undefined;
  // Exact classes only: a subclass may penalise differently.
  if (reg.constructor === L1) return { l1: (reg as L1).l1, l2: 0 };
  if (reg.constructor === L2) return { l1: 0, l2: (reg as L2).l2 };
  if (reg.constructor === L1L2) return { l1: (reg as L1L2).l1, l2: (reg as L1L2).l2 };
  return null;
}

/** The data the step is planned on: all of it (arrays), or the first batch (datasets). */
interface TrainData {
  xs: Tensor[];
  ys: Tensor[];
  n: number;
  sampleWeight?: Tensor;
}

/**
 * The fused step for this model and fit, or why there is none. Supported: a chain (Sequential,
 * or a functional model without branches) of Dense layers (activations in HOST_ACTIVATIONS,
 * L1/L2 weight regularizers, no constraints), with Dropout (no noiseShape) between them or on
 * the input; one of the fused losses; an optimizer with an array update (SGD, Adam, RMSprop,
 * Adagrad); no sample weights; a backend with synchronous reads.
 */
export function planFusedStep(
  model: TrainableModel,
  state: CompiledState,
  data: TrainData,
  batchSize: number,
  honourSize: boolean,
): FusedDenseStep | string {
  const chain = layerChain(model);
  if (!chain)
    return `model '${model.name}' is not a plain chain of layers (one input, one output, no branches or shared layers)`;
  if (model.inputShapes.length !== 1 || model.inputShapes[0].length !== 2)
    return `the model's input is not one batch of vectors`;
  const layers: FusedLayer[] = [];
  let inputDropout: Dropout | undefined;
  for (const layer of chain) {
    const what = `layer '${layer.name}' (${layer.getClassName()})`;
    if (layer instanceof Dropout && layer.call === Dropout.prototype.call && !layer.noiseShape) {
      if (layer.rate === 0) continue; // as in training, an identity
      const prev = layers.at(-1);
      if (prev ? prev.dropout : inputDropout) return `${what} follows another Dropout layer`;
      if (prev) layers[layers.length - 1] = { ...prev, dropout: layer };
      else inputDropout = layer;
      continue;
    }
    if (!(layer instanceof Dense) || layer.call !== Dense.prototype.call)
      return `${what} is not a Dense or Dropout layer (the fused step runs chains of Dense layers, with Dropout between them)`;
    const activation = HOST_ACTIVATIONS[layer.activation.name];
    if (!activation)
      return `${what} uses activation '${layer.activation.name}' (fused: ${Object.keys(HOST_ACTIVATIONS).join(', ')})`;
    if (layer.activityRegularizer || layer.kernelConstraint || layer.biasConstraint)
      return `${what} has an activity regularizer or a constraint`;
    const kernelPenalty = penaltyOf(layer.kernelRegularizer),
      biasPenalty = penaltyOf(layer.biasRegularizer);
    if (kernelPenalty === null || biasPenalty === null) return `${what} has a regularizer other than L1, L2 or L1L2`;
    if (!layer.kernel) return `${what} is not built yet`;
    if (!layer.trainable) return `${what} is frozen`;
    const [inDim, units] = layer.kernel.shape;
    const prev = layers.at(-1);
    if (prev ? prev.units !== inDim : model.inputShapes[0][1] !== inDim)
      return `${what} does not take the previous layer's output`;
    layers.push({ inDim, units, kernel: layer.kernel, bias: layer.bias, activation, kernelPenalty, biasPenalty });
  }
  if (layers.length === 0) return `model '${model.name}' has no layers`;
  if (layers.some((l) => l.kernel.dtype !== layers[0].kernel.dtype || (l.bias && l.bias.dtype !== l.kernel.dtype)))
    return `the layers' weights mix dtypes`;
  const ownWeights = new Set(layers.flatMap((l) => (l.bias ? [l.kernel, l.bias] : [l.kernel])));
  if (model.trainableWeights.length !== ownWeights.size || model.trainableWeights.some((v) => !ownWeights.has(v)))
    return `the model has trainable weights outside its Dense layers`;

  if (state.losses.length !== 1) return `the model has ${state.losses.length} outputs`;
  const loss = hostLoss(state.losses[0]);
  if (typeof loss === 'string') return loss;
  const rule = arrayUpdate(state.optimizer);
  if (typeof rule === 'string') return rule;
  if (data.sampleWeight) return `sample or class weights are given`;
  const x = data.xs[0],
    y = data.ys[0];
  if (x.backend.syncReads === false) return `backend '${x.backend.name}' reads memory asynchronously`;
  const outCols = layers[layers.length - 1].units;
  if (y.size !== data.n * loss.targetCols(outCols))
    return `'y' has shape [${y.shape.join(', ')}], not one target row per prediction`;
  if (x.size + y.size > MAX_HOST_DATA) return `the training data has more than ${MAX_HOST_DATA} values`;
  const macs = batchSize * layers.reduce((s, l) => s + l.inDim * l.units, 0);
  if (honourSize && macs > FUSED_STEP_MAX_FORWARD_MACS)
    return `a batch's forward pass has ${macs} multiply-adds (the fused step is faster below ${FUSED_STEP_MAX_FORWARD_MACS})`;

  const kernels = DenseKernels.create();
  if (typeof kernels === 'string') return kernels;
  return new FusedDenseStep({
    layers,
    inputDropout,
    loss,
    lossWeight: state.lossWeights[0],
    rule,
    optimizer: state.optimizer,
    trainableWeights: model.trainableWeights,
    yRowShape: y.shape.slice(1),
    yDtype: y.dtype,
    metricUpdates: state.metrics.map((m) => hostMetric(m.metric)),
    state,
    batchSize: Math.min(batchSize, data.n),
    kernels,
  });
}

/**
 * The fused step for this fit when `jitCompile` allows it and the model qualifies, else why not
 * (with 'auto', a forward pass too large to gain from it is a reason too).
 * @example const fused = fusedStepFor(model, state, data, 32); if (typeof fused !== 'string') fused.load();
 */
export function fusedStepFor(
  model: TrainableModel,
  state: CompiledState,
  data: TrainData,
  batchSize: number,
): FusedDenseStep | string {
  const mode = state.jitCompile ?? 'auto';
  if (mode === false) return 'jitCompile is false';
  return planFusedStep(model, state, data, batchSize, mode === 'auto');
}
