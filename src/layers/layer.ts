import { checkDType, isFloat, getFloatX, type DType } from '../core/dtype.js';
import { checkPendingOptions, deferOptionCheck } from '../core/options.js';
import { StateError, ValueError, fmtShape } from '../core/errors.js';
import { shapesEqual, sizeOf } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { Variable } from '../core/variable.js';
import { getConstraint, type ConstraintIdentifier } from '../constraints/registry.js';
import type { Config } from '../core/config.js';
import { getInitializer, type InitializerIdentifier } from '../initializers/registry.js';
import { wrap } from '../ops/convert.js';
import { div } from '../ops/prims/binary.js';
import { cast } from '../ops/prims/shape_ops.js';
import { getRegularizer, serializeRegularizer, type RegularizerIdentifier } from '../regularizers/registry.js';
import type { Regularizer } from '../regularizers/regularizer.js';
import { assertCompatible, type InputSpec } from './input_spec.js';
import { addLoss, isCollectingLosses } from './losses_collector.js';
import { toSnakeCase, uniqueName } from './naming.js';
import { Node, SymbolicTensor, type Shape } from './symbolic.js';

/** Arguments every layer accepts (Keras/TF.js names). */
export interface LayerArgs {
  name?: string;
  /** Shape of one sample (no batch dimension); makes the layer usable as a model's first layer. */
  inputShape?: Shape;
  /** Shape including the batch dimension (`null` for any batch size). */
  batchInputShape?: Shape;
  batchSize?: number;
  dtype?: DType;
  trainable?: boolean;
  /** A penalty on the layer's output, added to the loss during training. */
  activityRegularizer?: RegularizerIdentifier | null;
}

/** The keys of `LayerArgs`: what every layer accepts besides the options its config reports. */
export const BASE_LAYER_OPTIONS: readonly string[] = [
  'name',
  'inputShape',
  'batchInputShape',
  'batchSize',
  'dtype',
  'trainable',
  'activityRegularizer',
];

/** What `dispose` reports (TF.js' `DisposeResult`). */
export interface DisposeResult {
  /** Always 0: a disposed layer or model is not referenced by Myelin any more. */
  refCountAfterDispose: number;
  /** How many weight variables were freed. */
  numDisposedVariables: number;
}

/** Per-call arguments: `training` switches dropout and similar layers on. */
export interface CallArgs {
  training?: boolean;
  mask?: Tensor | Tensor[] | null;
}

interface WeightEntry {
  variable: Variable;
  trainable: boolean;
  regularizer: Regularizer | null;
}

/** What `apply` takes: tensors to compute on, or symbolic tensors to build a model. */
export type Inputs = Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[];

/** The layers whose `call` is running, innermost last: who calls whom inside a forward pass. */
const callStack: Layer[] = [];

/**
 * The base of every layer, with Keras semantics: weights are created by `build` on the first
 * call (when the input shape is known), `call` computes, `apply` does both and also works on
 * `SymbolicTensor`s to wire functional models.
 *
 * @example
 * class Scale extends Layer {
 *   static override readonly className = 'Scale';
 *   w!: Variable;
 *   override build(shape: Shape) { this.w = this.addWeight('w', [shape.at(-1) as number], undefined, 'ones'); }
 *   call(x: Tensor | Tensor[]) { return mul(x as Tensor, this.w); }
 * }
 */
export abstract class Layer {
  static readonly className: string = 'Layer';

  readonly name: string;
  /** The dtype of the layer's weights and float computations (floatX when created by default). */
  readonly dtype: DType;
  built = false;
  /** Set from `inputShape`/`batchInputShape`: what a Sequential model's input is built from. */
  readonly batchInputShape?: Shape;
  /** Checked on every call once built; set by `build`. */
  inputSpec: InputSpec[] | null = null;
  activityRegularizer: Regularizer | null;
  /** Every symbolic call of this layer (functional graphs), in order. */
  readonly inboundNodes: Node[] = [];
  /**
   * Whether the layer passes an input mask (padded timesteps) on to its output; layers that
   * consume or create masks override `computeMask` instead.
   */
  supportsMasking = false;
  /** The input shape(s) `build` received, for error messages. */
  protected builtInputShape?: Shape | Shape[];
  private weightEntries: WeightEntry[] = [];
  /**
   * Layers this one ran inside its own `call` without owning them otherwise: a custom layer
   * that wraps another (made in its constructor or on its first call). Their weights count as
   * this layer's, as Keras tracks sublayers, so fit trains them and save writes them.
   */
  private calledLayers: Layer[] = [];
  private trainableFlag: boolean;
  private disposedFlag = false;

