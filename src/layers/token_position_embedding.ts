import { ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { Variable } from '../core/variable.js';
import type { Config } from '../core/config.js';
import type { Initializer } from '../initializers/initializer.js';
import { getInitializer, serializeInitializer, type InitializerIdentifier } from '../initializers/registry.js';
import { describeLayer } from './convolutional_base.js';
import type { LayerArgs } from './layer.js';
import { PositionEmbedding, startIndexOf, type PositionCallArgs } from './position.js';
import { registerLayer } from './registry.js';
import { ReversibleEmbedding } from './reversible_embedding.js';
import { LayerWithSublayers } from './sublayers.js';
import type { Shape, SymbolicTensor } from './symbolic.js';
import { add } from '../ops/prims/binary.js';

export interface TokenAndPositionEmbeddingArgs extends LayerArgs {
  vocabularySize: number;
  /** Longest sequence (the position table's length). */
  sequenceLength: number;
  embeddingDim: number;
  /** Reuse the token table to turn hidden states back into logits (`reverse`); default true. */
  tieWeights?: boolean;
  /** For both tables; Keras' 'uniform' (±0.05) by default. */
  embeddingsInitializer?: InitializerIdentifier;
  /** Treat id 0 as padding: the output carries a mask that attention layers honour. */
  maskZero?: boolean;
}

/** Call options: `startIndex` (positions), or `reverse` to map hidden states to logits. */
export interface TokenAndPositionCallArgs extends PositionCallArgs {
  /**
   * Called on hidden states [..., embeddingDim] instead of ids, return vocabulary logits (as
   * `reverse(hidden)`): how a functional model ties its output layer to the token table.
   */
  reverse?: boolean;
}

/**
 * Token embedding plus learned position embedding (KerasHub `TokenAndPositionEmbedding`): ids
 * [batch, length] → [batch, length, embeddingDim]. Weights: token_embedding/embeddings
 * [vocabularySize, embeddingDim] (plus token_embedding/reverse_embeddings [embeddingDim,
 * vocabularySize] without `tieWeights`), then position_embedding/embeddings [sequenceLength,
 * embeddingDim]. `reverse` maps hidden states to vocabulary logits with the token table, as a
 * language model's output layer.
 *
 * @example
 * const emb = new TokenAndPositionEmbedding({ vocabularySize: 65, sequenceLength: 64, embeddingDim: 32 });
 * const h = emb.apply(ids) as Tensor;   // ids: int32 [batch, 10] → [batch, 10, 32]
 * const logits = emb.reverse(h);        // [batch, 10, 65]
 * // In a functional model, the same layer called again with { reverse: true } ties the output layer:
 * const out = emb.apply(hidden, { reverse: true }) as SymbolicTensor; // [batch, length, 65]
 */
export class TokenAndPositionEmbedding extends LayerWithSublayers {
  static override readonly className: string = 'TokenAndPositionEmbedding';
  readonly vocabularySize: number;
  readonly sequenceLength: number;
  readonly embeddingDim: number;
  readonly tieWeights: boolean;
  readonly maskZero: boolean;
  readonly embeddingsInitializer: Initializer;
  readonly tokenEmbedding: ReversibleEmbedding;
  readonly positionEmbedding: PositionEmbedding;

  constructor(args: TokenAndPositionEmbeddingArgs) {
    super(args);
    for (const key of ['vocabularySize', 'sequenceLength', 'embeddingDim'] as const)
      if (!Number.isInteger(args[key]) || args[key] <= 0)
        throw new ValueError(
          `${describeLayer(this)}: '${key}' must be a positive integer, got ${JSON.stringify(args[key])}`,
        );
    this.vocabularySize = args.vocabularySize;
    this.sequenceLength = args.sequenceLength;
    this.embeddingDim = args.embeddingDim;
    this.tieWeights = args.tieWeights ?? true;
    this.maskZero = args.maskZero ?? false;
    this.embeddingsInitializer = getInitializer(args.embeddingsInitializer ?? 'randomUniform');
    this.supportsMasking = this.maskZero;
    this.tokenEmbedding = this.track(
      new ReversibleEmbedding({
        name: `${this.name}/token_embedding`,
        dtype: this.dtype,
        inputDim: this.vocabularySize,
        outputDim: this.embeddingDim,
        embeddingsInitializer: this.embeddingsInitializer,
        maskZero: this.maskZero,
        tieWeights: this.tieWeights,
      }),
    );
    this.positionEmbedding = this.track(
      new PositionEmbedding({
        name: `${this.name}/position_embedding`,
        dtype: this.dtype,
        sequenceLength: this.sequenceLength,
        initializer: this.embeddingsInitializer,
      }),
    );
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = inputShape as Shape;
    if (shape.length !== 2)
      throw new ValueError(`${describeLayer(this)}: expected token ids [batch, length], got shape ${fmtShape(shape)}`);
    this.buildSublayer(this.tokenEmbedding, shape);
    this.buildSublayer(this.positionEmbedding, [...shape, this.embeddingDim]);
  }

  /** The untied output table [embeddingDim, vocabularySize] (tieWeights false), else null. */
  get reverseEmbeddings(): Variable | null {
    return this.tokenEmbedding.reverseEmbeddings;
  }

  override apply(
    inputs: SymbolicTensor | SymbolicTensor[],
    kwargs?: TokenAndPositionCallArgs,
  ): SymbolicTensor | SymbolicTensor[];
  override apply(inputs: Tensor | Tensor[], kwargs?: TokenAndPositionCallArgs): Tensor | Tensor[];
  override apply(
    inputs: Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[],
    kwargs?: TokenAndPositionCallArgs,
  ): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[];
  /**
   * Options: `startIndex`, the position of the first token (while generating with a cache), and
   * `reverse`, to turn hidden states into logits with the token table.
   */
  override apply(
    inputs: Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[],
    kwargs: TokenAndPositionCallArgs = {},
  ): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[] {
    if (kwargs.reverse && !this.built)
      throw new ValueError(`${describeLayer(this)}: a reverse call needs the layer built; call it on token ids first`);
    return super.apply(inputs, kwargs);
  }

  call(inputs: Tensor | Tensor[], kwargs: TokenAndPositionCallArgs): Tensor {
    if (kwargs.reverse) return this.reverse(inputs as Tensor);
    const ids = inputs as Tensor;
    if (ids.rank !== 2)
      throw new ValueError(
        `${describeLayer(this)}: expected token ids [batch, length], got shape ${fmtShape(ids.shape)}`,
      );
    // The length is checked before the token lookup, so a too-long input fails before any work.
    const length = ids.shape[1],
      start = startIndexOf(this, kwargs);
    if (start + length > this.sequenceLength)
      throw new ValueError(
        `${describeLayer(this)}: an input of ${length} tokens${start ? ` from startIndex ${start}` : ''} (shape ${fmtShape(ids.shape)}) is longer than sequenceLength ${this.sequenceLength}`,
      );
    const tokens = this.tokenEmbedding.apply(ids) as Tensor;
    const positionArgs: PositionCallArgs = { startIndex: start };
    return add(tokens, this.positionEmbedding.apply(tokens, positionArgs) as Tensor);
  }

  /**
   * Hidden states [..., embeddingDim] → logits [..., vocabularySize]: a product with the token
   * table's transpose (tied) or with reverse_embeddings.
   */
  reverse(hidden: Tensor): Tensor {
    if (!this.built)
      throw new ValueError(`${describeLayer(this)}: reverse needs the layer built; call it on token ids first`);
    if (hidden.shape[hidden.rank - 1] !== this.embeddingDim)
      throw new ValueError(
        `${describeLayer(this)}: reverse expects hidden states with ${this.embeddingDim} features, got shape ${fmtShape(hidden.shape)}`,
      );
    return this.tokenEmbedding.reverse(hidden);
  }

  // The token table's: padding ids masked, logits not; ids gain a feature axis, logits the vocabulary.
  override computeMask(
    inputs: Tensor | Tensor[],
    mask?: Tensor | Tensor[] | null,
    kwargs: TokenAndPositionCallArgs = {},
  ): Tensor | null {
    return this.tokenEmbedding.computeMask(inputs, mask, kwargs);
  }

  override computeOutputShape(inputShape: Shape | Shape[], callArgs: TokenAndPositionCallArgs = {}): Shape {
    return this.tokenEmbedding.computeOutputShape(inputShape, callArgs);
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      vocabularySize: this.vocabularySize,
      sequenceLength: this.sequenceLength,
      embeddingDim: this.embeddingDim,
      embeddingsInitializer: serializeInitializer(this.embeddingsInitializer),
      tieWeights: this.tieWeights,
      maskZero: this.maskZero,
    };
  }
}

registerLayer(
  TokenAndPositionEmbedding.className,
  (config) => new TokenAndPositionEmbedding(config as unknown as TokenAndPositionEmbeddingArgs),
);
