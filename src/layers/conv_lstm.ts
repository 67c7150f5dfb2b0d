import { noGrad } from '../autograd/tape.js';
import { ValueError, fmtShape } from '../core/errors.js';
import type { Config } from '../core/config.js';
import { keep } from '../core/memory.js';
import { globalRng, Rng } from '../core/rng.js';
import { Tensor } from '../core/tensor.js';
import type { Variable } from '../core/variable.js';
import {
  getActivation,
  serializeActivation,
  type Activation,
  type ActivationIdentifier,
} from '../activations/index.js';
import type { ConstraintIdentifier } from '../constraints/registry.js';
import type { InitializerIdentifier } from '../initializers/registry.js';
import { conv2d } from '../ops/conv.js';
import { checkPadding, convOutputLength, toPair, type Pair, type PaddingMode } from '../ops/conv_geometry.js';
import { tensor } from '../ops/convert.js';
import { ones, zeros } from '../ops/creation.js';
import { expandDims } from '../ops/dims.js';
import { add, mul, where } from '../ops/prims/binary.js';
import { concat } from '../ops/prims/concat.js';
import { transpose } from '../ops/prims/shape_ops.js';
import { slice } from '../ops/prims/slice.js';
import { timeSteps } from '../ops/prims/time_steps.js';
import { stopGradient } from '../ops/prims/unary.js';
import { reverse } from '../ops/reverse.js';
import { split } from '../ops/stack.js';
import type { RegularizerIdentifier } from '../regularizers/registry.js';
import {
  checkDataFormat,
  describeLayer,
  kernelSettings,
  serializeKernelSettings,
  type ImageDataFormat,
  type KernelSettings,
} from './convolutional_base.js';
import { Layer, isShapeList, type LayerArgs } from './layer.js';
import { statesAsInputs, type RecurrentCallArgs } from './recurrent.js';
import { registerLayerClass } from './registry.js';
import type { Shape, SymbolicTensor } from './symbolic.js';

export interface ConvLSTM2DArgs extends LayerArgs {
  filters: number;
  kernelSize: Pair;
  strides?: Pair;
  padding?: PaddingMode;
  dataFormat?: ImageDataFormat;
  dilationRate?: Pair;
  /** Default 'tanh'. */
  activation?: ActivationIdentifier;
  /** Default 'sigmoid'. */
  recurrentActivation?: ActivationIdentifier;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  recurrentInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  /** Initialise the forget gate's bias to 1 (default true). */
  unitForgetBias?: boolean;
  kernelRegularizer?: RegularizerIdentifier | null;
  recurrentRegularizer?: RegularizerIdentifier | null;
  biasRegularizer?: RegularizerIdentifier | null;
  kernelConstraint?: ConstraintIdentifier | null;
  recurrentConstraint?: ConstraintIdentifier | null;
  biasConstraint?: ConstraintIdentifier | null;
  /** Fraction of the input dropped while training (one mask per gate and sequence). */
  dropout?: number;
  /** Fraction of the state dropped in the recurrent convolution while training. */
  recurrentDropout?: number;
  seed?: number | null;
  returnSequences?: boolean;
  returnState?: boolean;
  goBackwards?: boolean;
  stateful?: boolean;
}

/**
 * Convolutional LSTM (Keras' `ConvLSTM2D`, Shi et al. 2015) over sequences of channels-last
 * images [batch, time, rows, cols, channels]: an LSTM whose products are convolutions, with
 * image-shaped states [batch, rows', cols', filters]. Kernel [kH, kW, channels, 4·filters] (gates
 * input, forget, cell, output), recurrent kernel [kH, kW, filters, 4·filters] applied with 'same'
 * padding and stride 1, bias [4·filters].
 * @example new ConvLSTM2D({ filters: 8, kernelSize: 3, padding: 'same' }).apply(frames); // [batch, rows, cols, 8]
 */
export class ConvLSTM2D extends Layer {
  static override readonly className: string = 'ConvLSTM2D';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: PaddingMode;
  readonly dilationRate: [number, number];
  readonly activation: Activation;
  readonly recurrentActivation: Activation;
  readonly useBias: boolean;
  readonly unitForgetBias: boolean;
  readonly kernelSettings: KernelSettings;
  readonly recurrentSettings: KernelSettings;
  readonly biasSettings: KernelSettings;
  readonly dropout: number;
  readonly recurrentDropout: number;
  readonly seed: number | null;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly stateful: boolean;
  kernel: Variable | null = null;
  recurrentKernel: Variable | null = null;
  bias: Variable | null = null;
  /** The carried states of a stateful layer. */
  states: Tensor[] | null = null;
  private readonly rng: Rng;

