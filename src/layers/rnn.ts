import { ValueError, fmtShape } from '../core/errors.js';
import type { Config, SerializedObject } from '../core/config.js';
import { keep } from '../core/memory.js';
import { Tensor } from '../core/tensor.js';
import { tensor } from '../ops/convert.js';
import { zeros } from '../ops/creation.js';
import { transpose } from '../ops/prims/shape_ops.js';
import { stopGradient } from '../ops/prims/unary.js';
import { reverse } from '../ops/reverse.js';
import { describeLayer } from './convolutional_base.js';
import { Layer, isShapeList, type LayerArgs } from './layer.js';
import { statesAsInputs, unrollSteps, type RecurrentCallArgs } from './recurrent.js';
import { RNNCell, StackedRNNCells, ownedCell } from './recurrent_cells.js';
import { deserializeLayer, registerLayerClass, serializeLayer } from './registry.js';
import { LayerWithSublayers } from './sublayers.js';
import type { Shape, SymbolicTensor } from './symbolic.js';

export interface RNNArgs extends LayerArgs {
  /** The step: a cell (simpleRNNCell, lstmCell, gruCell), or a list of them (stacked). */
  cell: RNNCell | RNNCell[] | SerializedObject;
  /** Output every timestep ([batch, time, units]) instead of the last ([batch, units]). */
  returnSequences?: boolean;
  /** Also return the final states, after the output. */
  returnState?: boolean;
  /** Process the sequence from its end; outputs come in processing order. */
  goBackwards?: boolean;
  /** Keep the final states of each batch as the initial states of the next. */
  stateful?: boolean;
  /** Accepted for Keras compatibility: Myelin always unrolls the loop (it records every step for the gradient). */
  unroll?: boolean;
  /** Masked timesteps output zeros instead of repeating the previous output. */
  zeroOutputForMask?: boolean;
}

/**
 * Keras' generic `RNN`: runs a cell over the timesteps of [batch, time, features] inputs,
 * handling masks (masked steps keep the previous states), direction, stateful batches and
 * what is returned; the gradient through time is the ordinary gradient of the unrolled loop.
 * A list of cells is stacked (`StackedRNNCells`). The layer runs its own copy of the cell,
 * named after it (`rnn/lstm_cell`), with its own weights.
 * @example
 * const rnn = new RNN({ cell: [new LSTMCell({ units: 8 }), new LSTMCell({ units: 4 })], returnSequences: true });
 * rnn.apply(ones([2, 5, 3])); // [2, 5, 4]
 */
export class RNN extends LayerWithSublayers {
  static override readonly className: string = 'RNN';
  readonly cell: RNNCell;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly stateful: boolean;
  readonly unroll: boolean;
  zeroOutputForMask: boolean;
  /** The carried states of a stateful layer (null until its first call or after a reset). */
  states: Tensor[] | null = null;

  constructor(args: RNNArgs) {
    super(args);
    const given = args?.cell;
    const cell = Array.isArray(given)
      ? new StackedRNNCells({ cells: given })
      : given instanceof Layer
        ? given
        : given && typeof given === 'object'
          ? deserializeLayer(given as SerializedObject)
          : null;
    if (!(cell instanceof RNNCell))
      throw new ValueError(
        `${describeLayer(this)}: 'cell' must be an RNN cell (simpleRNNCell, lstmCell, gruCell, stackedRNNCells) or a list of them, got ${cell ? cell.getClassName() : JSON.stringify(given)}`,
      );
    this.cell = this.track(ownedCell(cell, this.name));
    this.returnSequences = args.returnSequences ?? false;
    this.returnState = args.returnState ?? false;
    this.goBackwards = args.goBackwards ?? false;
    this.stateful = args.stateful ?? false;
    this.unroll = args.unroll ?? false;
    this.zeroOutputForMask = args.zeroOutputForMask ?? false;
    this.supportsMasking = true;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (isShapeList(inputShape) ? inputShape[0] : inputShape) as Shape;
    if (shape.length !== 3 || shape[2] === null)
      throw new ValueError(
        `${describeLayer(this)}: expected input [batch, timesteps, features] with known features, got shape ${fmtShape(shape)}`,
      );
    this.buildSublayer(this.cell, [shape[0], shape[2]]);
    this.inputSpec = [{ ndim: 3, axes: { [-1]: shape[2] } }];
  }

  /** Initial states given as `initialState` become extra inputs, as in the other recurrent layers. */
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

