import { withBackend } from '../../backend/registry.js';
import type { TypedArray } from '../../core/dtype.js';
import { scoped } from '../../core/memory.js';
import type { Tensor } from '../../core/tensor.js';
import { Variable } from '../../core/variable.js';
import { noGrad } from '../../autograd/tape.js';
import { tensor } from '../../ops/convert.js';
import type { Optimizer } from '../../optimizers/optimizer.js';
import { fillDropoutMask } from '../../ops/random.js';
import type { CompiledState } from '../compile.js';
import type { StepResult } from '../batch.js';
import type { LossAndMetricTracker } from '../tracker.js';
import type { HostActivation } from './activations.js';
import type { Dropout } from '../../layers/dropout.js';
import type { DenseKernels } from './dense_kernels.js';
import type { HostLoss } from './losses.js';
import type { ArrayUpdate } from './updates.js';

/** The optimizer's name for a slot of `variable` (its `getWeights` names). */
const slotName = (variable: Variable, slot: string): string => `${variable.name}/${slot}`;

/** The optimizer's slot variables by name, from its public `getWeights`. */
function slotsOf(optimizer: Optimizer): Map<string, Variable> {
  const slots = new Map<string, Variable>();
  for (const { name, tensor: t } of optimizer.getWeights()) {
    if (t instanceof Variable) slots.set(name, t);
    else t.dispose(); // the step count and scalar state, made for the call
  }
  return slots;
}

/** One Dense layer of the chain: its sizes, weights, activation, penalties and any dropout after it. */
export interface FusedLayer {
  readonly inDim: number;
  readonly units: number;
  readonly kernel: Variable;
  readonly bias: Variable | null;
  readonly activation: HostActivation;
  /** L1/L2 weight regularization of the kernel and the bias, when set. */
  readonly kernelPenalty?: Penalty;
  readonly biasPenalty?: Penalty;
  /** A Dropout layer applied to this layer's output, when the chain has one there. */
  readonly dropout?: Dropout;
}

/** A weight regularizer's factors: l1·Σ|w| + l2·Σw² is added to the loss. */
export interface Penalty {
  readonly l1: number;
  readonly l2: number;
}

/**
 * A trainable variable, its values and optimizer slots as arrays between syncs: `values` in the
 * variable's dtype (the optimizer updates these), `work` the same values as float64 in the
 * kernels' memory (what the products read), `grad` its gradient there.
 */
interface Param {
  readonly variable: Variable;
  values: Float32Array | Float64Array;
  readonly work: Float64Array;
  readonly grad: Float64Array;
  readonly penalty: Penalty | undefined;
  /** Each slot's variable, null until the step creates it (in `store`). */
  readonly slotVariables: (Variable | null)[];
  slotValues: (Float32Array | Float64Array)[];
}

/**
 * Every weight's values, and every slot's, in one array each (parameters' `values` and
 * `slotValues` are views into them), so that the step saves the slots before an update and
 * checks the weights after it in one pass each.
 */
interface StateArrays {
  readonly values: Float32Array | Float64Array;
  readonly slots: Float32Array | Float64Array;
  /** The slots before the current update, to undo one that leaves a weight non-finite. */
  readonly slotsBefore: Float32Array | Float64Array;
}

/** How the batch's metrics are updated: from arrays, or (any other metric) from tensors. */
type MetricUpdate = (t: Float64Array, p: Float64Array, rows: number) => void;
/** A metric's update from the batch's targets and predictions as arrays (see metrics.ts). */
export type ArrayMetricUpdate = (t: Float64Array, p: Float64Array, rows: number, cols: number) => void;

