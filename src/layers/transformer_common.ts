import {
  getActivation,
  serializeActivation,
  type Activation,
  type ActivationIdentifier,
} from '../activations/index.js';
import { ValueError, fmtShape } from '../core/errors.js';
import { Tensor } from '../core/tensor.js';
import type { Config } from '../core/config.js';
import type { Initializer } from '../initializers/initializer.js';
import { getInitializer, serializeInitializer, type InitializerIdentifier } from '../initializers/registry.js';
import { expandDims } from '../ops/dims.js';
import { andMasks } from './attention_masks.js';
import { describeLayer } from './convolutional_base.js';
import { Dense } from './dense.js';
import { Dropout } from './dropout.js';
import type { CallArgs, LayerArgs } from './layer.js';
import { LayerNormalization } from './normalization.js';
import { LayerWithSublayers } from './sublayers.js';
import type { Shape } from './symbolic.js';
import { add } from '../ops/prims/binary.js';

/** Arguments of KerasHub's Transformer blocks. */
export interface TransformerBlockArgs extends LayerArgs {
  /** Hidden size of the feedforward network. */
  intermediateDim: number;
  /** Attention heads; the input's feature size must be divisible by it. */
  numHeads: number;
  /** Dropout rate for attention probabilities and both residual branches (default 0). */
  dropout?: number;
  /** Activation of the feedforward network's hidden layer (default 'relu'). */
  activation?: ActivationIdentifier;
  layerNormEpsilon?: number;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  /** Pre-norm (GPT-2) when true: normalize before attention and feedforward, not after. */
  normalizeFirst?: boolean;
}

/**
 * What the encoder and decoder blocks share: arguments, the feedforward network and the
 * residual sublayer pattern (x + drop(f(norm(x))) pre-norm, norm(x + drop(f(x))) post-norm).
 */
export abstract class TransformerBlock extends LayerWithSublayers {
  readonly intermediateDim: number;
  readonly numHeads: number;
  readonly dropout: number;
  readonly activation: Activation;
  readonly layerNormEpsilon: number;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly normalizeFirst: boolean;

  constructor(args: TransformerBlockArgs) {
    super(args);
    const who = describeLayer(this);
    for (const key of ['intermediateDim', 'numHeads'] as const)
      if (!Number.isInteger(args[key]) || args[key] <= 0)
        throw new ValueError(`${who}: '${key}' must be a positive integer, got ${JSON.stringify(args[key])}`);
    this.intermediateDim = args.intermediateDim;
    this.numHeads = args.numHeads;
    this.dropout = args.dropout ?? 0;
    if (typeof this.dropout !== 'number' || !(this.dropout >= 0 && this.dropout <= 1))
      throw new ValueError(`${who}: 'dropout' must be a number in [0, 1], got ${JSON.stringify(args.dropout)}`);
    this.activation = getActivation(args.activation ?? 'relu');
    this.layerNormEpsilon = args.layerNormEpsilon ?? 1e-5;
    this.kernelInitializer = getInitializer(args.kernelInitializer ?? 'glorotUniform');
    this.biasInitializer = getInitializer(args.biasInitializer ?? 'zeros');
    this.normalizeFirst = args.normalizeFirst ?? false;
    this.supportsMasking = true;
  }

  /** The per-head size: the feature size over numHeads, which must divide it. */
  protected headDim(shape: Shape): number {
    const hidden = shape[shape.length - 1];
    if (shape.length !== 3 || hidden === null)
      throw new ValueError(
        `${describeLayer(this)}: expected [batch, length, features] with known features, got shape ${fmtShape(shape)}`,
      );
    if (hidden % this.numHeads !== 0)
      throw new ValueError(
        `${describeLayer(this)}: the input's feature size (embedDim) ${hidden} must be divisible by numHeads ${this.numHeads} (it is split into ${this.numHeads} heads of equal size)`,
      );
    return hidden / this.numHeads;
  }

