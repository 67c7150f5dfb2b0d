import { noGrad } from '../autograd/tape.js';
import { ValueError, fmtShape } from '../core/errors.js';
import type { Config, SerializedObject } from '../core/config.js';
import { globalRng, Rng } from '../core/rng.js';
import type { Tensor } from '../core/tensor.js';
import type { Variable } from '../core/variable.js';
import { getActivation, serializeActivation, type Activation } from '../activations/index.js';
import { tensor } from '../ops/convert.js';
import { ones } from '../ops/creation.js';
import { add, mul, sub } from '../ops/prims/binary.js';
import { concat } from '../ops/prims/concat.js';
import { matMul } from '../ops/prims/matmul.js';
import { reshape } from '../ops/prims/shape_ops.js';
import { slice } from '../ops/prims/slice.js';
import { split } from '../ops/stack.js';
import { describeLayer, kernelSettings, serializeKernelSettings, type KernelSettings } from './convolutional_base.js';
import { Layer, isShapeList, type CallArgs, type LayerArgs } from './layer.js';
import type { GatedRecurrentArgs } from './recurrent_layers.js';
import type { RecurrentArgs, StepResult } from './recurrent.js';
import { deserializeLayer, registerLayerClass, serializeLayer } from './registry.js';
import { LayerWithSublayers } from './sublayers.js';
import type { Shape } from './symbolic.js';

/**
 * One timestep of a recurrent layer (Keras' RNN cells), run over a sequence by `RNN`. A cell
 * has states of `stateSize` units, an output of `outputSize` units, and `step`s from an input
 * [batch, features] and the states; called directly (`apply([x, ...states])`) it returns
 * `[output, ...newStates]`.
 */
export abstract class RNNCell extends LayerWithSublayers {
  /** Units of each state tensor. */
  abstract get stateSize(): number[];
  /** Units of the output. */
  abstract get outputSize(): number;
  /**
   * One step: `x` [batch, features], `states` as listed by `stateSize`. `training` applies the
   * cell's dropout, with the masks drawn for the current sequence by `beginSequence`.
   */
  abstract step(x: Tensor, states: Tensor[], training: boolean): StepResult;
  /** Draws the dropout masks one sequence shares (Keras draws them once per call). */
  beginSequence(batch: number, features: number, training: boolean): void {
    void batch;
    void features;
    void training;
  }

  call(inputs: Tensor | Tensor[], kwargs: CallArgs = {}): Tensor[] {
    const sizes = this.stateSize;
    const [x, ...states] = Array.isArray(inputs) ? inputs : [inputs];
    if (states.length !== sizes.length)
      throw new ValueError(
        `${describeLayer(this)}: call a cell on [input, ...states] with ${sizes.length} state(s) of ${sizes.join(', ')} units`,
      );
    this.beginSequence(x.shape[0], x.shape[1], kwargs.training ?? false);
    const { output, states: next } = this.step(x, states, kwargs.training ?? false);
    return [output, ...next];
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (isShapeList(inputShape) ? inputShape[0] : inputShape) as Shape;
    if (shape.length !== 2 || shape[1] === null)
      throw new ValueError(
        `${describeLayer(this)}: a cell steps on inputs [batch, features] with known features, got shape ${fmtShape(shape)}`,
      );
    this.buildFor(shape[1]);
  }

  /** Creates the weights for inputs of `features` features. */
  protected abstract buildFor(features: number): void;

  override computeOutputShape(inputShape: Shape | Shape[]): Shape[] {
    const batch = (isShapeList(inputShape) ? inputShape[0] : inputShape)[0];
    return [[batch, this.outputSize], ...this.stateSize.map((u): Shape => [batch, u])];
  }
}

/** Arguments of SimpleRNNCell (the recurrent layers' without the sequence options). */
export type SimpleRNNCellArgs = Omit<
  RecurrentArgs,
  'returnSequences' | 'returnState' | 'goBackwards' | 'stateful' | 'zeroOutputForMask'
>;

/**
 * A cell with a kernel [features, gates·units], a recurrent kernel [units, gates·units] and a
 * bias, with Keras' dropout: one input mask and one recurrent mask per sequence.
 */
