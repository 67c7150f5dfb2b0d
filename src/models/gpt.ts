import type { ActivationIdentifier } from '../activations/index.js';
import { ValueError } from '../core/errors.js';
import { checkOptions, optionKeys } from '../core/options.js';
import { Dropout } from '../layers/dropout.js';
import { InputLayer, input } from '../layers/input_layer.js';
import type { Layer } from '../layers/layer.js';
import { LayerNormalization } from '../layers/normalization.js';
import type { SymbolicTensor } from '../layers/symbolic.js';
import { TokenAndPositionEmbedding } from '../layers/token_position_embedding.js';
import { TransformerDecoder } from '../layers/transformer_decoder.js';
import { AdamW } from '../optimizers/adam.js';
import { CosineDecay } from '../optimizers/schedules.js';
import { LayersModel } from './layers_model.js';

export interface GptArgs {
  /** Number of token ids; ids lie in [0, vocabSize). */
  vocabSize: number;
  /** The longest context the model reads (the position table's length). */
  blockSize: number;
  /** Transformer decoder blocks. */
  numLayers: number;
  /** Attention heads per block; must divide embedDim. */
  numHeads: number;
  /** Width of the token vectors and of every block. */
  embedDim: number;
  /** Dropout rate after the embedding and inside every block, while training (default 0). */
  dropout?: number;
  /** Compute the logits with the token table (GPT-2's tied output layer); default true. */
  tieEmbeddings?: boolean;
  /** Hidden size of each block's feedforward network (default 4 × embedDim). */
  intermediateDim?: number;
  /** The feedforward activation (default 'gelu', exact). */
  activation?: ActivationIdentifier;
  /** Standard deviation of the normal initializer of every kernel and table (default 0.02, GPT-2's). */
  initializerRange?: number;
  layerNormEpsilon?: number;
  name?: string;
}

const GPT_OPTIONS = optionKeys<GptArgs>({
  vocabSize: true,
  blockSize: true,
  numLayers: true,
  numHeads: true,
  embedDim: true,
  dropout: true,
  tieEmbeddings: true,
  intermediateDim: true,
  activation: true,
  initializerRange: true,
  layerNormEpsilon: true,
  name: true,
});

/**
 * A GPT (decoder-only Transformer language model, GPT-2's layout) as an ordinary functional
 * model of public layers: token ids [batch, length ≤ blockSize] → `tokenAndPositionEmbedding`
 * → (dropout) → `numLayers` pre-norm `transformerDecoder` blocks (causal self-attention, GELU
 * feedforward) → `layerNormalization` → logits [batch, length, vocabSize], by the embedding
 * layer called again with `{reverse: true}` (tied to the token table, or its own
 * reverse_embeddings without `tieEmbeddings`). `summary`, `fit`, save/load and `generate` work
 * on it as on any model; train it with a from-logits loss.
 *
 * @example
 * const m = models.gpt({ vocabSize: 65, blockSize: 64, numLayers: 4, numHeads: 4, embedDim: 128 });
 * m.compile({ optimizer: gptOptimizer(m, { steps: 2000 }), loss: new losses.SparseCategoricalCrossentropy({ fromLogits: true }) });
 * await m.fit(x, y, { batchSize: 12 });   // x, y: int32 [n, 64], y is x shifted by one token
 */