  constructor(args: LayerArgs = {}) {
    deferOptionCheck(this, args);
    const className = (new.target as unknown as typeof Layer).className;
    this.name = args.name ?? uniqueName(toSnakeCase(className));
    if (typeof this.name !== 'string' || this.name === '')
      throw new ValueError(`${className}: 'name' must be a non-empty string, got ${JSON.stringify(args.name)}`);
    const who = `${className} '${this.name}'`;
    this.dtype = args.dtype === undefined ? getFloatX() : checkDType(args.dtype, who);
    this.trainableFlag = args.trainable ?? true;
    this.activityRegularizer = args.activityRegularizer ? getRegularizer(args.activityRegularizer) : null;
    checkShapeArg(args.inputShape, 'inputShape', who);
    checkShapeArg(args.batchInputShape, 'batchInputShape', who);
    if (args.batchInputShape) this.batchInputShape = [...args.batchInputShape];
    else if (args.inputShape) this.batchInputShape = [args.batchSize ?? null, ...args.inputShape];
    if (this.batchInputShape?.some((d) => d !== null && !(Number.isInteger(d) && d >= 0))) {
      throw new ValueError(
        `Layer '${this.name}': input shape ${fmtShape(this.batchInputShape)} must contain non-negative integers or null`,
      );
    }
  }

  /** The registered class name ('Dense'), used in configs and summaries. */
  getClassName(): string {
    return (this.constructor as typeof Layer).className;
  }

  /**
   * The option keys the constructor accepts: those of every layer (`LayerArgs`) and those its
   * `getConfig()` reports, so a new layer is covered without a list of its own. A layer that
   * takes an option its config does not carry (Dense's `inputDim`) adds it here. Unknown keys
   * in a layer's options are errors (see `layers`), except in configs read from files.
   * @example layers.dense({ units: 2 }).acceptedOptions().includes('useBias'); // true
   */
  acceptedOptions(): readonly string[] {
    return [...new Set([...BASE_LAYER_OPTIONS, ...Object.keys(this.getConfig())])];
  }

  /** True once `dispose` has freed the weights. */
  get isDisposed(): boolean {
    return this.disposedFlag;
  }

  /**
   * Frees the layer's weights now instead of at garbage collection (TF.js `dispose`); calling
   * the layer afterwards is an error.
   * @example layer.dispose().numDisposedVariables; // 2 for a Dense layer with a bias
   */
  dispose(): DisposeResult {
    this.disposedFlag = true;
    let numDisposedVariables = 0;
    for (const { variable } of this.weightEntries) {
      if (variable.isDisposed) continue;
      variable.dispose();
      numDisposedVariables++;
    }
    for (const layer of this.calledLayers)
      if (!layer.isDisposed) numDisposedVariables += layer.dispose().numDisposedVariables;
    return { refCountAfterDispose: 0, numDisposedVariables };
  }

  /** Whether the optimizer updates this layer's weights. Setting it freezes or unfreezes them. */
  get trainable(): boolean {
    return this.trainableFlag;
  }

  set trainable(value: boolean) {
    this.trainableFlag = value;
    for (const w of this.weightEntries) w.variable.trainable = value && w.trainable;
  }

  /** Creates the weights for inputs of `inputShape`. Called once, by the first `apply`. */
  build(inputShape: Shape | Shape[]): void {
    void inputShape;
  }

  /** The computation, on concrete tensors. */
  abstract call(inputs: Tensor | Tensor[], kwargs: CallArgs): Tensor | Tensor[];

  /**
   * The mask of the output given the input mask (Keras `compute_mask`): the input mask when
   * the layer supports masking, otherwise none. `kwargs` are the call's options.
   * @example layers.embedding({ inputDim: 10, outputDim: 4, maskZero: true }).computeMask(ids); // ids != 0
   */
  computeMask(
    inputs: Tensor | Tensor[],
    mask: Tensor | Tensor[] | null | undefined,
    kwargs?: CallArgs,
  ): Tensor | Tensor[] | null {
    void inputs;
    void kwargs;
    return this.supportsMasking ? (mask ?? null) : null;
  }

  /**
   * The output shape for an input shape (`null` dimensions stay unknown). Default: unchanged.
   * `callArgs` are the call's flags (e.g. whether attention scores are returned too).
   */
  computeOutputShape(inputShape: Shape | Shape[], callArgs?: CallArgs): Shape | Shape[] {
    void callArgs;
    return inputShape;
  }