abstract class DenseRecurrentCell extends RNNCell {
  readonly units: number;
  readonly activation: Activation;
  readonly useBias: boolean;
  readonly kernelSettings: KernelSettings;
  readonly recurrentSettings: KernelSettings;
  readonly biasSettings: KernelSettings;
  readonly dropout: number;
  readonly recurrentDropout: number;
  readonly seed: number | null;
  kernel: Variable | null = null;
  recurrentKernel: Variable | null = null;
  bias: Variable | null = null;
  protected inputMask: Tensor | null = null;
  protected recurrentMask: Tensor | null = null;
  private readonly rng: Rng;
  /** How many [units]-wide blocks the kernels hold. */
  protected abstract readonly gates: number;

  constructor(args: SimpleRNNCellArgs) {
    super(args);
    const who = describeLayer(this);
    if (!Number.isInteger(args?.units) || args.units <= 0)
      throw new ValueError(`${who}: 'units' must be a positive integer, got ${JSON.stringify(args?.units)}`);
    for (const key of ['dropout', 'recurrentDropout'] as const) {
      const v = args[key] ?? 0;
      if (typeof v !== 'number' || !(v >= 0 && v < 1))
        throw new ValueError(`${who}: '${key}' must be a number in [0, 1), got ${JSON.stringify(args[key])}`);
    }
    this.units = args.units;
    this.activation = getActivation(args.activation === undefined ? 'tanh' : args.activation);
    this.useBias = args.useBias ?? true;
    this.kernelSettings = kernelSettings(args.kernelInitializer, args.kernelRegularizer, args.kernelConstraint);
    this.recurrentSettings = kernelSettings(
      args.recurrentInitializer ?? 'orthogonal',
      args.recurrentRegularizer,
      args.recurrentConstraint,
    );
    this.biasSettings = kernelSettings(args.biasInitializer ?? 'zeros', args.biasRegularizer, args.biasConstraint);
    this.dropout = args.dropout ?? 0;
    this.recurrentDropout = args.recurrentDropout ?? 0;
    this.seed = args.seed ?? null;
    this.rng = this.seed === null ? globalRng : new Rng(this.seed);
  }

  get outputSize(): number {
    return this.units;
  }

  protected biasShape(): number[] {
    return [this.gates * this.units];
  }

  protected buildFor(features: number): void {
    const width = this.gates * this.units;
    const [k, r, b] = [this.kernelSettings, this.recurrentSettings, this.biasSettings];
    this.kernel = this.addWeight(
      'kernel',
      [features, width],
      undefined,
      k.initializer,
      k.regularizer,
      true,
      k.constraint,
    );
    this.recurrentKernel = this.addWeight(
      'recurrent_kernel',
      [this.units, width],
      undefined,
      r.initializer,
      r.regularizer,
      true,
      r.constraint,
    );
    if (this.useBias)
      this.bias = this.addWeight('bias', this.biasShape(), undefined, b.initializer, b.regularizer, true, b.constraint);
  }

  override beginSequence(batch: number, features: number, training: boolean): void {
    this.inputMask = training && this.dropout > 0 ? this.dropoutMask([batch, features], this.dropout) : null;
    this.recurrentMask =
      training && this.recurrentDropout > 0 ? this.dropoutMask([batch, this.units], this.recurrentDropout) : null;
  }

  private dropoutMask(shape: number[], rate: number): Tensor {
    const keep = 1 - rate;
    const n = shape[0] * shape[1];
    return tensor(
      Float64Array.from({ length: n }, () => (this.rng.uniform() < keep ? 1 / keep : 0)),
      shape,
      this.dtype,
    );
  }

  /** The input with this sequence's dropout mask applied (when training). */
  protected dropped(x: Tensor, training: boolean): Tensor {
    return training && this.inputMask ? mul(x, this.inputMask) : x;
  }

  /** The previous output with this sequence's recurrent dropout mask applied (when training). */
  protected droppedState(h: Tensor, training: boolean): Tensor {
    return training && this.recurrentMask ? mul(h, this.recurrentMask) : h;
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: serializeActivation(this.activation),
      useBias: this.useBias,
      ...serializeKernelSettings('kernel', this.kernelSettings),
      ...serializeKernelSettings('recurrent', this.recurrentSettings),
      ...serializeKernelSettings('bias', this.biasSettings),
      dropout: this.dropout,
      recurrentDropout: this.recurrentDropout,
      seed: this.seed,
    };
  }
}

/**
 * Keras' `SimpleRNNCell`: h = activation(x·W + b + h_prev·U).
 * @example new RNN({ cell: new SimpleRNNCell({ units: 8 }) }).apply(ones([2, 5, 3])); // [2, 8]
 */
