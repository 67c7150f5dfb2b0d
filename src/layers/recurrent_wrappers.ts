import { ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { Variable } from '../core/variable.js';
import type { Config, SerializedObject } from '../core/config.js';
import { add, div, mul } from '../ops/prims/binary.js';
import { concat } from '../ops/prims/concat.js';
import { reverse } from '../ops/reverse.js';
import { reshape } from '../ops/prims/shape_ops.js';
import { Layer, isShapeList, type CallArgs, type LayerArgs } from './layer.js';
import { RecurrentLayer, statesAsInputs, type RecurrentCallArgs } from './recurrent.js';
import { RNN } from './rnn.js';
import { deserializeLayer, registerLayerClass, serializeLayer } from './registry.js';
import type { Shape, SymbolicTensor } from './symbolic.js';

/** A layer that owns another layer (or two) and exposes their weights as its own. */
abstract class Wrapper extends Layer {
  protected abstract inner(): Layer[];

  protected override managesSublayer(layer: Layer): boolean {
    return this.inner().includes(layer);
  }

  override get trainable(): boolean {
    return super.trainable;
  }

  override set trainable(value: boolean) {
    super.trainable = value;
    for (const layer of this.inner?.() ?? []) layer.trainable = value;
  }

  override get trainableWeights(): Variable[] {
    return this.trainable ? this.inner().flatMap((l) => l.trainableWeights) : [];
  }

  override get nonTrainableWeights(): Variable[] {
    return this.trainable ? this.inner().flatMap((l) => l.nonTrainableWeights) : this.inner().flatMap((l) => l.weights);
  }

  override weightRegularizationLosses(): Tensor[] {
    return this.inner().flatMap((l) => l.weightRegularizationLosses());
  }
}

export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave';
const MERGE_MODES: readonly MergeMode[] = ['concat', 'sum', 'mul', 'ave'];

/** What Bidirectional runs in each direction: a recurrent layer or the generic RNN. */
export type SequenceLayer = RecurrentLayer | RNN;

export interface BidirectionalArgs extends LayerArgs {
  /** The recurrent layer to run forwards; a copy with `goBackwards` flipped runs backwards. */
  layer: SequenceLayer | SerializedObject;
  /**
   * A different layer for the backward direction (Keras' `backward_layer`): it must have the
   * opposite `goBackwards` and the same `returnSequences`, `returnState` and `stateful`.
   */
  backwardLayer?: SequenceLayer | SerializedObject | null;
  /** How the two directions' outputs are combined; default 'concat'. */
  mergeMode?: MergeMode;
}

const isSequenceLayer = (l: unknown): l is SequenceLayer => l instanceof RecurrentLayer || l instanceof RNN;

/**
 * Runs a recurrent layer over the sequence in both directions and merges the outputs (Keras
 * `Bidirectional`). Weights: the forward layer's, then the backward layer's. With
 * `returnSequences` the backward outputs are put back in input order before merging.
 *
 * @example
 * const bi = new Bidirectional({ layer: new LSTM({ units: 8 }), mergeMode: 'concat' });
 * bi.apply(ones([2, 5, 3])); // shape [2, 16]
 */
export class Bidirectional extends Wrapper {
  static override readonly className: string = 'Bidirectional';
  readonly forwardLayer: SequenceLayer;
  readonly backwardLayer: SequenceLayer;
  readonly mergeMode: MergeMode;
  /** Whether the backward layer was given (and so is part of the config), not mirrored. */
  private readonly ownBackward: boolean;

  constructor(args: BidirectionalArgs) {
    super(args);
    const asLayer = (l: unknown) => (l instanceof Layer ? l : deserializeLayer(l as SerializedObject));
    const layer = asLayer(args.layer);
    if (!isSequenceLayer(layer))
      throw new ValueError(
        `Bidirectional '${this.name}': 'layer' must be a recurrent layer (simpleRNN, lstm, gru, rnn), got ${layer?.constructor?.name ?? typeof layer}`,
      );
    const mergeMode = args.mergeMode ?? 'concat';
    if (!MERGE_MODES.includes(mergeMode))
      throw new ValueError(
        `Bidirectional '${this.name}': unknown mergeMode ${JSON.stringify(mergeMode)}; expected one of ${MERGE_MODES.join(', ')}`,
      );
    this.mergeMode = mergeMode;
    // Rebuilt from the config so that neither direction shares state with the given layer.
    const copy = (prefix: string, goBackwards: boolean): SequenceLayer => {
      const { className, config } = serializeLayer(layer);
      const base = String(config.name).replace(/^(forward_|backward_)/, '');
      const zeroOutputForMask = config.returnSequences as boolean;
      return deserializeLayer({
        className,
        config: { ...config, name: `${prefix}${base}`, goBackwards, zeroOutputForMask },
      }) as SequenceLayer;
    };
    this.forwardLayer = copy('forward_', layer.goBackwards);
    const given = args.backwardLayer === undefined || args.backwardLayer === null ? null : asLayer(args.backwardLayer);
    this.ownBackward = given !== null;
    if (given !== null && !isSequenceLayer(given))
      throw new ValueError(
        `Bidirectional '${this.name}': 'backwardLayer' must be a recurrent layer (simpleRNN, lstm, gru, rnn), got ${given.getClassName()}`,
      );
    this.backwardLayer = given ?? copy('backward_', !layer.goBackwards);
    this.backwardLayer.zeroOutputForMask = this.backwardLayer.returnSequences;
    this.checkDirections();
    this.supportsMasking = true;
  }

  /** Keras' rule: opposite directions, and the same sequences, states and statefulness. */
  private checkDirections(): void {
    const [f, b] = [this.forwardLayer, this.backwardLayer];
    if (f.goBackwards === b.goBackwards)
      throw new ValueError(
        `Bidirectional '${this.name}': the forward and backward layers must have different goBackwards, both have ${f.goBackwards}`,
      );
    for (const key of ['returnSequences', 'returnState', 'stateful'] as const)
      if (f[key] !== b[key])
        throw new ValueError(
          `Bidirectional '${this.name}': the forward and backward layers must have the same '${key}', got ${f[key]} and ${b[key]}`,
        );
  }

  protected inner(): Layer[] {
    return [this.forwardLayer, this.backwardLayer];
  }

  get returnSequences(): boolean {
    return this.forwardLayer.returnSequences;
  }
  get returnState(): boolean {
    return this.forwardLayer.returnState;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (isShapeList(inputShape) ? inputShape[0] : inputShape) as Shape;
    if (shape.length !== 3)
      throw new ValueError(
        `Bidirectional '${this.name}': expected input of rank 3 [batch, timesteps, features], got shape ${fmtShape(shape)} (rank ${shape.length})`,
      );
    for (const layer of this.inner()) {
      layer.build(shape);
      layer.built = true;
    }
    this.inputSpec = [{ ndim: 3, axes: { [-1]: shape[2] as number } }];
  }

  /** Initial states (forward then backward) become extra inputs, as for the recurrent layers. */
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
    const [list, rest] = statesAsInputs(`Bidirectional '${this.name}'`, inputs, kwargs);
    return super.apply(list, rest);
  }

  call(inputs: Tensor | Tensor[], kwargs: RecurrentCallArgs): Tensor | Tensor[] {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    const x = list[0];
    const initial = list.length > 1 ? list.slice(1) : null;
    const half = initial ? initial.length / 2 : 0;
    const run = (layer: SequenceLayer, states: Tensor[] | null): Tensor[] => {
      const out = layer.apply(x, { training: kwargs.training, mask: kwargs.mask, initialState: states } as CallArgs);
      return Array.isArray(out) ? out : [out];
    };
    const [y, ...forwardStates] = run(this.forwardLayer, initial ? initial.slice(0, half) : null);
    let [yRev, ...backwardStates] = run(this.backwardLayer, initial ? initial.slice(half) : null);
    if (this.returnSequences) yRev = reverse(yRev, 1);
    const merged = this.merge(y, yRev);
    return this.returnState ? [merged, ...forwardStates, ...backwardStates] : merged;
  }

  private merge(a: Tensor, b: Tensor): Tensor {
    switch (this.mergeMode) {
      case 'concat':
        return concat([a, b], -1);
      case 'sum':
        return add(a, b);
      case 'mul':
        return mul(a, b);
      case 'ave':
        return div(add(a, b), 2);
    }
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const split = (layer: SequenceLayer) => {
      const shapes = layer.computeOutputShape(inputShape);
      return this.returnState ? (shapes as Shape[]) : [shapes as Shape];
    };
    const [output, ...states] = split(this.forwardLayer);
    const [backward, ...backwardStates] = split(this.backwardLayer);
    const last = output[output.length - 1];
    const other = backward[backward.length - 1];
    const width = this.mergeMode === 'concat' ? (last === null || other === null ? null : last + other) : last;
    const merged: Shape = [...output.slice(0, -1), width];
    return this.returnState ? [merged, ...states, ...backwardStates] : merged;
  }

  override computeMask(
    _inputs: Tensor | Tensor[],
    mask: Tensor | Tensor[] | null | undefined,
  ): Tensor | Tensor[] | null {
    const m = (Array.isArray(mask) ? mask[0] : mask) ?? null;
    const outputMask = this.returnSequences ? m : null;
    if (!this.returnState) return outputMask;
    const stateCount = (this.forwardLayer.computeOutputShape([null, null, 1]) as Shape[]).length - 1;
    return [outputMask, ...Array.from({ length: 2 * stateCount }, () => null)] as Tensor[];
  }

  /** Clears both directions' carried states (stateful layers only). */
  resetStates(): void {
    this.forwardLayer.resetStates();
    this.backwardLayer.resetStates();
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      layer: serializeLayer(this.forwardLayer),
      mergeMode: this.mergeMode,
      ...(this.ownBackward ? { backwardLayer: serializeLayer(this.backwardLayer) } : {}),
    };
  }
}

