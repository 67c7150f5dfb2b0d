/**
 * Ready-made architectures, grouped as the `models` namespace: each returns an ordinary
 * functional model of public layers.
 * @example const m = models.gpt({ vocabSize: 65, blockSize: 64, numLayers: 4, numHeads: 4, embedDim: 128 });
 */
export { gpt, gptParts, gptOptimizer, type GptArgs, type GptParts, type GptOptimizerArgs } from './gpt.js';
export { generate, generateStream, type GenerateOptions, type Tokenizer } from './generate.js';
export { explainGpt, attentionMapsHtml, type AttentionExplanation } from './attention_maps.js';
