import { ValueError, fmtShape } from '../core/errors.js';
import { globalRng, Rng } from '../core/rng.js';
import { keep } from '../core/memory.js';
import { Tensor } from '../core/tensor.js';
import type { Variable } from '../core/variable.js';
import {
  getActivation,
  serializeActivation,
  type Activation,
  type ActivationIdentifier,
} from '../activations/index.js';
import { getConstraint, serializeConstraint, type ConstraintIdentifier } from '../constraints/registry.js';
import type { Constraint } from '../constraints/constraint.js';
import type { Config } from '../core/config.js';
import type { Initializer } from '../initializers/initializer.js';
import { getInitializer, serializeInitializer, type InitializerIdentifier } from '../initializers/registry.js';
import { add, mul, where } from '../ops/prims/binary.js';
import { concat } from '../ops/prims/concat.js';
import { tensor } from '../ops/convert.js';
import { dropoutMask } from '../ops/random.js';
import { zeros } from '../ops/creation.js';
import { expandDims } from '../ops/dims.js';
import { matMul } from '../ops/prims/matmul.js';
import { reverse } from '../ops/reverse.js';
import { stopGradient } from '../ops/prims/unary.js';
import { reshape, transpose } from '../ops/prims/shape_ops.js';
import { getRegularizer, serializeRegularizer, type RegularizerIdentifier } from '../regularizers/registry.js';
import type { Regularizer } from '../regularizers/regularizer.js';
import { Layer, type CallArgs, type LayerArgs } from './layer.js';
import { timeSteps } from '../ops/prims/time_steps.js';
import type { Shape, SymbolicTensor } from './symbolic.js';

/** Arguments shared by simpleRNN, lstm and gru (Keras names and defaults). */
export interface RecurrentArgs extends LayerArgs {
  units: number;
  /** Default 'tanh'. */
  activation?: ActivationIdentifier;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  recurrentInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  recurrentRegularizer?: RegularizerIdentifier | null;
  biasRegularizer?: RegularizerIdentifier | null;
  kernelConstraint?: ConstraintIdentifier | null;
  recurrentConstraint?: ConstraintIdentifier | null;
  biasConstraint?: ConstraintIdentifier | null;
  /** Fraction of input features dropped while training (one mask for all timesteps). */
  dropout?: number;
  /** Fraction of state units dropped in the recurrent product while training. */
  recurrentDropout?: number;
  /** Seeds the layer's own dropout generator. */
  seed?: number | null;
  /** Output every timestep ([batch, time, units]) instead of the last ([batch, units]). */
  returnSequences?: boolean;
  /** Also return the final states, after the output. */
  returnState?: boolean;
  /** Process the sequence from its end; outputs come in processing order. */
  goBackwards?: boolean;
  /** Keep the final states of each batch as the initial states of the next. */
  stateful?: boolean;
  /** Masked timesteps output zeros instead of repeating the previous output. */
  zeroOutputForMask?: boolean;
}

/** Call arguments of recurrent layers: a mask and, optionally, initial states. */
export interface RecurrentCallArgs extends CallArgs {
  /** The states to start from: tensors, or symbolic tensors (another layer's states) in a functional model. */
  initialState?: Tensor[] | SymbolicTensor[] | null;
}

type AnyInputs = Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[];

/**
 * Moves `initialState` into the inputs list (`[x, ...states]`), as Keras' `RNN.__call__` does.
 * @example const [inputs, kwargs] = statesAsInputs("LSTM 'lstm'", x, { initialState: [h, c] });
 */
export function statesAsInputs(who: string, inputs: AnyInputs, kwargs: RecurrentCallArgs): [AnyInputs, CallArgs] {
  const initial = kwargs.initialState as Tensor | SymbolicTensor | Tensor[] | SymbolicTensor[] | null | undefined;
  if (initial === undefined || initial === null) return [inputs, kwargs];
  const list = Array.isArray(inputs) ? inputs : [inputs];
  if (list.length > 1)
    throw new ValueError(
      `${who}: initial states were given twice, as extra inputs and as 'initialState'; give them once`,
    );
  const { initialState: _given, ...rest } = kwargs;
  void _given;
  const states = Array.isArray(initial) ? initial : [initial];
  return [[...list, ...states] as Tensor[] | SymbolicTensor[], rest];
}