  /**
   * Calls the layer: on tensors it computes (building first if needed); on symbolic tensors
   * it records the call in the functional graph and returns symbolic outputs.
   */
  apply(inputs: SymbolicTensor | SymbolicTensor[], kwargs?: CallArgs): SymbolicTensor | SymbolicTensor[];
  apply(inputs: Tensor | Tensor[], kwargs?: CallArgs): Tensor | Tensor[];
  apply(inputs: Inputs, kwargs?: CallArgs): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[];
  apply(inputs: Inputs, kwargs: CallArgs = {}): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[] {
    checkPendingOptions(this, `${this.getClassName()} '${this.name}'`);
    if (this.disposedFlag)
      throw new StateError(
        `${this.getClassName()} '${this.name}' was disposed; its weights are freed and it cannot be called`,
      );
    const list: (Tensor | SymbolicTensor)[] = Array.isArray(inputs) ? inputs : [inputs];
    if (list.length === 0) throw new ValueError(`Layer '${this.name}' was called with an empty list of inputs`);
    const symbolic = list.filter((x) => x instanceof SymbolicTensor).length;
    if (symbolic > 0 && symbolic < list.length) {
      throw new ValueError(
        `Layer '${this.name}' was called with a mix of symbolic and concrete tensors; pass all SymbolicTensors (building a model) or all Tensors (computing)`,
      );
    }
    for (const [i, x] of list.entries()) {
      if (!(x instanceof SymbolicTensor) && !(x instanceof Tensor))
        throw new ValueError(
          `Layer '${this.name}': input ${i} must be a Tensor or SymbolicTensor, got ${x === null ? 'null' : typeof x}`,
        );
    }
    const shapes = list.map((x) => x.shape as Shape);
    const shapeArg = list.length === 1 ? shapes[0] : shapes;
    this.ensureBuilt(shapeArg);
    shapes.forEach((shape, i) => this.checkInputShape(i, shape));
    if (symbolic > 0) return this.applySymbolic(list as SymbolicTensor[], shapeArg, kwargs);
    const tensors = (list as Tensor[]).map((t) =>
      isFloat(t.dtype) && isFloat(this.dtype) && t.dtype !== this.dtype ? cast(t, this.dtype) : t,
    );
    const caller = callStack.at(-1);
    if (caller && caller !== this && !caller.calledLayers.includes(this) && !caller.managesSublayer(this))
      caller.calledLayers.push(this);
    callStack.push(this);
    let outputs: Tensor | Tensor[];
    try {
      outputs = this.call(tensors.length === 1 ? tensors[0] : tensors, kwargs);
    } finally {
      callStack.pop();
    }
    if (this.activityRegularizer && isCollectingLosses())
      for (const out of Array.isArray(outputs) ? outputs : [outputs]) addLoss(this.activityPenalty(out));
    return outputs;
  }

  /**
   * Whether this layer already counts `layer`'s weights as its own (composite layers that
   * track their sublayers, wrappers, models), so a call of it inside `call` adds nothing.
   */
  protected managesSublayer(layer: Layer): boolean {
    void layer;
    return false;
  }

  /** `own` followed by the weights `pick` gives of each layer called inside `call`, each once. */
  private withCalledLayers(own: Variable[], pick: (layer: Layer) => Variable[]): Variable[] {
    if (this.calledLayers.length === 0) return own;
    return [...new Set([...own, ...this.calledLayers.flatMap(pick)])];
  }

  /** Builds for `inputShape` unless already built. */
  protected ensureBuilt(inputShape: Shape | Shape[]): void {
    if (this.built) return;
    this.build(inputShape);
    this.builtInputShape = inputShape;
    this.built = true;
  }

  /** Throws naming the layer when input `index` violates `inputSpec`. */
  protected checkInputShape(index: number, shape: Shape): void {
    const spec = this.inputSpec?.[index];
    if (!spec) return;
    const built = this.builtInputShape;
    const asBuilt =
      built === undefined ? undefined : isShapeList(built) ? built[index] : index === 0 ? built : undefined;
    assertCompatible(this.name, index, spec, shape, asBuilt && [null, ...asBuilt.slice(1)]);
  }

  private applySymbolic(
    inputs: SymbolicTensor[],
    shapeArg: Shape | Shape[],
    kwargs: CallArgs,
  ): SymbolicTensor | SymbolicTensor[] {
    const outShape = this.computeOutputShape(shapeArg, kwargs);
    const node = new Node(this, inputs, kwargs as Config);
    const shapes = isShapeList(outShape) ? outShape : [outShape];
    node.outputs = shapes.map((s, i) => new SymbolicTensor(this.outputDtype(inputs), s, this, node, i));
    this.inboundNodes.push(node);
    return isShapeList(outShape) ? node.outputs : node.outputs[0];
  }