export function gpt(args: GptArgs): LayersModel {
  checkOptions('models.gpt', args, GPT_OPTIONS);
  if (!args || typeof args !== 'object')
    throw new ValueError(
      `models.gpt: expected options {vocabSize, blockSize, numLayers, numHeads, embedDim}, got ${String(args)}`,
    );
  for (const key of ['vocabSize', 'blockSize', 'numLayers', 'numHeads', 'embedDim'] as const)
    if (!Number.isInteger(args[key]) || args[key] <= 0)
      throw new ValueError(`models.gpt: '${key}' must be a positive integer, got ${JSON.stringify(args[key])}`);
  if (args.embedDim % args.numHeads !== 0)
    throw new ValueError(
      `models.gpt: 'embedDim' ${args.embedDim} must be divisible by 'numHeads' ${args.numHeads} (each head gets embedDim / numHeads features)`,
    );
  const dropout = args.dropout ?? 0;
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1))
    throw new ValueError(`models.gpt: 'dropout' must be a number in [0, 1), got ${JSON.stringify(args.dropout)}`);
  const range = args.initializerRange ?? 0.02;
  if (!(typeof range === 'number' && range > 0))
    throw new ValueError(`models.gpt: 'initializerRange' must be a positive number, got ${JSON.stringify(range)}`);
  const init = { className: 'RandomNormal', config: { mean: 0, stddev: range } };

  const ids = input({ shape: [null], dtype: 'int32', name: 'token_ids' });
  const embedding = new TokenAndPositionEmbedding({
    name: 'embedding',
    vocabularySize: args.vocabSize,
    sequenceLength: args.blockSize,
    embeddingDim: args.embedDim,
    tieWeights: args.tieEmbeddings ?? true,
    embeddingsInitializer: init,
  });
  let h = embedding.apply(ids) as SymbolicTensor;
  if (dropout > 0) h = new Dropout({ name: 'embedding_dropout', rate: dropout }).apply(h) as SymbolicTensor;
  for (let i = 0; i < args.numLayers; i++)
    h = new TransformerDecoder({
      name: `decoder_${i}`,
      intermediateDim: args.intermediateDim ?? 4 * args.embedDim,
      numHeads: args.numHeads,
      dropout,
      activation: args.activation ?? 'gelu',
      layerNormEpsilon: args.layerNormEpsilon,
      normalizeFirst: true,
      kernelInitializer: init,
    }).apply(h) as SymbolicTensor;
  h = new LayerNormalization({ name: 'final_norm', epsilon: args.layerNormEpsilon ?? 1e-5 }).apply(h) as SymbolicTensor;
  const logits = embedding.apply(h, { reverse: true }) as SymbolicTensor;
  return new LayersModel({ inputs: ids, outputs: logits, name: args.name ?? 'gpt' });
}

/** The layers of a GPT-shaped model, in the order a forward pass runs them. */
export interface GptParts {
  embedding: TokenAndPositionEmbedding;
  blocks: TransformerDecoder[];
  finalNorm: LayerNormalization | null;
  /** The context length: the embedding's position table. */
  blockSize: number;
  vocabSize: number;
}

/**
 * Finds the GPT layout in a model (what `gpt` builds, or a model loaded from its file): one
 * token-ids input, a token-and-position embedding, optional dropout, decoder-only Transformer
 * blocks, an optional final layer normalization, and the embedding called again with
 * `{reverse: true}` as the output. Returns null for any other model.
 * @example const parts = gptParts(model); // parts.blocks.length === numLayers
 */
export function gptParts(model: LayersModel): GptParts | null {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) return null;
  const layers = model.layers;
  let i = 0;
  const next = (): Layer | undefined => layers[i++];
  if (!(next() instanceof InputLayer)) return null;
  const embedding = next();
  if (!(embedding instanceof TokenAndPositionEmbedding) || embedding.maskZero) return null;
  const chain: Layer[] = [embedding];
  let layer = next();
  while (layer instanceof Dropout) {
    chain.push(layer);
    layer = next();
  }
  const blocks: TransformerDecoder[] = [];
  while (layer instanceof TransformerDecoder) {
    blocks.push(layer);
    chain.push(layer);
    layer = next();
  }
  let finalNorm: LayerNormalization | null = null;
  if (layer instanceof LayerNormalization) {
    finalNorm = layer;
    chain.push(layer);
    layer = next();
  }
  if (blocks.length === 0 || layer !== undefined) return null;
  // A chain: each layer called once on the previous one's output, the embedding's second call
  // (reverse) on the last one's, and that is the model's output.
  for (let k = 1; k < chain.length; k++) {
    const nodes = chain[k].inboundNodes;
    if (nodes.length !== 1 || nodes[0].inputs.length !== 1 || nodes[0].inputs[0].sourceLayer !== chain[k - 1])
      return null;
    if (chain[k] instanceof TransformerDecoder && nodes[0].callArgs.useCausalMask === false) return null;
  }
  const reverse = embedding.inboundNodes[1];
  if (embedding.inboundNodes.length !== 2 || !reverse.callArgs.reverse) return null;
  if (reverse.inputs[0].sourceLayer !== chain[chain.length - 1] || model.outputs[0].node !== reverse) return null;
  return { embedding, blocks, finalNorm, blockSize: embedding.sequenceLength, vocabSize: embedding.vocabularySize };
}