export interface TimeDistributedArgs extends LayerArgs {
  /** The layer applied to every timestep independently (same weights for all). */
  layer: Layer | SerializedObject;
}

/**
 * Applies a layer to every timestep of [batch, time, ...] inputs (Keras `TimeDistributed`):
 * the batch and time axes are folded into one, the layer runs once, and they are unfolded.
 *
 * @example
 * const td = new TimeDistributed({ layer: new Dense({ units: 4 }) });
 * td.apply(ones([2, 5, 3])); // shape [2, 5, 4]
 */
export class TimeDistributed extends Wrapper {
  static override readonly className: string = 'TimeDistributed';
  readonly layer: Layer;

  constructor(args: TimeDistributedArgs) {
    super(args);
    this.layer = args.layer instanceof Layer ? args.layer : deserializeLayer(args.layer as SerializedObject);
    if (!(this.layer instanceof Layer))
      throw new ValueError(`TimeDistributed '${this.name}': 'layer' must be a Layer, got ${typeof args.layer}`);
    this.supportsMasking = true;
  }

  protected inner(): Layer[] {
    return [this.layer];
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = inputShape as Shape;
    if (isShapeList(inputShape) || shape.length < 3) {
      throw new ValueError(
        `TimeDistributed '${this.name}': expected one input of rank >= 3 [batch, timesteps, ...], got shape ${isShapeList(inputShape) ? inputShape.map((s) => fmtShape(s)).join(', ') : fmtShape(shape)}`,
      );
    }
    const inner = [null, ...shape.slice(2)];
    if (!this.layer.built) {
      this.layer.build(inner);
      this.layer.built = true;
    }
    this.inputSpec = [{ minNdim: 3 }];
  }

  call(inputs: Tensor | Tensor[], kwargs: CallArgs): Tensor {
    const x = inputs as Tensor;
    const [batch, steps, ...rest] = x.shape;
    const y = this.layer.apply(reshape(x, [batch * steps, ...rest]), { training: kwargs.training }) as Tensor;
    return reshape(y, [batch, steps, ...y.shape.slice(1)]);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    const inner = this.layer.computeOutputShape([null, ...shape.slice(2)]) as Shape;
    return [shape[0], shape[1], ...inner.slice(1)];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), layer: serializeLayer(this.layer) };
  }
}

registerLayerClass(Bidirectional);
registerLayerClass(TimeDistributed);