  call(inputs: Tensor | Tensor[], kwargs: RecurrentCallArgs = {}): Tensor | Tensor[] {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    const x = list[0];
    const [batch, steps, features] = x.shape;
    const training = kwargs.training ?? false;
    const states = this.initialStates(list.length > 1 ? list.slice(1) : null, batch, x.dtype);
    const masks = this.stepMasks(kwargs.mask, batch, steps);
    let xs = transpose(x, [1, 0, 2]);
    if (this.goBackwards) xs = reverse(xs, 0);
    this.cell.beginSequence(batch, features, training);
    const run = unrollSteps(
      xs,
      states,
      (xt, st) => this.cell.step(xt, st, training),
      masks,
      zeros([batch, this.cell.outputSize], x.dtype),
      this,
    );
    if (this.stateful) this.states = run.states.map((s) => keep(stopGradient(s)));
    return this.returnState ? [run.output, ...run.states] : run.output;
  }

  /** Per-step [batch, 1] masks in processing order, or null; a wrong shape names the layer. */
  private stepMasks(mask: Tensor | Tensor[] | null | undefined, batch: number, steps: number): Tensor[] | null {
    const m = Array.isArray(mask) ? mask[0] : mask;
    if (!m) return null;
    if (!(m instanceof Tensor) || m.rank !== 2 || m.shape[0] !== batch || m.shape[1] !== steps)
      throw new ValueError(
        `${describeLayer(this)}: the mask must have shape [${batch}, ${steps}] (batch, timesteps), got ${m instanceof Tensor ? fmtShape(m.shape) : typeof m}`,
      );
    const v = m.dataSync();
    return Array.from({ length: steps }, (_, k) => {
      const t = this.goBackwards ? steps - 1 - k : k;
      return tensor(
        Uint8Array.from({ length: batch }, (_, b) => (v[b * steps + t] ? 1 : 0)),
        [batch, 1],
        'bool',
      );
    });
  }

  private initialStates(given: Tensor[] | null, batch: number, dtype: Tensor['dtype']): Tensor[] {
    const sizes = this.cell.stateSize;
    if (given) {
      if (given.length !== sizes.length)
        throw new ValueError(
          `${describeLayer(this)}: expected ${sizes.length} initial state tensor(s), got ${given.length}`,
        );
      given.forEach((s, i) => {
        if (s.rank !== 2 || s.shape[0] !== batch || s.shape[1] !== sizes[i])
          throw new ValueError(
            `${describeLayer(this)}: initial state ${i} must have shape [${batch}, ${sizes[i]}], got ${fmtShape(s.shape)}`,
          );
      });
      return given;
    }
    if (this.stateful && this.states) {
      if (this.states[0].shape[0] !== batch)
        throw new ValueError(
          `${describeLayer(this)} is stateful and carries states for batches of ${this.states[0].shape[0]} samples, got a batch of ${batch}; call resetStates() first`,
        );
      return this.states;
    }
    return sizes.map((u) => zeros([batch, u], dtype));
  }

  /**
   * Clears the carried states of a stateful layer (to zeros at the next call), or sets them.
   * @example rnn.resetStates();
   */
  resetStates(states?: Tensor[]): void {
    if (!this.stateful)
      throw new ValueError(`${describeLayer(this)} is not stateful; only stateful layers carry states`);
    this.states = states ? [...states] : null;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const shape = (isShapeList(inputShape) ? inputShape[0] : inputShape) as Shape;
    const units = this.cell.outputSize;
    const output: Shape = this.returnSequences ? [shape[0], shape[1], units] : [shape[0], units];
    if (!this.returnState) return output;
    return [output, ...this.cell.stateSize.map((u): Shape => [shape[0], u])];
  }

  override computeMask(
    _inputs: Tensor | Tensor[],
    mask: Tensor | Tensor[] | null | undefined,
  ): Tensor | Tensor[] | null {
    const m = (Array.isArray(mask) ? mask[0] : mask) ?? null;
    const outputMask = this.returnSequences ? m : null;
    return this.returnState ? ([outputMask, ...this.cell.stateSize.map(() => null)] as Tensor[]) : outputMask;
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      cell: serializeLayer(this.cell),
      returnSequences: this.returnSequences,
      returnState: this.returnState,
      goBackwards: this.goBackwards,
      stateful: this.stateful,
      unroll: this.unroll,
      zeroOutputForMask: this.zeroOutputForMask,
    };
  }
}

registerLayerClass(RNN);