export class SimpleRNNCell extends DenseRecurrentCell {
  static override readonly className: string = 'SimpleRNNCell';
  protected readonly gates = 1;

  get stateSize(): number[] {
    return [this.units];
  }

  step(x: Tensor, [h]: Tensor[], training: boolean): StepResult {
    let z = matMul(this.dropped(x, training), this.kernel as Variable);
    if (this.bias) z = add(z, this.bias);
    const out = this.activation.apply(add(z, matMul(this.droppedState(h, training), this.recurrentKernel as Variable)));
    return { output: out, states: [out] };
  }
}

/** Arguments of LSTMCell. */
export type LSTMCellArgs = SimpleRNNCellArgs &
  Pick<GatedRecurrentArgs, 'recurrentActivation'> & { unitForgetBias?: boolean };

/**
 * Keras' `LSTMCell`: gates input, forget, cell, output from x·W + h·U + b; states [h, c].
 * @example new RNN({ cell: new LSTMCell({ units: 8 }), returnState: true }).apply(x); // [out, h, c]
 */
export class LSTMCell extends DenseRecurrentCell {
  static override readonly className: string = 'LSTMCell';
  protected readonly gates = 4;
  readonly recurrentActivation: Activation;
  readonly unitForgetBias: boolean;

  constructor(args: LSTMCellArgs) {
    super(args);
    this.recurrentActivation = getActivation(
      args.recurrentActivation === undefined ? 'sigmoid' : args.recurrentActivation,
    );
    this.unitForgetBias = args.unitForgetBias ?? true;
  }

  get stateSize(): number[] {
    return [this.units, this.units];
  }

  protected override buildFor(features: number): void {
    super.buildFor(features);
    if (!this.bias || !this.unitForgetBias) return;
    // Keras: bias = [init(units), ones(units), init(2·units)].
    const u = this.units;
    const init = this.biasSettings.initializer;
    noGrad(() =>
      (this.bias as Variable).assign(
        concat([init.call([u], this.dtype), ones([u], this.dtype), init.call([2 * u], this.dtype)]),
      ),
    );
  }

  step(x: Tensor, [h, c]: Tensor[], training: boolean): StepResult {
    let z = add(
      matMul(this.dropped(x, training), this.kernel as Variable),
      matMul(this.droppedState(h, training), this.recurrentKernel as Variable),
    );
    if (this.bias) z = add(z, this.bias);
    const [zi, zf, zc, zo] = split(z, 4, 1);
    const act = this.recurrentActivation;
    const cNew = add(mul(act.apply(zf), c), mul(act.apply(zi), this.activation.apply(zc)));
    const hNew = mul(act.apply(zo), this.activation.apply(cNew));
    return { output: hNew, states: [hNew, cNew] };
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      recurrentActivation: serializeActivation(this.recurrentActivation),
      unitForgetBias: this.unitForgetBias,
    };
  }
}

/** Arguments of GRUCell. */
export type GRUCellArgs = SimpleRNNCellArgs &
  Pick<GatedRecurrentArgs, 'recurrentActivation'> & { resetAfter?: boolean };

/**
 * Keras' `GRUCell`: gates update (z), reset (r), candidate; with `resetAfter` (default) the bias
 * is [2, 3·units] (input row, recurrent row) and the reset gate multiplies the recurrent product.
 * @example new RNN({ cell: new GRUCell({ units: 8 }) }).apply(x); // [batch, 8]
 */
export class GRUCell extends DenseRecurrentCell {
  static override readonly className: string = 'GRUCell';
  protected readonly gates = 3;
  readonly recurrentActivation: Activation;
  readonly resetAfter: boolean;

  constructor(args: GRUCellArgs) {
    super(args);
    this.recurrentActivation = getActivation(
      args.recurrentActivation === undefined ? 'sigmoid' : args.recurrentActivation,
    );
    this.resetAfter = args.resetAfter ?? true;
  }

  get stateSize(): number[] {
    return [this.units];
  }

  protected override biasShape(): number[] {
    return this.resetAfter ? [2, 3 * this.units] : [3 * this.units];
  }

