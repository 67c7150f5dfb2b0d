import { ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { ConstraintIdentifier } from '../constraints/registry.js';
import type { Config } from '../core/config.js';
import type { InitializerIdentifier } from '../initializers/registry.js';
import { einsum } from '../ops/einsum.js';
import { getRegularizer, serializeRegularizer, type RegularizerIdentifier } from '../regularizers/registry.js';
import type { Regularizer } from '../regularizers/regularizer.js';
import { AttentionLayerBase, type AttentionCallArgs, type AttentionInputs } from './attention_base.js';
import { checkAttentionMask, maskedSoftmax } from './attention_masks.js';
import { describeLayer, kernelSettings, serializeKernelSettings, type KernelSettings } from './convolutional_base.js';
import { Dropout } from './dropout.js';
import { EinsumDense } from './einsum_dense.js';
import type { LayerArgs } from './layer.js';
import { registerLayer } from './registry.js';
import type { Shape } from './symbolic.js';
import { mul } from '../ops/prims/binary.js';
import { concat } from '../ops/prims/concat.js';

export interface MultiHeadAttentionArgs extends Omit<LayerArgs, 'activityRegularizer'> {
  numHeads: number;
  /** Size of each head for query and key. */
  keyDim: number;
  /** Size of each head for value; `keyDim` when omitted. */
  valueDim?: number | null;
  /** Dropout rate on the attention probabilities (while training). */
  dropout?: number;
  useBias?: boolean;
  /** Output features (or shape) after the batch and query axes; the query's feature size when omitted. */
  outputShape?: number | number[] | null;
  /** Axes attended over (of the query input); every axis but batch and features when omitted. */
  attentionAxes?: number | number[] | null;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  biasRegularizer?: RegularizerIdentifier | null;
  /** A penalty on each projection's output (as Keras passes it to the projections). */
  activityRegularizer?: RegularizerIdentifier | null;
  kernelConstraint?: ConstraintIdentifier | null;
  biasConstraint?: ConstraintIdentifier | null;
  /** Seeds the dropout on the attention probabilities. */
  seed?: number | null;
  /** Gate the heads' outputs with sigmoid(a projection of the query) (gated attention, Qiu et al. 2025). */
  useGate?: boolean;
  /** Attend only to keys within this distance of the query position (with the causal mask: the last ones). */
  slidingWindow?: number | null;
}

/** Keys and values already projected for earlier positions: [batch, length, heads, size]. */
export interface AttentionCache {
  key: Tensor;
  value: Tensor;
}

/** What `cachedCall` returns: the output for the new positions and the grown cache. */
export interface CachedAttentionResult {
  output: Tensor;
  cache: AttentionCache;
  scores?: Tensor;
}

/**
 * Multi-head attention (Keras 3 `MultiHeadAttention`, "Attention Is All You Need"): the query,
 * key and value are projected to `numHeads` heads, each head computes
 * `softmax(q·kᵀ / sqrt(keyDim)) · v` over the key positions allowed by the masks, and the heads
 * are projected back to the query's feature size. Weights, in Keras' order and layout: query,
 * key and value kernels [dim, numHeads, keyDim] with biases [numHeads, keyDim], and the output
 * kernel [numHeads, valueDim, dim] with bias [dim].
 *
 * @example
 * const mha = new MultiHeadAttention({ numHeads: 2, keyDim: 4 });
 * const y = mha.apply(x, { value: x, useCausalMask: true }); // x: [batch, time, dim] → [batch, time, dim]
 * const [out, scores] = mha.apply(x, { returnAttentionScores: true }) as Tensor[]; // scores [batch, 2, time, time]
 */
export class MultiHeadAttention extends AttentionLayerBase {
  static override readonly className: string = 'MultiHeadAttention';
  readonly numHeads: number;
  readonly keyDim: number;
  readonly valueDim: number;
  readonly dropout: number;
  readonly useBias: boolean;
  readonly useGate: boolean;
  /** `outputShape` as given (Layer's own `outputShape` is the symbolic output's). */
  readonly partialOutputShape: number[] | null;
  attentionAxes: number[] | null;
  readonly kernelSettings: KernelSettings;
  readonly biasSettings: KernelSettings;
  readonly projectionActivityRegularizer: Regularizer | null;
  readonly seed: number | null;
  queryDense: EinsumDense | null = null;
  keyDense: EinsumDense | null = null;
  valueDense: EinsumDense | null = null;
  gateDense: EinsumDense | null = null;
  outputDense: EinsumDense | null = null;
  /** The einsum of the scores (key, scaled query → probabilities' layout), set by build. */
  dotProductEquation = '';
  /** The einsum of the weighted sum (probabilities, value → heads' outputs), set by build. */
  combineEquation = '';
  private readonly dropoutLayer: Dropout;
  private builtShapes: [Shape, Shape, Shape] | null = null;

  constructor(args: MultiHeadAttentionArgs) {
    super({ ...args, activityRegularizer: null, slidingWindow: args.slidingWindow });
    const who = describeLayer(this);
    const positive = (key: string, v: unknown) => {
      if (!Number.isInteger(v) || (v as number) <= 0)
        throw new ValueError(`${who}: '${key}' must be a positive integer, got ${JSON.stringify(v)}`);
    };
    positive('numHeads', args.numHeads);
    positive('keyDim', args.keyDim);
    if (args.valueDim !== undefined && args.valueDim !== null) positive('valueDim', args.valueDim);
    this.numHeads = args.numHeads;
    this.keyDim = args.keyDim;
    this.valueDim = args.valueDim || args.keyDim;
    this.dropout = args.dropout ?? 0;
    if (typeof this.dropout !== 'number' || !(this.dropout >= 0 && this.dropout <= 1))
      throw new ValueError(`${who}: 'dropout' must be a number in [0, 1], got ${JSON.stringify(args.dropout)}`);
    this.useBias = args.useBias ?? true;
    this.useGate = args.useGate ?? false;
    const os = args.outputShape;
    this.partialOutputShape = os === undefined || os === null ? null : typeof os === 'number' ? [os] : [...os];
    if (this.partialOutputShape?.some((d) => !Number.isInteger(d) || d <= 0))
      throw new ValueError(
        `${who}: 'outputShape' must be a positive integer or a list of them, got ${JSON.stringify(args.outputShape)}`,
      );
    const axes = args.attentionAxes;
    this.attentionAxes = axes === undefined || axes === null ? null : typeof axes === 'number' ? [axes] : [...axes];
    this.kernelSettings = kernelSettings(args.kernelInitializer, args.kernelRegularizer, args.kernelConstraint);
    this.biasSettings = kernelSettings(args.biasInitializer ?? 'zeros', args.biasRegularizer, args.biasConstraint);
    this.projectionActivityRegularizer = args.activityRegularizer ? getRegularizer(args.activityRegularizer) : null;
    this.seed = args.seed ?? null;
    this.dropoutLayer = new Dropout({
      rate: this.dropout,
      seed: this.seed,
      name: `${this.name}/dropout`,
      dtype: this.dtype,
    });
  }

  /** A projection sublayer with the layer's initializers, regularizers and constraints. */
  private projection(
    name: string,
    equation: string,
    outputShape: (number | null)[],
    biasAxes: string,
    activation?: string,
  ): EinsumDense {
    const k = this.kernelSettings,
      b = this.biasSettings;
    return this.track(
      new EinsumDense({
        name: `${this.name}/${name}`,
        dtype: this.dtype,
        equation,
        outputShape,
        biasAxes: this.useBias ? biasAxes : null,
        activation,
        kernelInitializer: k.initializer,
        biasInitializer: b.initializer,
        kernelRegularizer: k.regularizer,
        biasRegularizer: b.regularizer,
        kernelConstraint: k.constraint,
        biasConstraint: b.constraint,
        activityRegularizer: this.projectionActivityRegularizer,
      }),
    );
  }

  protected buildFor(query: Shape, value: Shape, key: Shape): void {
    const who = describeLayer(this);
    if (value.length !== key.length || value.slice(1, -1).some((d, i) => d !== key[i + 1]))
      throw new ValueError(
        `${who}: value and key must match in every axis but the last, got value ${fmtShape(value)} and key ${fmtShape(key)}`,
      );
    for (const [what, s] of [
      ['query', query],
      ['value', value],
      ['key', key],
    ] as const)
      if (s.length < 3 || s[s.length - 1] === null)
        throw new ValueError(
          `${who}: ${what} must have rank >= 3 ([batch, ..., features]) with known features, got shape ${fmtShape(s)}`,
        );
    const heads = (rank: number, size: number) => [...Array(rank - 3).fill(null), this.numHeads, size];
    const q = projectionEquation(query.length - 1, 1, 2);
    this.queryDense = this.projection('query', q.equation, heads(q.outputRank, this.keyDim), q.biasAxes);
    this.buildSublayer(this.queryDense, query);
    const k = projectionEquation(key.length - 1, 1, 2);
    this.keyDense = this.projection('key', k.equation, heads(k.outputRank, this.keyDim), k.biasAxes);
    this.buildSublayer(this.keyDense, key);
    if (this.useGate) {
      this.gateDense = this.projection('gate', q.equation, heads(q.outputRank, this.valueDim), q.biasAxes, 'sigmoid');
      this.buildSublayer(this.gateDense, query);
    }
    const v = projectionEquation(value.length - 1, 1, 2);
    this.valueDense = this.projection('value', v.equation, heads(v.outputRank, this.valueDim), v.biasAxes);
    this.buildSublayer(this.valueDense, value);
    this.buildAttention(q.outputRank);
    const out = this.partialOutputShape ?? [query[query.length - 1] as number];
    const o = projectionEquation(query.length - 1, 2, out.length);
    this.outputDense = this.projection(
      'attention_output',
      o.equation,
      [...Array(o.outputRank - 1 - out.length).fill(null), ...out],
      o.biasAxes,
    );
    const projected = [...(this.queryDense.computeOutputShape(query) as Shape)];
    projected[projected.length - 1] = this.valueDim;
    this.buildSublayer(this.outputDense, projected);
    this.builtShapes = [query, value, key];
  }

  /** The einsum equations of the scores and the weighted sum (Keras' `_build_attention`). */
  private buildAttention(rank: number): void {
    const axes = this.attentionAxes ?? Array.from({ length: rank - 3 }, (_, i) => i + 1);
    const resolved = axes.map((a) => (a < 0 ? rank - 1 + a : a));
    if (resolved.some((a) => !Number.isInteger(a) || a < 1 || a >= rank - 2) || new Set(resolved).size !== axes.length)
      throw new ValueError(
        `${describeLayer(this)}: 'attentionAxes' ${JSON.stringify(axes)} must name distinct axes of the query between the batch and the features (1..${rank - 3} or negative)`,
      );
    this.attentionAxes = resolved;
    const eq = attentionEquations(rank, resolved);
    this.dotProductEquation = eq.dotProduct;
    this.combineEquation = eq.combine;
  }

  protected checkInputs(inputs: AttentionInputs): void {
    const [q, v, k] = this.builtShapes as [Shape, Shape, Shape];
    this.checkFeatures(inputs.query, 'query', q);
    this.checkFeatures(inputs.value, 'value', v);
    this.checkFeatures(inputs.key, 'key', k);
    this.checkPairing(inputs);
    if (inputs.attentionMask)
      checkAttentionMask(
        describeLayer(this),
        inputs.attentionMask,
        this.maskShape(inputs.query.shape, inputs.value.shape),
        '[batch, query axes, key axes] =',
      );
  }

  /** The attention mask's full shape: [batch, (other axes), query attention axes, key attention axes]. */
  private maskShape(query: readonly number[], value: readonly number[]): number[] {
    const axes = this.attentionAxes as number[];
    const others = query.slice(0, -1).filter((_, i) => !axes.includes(i));
    return [...others, ...axes.map((a) => query[a]), ...axes.map((a) => value[a])];
  }

  call(inputs: Tensor | Tensor[], kwargs: AttentionCallArgs): Tensor | Tensor[] {
    const parts = this.unpack(inputs, kwargs);
    this.checkInputs(parts);
    const mask = this.combinedMask(parts, kwargs.useCausalMask ?? false);
    const q = (this.queryDense as EinsumDense).apply(parts.query) as Tensor;
    const k = (this.keyDense as EinsumDense).apply(parts.key) as Tensor;
    const v = (this.valueDense as EinsumDense).apply(parts.value) as Tensor;
    const { output, scores } = this.computeAttention(q, k, v, mask, kwargs.training ?? false);
    const y = this.projectOutput(output, parts.query);
    return kwargs.returnAttentionScores ? [y, scores] : y;
  }

  /** The output projection of the heads' outputs [B, T, N, valueDim], gated by the query first with `useGate`. */
  projectOutput(heads: Tensor, query: Tensor): Tensor {
    const gated = this.gateDense ? mul(heads, this.gateDense.apply(query) as Tensor) : heads;
    return (this.outputDense as EinsumDense).apply(gated) as Tensor;
  }

  /**
   * Attention on projected tensors (Keras' `_compute_attention`): query [B, T, N, keyDim],
   * key [B, S, N, keyDim], value [B, S, N, valueDim] and a bool mask broadcasting to
   * [B, T, S]; returns the heads' outputs [B, T, N, valueDim] (before the output projection) and
   * the probabilities [B, N, T, S]. Dropout applies to the probabilities while training.
   */
  computeAttention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    mask: Tensor | null,
    training = false,
  ): { output: Tensor; scores: Tensor } {
    const scaled = mul(query, 1 / Math.sqrt(this.keyDim));
    const logits = einsum(this.dotProductEquation, key, scaled);
    const scores = maskedSoftmax(logits, mask, (this.attentionAxes as number[]).length);
    const dropped = this.dropout > 0 ? (this.dropoutLayer.apply(scores, { training }) as Tensor) : scores;
    return { output: einsum(this.combineEquation, dropped, value), scores };
  }

  /**
   * Self-attention for new positions that also sees earlier ones: `query` [B, T, dim] is
   * projected to queries, keys and values; the new keys and values are appended to `cache`
   * (projected keys and values of the positions before, or null at the start), and attention
   * runs over all of them, causally by default (position i of the query is position
   * `cache length + i` of the sequence). Each step costs work proportional to the context,
   * which is what makes cached generation linear per token.
   *
   * @example
   * let { output, cache } = mha.cachedCall(prompt, null);   // prompt [1, 5, dim]
   * ({ output, cache } = mha.cachedCall(nextToken, cache));  // [1, 1, dim], sees all 6 positions
   */
  cachedCall(
    query: Tensor,
    cache: AttentionCache | null,
    options: {
      attentionMask?: Tensor | null;
      useCausalMask?: boolean;
      training?: boolean;
      returnAttentionScores?: boolean;
    } = {},
  ): CachedAttentionResult {
    if (!this.built) {
      this.build([...query.shape]);
      this.built = true;
    }
    const parts: AttentionInputs = {
      query,
      value: query,
      key: query,
      attentionMask: options.attentionMask ?? null,
      queryMask: null,
      valueMask: null,
      keyMask: null,
    };
    const [q0, v0, k0] = this.builtShapes as [Shape, Shape, Shape];
    this.checkFeatures(query, 'query', q0);
    this.checkFeatures(query, 'value', v0);
    this.checkFeatures(query, 'key', k0);
    if ((this.attentionAxes as number[]).length !== 1 || query.rank !== 3)
      throw new ValueError(
        `${describeLayer(this)}: cachedCall needs [batch, time, features] inputs attended over the time axis, got query ${fmtShape(query.shape)}`,
      );
    const past = cache ? cache.key.shape[1] : 0;
    if (cache && (cache.key.shape[0] !== query.shape[0] || cache.value.shape[1] !== past))
      throw new ValueError(
        `${describeLayer(this)}: the cache (keys ${fmtShape(cache.key.shape)}, values ${fmtShape(cache.value.shape)}) does not fit query ${fmtShape(query.shape)}`,
      );
    const total = past + query.shape[1];
    if (parts.attentionMask)
      checkAttentionMask(
        describeLayer(this),
        parts.attentionMask,
        [query.shape[0], query.shape[1], total],
        '[batch, new positions, all positions] =',
      );
    const q = (this.queryDense as EinsumDense).apply(query) as Tensor;
    let k = (this.keyDense as EinsumDense).apply(query) as Tensor;
    let v = (this.valueDense as EinsumDense).apply(query) as Tensor;
    if (cache) {
      k = concat([cache.key, k], 1);
      v = concat([cache.value, v], 1);
    }
    const mask = this.combinedMask(parts, options.useCausalMask ?? true, total, past);
    const { output, scores } = this.computeAttention(q, k, v, mask, options.training ?? false);
    const result: CachedAttentionResult = {
      output: this.projectOutput(output, query),
      cache: { key: k, value: v },
    };
    if (options.returnAttentionScores) result.scores = scores;
    return result;
  }

  override computeOutputShape(inputShape: Shape | Shape[], callArgs?: AttentionCallArgs): Shape | Shape[] {
    const shapes = (Array.isArray(inputShape[0]) ? inputShape : [inputShape]) as Shape[];
    const query = shapes[0];
    const value = callArgs?.hasAttentionMask ? (shapes.length > 2 ? shapes[1] : query) : (shapes[1] ?? query);
    const out: Shape = this.partialOutputShape ? [...query.slice(0, -1), ...this.partialOutputShape] : [...query];
    if (!callArgs?.returnAttentionScores) return out;
    const axes = this.attentionAxes ?? Array.from({ length: query.length - 2 }, (_, i) => i + 1);
    const others = query.slice(0, -1).filter((_, i) => !axes.includes(i));
    return [out, [...others, this.numHeads, ...axes.map((a) => query[a]), ...axes.map((a) => value[a])]];
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      numHeads: this.numHeads,
      keyDim: this.keyDim,
      valueDim: this.valueDim,
      dropout: this.dropout,
      useBias: this.useBias,
      useGate: this.useGate,
      slidingWindow: this.slidingWindow,
      outputShape: this.partialOutputShape,
      attentionAxes: this.attentionAxes,
      ...serializeKernelSettings('kernel', this.kernelSettings),
      ...serializeKernelSettings('bias', this.biasSettings),
      activityRegularizer:
        this.projectionActivityRegularizer && serializeRegularizer(this.projectionActivityRegularizer),
      seed: this.seed,
    };
  }
}

