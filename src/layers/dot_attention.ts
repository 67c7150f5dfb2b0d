import { ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { Variable } from '../core/variable.js';
import type { Config } from '../core/config.js';
import { expandDims } from '../ops/dims.js';
import { softmax } from '../ops/softmax.js';
import { boolMask, causalMask } from './attention_masks.js';
import { describeLayer } from './convolutional_base.js';
import { Dropout } from './dropout.js';
import { Layer, isShapeList, type CallArgs, type LayerArgs } from './layer.js';
import { registerLayer } from './registry.js';
import type { Shape, SymbolicTensor } from './symbolic.js';
import { add, logicalAnd, mul, sub } from '../ops/prims/binary.js';
import { matMul } from '../ops/prims/matmul.js';
import { cast } from '../ops/prims/shape_ops.js';
import { sum } from '../ops/prims/reduce.js';
import { tanh } from '../ops/prims/unary.js';

export interface AttentionArgs extends LayerArgs {
  /** Learn a scalar that multiplies the scores (default false). */
  useScale?: boolean;
  /** 'dot' (q·kᵀ, default) or 'concat' (sum of tanh(q + k)). */
  scoreMode?: 'dot' | 'concat';
  /** Dropout rate on the attention weights (while training). */
  dropout?: number;
  seed?: number | null;
}

export interface DotAttentionCallArgs extends CallArgs {
  /** Return `[output, weights]`; the weights are [batch, Tq, Tv]. */
  returnAttentionScores?: boolean;
  /** Forbid attending to later positions. */
  useCausalMask?: boolean;
}

const MAX_VALUE = 1e9;

/**
 * Dot-product attention without projections (Keras 3 `Attention`, Luong-style): called on
 * `[query, value]` or `[query, value, key]` ([batch, Tq, dim], [batch, Tv, dim]), it returns
 * `softmax(scores) · value` with scores `q·kᵀ` (times a learned scalar with `useScale`), or with
 * `scoreMode: 'concat'` `sum(tanh(q + k))` times a learned scalar. A padding mask `[queryMask,
 * valueMask]` (from `embedding({maskZero})` in a model) takes 1e9 from masked scores, and masked
 * query rows output zeros.
 *
 * @example
 * const att = new Attention();
 * att.apply([query, value]); // [batch, Tq, dim]
 */
export class Attention extends Layer {
  static override readonly className: string = 'Attention';
  readonly useScale: boolean;
  readonly scoreMode: 'dot' | 'concat';
  readonly dropout: number;
  readonly seed: number | null;
  scale: Variable | null = null;
  concatScoreWeight: Variable | null = null;
  private readonly dropoutLayer: Dropout;

  constructor(args: AttentionArgs = {}, defaultScale = false) {
    super(args);
    const who = describeLayer(this);
    this.useScale = args.useScale ?? defaultScale;
    this.scoreMode = args.scoreMode ?? 'dot';
    if (this.scoreMode !== 'dot' && this.scoreMode !== 'concat')
      throw new ValueError(`${who}: 'scoreMode' must be 'dot' or 'concat', got ${JSON.stringify(args.scoreMode)}`);
    this.dropout = args.dropout ?? 0;
    if (typeof this.dropout !== 'number' || !(this.dropout >= 0 && this.dropout <= 1))
      throw new ValueError(`${who}: 'dropout' must be a number in [0, 1], got ${JSON.stringify(args.dropout)}`);
    this.seed = args.seed ?? null;
    this.supportsMasking = true;
    this.dropoutLayer = new Dropout({
      rate: this.dropout,
      seed: this.seed,
      name: `${this.name}/dropout`,
      dtype: this.dtype,
    });
  }

  override apply(
    inputs: SymbolicTensor | SymbolicTensor[],
    kwargs?: DotAttentionCallArgs,
  ): SymbolicTensor | SymbolicTensor[];
  override apply(inputs: Tensor | Tensor[], kwargs?: DotAttentionCallArgs): Tensor | Tensor[];
  override apply(
    inputs: Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[],
    kwargs?: DotAttentionCallArgs,
  ): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[];
  /** Called on `[query, value]` or `[query, value, key]`; the options are only typed here. */
  override apply(
    inputs: Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[],
    kwargs: DotAttentionCallArgs = {},
  ): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[] {
    return super.apply(inputs, kwargs);
  }

  override build(inputShape: Shape | Shape[]): void {
    this.shapesOf(inputShape);
    if (this.useScale) this.scale = this.addWeight('scale', [], undefined, 'ones');
    if (this.scoreMode === 'concat')
      this.concatScoreWeight = this.addWeight('concat_score_weight', [], undefined, 'ones');
  }

  /** The [query, value, key] shapes, after checking the inputs form such a list. */
  protected shapesOf(inputShape: Shape | Shape[]): [Shape, Shape, Shape] {
    if (!isShapeList(inputShape) || inputShape.length < 2 || inputShape.length > 3)
      throw new ValueError(
        `${describeLayer(this)} must be called on a list [query, value] or [query, value, key], got ${isShapeList(inputShape) ? `${inputShape.length} inputs` : `one input of shape ${fmtShape(inputShape as Shape)}`}`,
      );
    const [q, v, k = v] = inputShape;
    return [q, v, k];
  }

  /** The unscaled-or-scaled scores [batch, Tq, Tv]. */
  protected scores(query: Tensor, key: Tensor): Tensor {
    if (this.scoreMode === 'dot') {
      const s = matMul(query, key, false, true);
      return this.scale ? mul(s, this.scale) : s;
    }
    const qk = add(expandDims(query, -2), expandDims(key, -3));
    return mul(this.concatScoreWeight as Variable, sum(tanh(this.scale ? mul(qk, this.scale) : qk), -1));
  }

  call(inputs: Tensor | Tensor[], kwargs: DotAttentionCallArgs): Tensor | Tensor[] {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    const [query, value, key] = this.shapesOf(list.map((t) => [...t.shape])).map((_, i) => list[i] ?? list[1]);
    this.checkInputs(query, value, key);
    const masks = Array.isArray(kwargs.mask) ? kwargs.mask : kwargs.mask ? [kwargs.mask] : [];
    if (kwargs.mask && !Array.isArray(kwargs.mask))
      throw new ValueError(
        `${describeLayer(this)}: 'mask' must be a list [queryMask, valueMask], got one tensor of shape ${fmtShape(kwargs.mask.shape)}`,
      );
    const [queryMask = null, valueMask = null] = masks;
    this.checkMask(queryMask, query, 'query');
    this.checkMask(valueMask, value, 'value');
    let scores = this.scores(query, key);
    let keep: Tensor | null = valueMask ? expandDims(boolMask(valueMask), -2) : null;
    if (kwargs.useCausalMask) {
      const causal = causalMask(scores.shape[scores.rank - 2], scores.shape[scores.rank - 1]);
      keep = keep ? logicalAnd(keep, causal) : causal;
    }
    // Keras lowers masked scores by 1e9 (rather than replacing them), so a fully masked row stays finite.
    if (keep) scores = add(scores, mul(sub(cast(keep, scores.dtype), 1), MAX_VALUE));
    const weights = softmax(scores, -1);
    const dropped =
      this.dropout > 0 ? (this.dropoutLayer.apply(weights, { training: kwargs.training ?? false }) as Tensor) : weights;
    let out = matMul(dropped, value);
    if (queryMask) out = mul(out, cast(expandDims(boolMask(queryMask), -1), out.dtype));
    return kwargs.returnAttentionScores ? [out, weights] : out;
  }

  /** Query and key feature sizes must agree, and every input share the batch size, before computing. */
  private checkInputs(query: Tensor, value: Tensor, key: Tensor): void {
    const who = describeLayer(this);
    if (query.rank !== 3 || value.rank !== 3 || key.rank !== 3)
      throw new ValueError(
        `${who}: query, value and key must be [batch, length, features], got shapes ${fmtShape(query.shape)}, ${fmtShape(value.shape)} and ${fmtShape(key.shape)}`,
      );
    if (query.shape[0] !== value.shape[0] || key.shape[0] !== value.shape[0] || key.shape[1] !== value.shape[1])
      throw new ValueError(
        `${who}: value and key must have the same batch size and length as each other and the query's batch size, got query ${fmtShape(query.shape)}, value ${fmtShape(value.shape)}, key ${fmtShape(key.shape)}`,
      );
    if (query.shape[2] !== key.shape[2])
      throw new ValueError(
        `${who}: query and key must have the same feature size, got query ${fmtShape(query.shape)} (${query.shape[2]} features) and key ${fmtShape(key.shape)} (${key.shape[2]} features)`,
      );
  }

  private checkMask(mask: Tensor | null, x: Tensor, what: string): void {
    if (mask && (mask.rank !== 2 || mask.shape[0] !== x.shape[0] || mask.shape[1] !== x.shape[1]))
      throw new ValueError(
        `${describeLayer(this)}: the ${what} mask must be [batch, length] = ${fmtShape(x.shape.slice(0, 2))}, got ${fmtShape(mask.shape)}`,
      );
  }

  /** The output keeps the query's mask. */
  override computeMask(inputs: Tensor | Tensor[], mask: Tensor | Tensor[] | null | undefined): Tensor | null {
    void inputs;
    return (Array.isArray(mask) ? mask[0] : null) ?? null;
  }

  override computeOutputShape(inputShape: Shape | Shape[], callArgs?: DotAttentionCallArgs): Shape | Shape[] {
    const [q, v, k] = this.shapesOf(inputShape);
    const out: Shape = [...q.slice(0, -1), v[v.length - 1]];
    return callArgs?.returnAttentionScores ? [out, [...q.slice(0, -1), k[k.length - 2]]] : out;
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      useScale: this.useScale,
      scoreMode: this.scoreMode,
      dropout: this.dropout,
      seed: this.seed,
    };
  }
}

