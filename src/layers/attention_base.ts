import { ValueError, fmtShape } from '../core/errors.js';
import { Tensor } from '../core/tensor.js';
import { expandDims } from '../ops/dims.js';
import { andMasks, causalMask, slidingWindowMask } from './attention_masks.js';
import { describeLayer } from './convolutional_base.js';
import { isShapeList, type CallArgs } from './layer.js';
import { LayerWithSublayers } from './sublayers.js';
import { SymbolicTensor, type Shape } from './symbolic.js';

/** How multi-head attention layers are called (Keras 3's keyword arguments). */
export interface AttentionCallArgs extends CallArgs {
  /** The sequence attended to, [batch, sourceLength, dim]; the query itself when omitted (self-attention). */
  value?: Tensor | SymbolicTensor;
  /** Keys, [batch, sourceLength, dim]; `value` when omitted, the common case. */
  key?: Tensor | SymbolicTensor;
  /** Bool (or 0/1) [batch, targetLength, sourceLength]: true where a query position may attend to a key. */
  attentionMask?: Tensor | SymbolicTensor | null;
  /** Also forbid attending to later positions (decoders). */
  useCausalMask?: boolean;
  /** Return `[output, scores]`, the scores being the attention probabilities [batch, heads, target, source]. */
  returnAttentionScores?: boolean;
  /** @internal Set by `apply`: the last input is the attention mask. */
  hasAttentionMask?: boolean;
}

/** The inputs of one call, unpacked from the canonical input list. */
export interface AttentionInputs {
  query: Tensor;
  value: Tensor;
  key: Tensor;
  attentionMask: Tensor | null;
  queryMask: Tensor | null;
  valueMask: Tensor | null;
  keyMask: Tensor | null;
}

type AnyTensor = Tensor | SymbolicTensor;

/**
 * What Keras' MultiHeadAttention and GroupedQueryAttention share: the call signature
 * `apply(query, {value, key, attentionMask, useCausalMask, returnAttentionScores, training})`,
 * building from the query, value and key shapes, and merging padding masks that arrive with
 * the inputs (from `embedding({maskZero})`) with the attention and causal masks.
 *
 * Inputs travel as one list so that functional models record every tensor: `[query]` for
 * self-attention, `[query, value]`, or `[query, value, key]`, then the attention mask when
 * `hasAttentionMask` is set.
 */
export abstract class AttentionLayerBase extends LayerWithSublayers {
  /** Keras' `sliding_window`: attend only to keys within this distance (null: everywhere). */
  readonly slidingWindow: number | null;

  constructor(args: ConstructorParameters<typeof LayerWithSublayers>[0] & { slidingWindow?: number | null }) {
    super(args);
    this.supportsMasking = true;
    const w = args.slidingWindow ?? null;
    if (w !== null && !(Number.isInteger(w) && w > 0))
      throw new ValueError(
        `${describeLayer(this)}: 'slidingWindow' must be null or a positive integer, got ${JSON.stringify(w)}`,
      );
    this.slidingWindow = w;
  }

  /** Creates the projections for these input shapes. */
  protected abstract buildFor(query: Shape, value: Shape, key: Shape): void;

  /** Checks one call's tensors against the built layer before anything is computed. */
  protected abstract checkInputs(inputs: AttentionInputs): void;

  override apply(
    inputs: SymbolicTensor | SymbolicTensor[],
    kwargs?: AttentionCallArgs,
  ): SymbolicTensor | SymbolicTensor[];
  override apply(inputs: Tensor | Tensor[], kwargs?: AttentionCallArgs): Tensor | Tensor[];
  override apply(
    inputs: AnyTensor | AnyTensor[],
    kwargs?: AttentionCallArgs,
  ): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[];
  override apply(
    inputs: AnyTensor | AnyTensor[],
    kwargs: AttentionCallArgs = {},
  ): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[] {
    const { value, key, attentionMask, ...flags } = kwargs;
    let list: AnyTensor[];
    if (Array.isArray(inputs)) {
      if (value !== undefined || key !== undefined)
        throw new ValueError(
          `${describeLayer(this)}: pass value and key either in the input list [query, value, key] or as options, not both`,
        );
      list = [...inputs];
    } else {
      const v = value ?? inputs;
      const k = key ?? v;
      list = [inputs];
      if (v !== inputs || k !== v) list.push(v);
      if (k !== v) list.push(k);
    }
    if (attentionMask !== undefined && attentionMask !== null) {
      list.push(attentionMask);
      flags.hasAttentionMask = true;
    }
    const parts = flags.hasAttentionMask ? list.length - 1 : list.length;
    if (parts < 1 || parts > 3)
      throw new ValueError(
        `${describeLayer(this)}: expected [query], [query, value] or [query, value, key] (and an attention mask), got ${list.length} inputs`,
      );
    for (const [i, t] of list.entries())
      if (!(t instanceof Tensor) && !(t instanceof SymbolicTensor))
        throw new ValueError(
          `${describeLayer(this)}: ${['query', 'value', 'key', 'attentionMask'][i]} must be a Tensor or SymbolicTensor, got ${t === null ? 'null' : typeof t}`,
        );
    if (!this.built) {
      // Built here from query, value and key alone: the base class would count the mask as an input.
      const [q, v = q, k = v] = list.slice(0, parts).map((t) => [...t.shape] as Shape);
      this.buildFor(q, v, k);
      this.builtInputShape = [q, v, k];
      this.built = true;
    }
    return super.apply((list.length === 1 ? list[0] : list) as Tensor, flags);
  }