  constructor(args: ConvLSTM2DArgs) {
    super(args);
    const who = describeLayer(this);
    if (!Number.isInteger(args?.filters) || args.filters < 1)
      throw new ValueError(`${who}: 'filters' must be a positive integer, got ${JSON.stringify(args?.filters)}`);
    this.filters = args.filters;
    this.kernelSize = toPair(args.kernelSize, 'kernelSize', who);
    this.strides = toPair(args.strides ?? 1, 'strides', who);
    this.padding = checkPadding(args.padding ?? 'valid', who);
    checkDataFormat(args.dataFormat, who);
    this.dilationRate = toPair(args.dilationRate ?? 1, 'dilationRate', who);
    this.activation = getActivation(args.activation === undefined ? 'tanh' : args.activation);
    this.recurrentActivation = getActivation(
      args.recurrentActivation === undefined ? 'sigmoid' : args.recurrentActivation,
    );
    this.useBias = args.useBias ?? true;
    this.unitForgetBias = args.unitForgetBias ?? true;
    this.kernelSettings = kernelSettings(args.kernelInitializer, args.kernelRegularizer, args.kernelConstraint);
    this.recurrentSettings = kernelSettings(
      args.recurrentInitializer ?? 'orthogonal',
      args.recurrentRegularizer,
      args.recurrentConstraint,
    );
    this.biasSettings = kernelSettings(args.biasInitializer ?? 'zeros', args.biasRegularizer, args.biasConstraint);
    for (const key of ['dropout', 'recurrentDropout'] as const) {
      const v = args[key] ?? 0;
      if (typeof v !== 'number' || !(v >= 0 && v < 1))
        throw new ValueError(`${who}: '${key}' must be a number in [0, 1), got ${JSON.stringify(args[key])}`);
    }
    this.dropout = args.dropout ?? 0;
    this.recurrentDropout = args.recurrentDropout ?? 0;
    this.seed = args.seed ?? null;
    this.rng = this.seed === null ? globalRng : new Rng(this.seed);
    this.returnSequences = args.returnSequences ?? false;
    this.returnState = args.returnState ?? false;
    this.goBackwards = args.goBackwards ?? false;
    this.stateful = args.stateful ?? false;
    this.supportsMasking = true;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (isShapeList(inputShape) ? inputShape[0] : inputShape) as Shape;
    if (shape.length !== 5 || shape[4] === null)
      throw new ValueError(
        `${describeLayer(this)}: expected sequences of images [batch, time, rows, cols, channels] with known channels, got shape ${fmtShape(shape)}`,
      );
    const c = shape[4];
    const f = this.filters;
    const [k, r, b] = [this.kernelSettings, this.recurrentSettings, this.biasSettings];
    this.kernel = this.addWeight(
      'kernel',
      [...this.kernelSize, c, 4 * f],
      undefined,
      k.initializer,
      k.regularizer,
      true,
      k.constraint,
    );
    this.recurrentKernel = this.addWeight(
      'recurrent_kernel',
      [...this.kernelSize, f, 4 * f],
      undefined,
      r.initializer,
      r.regularizer,
      true,
      r.constraint,
    );
    if (this.useBias) {
      this.bias = this.addWeight('bias', [4 * f], undefined, b.initializer, b.regularizer, true, b.constraint);
      if (this.unitForgetBias)
        noGrad(() =>
          (this.bias as Variable).assign(
            concat([
              b.initializer.call([f], this.dtype),
              ones([f], this.dtype),
              b.initializer.call([2 * f], this.dtype),
            ]),
          ),
        );
    }
    this.inputSpec = [{ ndim: 5, axes: { [-1]: c } }];
  }

  /** The state's [rows, cols] for input images of [rows, cols]. */
  private stateSize(rows: number | null, cols: number | null): [number | null, number | null] {
    const [kh, kw] = this.kernelSize;
    return [
      convOutputLength(rows, kh, this.strides[0], this.dilationRate[0], this.padding),
      convOutputLength(cols, kw, this.strides[1], this.dilationRate[1], this.padding),
    ];
  }

  /** Four per-gate dropout masks of `shape` (Keras draws one per gate), or null. */
  private gateMasks(shape: number[], rate: number, training: boolean): Tensor[] | null {
    if (!training || rate === 0) return null;
    const keepProb = 1 - rate;
    const n = shape.reduce((a, b) => a * b, 1);
    return Array.from({ length: 4 }, () =>
      tensor(
        Float64Array.from({ length: n }, () => (this.rng.uniform() < keepProb ? 1 / keepProb : 0)),
        shape,
        this.dtype,
      ),
    );
  }

