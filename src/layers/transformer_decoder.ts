import { ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { expandDims } from '../ops/dims.js';
import type { Config } from '../core/config.js';
import { andMasks, boolMask, causalMask } from './attention_masks.js';
import { describeLayer } from './convolutional_base.js';
import type { Dense } from './dense.js';
import type { Dropout } from './dropout.js';
import { isShapeList, type CallArgs } from './layer.js';
import { MultiHeadAttention, type AttentionCache } from './multi_head_attention.js';
import { attentionDecodeStep, decodeStepUnsupported, type HeadMajorCache } from './attention_decode.js';
import type { LayerNormalization } from './normalization.js';
import { registerLayer } from './registry.js';
import type { SymbolicTensor, Shape } from './symbolic.js';
import {
  TransformerBlock,
  concreteOption,
  inputMask,
  mergePaddingAndAttentionMask,
  type TransformerBlockArgs,
} from './transformer_common.js';

export interface TransformerDecoderArgs extends TransformerBlockArgs {
  /** Builds the layer at once for these shapes (how KerasHub restores a saved decoder). */
  decoderSequenceShape?: Shape | null;
  encoderSequenceShape?: Shape | null;
}

export interface TransformerDecoderCallArgs extends CallArgs {
  /** The encoder's output to cross-attend to; a decoder built with one must always get one. */
  encoderSequence?: Tensor | SymbolicTensor | null;
  decoderPaddingMask?: Tensor | null;
  decoderAttentionMask?: Tensor | null;
  encoderPaddingMask?: Tensor | null;
  encoderAttentionMask?: Tensor | null;
  /** Causal self-attention (default true): position i sees positions <= i. */
  useCausalMask?: boolean;
}

type AnyTensor = Tensor | SymbolicTensor;

/**
 * A Transformer decoder block (KerasHub `TransformerDecoder`): causal self-attention, then
 * cross-attention to an encoder sequence when one is given, then the feedforward network, each
 * a residual sublayer with layer normalization. Without an encoder sequence it is a GPT block.
 * Weights, in order: self_attention, self_attention_layer_norm, (cross_attention,
 * cross_attention_layer_norm,) feedforward_intermediate_dense, feedforward_output_dense,
 * feedforward_layer_norm.
 *
 * @example
 * const block = new TransformerDecoder({ intermediateDim: 128, numHeads: 4, normalizeFirst: true });
 * block.apply(x);                                 // decoder-only: [batch, length, 32]
 * block2.apply(x, { encoderSequence: encoded });   // with cross-attention
 */
export class TransformerDecoder extends TransformerBlock {
  static override readonly className: string = 'TransformerDecoder';
  selfAttention: MultiHeadAttention | null = null;
  crossAttention: MultiHeadAttention | null = null;
  private selfAttentionNorm: LayerNormalization | null = null;
  private crossAttentionNorm: LayerNormalization | null = null;
  private feedforwardNorm: LayerNormalization | null = null;
  private intermediate: Dense | null = null;
  private output_: Dense | null = null;
  private readonly selfAttentionDropout: Dropout = this.dropoutLayer('self_attention_dropout');
  private readonly crossAttentionDropout: Dropout = this.dropoutLayer('cross_attention_dropout');
  private readonly feedforwardDropout: Dropout = this.dropoutLayer('feedforward_dropout');
  private decoderSequenceShape: Shape | null = null;
  private encoderSequenceShape: Shape | null = null;

  constructor(args: TransformerDecoderArgs) {
    super(args);
    if (args.decoderSequenceShape) {
      this.build(
        args.encoderSequenceShape ? [args.decoderSequenceShape, args.encoderSequenceShape] : args.decoderSequenceShape,
      );
      this.built = true;
    }
  }

  override apply(
    inputs: SymbolicTensor | SymbolicTensor[],
    kwargs?: TransformerDecoderCallArgs,
  ): SymbolicTensor | SymbolicTensor[];
  override apply(inputs: Tensor | Tensor[], kwargs?: TransformerDecoderCallArgs): Tensor | Tensor[];
  override apply(
    inputs: AnyTensor | AnyTensor[],
    kwargs?: TransformerDecoderCallArgs,
  ): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[];
  override apply(
    inputs: AnyTensor | AnyTensor[],
    kwargs: TransformerDecoderCallArgs = {},
  ): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[] {
    const { encoderSequence, ...rest } = kwargs;
    if (encoderSequence === undefined || encoderSequence === null) return super.apply(inputs as Tensor, rest);
    if (Array.isArray(inputs))
      throw new ValueError(
        `${describeLayer(this)}: pass the encoder sequence either as the second input or as 'encoderSequence', not both`,
      );
    return super.apply([inputs, encoderSequence] as Tensor[], rest);
  }

  override build(inputShape: Shape | Shape[]): void {
    const [decoder, encoder = null] = isShapeList(inputShape) ? inputShape : [inputShape];
    const headDim = this.headDim(decoder);
    const hidden = decoder[2] as number;
    this.decoderSequenceShape = [...decoder];
    this.encoderSequenceShape = encoder && [...encoder];
    const attention = (name: string) =>
      this.track(
        new MultiHeadAttention({
          name: `${this.name}/${name}`,
          dtype: this.dtype,
          numHeads: this.numHeads,
          keyDim: headDim,
          valueDim: headDim,
          dropout: this.dropout,
          kernelInitializer: this.kernelInitializer,
          biasInitializer: this.biasInitializer,
        }),
      );
    this.selfAttention = attention('self_attention');
    this.buildSublayer(this.selfAttention, decoder);
    this.selfAttentionNorm = this.layerNorm('self_attention_layer_norm');
    this.buildSublayer(this.selfAttentionNorm, decoder);
    if (encoder) {
      if (encoder.length !== 3 || encoder[2] === null)
        throw new ValueError(
          `${describeLayer(this)}: the encoder sequence must be [batch, length, features], got shape ${fmtShape(encoder)}`,
        );
      this.crossAttention = attention('cross_attention');
      this.buildSublayer(this.crossAttention, [decoder, encoder]);
      this.crossAttentionNorm = this.layerNorm('cross_attention_layer_norm');
      this.buildSublayer(this.crossAttentionNorm, decoder);
    }
    this.intermediate = this.dense('feedforward_intermediate_dense', this.intermediateDim, this.activation);
    this.buildSublayer(this.intermediate, decoder);
    this.output_ = this.dense('feedforward_output_dense', hidden);
    this.buildSublayer(this.output_, [decoder[0], decoder[1], this.intermediateDim]);
    this.feedforwardNorm = this.layerNorm('feedforward_layer_norm');
    this.buildSublayer(this.feedforwardNorm, decoder);
  }

  call(inputs: Tensor | Tensor[], kwargs: TransformerDecoderCallArgs): Tensor {
    const [x, encoder = null] = Array.isArray(inputs) ? inputs : [inputs];
    const who = describeLayer(this);
    this.checkEncoder(encoder);
    this.headDim([...x.shape]);
    const decoderPadding = concreteOption(who, 'decoderPaddingMask', kwargs.decoderPaddingMask) ?? inputMask(kwargs, 0);
    const decoderMask = mergePaddingAndAttentionMask(
      who,
      x,
      decoderPadding,
      concreteOption(who, 'decoderAttentionMask', kwargs.decoderAttentionMask),
      x.shape[1],
      { padding: 'decoderPaddingMask', attention: 'decoderAttentionMask' },
    );
    const useCausal = kwargs.useCausalMask ?? true;
    const selfMask = andMasks(decoderMask, useCausal ? causalMask(x.shape[1], x.shape[1]) : null);
    const training = kwargs.training ?? false;
    let h = this.residual(
      x,
      this.selfAttentionNorm as LayerNormalization,
      this.selfAttentionDropout,
      training,
      (y) =>
        (this.selfAttention as MultiHeadAttention).apply(y, {
          attentionMask: selfMask,
          mask: null,
          training,
        }) as Tensor,
    );
    if (encoder) {
      const encoderPadding =
        concreteOption(who, 'encoderPaddingMask', kwargs.encoderPaddingMask) ?? inputMask(kwargs, 1);
      const crossMask = mergePaddingAndAttentionMask(
        who,
        encoder,
        encoderPadding,
        concreteOption(who, 'encoderAttentionMask', kwargs.encoderAttentionMask),
        x.shape[1],
        { padding: 'encoderPaddingMask', attention: 'encoderAttentionMask' },
      );
      h = this.residual(
        h,
        this.crossAttentionNorm as LayerNormalization,
        this.crossAttentionDropout,
        training,
        (y) =>
          (this.crossAttention as MultiHeadAttention).apply(y, {
            value: encoder,
            attentionMask: crossMask,
            mask: null,
            training,
          }) as Tensor,
      );
    }
    return this.feedforward(h, training);
  }

  private feedforward(h: Tensor, training: boolean): Tensor {
    return this.residual(
      h,
      this.feedforwardNorm as LayerNormalization,
      this.feedforwardDropout,
      training,
      (y) => (this.output_ as Dense).apply((this.intermediate as Dense).apply(y) as Tensor) as Tensor,
    );
  }

  private checkEncoder(encoder: Tensor | null): void {
    if (encoder && !this.crossAttention)
      throw new ValueError(
        `${describeLayer(this)} was built without cross-attention (called on the decoder sequence alone) but was given an encoder sequence; a decoder's inputs must not change between calls`,
      );
    if (!encoder && this.crossAttention)
      throw new ValueError(
        `${describeLayer(this)} was built with cross-attention but was called without an encoder sequence; pass { encoderSequence }`,
      );
  }

  /**
   * One decoding step of a decoder-only block with a key/value cache: `x` [batch, new, dim]
   * holds the new positions, `cache` the self-attention keys and values of the earlier ones
   * (null at the start). Returns the block's output for the new positions and the grown cache;
   * the same numbers as calling the block on the whole sequence, at the cost of the new
   * positions only.
   *
   * @example
   * let { output, cache } = block.cachedCall(promptEmbedded, null);
   * ({ output, cache } = block.cachedCall(nextEmbedded, cache));
   * // With returnAttentionScores, also the self-attention probabilities [batch, heads, new, all]:
   * const { scores } = block.cachedCall(promptEmbedded, null, { returnAttentionScores: true });
   */
  cachedCall(
    x: Tensor,
    cache: AttentionCache | null,
    options: { paddingMask?: Tensor | null; training?: boolean; returnAttentionScores?: boolean } = {},
  ): { output: Tensor; cache: AttentionCache; scores?: Tensor } {
    if (!this.built) {
      this.build([...x.shape]);
      this.built = true;
    }
    if (this.crossAttention)
      throw new ValueError(
        `${describeLayer(this)}: cachedCall supports decoder-only blocks (built without an encoder sequence)`,
      );
    this.headDim([...x.shape]);
    const past = cache ? cache.key.shape[1] : 0;
    const padding = options.paddingMask ?? null;
    if (padding && (padding.rank !== 2 || padding.shape[0] !== x.shape[0] || padding.shape[1] !== past + x.shape[1]))
      throw new ValueError(
        `${describeLayer(this)}: paddingMask must cover every position so far, [batch, cache + new] = ${fmtShape([x.shape[0], past + x.shape[1]])}, got ${fmtShape(padding.shape)}`,
      );
    const training = options.training ?? false;
    let next: AttentionCache | null = null;
    let scores: Tensor | undefined;
    const h = this.residual(
      x,
      this.selfAttentionNorm as LayerNormalization,
      this.selfAttentionDropout,
      training,
      (y) => {
        const r = (this.selfAttention as MultiHeadAttention).cachedCall(y, cache, {
          attentionMask: padding && expandDims(boolMask(padding), 1),
          useCausalMask: true,
          training,
          returnAttentionScores: options.returnAttentionScores,
        });
        next = r.cache;
        scores = r.scores;
        return r.output;
      },
    );
    const output = this.feedforward(h, training);
    return scores
      ? { output, cache: next as unknown as AttentionCache, scores }
      : { output, cache: next as unknown as AttentionCache };
  }

  /**
   * Why `decodeStep` cannot run on this block, or null: it needs a built decoder-only block
   * whose self-attention can take one-token steps (see attention_decode.ts).
   * @example if (!block.decodeStepUnsupported()) ({ output, cache } = block.decodeStep(next, cache));
   */
  decodeStepUnsupported(): string | null {
    if (!this.built || !this.selfAttention) return 'the block is not built';
    if (this.crossAttention) return 'the block has cross-attention';
    return decodeStepUnsupported(this.selfAttention);
  }

  /**
   * One inference step of a decoder-only block on one new position per sequence: `x`
   * [batch, 1, dim], `cache` the self-attention keys and values of the earlier positions
   * head-major (`toHeadMajor` of a `cachedCall` cache). The same values as `cachedCall` at a
   * fraction of the work per step: no mask is built and the cache is never transposed.
   *
   * @example
   * let { output, cache } = block.cachedCall(promptEmbedded, null);
   * let heads = toHeadMajor(cache);
   * ({ output, cache: heads } = block.decodeStep(nextEmbedded, heads));
   */
  decodeStep(x: Tensor, cache: HeadMajorCache | null): { output: Tensor; cache: HeadMajorCache } {
    const why = this.decodeStepUnsupported();
    if (why) throw new ValueError(`${describeLayer(this)}: decodeStep is not available: ${why}; use cachedCall`);
    if (x.rank !== 3 || x.shape[1] !== 1 || (cache && cache.key.shape[0] !== x.shape[0]))
      throw new ValueError(
        `${describeLayer(this)}: decodeStep takes one new position per sequence, [batch, 1, features], with a cache of the same batch; got ${fmtShape(x.shape)}${cache ? ` and a cache of keys ${fmtShape(cache.key.shape)}` : ''}`,
      );
    let next: HeadMajorCache | null = null;
    const h = this.residual(x, this.selfAttentionNorm as LayerNormalization, this.selfAttentionDropout, false, (y) => {
      const r = attentionDecodeStep(this.selfAttention as MultiHeadAttention, y, cache);
      next = r.cache;
      return r.output;
    });
    return { output: this.feedforward(h, false), cache: next as unknown as HeadMajorCache };
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(isShapeList(inputShape) ? inputShape[0] : inputShape)];
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      decoderSequenceShape: this.decoderSequenceShape,
      encoderSequenceShape: this.encoderSequenceShape,
    };
  }
}

registerLayer(
  TransformerDecoder.className,
  (config) => new TransformerDecoder(config as unknown as TransformerDecoderArgs),
);