  /** The dtype of symbolic outputs. Float layers compute in their own dtype. */
  protected outputDtype(inputs: SymbolicTensor[]): DType {
    void inputs;
    return this.dtype;
  }

  /** Keras 3 divides an activity penalty by the batch size. */
  private activityPenalty(output: Tensor): Tensor {
    const penalty = (this.activityRegularizer as Regularizer).call(output);
    return output.rank > 0 ? div(penalty, output.shape[0]) : penalty;
  }

  /**
   * Creates a weight named `<layer>/<name>` (Keras' `dense/kernel`), initialized by
   * `initializer` (default glorotUniform), with an optional regularizer (penalty added to the
   * loss) and constraint (installed on the variable; the optimizer applies it after updates).
   */
  addWeight(
    name: string,
    shape: readonly number[],
    dtype?: DType,
    initializer?: InitializerIdentifier,
    regularizer?: RegularizerIdentifier | null,
    trainable = true,
    constraint?: ConstraintIdentifier | null,
  ): Variable {
    const fullName = `${this.name}/${name}`;
    if (this.weightEntries.some((w) => w.variable.name === fullName))
      throw new ValueError(`Layer '${this.name}' already has a weight named '${name}'`);
    if (!shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new ValueError(
        `Layer '${this.name}': weight '${name}' needs a fully known shape, got ${fmtShape(shape as Shape)} (is the input's last dimension known?)`,
      );
    }
    checkWeightSize(`${this.getClassName()} '${this.name}'`, name, shape, dtype ?? this.dtype);
    const value = getInitializer(initializer ?? 'glorotUniform').call(shape, dtype ?? this.dtype);
    const variable = new Variable(value, trainable && this.trainable, fullName);
    if (constraint) {
      const c = getConstraint(constraint);
      variable.constraint = (w) => c.apply(w);
    }
    this.weightEntries.push({ variable, trainable, regularizer: regularizer ? getRegularizer(regularizer) : null });
    return variable;
  }

  /** All weights: trainable ones first, then the others (Keras order). */
  get weights(): Variable[] {
    return [...this.trainableWeights, ...this.nonTrainableWeights];
  }

  get trainableWeights(): Variable[] {
    if (!this.trainable) return [];
    return this.withCalledLayers(
      this.weightEntries.filter((w) => w.trainable).map((w) => w.variable),
      (l) => l.trainableWeights,
    );
  }

  get nonTrainableWeights(): Variable[] {
    if (!this.trainable)
      return this.withCalledLayers(
        this.weightEntries.map((w) => w.variable),
        (l) => l.weights,
      );
    return this.withCalledLayers(
      this.weightEntries.filter((w) => !w.trainable).map((w) => w.variable),
      (l) => l.nonTrainableWeights,
    );
  }

  /** The penalties of this layer's weight regularizers, computed now (inside the caller's tape). */
  weightRegularizationLosses(): Tensor[] {
    return [
      ...this.weightEntries.filter((w) => w.regularizer).map((w) => (w.regularizer as Regularizer).call(w.variable)),
      ...this.calledLayers.flatMap((l) => l.weightRegularizationLosses()),
    ];
  }

  /**
   * Snapshots of the weight values, in `weights` order.
   * @example const [kernel, bias] = layer.getWeights();
   */
  getWeights(): Tensor[] {
    return this.weights.map((v) => wrap(v.handle, v.shape, v.dtype));
  }

  /**
   * Replaces the weight values, in `weights` order; shapes must match exactly.
   * @example layer.setWeights([tensor([[1], [2]]), tensor([0])]);
   */
  setWeights(values: Tensor[]): void {
    const weights = this.weights;
    if (!Array.isArray(values) || values.length !== weights.length) {
      const list = weights.map((w) => `${w.name} ${fmtShape(w.shape)}`).join(', ');
      throw new ValueError(
        `Layer '${this.name}': setWeights expected ${weights.length} weights (${list || 'none'}), got ${Array.isArray(values) ? values.length : typeof values}`,
      );
    }
    values.forEach((value, i) => {
      const w = weights[i];
      if (!(value instanceof Tensor))
        throw new ValueError(
          `Layer '${this.name}': setWeights value ${i} for '${w.name}' must be a Tensor, got ${typeof value}`,
        );
      if (!shapesEqual(value.shape, w.shape)) {
        throw new ValueError(
          `Layer '${this.name}': weight '${w.name}' expects shape ${fmtShape(w.shape)}, got ${fmtShape(value.shape)}`,
        );
      }
    });
    values.forEach((value, i) =>
      weights[i].assign(value.dtype === weights[i].dtype ? value : cast(value, weights[i].dtype)),
    );
  }

