import { ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { ConstraintIdentifier } from '../constraints/registry.js';
import type { Config } from '../core/config.js';
import type { InitializerIdentifier } from '../initializers/registry.js';
import { expandDims } from '../ops/dims.js';
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
import { broadcastTo, mul } from '../ops/prims/binary.js';
import { reshape } from '../ops/prims/shape_ops.js';

export interface GroupedQueryAttentionArgs extends Omit<LayerArgs, 'activityRegularizer'> {
  /** Size of each head. */
  headDim: number;
  numQueryHeads: number;
  /** Key/value heads, each shared by numQueryHeads / numKeyValueHeads query heads. */
  numKeyValueHeads: number;
  dropout?: number;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  biasRegularizer?: RegularizerIdentifier | null;
  activityRegularizer?: RegularizerIdentifier | null;
  kernelConstraint?: ConstraintIdentifier | null;
  biasConstraint?: ConstraintIdentifier | null;
  seed?: number | null;
  /** Gate the heads' outputs with sigmoid(a projection of the query) (gated attention, Qiu et al. 2025). */
  useGate?: boolean;
  /** Attend only to keys within this distance of the query position (with the causal mask: the last ones). */
  slidingWindow?: number | null;
}

/**
 * Grouped-query attention (Keras 3 `GroupedQueryAttention`, Ainslie et al. 2023): like
 * multi-head attention, but keys and values have fewer heads than queries, each shared by a
 * group of query heads, which shrinks the key/value projections and cache. Query, key and value
 * must have the same feature size. Weights: query kernel [dim, numQueryHeads, headDim], key and
 * value kernels [dim, numKeyValueHeads, headDim] (biases without the first axis), output kernel
 * [numQueryHeads, headDim, dim] and bias [dim].
 *
 * @example
 * const gqa = new GroupedQueryAttention({ headDim: 8, numQueryHeads: 4, numKeyValueHeads: 2 });
 * gqa.apply(x, { useCausalMask: true }); // x: [batch, time, dim] → [batch, time, dim]
 */
export class GroupedQueryAttention extends AttentionLayerBase {
  static override readonly className: string = 'GroupedQueryAttention';
  readonly headDim: number;
  readonly numQueryHeads: number;
  readonly numKeyValueHeads: number;
  readonly numRepeats: number;
  readonly dropout: number;
  readonly useBias: boolean;
  readonly useGate: boolean;
  readonly kernelSettings: KernelSettings;
  readonly biasSettings: KernelSettings;
  readonly projectionActivityRegularizer: Regularizer | null;
  readonly seed: number | null;
  queryDense: EinsumDense | null = null;
  keyDense: EinsumDense | null = null;
  valueDense: EinsumDense | null = null;
  gateDense: EinsumDense | null = null;
  outputDense: EinsumDense | null = null;
  private readonly dropoutLayer: Dropout;
  private featureDim = 0;

  constructor(args: GroupedQueryAttentionArgs) {
    super({ ...args, activityRegularizer: null });
    const who = describeLayer(this);
    for (const key of ['headDim', 'numQueryHeads', 'numKeyValueHeads'] as const)
      if (!Number.isInteger(args[key]) || args[key] <= 0)
        throw new ValueError(`${who}: '${key}' must be a positive integer, got ${JSON.stringify(args[key])}`);
    if (args.numQueryHeads % args.numKeyValueHeads !== 0)
      throw new ValueError(
        `${who}: numQueryHeads (${args.numQueryHeads}) must be divisible by numKeyValueHeads (${args.numKeyValueHeads})`,
      );
    this.headDim = args.headDim;
    this.numQueryHeads = args.numQueryHeads;
    this.numKeyValueHeads = args.numKeyValueHeads;
    this.numRepeats = args.numQueryHeads / args.numKeyValueHeads;
    this.dropout = args.dropout ?? 0;
    if (typeof this.dropout !== 'number' || !(this.dropout >= 0 && this.dropout <= 1))
      throw new ValueError(`${who}: 'dropout' must be a number in [0, 1], got ${JSON.stringify(args.dropout)}`);
    this.useBias = args.useBias ?? true;
    this.useGate = args.useGate ?? false;
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
    for (const [what, s] of [
      ['query', query],
      ['value', value],
      ['key', key],
    ] as const)
      if (s.length !== 3 || s[2] === null)
        throw new ValueError(
          `${who}: ${what} must be [batch, length, features] with known features, got shape ${fmtShape(s)}`,
        );
    if (query[2] !== value[2] || key[2] !== value[2])
      throw new ValueError(
        `${who}: query, value and key must have the same feature size, got query ${fmtShape(query)}, value ${fmtShape(value)} and key ${fmtShape(key)}`,
      );
    this.featureDim = query[2] as number;
    this.queryDense = this.projection('query', 'bqm,muh->bquh', [null, this.numQueryHeads, this.headDim], 'uh');
    this.buildSublayer(this.queryDense, query);
    this.keyDense = this.projection('key', 'bkm,mvh->bkvh', [null, this.numKeyValueHeads, this.headDim], 'vh');
    this.buildSublayer(this.keyDense, key);
    if (this.useGate) {
      this.gateDense = this.projection(
        'gate',
        'bqm,muh->bquh',
        [null, this.numQueryHeads, this.headDim],
        'uh',
        'sigmoid',
      );
      this.buildSublayer(this.gateDense, query);
    }
    this.valueDense = this.projection('value', 'bkm,mvh->bkvh', [null, this.numKeyValueHeads, this.headDim], 'vh');
    this.buildSublayer(this.valueDense, value);
    this.outputDense = this.projection('attention_output', 'bquh,uhm->bqm', [null, this.featureDim], 'm');
    this.buildSublayer(this.outputDense, [null, null, this.numQueryHeads, this.headDim]);
  }

  protected checkInputs(inputs: AttentionInputs): void {
    const built: Shape = [null, null, this.featureDim];
    this.checkFeatures(inputs.query, 'query', built);
    this.checkFeatures(inputs.value, 'value', built);
    this.checkFeatures(inputs.key, 'key', built);
    this.checkPairing(inputs);
    const { query, value } = inputs;
    if (inputs.attentionMask)
      checkAttentionMask(
        describeLayer(this),
        inputs.attentionMask,
        [query.shape[0], query.shape[1], value.shape[1]],
        '[batch, query length, key length] =',
      );
  }

  call(inputs: Tensor | Tensor[], kwargs: AttentionCallArgs): Tensor | Tensor[] {
    const parts = this.unpack(inputs, kwargs);
    this.checkInputs(parts);
    const mask = this.combinedMask(parts, kwargs.useCausalMask ?? false);
    const q = (this.queryDense as EinsumDense).apply(parts.query) as Tensor;
    const k = this.repeatHeads((this.keyDense as EinsumDense).apply(parts.key) as Tensor);
    const v = this.repeatHeads((this.valueDense as EinsumDense).apply(parts.value) as Tensor);
    const scaled = mul(q, 1 / Math.sqrt(this.headDim));
    const scores = maskedSoftmax(einsum('bquh,bkuh->buqk', scaled, k), mask);
    const dropped =
      this.dropout > 0 ? (this.dropoutLayer.apply(scores, { training: kwargs.training ?? false }) as Tensor) : scores;
    let heads = einsum('buqk,bkuh->bquh', dropped, v);
    if (this.gateDense) heads = mul(heads, this.gateDense.apply(parts.query) as Tensor);
    const y = (this.outputDense as EinsumDense).apply(heads) as Tensor;
    return kwargs.returnAttentionScores ? [y, scores] : y;
  }

  /** [B, S, kvHeads, h] → [B, S, queryHeads, h], each key/value head repeated for its group (NumPy's repeat). */
  private repeatHeads(x: Tensor): Tensor {
    if (this.numRepeats === 1) return x;
    const [b, s, n, h] = x.shape;
    const spread = broadcastTo(expandDims(x, 3), [b, s, n, this.numRepeats, h]);
    return reshape(spread, [b, s, n * this.numRepeats, h]);
  }

  override computeOutputShape(inputShape: Shape | Shape[], callArgs?: AttentionCallArgs): Shape | Shape[] {
    const shapes = (Array.isArray(inputShape[0]) ? inputShape : [inputShape]) as Shape[];
    const query = shapes[0];
    const value = callArgs?.hasAttentionMask ? (shapes.length > 2 ? shapes[1] : query) : (shapes[1] ?? query);
    if (!callArgs?.returnAttentionScores) return [...query];
    return [[...query], [query[0], this.numQueryHeads, query[1], value[1]]];
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      headDim: this.headDim,
      numQueryHeads: this.numQueryHeads,
      numKeyValueHeads: this.numKeyValueHeads,
      useBias: this.useBias,
      useGate: this.useGate,
      slidingWindow: this.slidingWindow,
      dropout: this.dropout,
      ...serializeKernelSettings('kernel', this.kernelSettings),
      ...serializeKernelSettings('bias', this.biasSettings),
      activityRegularizer:
        this.projectionActivityRegularizer && serializeRegularizer(this.projectionActivityRegularizer),
      seed: this.seed,
    };
  }
}

registerLayer(
  GroupedQueryAttention.className,
  (config) => new GroupedQueryAttention(config as unknown as GroupedQueryAttentionArgs),
);