export interface FusedStepParts {
  readonly layers: readonly FusedLayer[];
  /** A Dropout layer applied to the model's input (before the first Dense layer). */
  readonly inputDropout?: Dropout;
  readonly loss: HostLoss;
  readonly lossWeight: number;
  readonly rule: ArrayUpdate;
  readonly optimizer: Optimizer;
  readonly trainableWeights: readonly Variable[];
  readonly yRowShape: readonly number[];
  readonly yDtype: Tensor['dtype'];
  /** Per compiled metric, its array update, or null to feed it tensors. */
  readonly metricUpdates: readonly (ArrayMetricUpdate | null)[];
  readonly state: CompiledState;
  readonly batchSize: number;
  readonly kernels: DenseKernels;
}

function penaltyValue(w: Float32Array | Float64Array, { l1, l2 }: Penalty): number {
  let abs = 0,
    squares = 0;
  for (let i = 0; i < w.length; i++) {
    abs += Math.abs(w[i]);
    squares += w[i] * w[i];
  }
  return l1 * abs + l2 * squares;
}

function addPenaltyGrad(w: Float32Array | Float64Array, { l1, l2 }: Penalty, grad: Float64Array): void {
  for (let i = 0; i < w.length; i++) grad[i] += l1 * Math.sign(w[i]) + 2 * l2 * w[i];
}

function allFinite(values: Float32Array | Float64Array): boolean {
  // x·0 is 0 for finite x and NaN otherwise: a branch-free sum is faster than a test per value,
  // and four independent sums do not wait on each other.
  let p0 = 0,
    p1 = 0,
    p2 = 0,
    p3 = 0,
    i = 0;
  for (const n = values.length & ~3; i < n; i += 4) {
    p0 += values[i] * 0;
    p1 += values[i + 1] * 0;
    p2 += values[i + 2] * 0;
    p3 += values[i + 3] * 0;
  }
  for (; i < values.length; i++) p0 += values[i] * 0;
  return p0 + p1 + p2 + p3 === 0;
}

/**
 * The whole training step of a chain of Dense layers (forward, loss, backward, optimizer update,
 * metrics) over plain arrays, its matrix products in a small WebAssembly module: what a small
 * network costs without a tensor, a tape node or a backend kernel call per operation. Weights
 * and optimizer slots stay in arrays during an epoch and are written back to their variables by
 * `store` (fit calls it at every epoch end and when it stops), so everything outside the step
 * sees the same state as after eager steps. Activations and gradients are held in float64;
 * weights and slots round to their variables' dtype at every update, exactly as stored.
 */
export class FusedDenseStep {
  private readonly params: Param[];
  private readonly paramOf = new Map<Variable, Param>();
  private readonly inputs: Float64Array[]; // inputs[l]: the input of layer l (inputs[L] = output)
  private readonly preActivations: Float64Array[];
  private readonly outGrads: Float64Array[]; // d loss / d (output of layer l)
  private readonly preGrads: Float64Array[]; // d loss / d (pre-activation of layer l)
  // With dropout after layer l: its activation before the mask, and the mask (else unused).
  private readonly activated: Float64Array[];
  private readonly masks: Float64Array[];
  private readonly inputMask: Float64Array;
  private readonly targets: Float64Array;
  private readonly targetCols: number;
  private readonly metricUpdates: MetricUpdate[];
  private dirty = false;
  private arrays: StateArrays | null = null;
  /** The variables' buffers and the iteration count as of the last load or store. */
  private seen: unknown[] = [];
  private iterations = -1;