const letter = (i: number) => String.fromCharCode(97 + i);

/**
 * Keras' `_build_proj_equation`: `freeDims` axes pass through, `boundDims` are contracted with
 * the kernel and `outputDims` come from it (e.g. 'abc,cde->abde' with bias 'de').
 */
export function projectionEquation(
  freeDims: number,
  boundDims: number,
  outputDims: number,
): { equation: string; biasAxes: string; outputRank: number } {
  let input = '',
    kernel = '',
    output = '',
    bias = '';
  for (let i = 0; i < freeDims; i++) {
    input += letter(i);
    output += letter(i);
  }
  for (let i = 0; i < boundDims; i++) {
    input += letter(freeDims + i);
    kernel += letter(freeDims + i);
  }
  for (let i = 0; i < outputDims; i++) {
    const c = letter(freeDims + boundDims + i);
    kernel += c;
    output += c;
    bias += c;
  }
  return { equation: `${input},${kernel}->${output}`, biasAxes: bias, outputRank: output.length };
}

/**
 * Keras' `_build_attention_equation` for projected tensors of `rank` (batch, other axes,
 * attention axes, heads, size): the key·query product and the probability-weighted sum.
 */
export function attentionEquations(rank: number, attentionAxes: number[]): { dotProduct: string; combine: string } {
  const target = Array.from({ length: rank }, (_, i) => letter(i)).join('');
  const batch = Array.from({ length: rank }, (_, i) => i).filter((i) => !attentionAxes.includes(i) && i !== rank - 1);
  let next = rank;
  let source = '';
  for (let i = 0; i < rank; i++) source += batch.includes(i) || i === rank - 1 ? target[i] : letter(next++);
  const product = [
    ...batch.map((i) => target[i]),
    ...attentionAxes.map((i) => target[i]),
    ...attentionAxes.map((i) => source[i]),
  ].join('');
  return { dotProduct: `${source},${target}->${product}`, combine: `${product},${source}->${target}` };
}

registerLayer(
  MultiHeadAttention.className,
  (config) => new MultiHeadAttention(config as unknown as MultiHeadAttentionArgs),
);
