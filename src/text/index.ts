/** Text tools: vectorization, padding and sampling for generation. */
export {
  TextVectorization,
  type TextVectorizationOptions,
  type Standardize,
  type SplitMode,
} from './text_vectorization.js';
export { padSequences, type PadSequencesOptions } from './pad_sequences.js';
export { sampleFromLogits, samplingDistribution, type SamplingOptions } from './sampling.js';
