/** Text tools: vectorization, byte-pair tokenization, padding and sampling for generation. */
export {
  TextVectorization,
  type TextVectorizationOptions,
  type Standardize,
  type SplitMode,
} from './text_vectorization.js';
export { padSequences, type PadSequencesOptions } from './pad_sequences.js';
export { sampleFromLogits, samplingDistribution, type SamplingOptions } from './sampling.js';
export {
  BytePairTokenizer,
  type BytePairTrainOptions,
  type EncodeOptions,
} from './byte_pair_tokenizer.js';
export type { BytePairTokenizerJSON, TiktokenRanks } from './bpe_files.js';
export { GPT2_PATTERN } from './pretokenize.js';
