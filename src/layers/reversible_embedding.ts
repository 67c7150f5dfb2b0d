import { ValueError, fmtShape } from '../core/errors.js';
import type { Config } from '../core/config.js';
import type { Tensor } from '../core/tensor.js';
import type { Variable } from '../core/variable.js';
import { div, mul, notEqual } from '../ops/prims/binary.js';
import { matMul } from '../ops/prims/matmul.js';
import { cast, reshape } from '../ops/prims/shape_ops.js';
import { tanh } from '../ops/prims/unary.js';
import { describeLayer } from './convolutional_base.js';
import { Embedding, type EmbeddingArgs } from './embedding.js';
import type { CallArgs } from './layer.js';
import { registerLayerClass } from './registry.js';
import type { Shape, SymbolicTensor } from './symbolic.js';

export interface ReversibleEmbeddingArgs extends EmbeddingArgs {
  /** Reuse the embedding table (transposed) for the reverse projection (default true). */
  tieWeights?: boolean;
  /** The dtype of the reverse product ('float32' or 'float64'); the layer's own when null. */
  reverseDtype?: 'float32' | 'float64' | null;
  /** When set, reverse logits become tanh(logits / cap) * cap. */
  logitSoftCap?: number | null;
}

/** Call options: `reverse` projects hidden states back to vocabulary logits. */
export interface ReversibleEmbeddingCallArgs extends CallArgs {
  reverse?: boolean;
}

type AnyTensor = Tensor | SymbolicTensor;

/**
 * An embedding that can also project back to the vocabulary (Keras 3 `ReversibleEmbedding`):
 * called on ids it is `Embedding`; called with `{reverse: true}` on hidden states
 * [..., outputDim] it returns logits [..., inputDim], the hidden states times the table's
 * transpose (tied weights, a language model's usual output layer) or times its own
 * `reverse_embeddings` [outputDim, inputDim] with `tieWeights: false`, optionally soft-capped.
 * Weights: embeddings, then reverse_embeddings when untied.
 *
 * @example
 * const emb = new ReversibleEmbedding({ inputDim: 100, outputDim: 32 });
 * const h = emb.apply(ids) as Tensor;                       // int32 [batch, length] → [batch, length, 32]
 * const logits = emb.apply(h, { reverse: true }) as Tensor; // [batch, length, 100]
 */
export class ReversibleEmbedding extends Embedding {
  static override readonly className: string = 'ReversibleEmbedding';
  readonly tieWeights: boolean;
  readonly reverseDtype: 'float32' | 'float64' | null;
  readonly logitSoftCap: number | null;
  reverseEmbeddings: Variable | null = null;

  constructor(args: ReversibleEmbeddingArgs) {
    super(args);
    const who = describeLayer(this);
    this.tieWeights = args.tieWeights ?? true;
    this.reverseDtype = args.reverseDtype ?? null;
    if (this.reverseDtype !== null && this.reverseDtype !== 'float32' && this.reverseDtype !== 'float64')
      throw new ValueError(
        `${who}: 'reverseDtype' must be 'float32', 'float64' or null, got ${JSON.stringify(args.reverseDtype)}`,
      );
    this.logitSoftCap = args.logitSoftCap ?? null;
    if (this.logitSoftCap !== null && !(typeof this.logitSoftCap === 'number' && this.logitSoftCap > 0))
      throw new ValueError(
        `${who}: 'logitSoftCap' must be a positive number or null, got ${JSON.stringify(args.logitSoftCap)}`,
      );
  }

  override build(): void {
    super.build();
    if (!this.tieWeights)
      this.reverseEmbeddings = this.addWeight(
        'reverse_embeddings',
        [this.outputDim, this.inputDim],
        undefined,
        this.embeddingsInitializer,
      );
  }

  override apply(
    inputs: SymbolicTensor | SymbolicTensor[],
    kwargs?: ReversibleEmbeddingCallArgs,
  ): SymbolicTensor | SymbolicTensor[];
  override apply(inputs: Tensor | Tensor[], kwargs?: ReversibleEmbeddingCallArgs): Tensor | Tensor[];
  override apply(
    inputs: AnyTensor | AnyTensor[],
    kwargs?: ReversibleEmbeddingCallArgs,
  ): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[];
  override apply(
    inputs: AnyTensor | AnyTensor[],
    kwargs: ReversibleEmbeddingCallArgs = {},
  ): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[] {
    return super.apply(inputs as Tensor, kwargs);
  }

  override call(inputs: Tensor | Tensor[], kwargs: ReversibleEmbeddingCallArgs = {}): Tensor {
    return kwargs.reverse ? this.reverse(inputs as Tensor) : super.call(inputs);
  }

  /** Hidden states [..., outputDim] → logits [..., inputDim]. */
  reverse(hidden: Tensor): Tensor {
    if (hidden.shape[hidden.rank - 1] !== this.outputDim)
      throw new ValueError(
        `${describeLayer(this)}: reverse expects hidden states with ${this.outputDim} features (outputDim), got shape ${fmtShape(hidden.shape)}`,
      );
    if (!this.built) {
      this.build();
      this.built = true;
    }
    const dtype = this.reverseDtype;
    const castTo = (t: Tensor) => (dtype && t.dtype !== dtype ? cast(t, dtype) : t);
    const flat = castTo(reshape(hidden, [-1, this.outputDim]));
    let logits = this.reverseEmbeddings
      ? matMul(flat, castTo(this.reverseEmbeddings))
      : matMul(flat, castTo(this.embeddings as Variable), false, true);
    if (this.logitSoftCap !== null) logits = mul(tanh(div(logits, this.logitSoftCap)), this.logitSoftCap);
    return reshape(logits, [...hidden.shape.slice(0, -1), this.inputDim]);
  }

  override computeMask(
    inputs: Tensor | Tensor[],
    mask?: Tensor | Tensor[] | null,
    kwargs: ReversibleEmbeddingCallArgs = {},
  ): Tensor | null {
    void mask;
    return this.maskZero && !kwargs.reverse ? notEqual(inputs as Tensor, 0) : null;
  }

  override computeOutputShape(inputShape: Shape | Shape[], callArgs: ReversibleEmbeddingCallArgs = {}): Shape {
    const shape = inputShape as Shape;
    return callArgs.reverse ? [...shape.slice(0, -1), this.inputDim] : [...shape, this.outputDim];
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      tieWeights: this.tieWeights,
      reverseDtype: this.reverseDtype,
      logitSoftCap: this.logitSoftCap,
    };
  }
}

registerLayerClass(ReversibleEmbedding);