  /** Number of scalars in all weights. */
  countParams(): number {
    if (!this.built && this.weights.length === 0) {
      throw new StateError(
        `Layer '${this.name}' is not built yet, so it has no weights to count; call it on data or give it an inputShape`,
      );
    }
    return this.weights.reduce((n, w) => n + sizeOf(w.shape), 0);
  }

  /** The output shape of the layer's only symbolic call ('multiple' calls have no single one). */
  get outputShape(): Shape | Shape[] {
    if (this.inboundNodes.length === 0)
      throw new StateError(
        `Layer '${this.name}' has not been called on a symbolic input, so its output shape is undefined`,
      );
    const shapes = this.inboundNodes.map((n) => n.outputs.map((o) => o.shape));
    if (shapes.some((s) => JSON.stringify(s) !== JSON.stringify(shapes[0]))) {
      throw new StateError(
        `Layer '${this.name}' has been called ${shapes.length} times with different output shapes; use the model's outputs instead`,
      );
    }
    return shapes[0].length === 1 ? shapes[0][0] : shapes[0];
  }

  /** The symbolic output of the layer's only call (e.g. an InputLayer's tensor). */
  get output(): SymbolicTensor | SymbolicTensor[] {
    if (this.inboundNodes.length !== 1) {
      throw new StateError(
        `Layer '${this.name}' has ${this.inboundNodes.length} symbolic calls, so 'output' is ambiguous; use the tensors returned by apply`,
      );
    }
    const outs = this.inboundNodes[0].outputs;
    return outs.length === 1 ? outs[0] : outs;
  }

  /**
   * The arguments that rebuild this layer (`new Cls(config)`), JSON-ready. Subclasses add
   * their own to `super.getConfig()`.
   */
  getConfig(): Config {
    const config: Config = { name: this.name, trainable: this.trainable, dtype: this.dtype };
    if (this.batchInputShape) config.batchInputShape = [...this.batchInputShape];
    if (this.activityRegularizer) config.activityRegularizer = serializeRegularizer(this.activityRegularizer);
    return config;
  }
}

/**
 * Throws unless a shape argument is absent or a list (`inputShape: 13` is a common slip for
 * `inputShape: [13]`).
 * @example checkShapeArg(args.inputShape, 'inputShape', "Dense 'dense'");
 */
export function checkShapeArg(value: unknown, arg: string, who: string): void {
  if (value === undefined || value === null || Array.isArray(value)) return;
  const batched = arg.startsWith('batch');
  const example = batched ? '[null, 13]' : '[13]';
  const hint =
    typeof value === 'number'
      ? ` (for samples of ${value} features write ${batched ? `[null, ${value}]` : `[${value}]`})`
      : '';
  throw new ValueError(
    `${who}: '${arg}' must be a list of dimensions such as ${example}, got ${JSON.stringify(value)}${hint}`,
  );
}

/** The most one weight may take: 4 GiB, all a 32-bit WebAssembly memory can address. */
export const MAX_WEIGHT_BYTES = 2 ** 32;

/**
 * Refuses, before anything is allocated, a weight too large to create (`units: 1e9`), saying how
 * much memory it would take.
 */
function checkWeightSize(who: string, name: string, shape: readonly number[], dtype: DType): void {
  const bytes = sizeOf(shape) * (dtype === 'float64' ? 8 : dtype === 'bool' ? 1 : 4);
  if (bytes <= MAX_WEIGHT_BYTES) return;
  throw new ValueError(
    `${who}: weight '${name}' of shape ${fmtShape(shape as Shape)} would take ${formatBytes(bytes)} (${sizeOf(shape).toLocaleString('en-US')} ${dtype} values), more than the ${formatBytes(MAX_WEIGHT_BYTES)} one weight may take; check the layer's size arguments (units, filters, inputDim, ...)`,
  );
}

/** Bytes in binary units for messages: '4 GiB', '48.4 GiB'. @example formatBytes(1536); // '1.5 KiB' */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : Number(value.toFixed(1))} ${units[unit]}`;
}

/** True for a list of shapes, false for one shape (a scalar's `[]` counts as one shape). */
export function isShapeList(shape: Shape | Shape[]): shape is Shape[] {
  return shape.length > 0 && Array.isArray(shape[0]);
}
