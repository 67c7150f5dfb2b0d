import type { Tensor } from '../core/tensor.js';
import { describeLayer } from './convolutional_base.js';
import type { Dense } from './dense.js';
import type { Dropout } from './dropout.js';
import type { CallArgs } from './layer.js';
import { MultiHeadAttention } from './multi_head_attention.js';
import type { LayerNormalization } from './normalization.js';
import { registerLayer } from './registry.js';
import type { Shape, SymbolicTensor } from './symbolic.js';
import {
  TransformerBlock,
  concreteOption,
  inputMask,
  mergePaddingAndAttentionMask,
  type TransformerBlockArgs,
} from './transformer_common.js';

export type TransformerEncoderArgs = TransformerBlockArgs;

export interface TransformerEncoderCallArgs extends CallArgs {
  /** [batch, length], true at real tokens; by default the input's mask (from `embedding({maskZero})`). */
  paddingMask?: Tensor | null;
  /** [batch, length, length], true where position i may attend to j. */
  attentionMask?: Tensor | null;
  /** Return `[output, scores]` with the self-attention probabilities [batch, heads, length, length]. */
  returnAttentionScores?: boolean;
}

/**
 * A Transformer encoder block (KerasHub `TransformerEncoder`): self-attention then a two-layer
 * feedforward network, each wrapped in a residual connection with layer normalization (after
 * it by default, before it with `normalizeFirst`). Padding masks from `embedding({maskZero})`
 * flow into the attention. Weights, in order: self_attention_layer (query, key, value,
 * attention_output), self_attention_layer_norm, feedforward_layer_norm,
 * feedforward_intermediate_dense, feedforward_output_dense.
 *
 * @example
 * const enc = new TransformerEncoder({ intermediateDim: 64, numHeads: 4 });
 * enc.apply(x); // x: [batch, length, 32] → [batch, length, 32]
 */
export class TransformerEncoder extends TransformerBlock {
  static override readonly className: string = 'TransformerEncoder';
  selfAttention: MultiHeadAttention | null = null;
  private selfAttentionNorm: LayerNormalization | null = null;
  private feedforwardNorm: LayerNormalization | null = null;
  private intermediate: Dense | null = null;
  private output_: Dense | null = null;
  private readonly selfAttentionDropout: Dropout = this.dropoutLayer('self_attention_dropout');
  private readonly feedforwardDropout: Dropout = this.dropoutLayer('feedforward_dropout');

  override build(inputShape: Shape | Shape[]): void {
    const shape = inputShape as Shape;
    const headDim = this.headDim(shape);
    const hidden = shape[2] as number;
    this.selfAttention = this.track(
      new MultiHeadAttention({
        name: `${this.name}/self_attention_layer`,
        dtype: this.dtype,
        numHeads: this.numHeads,
        keyDim: headDim,
        dropout: this.dropout,
        kernelInitializer: this.kernelInitializer,
        biasInitializer: this.biasInitializer,
      }),
    );
    this.buildSublayer(this.selfAttention, shape);
    this.selfAttentionNorm = this.layerNorm('self_attention_layer_norm');
    this.buildSublayer(this.selfAttentionNorm, shape);
    this.feedforwardNorm = this.layerNorm('feedforward_layer_norm');
    this.buildSublayer(this.feedforwardNorm, shape);
    this.intermediate = this.dense('feedforward_intermediate_dense', this.intermediateDim, this.activation);
    this.buildSublayer(this.intermediate, shape);
    this.output_ = this.dense('feedforward_output_dense', hidden);
    this.buildSublayer(this.output_, [shape[0], shape[1], this.intermediateDim]);
  }

  override apply(
    inputs: SymbolicTensor | SymbolicTensor[],
    kwargs?: TransformerEncoderCallArgs,
  ): SymbolicTensor | SymbolicTensor[];
  override apply(inputs: Tensor | Tensor[], kwargs?: TransformerEncoderCallArgs): Tensor | Tensor[];
  override apply(
    inputs: Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[],
    kwargs?: TransformerEncoderCallArgs,
  ): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[];
  /** Options: `paddingMask`, `attentionMask`, `returnAttentionScores`, `training`. */
  override apply(
    inputs: Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[],
    kwargs: TransformerEncoderCallArgs = {},
  ): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[] {
    return super.apply(inputs, kwargs);
  }

  call(inputs: Tensor | Tensor[], kwargs: TransformerEncoderCallArgs): Tensor | Tensor[] {
    const x = inputs as Tensor;
    const who = describeLayer(this);
    this.headDim([...x.shape]);
    const implicit = inputMask(kwargs);
    const padding = concreteOption(who, 'paddingMask', kwargs.paddingMask) ?? implicit;
    const attention = concreteOption(who, 'attentionMask', kwargs.attentionMask);
    const selfMask = mergePaddingAndAttentionMask(who, x, padding, attention);
    const training = kwargs.training ?? false;
    let scores: Tensor | null = null;
    const attended = this.residual(
      x,
      this.selfAttentionNorm as LayerNormalization,
      this.selfAttentionDropout,
      training,
      (h) => {
        // As in Keras, the attention also sees the input's own padding mask (as its query and value masks).
        const out = (this.selfAttention as MultiHeadAttention).apply(h, {
          attentionMask: selfMask,
          mask: implicit,
          training,
          returnAttentionScores: kwargs.returnAttentionScores ?? false,
        });
        if (!Array.isArray(out)) return out;
        scores = out[1];
        return out[0];
      },
    );
    const y = this.residual(
      attended,
      this.feedforwardNorm as LayerNormalization,
      this.feedforwardDropout,
      training,
      (h) => (this.output_ as Dense).apply((this.intermediate as Dense).apply(h) as Tensor) as Tensor,
    );
    return kwargs.returnAttentionScores ? [y, scores as unknown as Tensor] : y;
  }

  override computeOutputShape(inputShape: Shape | Shape[], callArgs?: TransformerEncoderCallArgs): Shape | Shape[] {
    const shape = inputShape as Shape;
    if (!callArgs?.returnAttentionScores) return [...shape];
    return [[...shape], [shape[0], this.numHeads, shape[1], shape[1]]];
  }
}

registerLayer(
  TransformerEncoder.className,
  (config) => new TransformerEncoder(config as unknown as TransformerEncoderArgs),
);