  constructor(private readonly parts: FusedStepParts) {
    const { layers, batchSize, kernels } = parts;
    const sizeOf = new Map<Variable, number>(),
      penaltyOf = new Map<Variable, Penalty | undefined>();
    layers.forEach((l) => {
      sizeOf.set(l.kernel, l.inDim * l.units);
      penaltyOf.set(l.kernel, l.kernelPenalty);
      if (l.bias) {
        sizeOf.set(l.bias, l.units);
        penaltyOf.set(l.bias, l.biasPenalty);
      }
    });
    const outCols = layers[layers.length - 1].units;
    this.targetCols = parts.loss.targetCols(outCols);
    // Everything the products touch lives in the kernels' memory, laid out once.
    const paramSizes = parts.trainableWeights.map((v) => sizeOf.get(v)!);
    const views = kernels.allocate([
      ...paramSizes,
      ...paramSizes,
      batchSize * layers[0].inDim,
      ...layers.map((l) => batchSize * l.units),
      ...layers.flatMap((l) => [batchSize * l.units, batchSize * l.units, batchSize * l.units]),
      ...layers.flatMap((l) => (l.dropout ? [batchSize * l.units, batchSize * l.units] : [0, 0])),
    ]);
    let next = 0;
    const take = () => views[next++];
    const work = paramSizes.map(take),
      grads = paramSizes.map(take);
    this.params = parts.trainableWeights.map((variable, i) => ({
      variable,
      values: new Float32Array(0),
      work: work[i],
      grad: grads[i],
      penalty: penaltyOf.get(variable),
      slotVariables: [],
      slotValues: [],
    }));
    for (const p of this.params) this.paramOf.set(p.variable, p);
    this.inputs = [take(), ...layers.map(take)];
    const perLayer = layers.map(() => [take(), take(), take()]);
    this.preActivations = perLayer.map((v) => v[0]);
    this.outGrads = perLayer.map((v) => v[1]);
    this.preGrads = perLayer.map((v) => v[2]);
    const dropoutBuffers = layers.map(() => [take(), take()]);
    this.activated = dropoutBuffers.map((v) => v[0]);
    this.masks = dropoutBuffers.map((v) => v[1]);
    this.inputMask = new Float64Array(parts.inputDropout ? batchSize * layers[0].inDim : 0);
    this.targets = new Float64Array(batchSize * this.targetCols);
    this.metricUpdates = parts.state.metrics.map((m, i) => {
      const host = parts.metricUpdates[i];
      if (host) return (t: Float64Array, p: Float64Array, rows: number) => host(t, p, rows, outCols);
      return (t: Float64Array, p: Float64Array, rows: number) => this.feedTensors(m.metric, t, p, rows, outCols);
    });
  }

  /**
   * Reads the weights and optimizer slots from their variables (through the optimizer's public
   * `getWeights`; a slot it does not have yet starts at its initial value, as the eager step
   * would create it). Skipped when nothing replaced them since the last `load` or `store`.
   */
  load(): void {
    if (this.arrays && this.current()) return;
    const { rule, optimizer } = this.parts;
    const slotCount = rule.slots.length;
    const total = this.params.reduce((n, p) => n + p.work.length, 0);
    if (!this.arrays) {
      const Arr = this.parts.layers[0].kernel.dtype === 'float64' ? Float64Array : Float32Array;
      this.arrays = {
        values: new Arr(total),
        slots: new Arr(total * slotCount),
        slotsBefore: new Arr(total * slotCount),
      };
    }
    const byName = slotsOf(optimizer);
    const { values, slots } = this.arrays;
    let offset = 0;
    for (const p of this.params) {
      const size = p.work.length;
      p.values = values.subarray(offset, offset + size);
      p.values.set(p.variable.dataSync() as Float32Array);
      p.work.set(p.values);
      p.slotVariables.length = 0;
      p.slotValues = rule.slots.map((s, k) => {
        const view = slots.subarray(k * total + offset, k * total + offset + size);
        const slot = byName.get(slotName(p.variable, s.name));
        if (slot) view.set(slot.dataSync() as Float32Array);
        else view.fill(s.initial);
        p.slotVariables.push(slot ?? null);
        return view;
      });
      offset += size;
    }
    this.iterations = optimizer.iterations;
    this.seen = this.handles();
    this.dirty = false;
  }