  step(x: Tensor, [h]: Tensor[], training: boolean): StepResult {
    const u = this.units;
    const w = this.recurrentKernel as Variable;
    const row = (i: number) => reshape(slice(this.bias as Variable, [i, 0], [1, -1]), [3 * u]);
    let xs = matMul(this.dropped(x, training), this.kernel as Variable);
    if (this.bias) xs = add(xs, this.resetAfter ? row(0) : this.bias);
    const [xz, xr, xh] = split(xs, 3, 1);
    const hIn = this.droppedState(h, training);
    const act = this.recurrentActivation;
    let z: Tensor, candidate: Tensor;
    if (this.resetAfter) {
      let inner = matMul(hIn, w);
      if (this.bias) inner = add(inner, row(1));
      const [rz, rr, rh] = split(inner, 3, 1);
      z = act.apply(add(xz, rz));
      const r = act.apply(add(xr, rr));
      candidate = this.activation.apply(add(xh, mul(r, rh)));
    } else {
      const [rz, rr] = split(matMul(hIn, slice(w, [0, 0], [u, 2 * u])), 2, 1);
      z = act.apply(add(xz, rz));
      const r = act.apply(add(xr, rr));
      candidate = this.activation.apply(add(xh, matMul(mul(r, hIn), slice(w, [0, 2 * u], [u, u]))));
    }
    // h = z·h_prev + (1 − z)·candidate
    const hNew = add(candidate, mul(z, sub(h, candidate)));
    return { output: hNew, states: [hNew] };
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      recurrentActivation: serializeActivation(this.recurrentActivation),
      resetAfter: this.resetAfter,
    };
  }
}

export interface StackedRNNCellsArgs extends LayerArgs {
  /** The cells, run in order at every step: each one's output is the next one's input. */
  cells: (RNNCell | SerializedObject)[];
}

/**
 * Several cells stepping as one (Keras' `StackedRNNCells`): the states are every cell's states
 * in order, the output the last cell's.
 * @example new RNN({ cell: new StackedRNNCells({ cells: [new LSTMCell({ units: 8 }), new GRUCell({ units: 4 })] }) });
 */
export class StackedRNNCells extends RNNCell {
  static override readonly className: string = 'StackedRNNCells';
  readonly cells: RNNCell[];

  constructor(args: StackedRNNCellsArgs) {
    super(args);
    if (!Array.isArray(args?.cells) || args.cells.length === 0)
      throw new ValueError(`${describeLayer(this)}: 'cells' must be a non-empty list of RNN cells`);
    // Each cell is rebuilt from its config under this one's name (`stacked/lstm_cell`), so that
    // the weights of two stacks built from one config have distinct names.
    this.cells = args.cells.map((c, i) => {
      const cell = c instanceof Layer ? c : deserializeLayer(c as SerializedObject);
      if (!(cell instanceof RNNCell))
        throw new ValueError(
          `${describeLayer(this)}: cells[${i}] must be an RNN cell (simpleRNNCell, lstmCell, gruCell), got ${cell.getClassName()}`,
        );
      return this.track(ownedCell(cell, this.name));
    });
  }

  get stateSize(): number[] {
    return this.cells.flatMap((c) => c.stateSize);
  }

  get outputSize(): number {
    return this.cells[this.cells.length - 1].outputSize;
  }

  protected buildFor(features: number): void {
    let width = features;
    for (const cell of this.cells) {
      this.buildSublayer(cell, [null, width]);
      width = cell.outputSize;
    }
  }

  override beginSequence(batch: number, features: number, training: boolean): void {
    let width = features;
    for (const cell of this.cells) {
      cell.beginSequence(batch, width, training);
      width = cell.outputSize;
    }
  }

  step(x: Tensor, states: Tensor[], training: boolean): StepResult {
    let input = x;
    let at = 0;
    const next: Tensor[] = [];
    for (const cell of this.cells) {
      const n = cell.stateSize.length;
      const result = cell.step(input, states.slice(at, at + n), training);
      input = result.output;
      next.push(...result.states);
      at += n;
    }
    return { output: input, states: next };
  }

  override getConfig(): Config {
    return { ...super.getConfig(), cells: this.cells.map((c) => serializeLayer(c)) };
  }
}

/**
 * A copy of `cell` named after its owner (`rnn/lstm_cell`), so that the weights of two owners
 * built from one config (a Bidirectional's directions) have distinct names.
 */
export function ownedCell(cell: RNNCell, owner: string): RNNCell {
  const { className, config } = serializeLayer(cell);
  const name = String(config.name);
  return deserializeLayer({
    className,
    config: { ...config, name: `${owner}/${name.slice(name.lastIndexOf('/') + 1)}` },
  }) as RNNCell;
}

registerLayerClass(SimpleRNNCell);
registerLayerClass(LSTMCell);
registerLayerClass(GRUCell);
registerLayerClass(StackedRNNCells);