export interface GptOptimizerArgs {
  /** Optimizer steps the schedule spans (warm-up included): the training run's length. */
  steps: number;
  /** Peak learning rate, reached after the warm-up (default 1e-3). */
  learningRate?: number;
  /** The learning rate the cosine decays to at `steps` (default 1e-4). */
  minLearningRate?: number;
  /** Steps of linear warm-up from 0 (default 100). */
  warmupSteps?: number;
  /** Decoupled weight decay on kernels and embedding tables (default 0.1). */
  weightDecay?: number;
  beta1?: number;
  /** Default 0.99: language models' gradients are noisy, a shorter memory of their scale helps. */
  beta2?: number;
  /** Global gradient-norm clipping (default 1). */
  globalClipNorm?: number;
}

/**
 * The usual optimizer of a small GPT: AdamW (beta2 0.99) whose learning rate warms up linearly
 * from 0 to `learningRate` over `warmupSteps`, then follows a cosine down to `minLearningRate`
 * at `steps`; weight decay 0.1 on every variable of rank 2 or more except biases (names ending
 * in `bias`), none on biases and normalization scales; gradients clipped to a global norm of 1.
 * @example const opt = gptOptimizer(model, { steps: 2000 });
 */
export function gptOptimizer(model: LayersModel, args: GptOptimizerArgs): AdamW {
  checkOptions(
    'gptOptimizer',
    args,
    optionKeys<GptOptimizerArgs>({
      steps: true,
      learningRate: true,
      minLearningRate: true,
      warmupSteps: true,
      weightDecay: true,
      beta1: true,
      beta2: true,
      globalClipNorm: true,
    }),
  );
  const { steps, learningRate = 1e-3, minLearningRate = 1e-4, warmupSteps = 100 } = args ?? {};
  if (!Number.isInteger(steps) || steps <= 0)
    throw new ValueError(`gptOptimizer: 'steps' must be a positive integer, got ${JSON.stringify(steps)}`);
  if (!Number.isInteger(warmupSteps) || warmupSteps < 0 || warmupSteps >= steps)
    throw new ValueError(
      `gptOptimizer: 'warmupSteps' must be an integer in [0, steps = ${steps}), got ${JSON.stringify(warmupSteps)}`,
    );
  if (!(learningRate > 0) || !(minLearningRate >= 0 && minLearningRate <= learningRate))
    throw new ValueError(
      `gptOptimizer: need 0 <= minLearningRate <= learningRate and learningRate > 0, got learningRate ${learningRate}, minLearningRate ${minLearningRate}`,
    );
  const schedule = new CosineDecay({
    initialLearningRate: warmupSteps > 0 ? 0 : learningRate,
    warmupTarget: warmupSteps > 0 ? learningRate : null,
    warmupSteps,
    decaySteps: steps - warmupSteps,
    alpha: minLearningRate / learningRate,
  });
  const optimizer = new AdamW({
    learningRate: schedule,
    weightDecay: args.weightDecay ?? 0.1,
    beta1: args.beta1 ?? 0.9,
    beta2: args.beta2 ?? 0.99,
    globalClipNorm: args.globalClipNorm ?? 1,
  });
  optimizer.excludeFromWeightDecay({
    varList: model.trainableWeights.filter((v) => v.rank < 2),
    varNames: ['bias$'],
  });
  return optimizer;
}