  /**
   * Writes weights and slots back into their variables, if any step ran since `load` (a slot
   * the step created goes to the optimizer through `setWeights`, in the eager step's order).
   */
  store(): void {
    if (!this.dirty) return;
    const { optimizer, rule } = this.parts;
    const write = (v: Variable, values: TypedArray) => {
      v.handle = v.backend.upload(values, v.dtype);
    };
    for (const p of this.params) {
      write(p.variable, p.values);
      rule.slots.forEach((s, k) => {
        const slot = p.slotVariables[k];
        if (slot) write(slot, p.slotValues[k]);
        else {
          const name = slotName(p.variable, s.name);
          optimizer.setWeights([{ name, tensor: tensor(p.slotValues[k], p.variable.shape, p.variable.dtype) }]);
          p.slotVariables[k] = slotsOf(optimizer).get(name) ?? null;
        }
      });
    }
    this.iterations = optimizer.iterations;
    this.seen = this.handles();
    this.dirty = false;
  }

  /** The buffers of every weight and slot variable, to tell whether other code replaced one. */
  private handles(): unknown[] {
    return this.params.flatMap((p) => [p.variable.handle, ...p.slotVariables.map((v) => v?.handle)]);
  }

  /** Whether the arrays still hold what the variables hold (nothing assigned them since). */
  private current(): boolean {
    if (this.parts.optimizer.iterations !== this.iterations) return false;
    const now = this.handles();
    return now.length === this.seen.length && now.every((h, i) => h === this.seen[i]);
  }

  /**
   * One step on rows `rows` of the inputs `x` and targets `y` (null: their first `n` rows).
   * When the loss is not finite nothing is updated, and an update that leaves a weight
   * non-finite is undone (as the eager step), so fit stops with the last finite weights.
   */
  trainBatch(
    x: TypedArray,
    y: TypedArray,
    rows: ArrayLike<number> | null,
    n: number,
    tracker: LossAndMetricTracker,
  ): StepResult {
    const { layers, loss: hostLoss, lossWeight } = this.parts;
    const inDim = layers[0].inDim,
      tCols = this.targetCols;
    const x0 = this.inputs[0],
      t = this.targets;
    for (let r = 0; r < n; r++) {
      const row = rows ? rows[r] : r;
      const src = row * inDim,
        dst = r * inDim;
      for (let k = 0; k < inDim; k++) x0[dst + k] = x[src + k];
      const ts = row * tCols,
        td = r * tCols;
      for (let k = 0; k < tCols; k++) t[td + k] = y[ts + k];
    }
    const inputDropout = this.parts.inputDropout;
    if (inputDropout) {
      // The data batch needs no gradient, so its mask is applied and forgotten.
      fillDropoutMask(this.inputMask, inputDropout.rate, inputDropout.rng, n * inDim);
      for (let i = 0, e = n * inDim; i < e; i++) x0[i] *= this.inputMask[i];
    }
    for (let l = 0; l < layers.length; l++) this.forward(l, n);

    const last = layers.length - 1,
      outCols = layers[last].units,
      out = this.inputs[last + 1];
    const dOut = this.outGrads[last];
    const perOutput = hostLoss.samples(t, out, dOut, n, outCols) / n;
    let loss = lossWeight * perOutput;
    for (const p of this.params) if (p.penalty) loss += penaltyValue(p.values, p.penalty);
    if (!Number.isFinite(loss)) return { loss };
    const scale = lossWeight / n;
    for (let i = 0, e = n * outCols; i < e; i++) dOut[i] *= scale;
    for (let l = last; l >= 0; l--) this.backward(l, n);
    for (const p of this.params) if (p.penalty) addPenaltyGrad(p.values, p.penalty, p.grad);

    const { optimizer, rule } = this.parts;
    const lr = optimizer.learningRate;
    const arrays = this.arrays!;
    if (arrays.slots.length > 0) arrays.slotsBefore.set(arrays.slots);
    for (const p of this.params) rule.update(p.values, p.grad, p.slotValues, lr);
    if (!allFinite(arrays.values)) {
      const diverged = this.params.find((p) => !allFinite(p.values))!;
      // `work` still holds the weights before this update (exactly: float64 holds any float32).
      for (const p of this.params) p.values.set(p.work);
      arrays.slots.set(arrays.slotsBefore);
      return { loss, nonFiniteWeight: diverged.variable.name };
    }
    for (const p of this.params) p.work.set(p.values);
    optimizer.iterations++;
    this.dirty = true;

    tracker.addLosses(loss, [perOutput], n);
    for (const update of this.metricUpdates) update(t, out, n);
    return { loss };
  }