export type AdditiveAttentionArgs = Omit<AttentionArgs, 'scoreMode'>;

/**
 * Additive attention (Keras 3 `AdditiveAttention`, Bahdanau-style): scores are
 * `sum(scale * tanh(q + k))` over the features, with a learned per-feature `scale` (glorot
 * uniform, with `useScale`, the default). Called like `Attention`.
 *
 * @example
 * new AdditiveAttention().apply([query, value]); // [batch, Tq, dim]
 */
export class AdditiveAttention extends Attention {
  static override readonly className: string = 'AdditiveAttention';

  constructor(args: AdditiveAttentionArgs = {}) {
    super(args, true);
  }

  override build(inputShape: Shape | Shape[]): void {
    const [q] = this.shapesOf(inputShape);
    const dim = q[q.length - 1];
    if (dim === null)
      throw new ValueError(`${describeLayer(this)}: the query's feature size must be known, got ${fmtShape(q)}`);
    if (this.useScale) this.scale = this.addWeight('scale', [dim], undefined, 'glorotUniform');
  }

  protected override scores(query: Tensor, key: Tensor): Tensor {
    const t = tanh(add(expandDims(query, -2), expandDims(key, -3)));
    return sum(this.scale ? mul(this.scale, t) : t, -1);
  }

  override getConfig(): Config {
    const { scoreMode, ...rest } = super.getConfig();
    void scoreMode;
    return rest;
  }
}

registerLayer(Attention.className, (config) => new Attention(config as AttentionArgs));
registerLayer(AdditiveAttention.className, (config) => new AdditiveAttention(config as AdditiveAttentionArgs));