/** What a fused recurrence produces (see RecurrentLayer.wholeSequence). */
export interface WholeSequence {
  sequence: Tensor;
  last: Tensor;
  states: Tensor[];
}

/** What one step of a cell produces. */
export interface StepResult {
  output: Tensor;
  states: Tensor[];
}

/** What `unrollSteps` needs of the layer: what it returns and what a masked step outputs. */
interface UnrollOptions {
  returnSequences: boolean;
  zeroOutputForMask: boolean;
}

/**
 * Keras' recurrent loop over time-major steps `xs` ([steps, batch, ...]): `step` maps one
 * step's input and the states to an output and new states; a masked step keeps the states and
 * repeats the previous output (zeros with `zeroOutputForMask`, and before the first step).
 * Returns the outputs ([batch, steps, ...] with `returnSequences`, else the last) and the final
 * states.
 * @example const { output, states } = unrollSteps(xs, [h0], (xt, s) => cell.step(xt, s, false), null, zeros([b, u]), layer);
 */
export function unrollSteps(
  xs: Tensor,
  initial: Tensor[],
  step: (xt: Tensor, states: Tensor[]) => StepResult,
  masks: Tensor[] | null,
  noOutput: Tensor,
  options: UnrollOptions,
): StepResult {
  let states = initial;
  let previous = noOutput;
  const outputs: Tensor[] = [];
  timeSteps(xs).forEach((xt, t) => {
    const result = step(xt, states);
    let output = result.output;
    if (masks) {
      const m = masks[t];
      states = result.states.map((s, i) => where(m, s, states[i]));
      output = where(m, output, options.zeroOutputForMask ? zeros(output.shape, output.dtype) : previous);
    } else states = result.states;
    previous = output;
    if (options.returnSequences) outputs.push(output);
  });
  const output = options.returnSequences
    ? concat(
        outputs.map((o) => expandDims(o, 1)),
        1,
      )
    : previous;
  return { output, states };
}

/**
 * The loop shared by the recurrent layers. Subclasses say how many gate blocks the kernel
 * has and write one `step`; the base projects the inputs of every timestep with one matmul,
 * unrolls the loop (back-propagation through time is the ordinary gradient of that loop),
 * and handles masks, dropout, direction, stateful batches and what is returned.
 *
 * @example
 * class MyRnn extends RecurrentLayer { ... protected step(x, [h]) { ... } }
 */
export abstract class RecurrentLayer extends Layer {
  readonly units: number;
  readonly activation: Activation;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly recurrentInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly recurrentRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  readonly kernelConstraint: Constraint | null;
  readonly recurrentConstraint: Constraint | null;
  readonly biasConstraint: Constraint | null;
  readonly dropout: number;
  readonly recurrentDropout: number;
  readonly seed: number | null;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly stateful: boolean;
  zeroOutputForMask: boolean;
  kernel: Variable | null = null;
  recurrentKernel: Variable | null = null;
  bias: Variable | null = null;
  /** The carried states of a stateful layer (null until its first call or after a reset). */
  states: Tensor[] | null = null;
  private readonly rng: Rng;

  /** How many [units]-wide blocks the kernels hold (LSTM 4, GRU 3, SimpleRNN 1). */
  protected abstract readonly gates: number;
  /** How many state tensors the layer carries (LSTM 2: h and c). */
  protected abstract readonly stateCount: number;