  /** Convolves `x` with each gate's quarter of `kernel`, each gate's input masked when `masks` are given. */
  private gateConvs(
    x: Tensor,
    kernel: Tensor,
    masks: Tensor[] | null,
    conv: (x: Tensor, k: Tensor) => Tensor,
  ): Tensor[] {
    if (!masks) return split(conv(x, kernel), 4, 3);
    const f = this.filters;
    const [kh, kw, c] = kernel.shape;
    return masks.map((m, g) => conv(mul(x, m), slice(kernel, [0, 0, 0, g * f], [kh, kw, c, f])));
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
    const [batch, steps, rows, cols, channels] = x.shape;
    const training = kwargs.training ?? false;
    const [sr, sc] = this.stateSize(rows, cols) as [number, number];
    const stateShape = [batch, sr, sc, this.filters];
    let states = this.initialStates(list.length > 1 ? list.slice(1) : null, stateShape, x.dtype);
    const masks = this.stepMasks(kwargs.mask, batch, steps);
    const inputMasks = this.gateMasks([batch, rows, cols, channels], this.dropout, training);
    const stateMasks = this.gateMasks(stateShape, this.recurrentDropout, training);
    const inputConv = (t: Tensor, k: Tensor) =>
      conv2d(t, k, { strides: this.strides, padding: this.padding, dilations: this.dilationRate });
    const recurrentConv = (t: Tensor, k: Tensor) => conv2d(t, k, { padding: 'same' });
    const biases = this.bias ? split(this.bias, 4, 0) : null;
    let xs = transpose(x, [1, 0, 2, 3, 4]);
    if (this.goBackwards) xs = reverse(xs, 0);
    const outputs: Tensor[] = [];
    timeSteps(xs).forEach((xt, t) => {
      const [h, c] = states;
      const xg = this.gateConvs(xt, this.kernel as Variable, inputMasks, inputConv);
      const hg = this.gateConvs(h, this.recurrentKernel as Variable, stateMasks, recurrentConv);
      const gate = (g: number) => add(biases ? add(xg[g], biases[g]) : xg[g], hg[g]);
      const act = this.recurrentActivation;
      const cNew = add(mul(act.apply(gate(1)), c), mul(act.apply(gate(0)), this.activation.apply(gate(2))));
      const hNew = mul(act.apply(gate(3)), this.activation.apply(cNew));
      states = masks ? [where(masks[t], hNew, h), where(masks[t], cNew, c)] : [hNew, cNew];
      if (this.returnSequences) outputs.push(states[0]);
    });
    if (this.stateful) this.states = states.map((s) => keep(stopGradient(s)));
    const output = this.returnSequences
      ? concat(
          outputs.map((o) => expandDims(o, 1)),
          1,
        )
      : states[0];
    return this.returnState ? [output, ...states] : output;
  }

  /** Per-step [batch, 1, 1, 1] masks in processing order, or null. */
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
        [batch, 1, 1, 1],
        'bool',
      );
    });
  }

  private initialStates(given: Tensor[] | null, shape: number[], dtype: Tensor['dtype']): Tensor[] {
    if (given) {
      if (given.length !== 2 || given.some((s) => s.shape.join() !== shape.join()))
        throw new ValueError(
          `${describeLayer(this)}: expected 2 initial states [h, c] of shape ${fmtShape(shape)}, got ${given.map((s) => fmtShape(s.shape)).join(', ')}`,
        );
      return given;
    }
    if (this.stateful && this.states) return this.states;
    return [zeros(shape, dtype), zeros(shape, dtype)];
  }

  /** Clears the carried states of a stateful layer. @example layer.resetStates(); */
  resetStates(states?: Tensor[]): void {
    if (!this.stateful)
      throw new ValueError(`${describeLayer(this)} is not stateful; only stateful layers carry states`);
    this.states = states ? [...states] : null;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const s = (isShapeList(inputShape) ? inputShape[0] : inputShape) as Shape;
    const [r, c] = this.stateSize(s[2], s[3]);
    const state: Shape = [s[0], r, c, this.filters];
    const output: Shape = this.returnSequences ? [s[0], s[1], r, c, this.filters] : state;
    return this.returnState ? [output, state, state] : output;
  }

  override computeMask(
    _inputs: Tensor | Tensor[],
    mask: Tensor | Tensor[] | null | undefined,
  ): Tensor | Tensor[] | null {
    const m = (Array.isArray(mask) ? mask[0] : mask) ?? null;
    const outputMask = this.returnSequences ? m : null;
    return this.returnState ? ([outputMask, null, null] as unknown as Tensor[]) : outputMask;
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      dataFormat: 'channels_last',
      dilationRate: [...this.dilationRate],
      activation: serializeActivation(this.activation),
      recurrentActivation: serializeActivation(this.recurrentActivation),
      useBias: this.useBias,
      unitForgetBias: this.unitForgetBias,
      ...serializeKernelSettings('kernel', this.kernelSettings),
      ...serializeKernelSettings('recurrent', this.recurrentSettings),
      ...serializeKernelSettings('bias', this.biasSettings),
      dropout: this.dropout,
      recurrentDropout: this.recurrentDropout,
      seed: this.seed,
      returnSequences: this.returnSequences,
      returnState: this.returnState,
      goBackwards: this.goBackwards,
      stateful: this.stateful,
    };
  }
}

registerLayerClass(ConvLSTM2D);