  override build(inputShape: Shape | Shape[]): void {
    const [q, v = q, k = v] = isShapeList(inputShape) ? inputShape : [inputShape];
    this.buildFor(q, v, k);
  }

  /** Splits the canonical input list, with each input's padding mask (Keras' `_keras_mask`). */
  protected unpack(inputs: Tensor | Tensor[], kwargs: AttentionCallArgs): AttentionInputs {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    const n = kwargs.hasAttentionMask ? list.length - 1 : list.length;
    const masks = Array.isArray(kwargs.mask) ? kwargs.mask : [kwargs.mask ?? null];
    const query = list[0];
    const value = n > 1 ? list[1] : query;
    const key = n > 2 ? list[2] : value;
    return {
      query,
      value,
      key,
      attentionMask: kwargs.hasAttentionMask ? list[n] : null,
      queryMask: masks[0] ?? null,
      valueMask: (n > 1 ? masks[1] : masks[0]) ?? null,
      // As in Keras, the key's mask counts only when the key is a tensor of its own.
      keyMask: n > 2 ? (masks[2] ?? null) : null,
    };
  }

  /**
   * Keras' `_compute_attention_mask`: query mask [B, T, 1] and value/key masks [B, 1, S], the
   * causal mask [1, T, S] and the given attention mask, combined with a logical and.
   */
  protected combinedMask(
    inputs: AttentionInputs,
    useCausalMask: boolean,
    sourceLength = inputs.value.shape[1],
    causalOffset = 0,
  ): Tensor | null {
    const q = inputs.queryMask && expandDims(inputs.queryMask, -1);
    const v = inputs.valueMask && expandDims(inputs.valueMask, -2);
    const k = inputs.keyMask && expandDims(inputs.keyMask, -2);
    const t = inputs.query.shape[1];
    const causal = useCausalMask ? causalMask(t, sourceLength, causalOffset) : null;
    const band = this.slidingWindow ? slidingWindowMask(t, sourceLength, this.slidingWindow, causalOffset) : null;
    return andMasks(inputs.attentionMask, q, v, k, causal, band);
  }

  /** The output keeps the query's padding mask (the scores, when returned, have none). */
  override computeMask(
    inputs: Tensor | Tensor[],
    mask: Tensor | Tensor[] | null | undefined,
  ): Tensor | Tensor[] | null {
    void inputs;
    return (Array.isArray(mask) ? mask[0] : mask) ?? null;
  }

  /** Throws unless `t` has the rank and last dimension the layer was built for. */
  protected checkFeatures(t: Tensor, what: string, built: Shape): void {
    const want = built[built.length - 1];
    if (t.rank !== built.length || t.shape[t.rank - 1] !== want)
      throw new ValueError(
        `${describeLayer(this)}: ${what} has shape ${fmtShape(t.shape)} but the layer was built for ${what} of rank ${built.length} with ${want} features (${fmtShape(built)})`,
      );
  }

  /** Query, value and key must share the batch size; value and key all axes but the features. */
  protected checkPairing(inputs: AttentionInputs): void {
    const { query, value, key } = inputs;
    if (query.shape[0] !== value.shape[0] || key.shape[0] !== value.shape[0])
      throw new ValueError(
        `${describeLayer(this)}: query, value and key must have the same batch size, got shapes ${fmtShape(query.shape)}, ${fmtShape(value.shape)} and ${fmtShape(key.shape)}`,
      );
    const same = value.rank === key.rank && value.shape.slice(1, -1).every((d, i) => d === key.shape[i + 1]);
    if (!same)
      throw new ValueError(
        `${describeLayer(this)}: value and key must match in every axis but the last, got value ${fmtShape(value.shape)} and key ${fmtShape(key.shape)}`,
      );
  }
}