  /**
   * Whether a batch of `n` rows with inputs `x` and targets `y` fits this step (datasets may
   * yield batches of other sizes or shapes than the one it was planned on).
   */
  accepts(x: Tensor, y: Tensor, n: number): boolean {
    const { layers, yRowShape, batchSize } = this.parts;
    return (
      n <= batchSize &&
      x.backend.syncReads !== false &&
      x.rank === 2 &&
      x.shape[1] === layers[0].inDim &&
      y.size === n * this.targetCols &&
      y.shape.length === yRowShape.length + 1 &&
      y.shape.every((d, i) => i === 0 || d === yRowShape[i - 1])
    );
  }

  private work(v: Variable | null): Float64Array | null {
    return v ? this.paramOf.get(v)!.work : null;
  }

  private grad(v: Variable | null): Float64Array | null {
    return v ? this.paramOf.get(v)!.grad : null;
  }

  /** z = x·W + b, y = activation(z) for `n` rows. */
  private forward(l: number, n: number): void {
    const { inDim, units, kernel, bias, activation, dropout } = this.parts.layers[l];
    const z = this.preActivations[l],
      y = this.inputs[l + 1];
    this.parts.kernels.forward(this.inputs[l], this.work(kernel)!, this.work(bias), z, n, inDim, units);
    if (!dropout) {
      activation.forward(z, y, n, units);
      return;
    }
    const a = this.activated[l],
      mask = this.masks[l];
    activation.forward(z, a, n, units);
    fillDropoutMask(mask, dropout.rate, dropout.rng, n * units);
    for (let i = 0, e = n * units; i < e; i++) y[i] = a[i] * mask[i];
  }

  /** From d loss / d y of layer l: the kernel and bias gradients and d loss / d x (unless l = 0). */
  private backward(l: number, n: number): void {
    const { inDim, units, kernel, bias, activation, dropout } = this.parts.layers[l];
    const dz = this.preGrads[l],
      kernels = this.parts.kernels,
      dy = this.outGrads[l];
    if (dropout) {
      const mask = this.masks[l];
      for (let i = 0, e = n * units; i < e; i++) dy[i] *= mask[i];
    }
    activation.backward(dy, this.preActivations[l], dropout ? this.activated[l] : this.inputs[l + 1], dz, n, units);
    kernels.weightGrads(this.inputs[l], dz, this.grad(kernel)!, this.grad(bias), n, inDim, units);
    if (l > 0) kernels.inputGrad(dz, this.work(kernel)!, this.outGrads[l - 1], n, inDim, units);
  }

  /** Any metric without an array form: fed the batch as tensors (on the reference backend). */
  private feedTensors(
    metric: CompiledState['metrics'][number]['metric'],
    t: Float64Array,
    p: Float64Array,
    rows: number,
    cols: number,
  ): void {
    const { yRowShape, yDtype } = this.parts;
    const dtype = this.parts.layers[this.parts.layers.length - 1].kernel.dtype;
    withBackend('ref', () =>
      scoped(() =>
        noGrad(() => {
          metric.updateState(
            tensor(t.slice(0, rows * this.targetCols), [rows, ...yRowShape], yDtype),
            tensor(p.slice(0, rows * cols), [rows, cols], dtype),
          );
        }),
      ),
    );
  }
}