  protected layerNorm(name: string): LayerNormalization {
    return this.track(
      new LayerNormalization({ name: `${this.name}/${name}`, dtype: this.dtype, epsilon: this.layerNormEpsilon }),
    );
  }

  protected dropoutLayer(name: string): Dropout {
    return new Dropout({ name: `${this.name}/${name}`, rate: this.dropout, dtype: this.dtype });
  }

  protected dense(name: string, units: number, activation?: Activation): Dense {
    return this.track(
      new Dense({
        name: `${this.name}/${name}`,
        dtype: this.dtype,
        units,
        activation,
        kernelInitializer: this.kernelInitializer,
        biasInitializer: this.biasInitializer,
      }),
    );
  }

  /** One residual sublayer: pre-norm `x + drop(f(norm(x)))` or post-norm `norm(x + drop(f(x)))`. */
  protected residual(
    x: Tensor,
    norm: LayerNormalization,
    drop: Dropout,
    training: boolean,
    f: (h: Tensor) => Tensor,
  ): Tensor {
    const h = f(this.normalizeFirst ? (norm.apply(x) as Tensor) : x);
    const y = add(drop.apply(h, { training }) as Tensor, x);
    return this.normalizeFirst ? y : (norm.apply(y) as Tensor);
  }

  override computeMask(inputs: Tensor | Tensor[], mask: Tensor | Tensor[] | null | undefined): Tensor | null {
    void inputs;
    return (Array.isArray(mask) ? mask[0] : mask) ?? null;
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      intermediateDim: this.intermediateDim,
      numHeads: this.numHeads,
      dropout: this.dropout,
      activation: serializeActivation(this.activation),
      layerNormEpsilon: this.layerNormEpsilon,
      kernelInitializer: serializeInitializer(this.kernelInitializer),
      biasInitializer: serializeInitializer(this.biasInitializer),
      normalizeFirst: this.normalizeFirst,
    };
  }
}

/**
 * KerasHub's `merge_padding_and_attention_mask`: a padding mask [B, S] becomes [B, 1, S] and is
 * and-ed with an attention mask [B, T, S]; both are checked against the sequence first.
 */
export function mergePaddingAndAttentionMask(
  who: string,
  sequence: Tensor,
  paddingMask: Tensor | null | undefined,
  attentionMask: Tensor | null | undefined,
  targetLength = sequence.shape[1],
  names = { padding: 'paddingMask', attention: 'attentionMask' },
): Tensor | null {
  const [batch, length] = sequence.shape;
  if (paddingMask && (paddingMask.rank !== 2 || paddingMask.shape[0] !== batch || paddingMask.shape[1] !== length))
    throw new ValueError(
      `${who}: ${names.padding} must be [batch, length] = ${fmtShape([batch, length])}, got ${fmtShape(paddingMask.shape)}`,
    );
  if (
    attentionMask &&
    (attentionMask.rank !== 3 ||
      attentionMask.shape[0] !== batch ||
      attentionMask.shape[1] !== targetLength ||
      attentionMask.shape[2] !== length)
  )
    throw new ValueError(
      `${who}: ${names.attention} must be [batch, target length, source length] = ${fmtShape([batch, targetLength, length])}, got ${fmtShape(attentionMask.shape)}`,
    );
  return andMasks(paddingMask && expandDims(paddingMask, 1), attentionMask);
}

/** Tensors given as call options must be concrete: functional models carry padding masks themselves. */
export function concreteOption(who: string, name: string, value: unknown): Tensor | null {
  if (value === undefined || value === null) return null;
  if (!(value instanceof Tensor))
    throw new ValueError(
      `${who}: '${name}' must be a Tensor; in a functional model, padding masks come from embedding({maskZero: true})`,
    );
  return value;
}

/** The input mask a block received (the first one when it has several inputs). */
export function inputMask(kwargs: CallArgs, index = 0): Tensor | null {
  const m = kwargs.mask;
  return (Array.isArray(m) ? m[index] : index === 0 ? m : null) ?? null;
}