  constructor(args: RecurrentArgs) {
    super(args);
    const cls = this.getClassName();
    if (!Number.isInteger(args.units) || args.units <= 0)
      throw new ValueError(
        `${cls} '${this.name}': 'units' must be a positive integer, got ${JSON.stringify(args.units)}`,
      );
    for (const key of ['dropout', 'recurrentDropout'] as const) {
      const v = args[key] ?? 0;
      if (typeof v !== 'number' || !(v >= 0 && v < 1))
        throw new ValueError(
          `${cls} '${this.name}': '${key}' must be a number in [0, 1), got ${JSON.stringify(args[key])}`,
        );
    }
    this.units = args.units;
    this.activation = getActivation(args.activation === undefined ? 'tanh' : args.activation);
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = getInitializer(args.kernelInitializer ?? 'glorotUniform');
    this.recurrentInitializer = getInitializer(args.recurrentInitializer ?? 'orthogonal');
    this.biasInitializer = getInitializer(args.biasInitializer ?? 'zeros');
    this.kernelRegularizer = args.kernelRegularizer ? getRegularizer(args.kernelRegularizer) : null;
    this.recurrentRegularizer = args.recurrentRegularizer ? getRegularizer(args.recurrentRegularizer) : null;
    this.biasRegularizer = args.biasRegularizer ? getRegularizer(args.biasRegularizer) : null;
    this.kernelConstraint = args.kernelConstraint ? getConstraint(args.kernelConstraint) : null;
    this.recurrentConstraint = args.recurrentConstraint ? getConstraint(args.recurrentConstraint) : null;
    this.biasConstraint = args.biasConstraint ? getConstraint(args.biasConstraint) : null;
    this.dropout = args.dropout ?? 0;
    this.recurrentDropout = args.recurrentDropout ?? 0;
    this.seed = args.seed ?? null;
    this.rng = this.seed === null ? globalRng : new Rng(this.seed);
    this.returnSequences = args.returnSequences ?? false;
    this.returnState = args.returnState ?? false;
    this.goBackwards = args.goBackwards ?? false;
    this.stateful = args.stateful ?? false;
    this.zeroOutputForMask = args.zeroOutputForMask ?? false;
    this.supportsMasking = true;
  }

  /** One timestep: `x` is this step's projected input [batch, gates*units] (bias included). */
  protected abstract step(x: Tensor, states: Tensor[], recurrentMask: Tensor | null): StepResult;

  /**
   * The whole recurrence at once, where a cell has a fused kernel for it: the outputs of every
   * step time-major [steps, batch, units], the last one and the final states; null to loop over
   * the steps with `step`. Called only without masks and recurrent dropout.
   */
  protected wholeSequence(_projected: Tensor, _states: Tensor[]): WholeSequence | null {
    return null;
  }

  /** The bias weight's shape (GRU with resetAfter overrides it). */
  protected biasShape(): number[] {
    return [this.gates * this.units];
  }

  /** The part of the bias added to the input projection (all of it, except for GRU). */
  protected inputBias(): Tensor | null {
    return this.bias;
  }

  /** Per-call preparation before the loop (slicing weights once rather than per step). */
  protected beginSequence(): void {}

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    if (shape.length !== 3)
      throw new ValueError(
        `${this.getClassName()} '${this.name}': expected input of rank 3 [batch, timesteps, features], got shape ${fmtShape(shape)} (rank ${shape.length})`,
      );
    const inputDim = shape[2];
    if (inputDim === null)
      throw new ValueError(
        `${this.getClassName()} '${this.name}': the feature dimension of the input must be known, got input shape ${fmtShape(shape)}`,
      );
    const width = this.gates * this.units;
    this.kernel = this.addWeight(
      'kernel',
      [inputDim, width],
      undefined,
      this.kernelInitializer,
      this.kernelRegularizer,
      true,
      this.kernelConstraint,
    );
    this.recurrentKernel = this.addWeight(
      'recurrent_kernel',
      [this.units, width],
      undefined,
      this.recurrentInitializer,
      this.recurrentRegularizer,
      true,
      this.recurrentConstraint,
    );
    if (this.useBias)
      this.bias = this.addWeight(
        'bias',
        this.biasShape(),
        undefined,
        this.biasInitializer,
        this.biasRegularizer,
        true,
        this.biasConstraint,
      );
    this.inputSpec = [{ ndim: 3, axes: { [-1]: inputDim } }];
  }

  /**
   * Initial states given as `initialState` become extra inputs (Keras' `RNN.__call__`), so a
   * symbolic state, an encoder's final states feeding a decoder in a functional model, is an
   * edge of the graph that fit feeds with each batch's values, not a call argument.
   * @example const dec = layers.lstm({ units: 8 }).apply(decIn, { initialState: [h, c] });
   */
  override apply(
    inputs: SymbolicTensor | SymbolicTensor[],
    kwargs?: RecurrentCallArgs,
  ): SymbolicTensor | SymbolicTensor[];
  override apply(inputs: Tensor | Tensor[], kwargs?: RecurrentCallArgs): Tensor | Tensor[];
  override apply(
    inputs: Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[],
    kwargs?: RecurrentCallArgs,
  ): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[];
  override apply(
    inputs: Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[],
    kwargs: RecurrentCallArgs = {},
  ): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[] {
    const [list, rest] = statesAsInputs(`${this.getClassName()} '${this.name}'`, inputs, kwargs);
    return super.apply(list, rest);
  }

  call(inputs: Tensor | Tensor[], kwargs: RecurrentCallArgs): Tensor | Tensor[] {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    const x = list[0];
    const [batch, steps, features] = x.shape;
    const mask = this.checkedMask(kwargs.mask, batch, steps);
    const states = this.initialStates(list.length > 1 ? list.slice(1) : null, batch, x.dtype);
    const training = kwargs.training ?? false;

    // One matmul projects every timestep; time-major so each step is a contiguous block.
    let xs = transpose(
      training && this.dropout > 0 ? mul(x, this.dropoutMask([batch, 1, features], this.dropout, x.dtype)) : x,
      [1, 0, 2],
    );
    if (this.goBackwards) xs = reverse(xs, 0);
    let projected = reshape(matMul(reshape(xs, [steps * batch, features]), this.kernel as Variable), [
      steps,
      batch,
      this.gates * this.units,
    ]);
    const bias = this.inputBias();
    if (bias) projected = add(projected, bias);
    const recurrentMask =
      training && this.recurrentDropout > 0
        ? this.dropoutMask([batch, this.units], this.recurrentDropout, x.dtype)
        : null;
    const stepMasks = mask ? this.stepMasks(mask, batch, steps) : null;

    this.beginSequence();
    const whole = !stepMasks && !recurrentMask && steps > 0 ? this.wholeSequence(projected, states) : null;
    if (whole) {
      if (this.stateful) this.states = whole.states.map((st) => keep(stopGradient(st)));
      const output = this.returnSequences ? transpose(whole.sequence, [1, 0, 2]) : whole.last;
      return this.returnState ? [output, ...whole.states] : output;
    }
    const run = unrollSteps(
      projected,
      states,
      (xt, st) => this.step(xt, st, recurrentMask),
      stepMasks,
      zeros([batch, this.units], x.dtype),
      this,
    );
    // Carried to the next batch as constants (no backprop across batches), and kept past the
    // trainer's per-batch scope.
    if (this.stateful) this.states = run.states.map((st) => keep(stopGradient(st)));
    return this.returnState ? [run.output, ...run.states] : run.output;
  }

  /** A mask as [batch, timesteps] booleans, or null; a wrong shape is an error naming the layer. */
  private checkedMask(mask: Tensor | Tensor[] | null | undefined, batch: number, steps: number): Uint8Array | null {
    const m = Array.isArray(mask) ? mask[0] : mask;
    if (!m) return null;
    if (!(m instanceof Tensor) || m.rank !== 2 || m.shape[0] !== batch || m.shape[1] !== steps) {
      const got = m instanceof Tensor ? fmtShape(m.shape) : typeof m;
      throw new ValueError(
        `${this.getClassName()} '${this.name}': the mask must have shape [${batch}, ${steps}] (batch, timesteps), got ${got}`,
      );
    }
    const values = m.dataSync();
    return Uint8Array.from(values, (v) => (v ? 1 : 0));
  }

  /** Per-step [batch, 1] boolean masks, in processing order. */
  private stepMasks(mask: Uint8Array, batch: number, steps: number): Tensor[] {
    return Array.from({ length: steps }, (_, k) => {
      const t = this.goBackwards ? steps - 1 - k : k;
      const column = new Uint8Array(batch);
      for (let b = 0; b < batch; b++) column[b] = mask[b * steps + t];
      return tensor(column, [batch, 1], 'bool');
    });
  }

  private initialStates(given: Tensor[] | null, batch: number, dtype: Tensor['dtype']): Tensor[] {
    const cls = `${this.getClassName()} '${this.name}'`;
    if (given) {
      if (given.length !== this.stateCount)
        throw new ValueError(`${cls}: expected ${this.stateCount} initial state tensor(s), got ${given.length}`);
      given.forEach((s, i) => {
        if (s.rank !== 2 || s.shape[0] !== batch || s.shape[1] !== this.units) {
          throw new ValueError(
            `${cls}: initial state ${i} must have shape [${batch}, ${this.units}], got ${fmtShape(s.shape)}`,
          );
        }
      });
      return given;
    }
    if (this.stateful) {
      const fixed = this.batchInputShape?.[0] ?? this.states?.[0].shape[0] ?? null;
      if (fixed !== null && fixed !== batch) {
        throw new ValueError(
          `${cls} is stateful and expects batches of ${fixed} samples (its carried states are [${fixed}, ${this.units}]), got a batch of ${batch}; use a constant batch size or call resetStates() first`,
        );
      }
      if (this.states) return this.states;
    }
    return Array.from({ length: this.stateCount }, () => zeros([batch, this.units], dtype));
  }

  /**
   * Clears the carried states of a stateful layer (to zeros at the next call), or sets them.
   * @example layer.resetStates();
   */
  resetStates(states?: Tensor[]): void {
    if (!this.stateful)
      throw new ValueError(
        `${this.getClassName()} '${this.name}' is not stateful; only stateful layers carry states to reset`,
      );
    this.states = states ? [...states] : null;
  }

  /** An inverted-dropout mask: 0 with probability `rate`, else 1 / (1 - rate). */
  private dropoutMask(shape: number[], rate: number, dtype: Tensor['dtype']): Tensor {
    return dropoutMask(shape, rate, dtype, this.rng);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const output: Shape = this.returnSequences ? [shape[0], shape[1], this.units] : [shape[0], this.units];
    if (!this.returnState) return output;
    return [output, ...Array.from({ length: this.stateCount }, (): Shape => [shape[0], this.units])];
  }

  override computeMask(
    _inputs: Tensor | Tensor[],
    mask: Tensor | Tensor[] | null | undefined,
  ): Tensor | Tensor[] | null {
    const m = (Array.isArray(mask) ? mask[0] : mask) ?? null;
    const outputMask = this.returnSequences ? m : null;
    return this.returnState
      ? ([outputMask, ...Array.from({ length: this.stateCount }, () => null)] as Tensor[])
      : outputMask;
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: serializeActivation(this.activation),
      useBias: this.useBias,
      kernelInitializer: serializeInitializer(this.kernelInitializer),
      recurrentInitializer: serializeInitializer(this.recurrentInitializer),
      biasInitializer: serializeInitializer(this.biasInitializer),
      kernelRegularizer: this.kernelRegularizer && serializeRegularizer(this.kernelRegularizer),
      recurrentRegularizer: this.recurrentRegularizer && serializeRegularizer(this.recurrentRegularizer),
      biasRegularizer: this.biasRegularizer && serializeRegularizer(this.biasRegularizer),
      kernelConstraint: this.kernelConstraint && serializeConstraint(this.kernelConstraint),
      recurrentConstraint: this.recurrentConstraint && serializeConstraint(this.recurrentConstraint),
      biasConstraint: this.biasConstraint && serializeConstraint(this.biasConstraint),
      dropout: this.dropout,
      recurrentDropout: this.recurrentDropout,
      seed: this.seed,
      returnSequences: this.returnSequences,
      returnState: this.returnState,
      goBackwards: this.goBackwards,
      stateful: this.stateful,
      zeroOutputForMask: this.zeroOutputForMask,
    };
  }
}
