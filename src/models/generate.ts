import { noGrad } from '../autograd/tape.js';
import { ValueError } from '../core/errors.js';
import { scoped } from '../core/memory.js';
import { checkOptions, optionKeys } from '../core/options.js';
import { Rng, globalRng } from '../core/rng.js';
import type { Tensor } from '../core/tensor.js';
import { toHeadMajor, type HeadMajorCache } from '../layers/attention_decode.js';
import type { AttentionCache } from '../layers/multi_head_attention.js';
import { tensor } from '../ops/convert.js';
import { slice } from '../ops/prims/slice.js';
import { sampleFromLogits, samplingDistribution } from '../text/sampling.js';
import { gptParts, type GptParts } from './gpt.js';
import { idStream, textStream } from './stop_sequences.js';
import type { LayersModel } from './layers_model.js';

/** What generation needs of a tokenizer: `TextVectorization` and `BytePairTokenizer` both fit. */
export interface Tokenizer {
  encode(text: string): number[];
  decode(ids: ArrayLike<number>): string;
  /** Incremental decoding that holds back incomplete UTF-8 sequences (byte-level tokenizers). */
  streamDecoder?(): { write(ids: number | ArrayLike<number>): string; end(): string };
}

export interface GenerateOptions {
  /** Tokens to generate at most (default 100). */
  maxNewTokens?: number;
  /** Divides the logits: < 1 sharper, > 1 flatter, 0 greedy (default 1). */
  temperature?: number;
  /** Sample among the k most likely tokens only (default: all). */
  topK?: number;
  /** Sample among the smallest set of most likely tokens whose probability reaches p (default 1). */
  topP?: number;
  /** Seed of the sampling generator; without it the global generator is used (see setSeed). */
  seed?: number;
  /**
   * Stop when the output ends with one of these: token-id sequences, or strings with a
   * tokenizer and a text prompt. The stop sequence itself is not part of the output.
   */
  stop?: readonly (readonly number[] | string)[];
  /** Reuse attention keys and values across steps (default true); false recomputes the whole context. */
  cache?: boolean;
  /** Turns a text prompt into ids and the ids generated back into text. */
  tokenizer?: Tokenizer;
}

const GENERATE_OPTIONS = optionKeys<GenerateOptions>({
  maxNewTokens: true,
  temperature: true,
  topK: true,
  topP: true,
  seed: true,
  stop: true,
  cache: true,
  tokenizer: true,
});

/**
 * Continues a prompt with a GPT-shaped model (`models.gpt`, or one loaded from its file),
 * sampling each token from the model's next-token distribution after temperature, top-k and
 * top-p. With token ids it returns the new ids; with a text prompt and a `tokenizer`, the new
 * text. With the key/value cache (the default) each token costs work proportional to the
 * context, not its square. The model reads at most `blockSize` tokens: a longer prompt is
 * cropped to its last `blockSize`, and when generation fills the window the oldest quarter of
 * it is dropped (the cache is rebuilt from the rest).
 *
 * @example
 * const ids = await generate(model, [12, 5, 7], { maxNewTokens: 50, temperature: 0.8, topK: 20, seed: 1 });
 * const text = await generate(model, 'ROMEO:', { tokenizer, maxNewTokens: 200, stop: ['\n\n'] });
 */
export async function generate(
  model: LayersModel,
  prompt: string,
  options: GenerateOptions & { tokenizer: Tokenizer },
): Promise<string>;
export async function generate(
  model: LayersModel,
  prompt: ArrayLike<number>,
  options?: GenerateOptions,
): Promise<number[]>;
export async function generate(
  model: LayersModel,
  prompt: string | ArrayLike<number>,
  options: GenerateOptions = {},
): Promise<string | number[]> {
  if (typeof prompt === 'string') {
    let text = '';
    for await (const piece of generateStream(model, prompt, options as GenerateOptions & { tokenizer: Tokenizer }))
      text += piece;
    return text;
  }
  const ids: number[] = [];
  for await (const id of generateStream(model, prompt, options)) ids.push(id);
  return ids;
}

/**
 * `generate` as an async iterator: each new token id as soon as it is sampled, or, with a text
 * prompt and a tokenizer, each new piece of text (decoded incrementally, so multi-byte
 * characters split across tokens come out whole). Text that might be the start of a stop
 * sequence is held back until it is known not to be.
 *
 * @example
 * for await (const piece of generateStream(model, 'ROMEO:', { tokenizer, maxNewTokens: 200 }))
 *   process.stdout.write(piece);
 */
export function generateStream(
  model: LayersModel,
  prompt: string,
  options: GenerateOptions & { tokenizer: Tokenizer },
): AsyncGenerator<string>;
export function generateStream(
  model: LayersModel,
  prompt: ArrayLike<number>,
  options?: GenerateOptions,
): AsyncGenerator<number>;
export function generateStream(
  model: LayersModel,
  prompt: string | ArrayLike<number>,
  options: GenerateOptions = {},
): AsyncGenerator<string> | AsyncGenerator<number> {
  checkOptions('generate', options, GENERATE_OPTIONS);
  const parts = gptParts(model);
  if (!parts)
    throw new ValueError(
      `generate: model '${model.name}' is not GPT-shaped (token ids → tokenAndPositionEmbedding → transformerDecoder blocks → layerNormalization → the embedding reversed); build it with models.gpt`,
    );
  const { tokenizer } = options;
  if (typeof prompt === 'string') {
    if (!tokenizer || typeof tokenizer.encode !== 'function' || typeof tokenizer.decode !== 'function')
      throw new ValueError(
        `generate: a text prompt needs options.tokenizer (with encode and decode), e.g. a TextVectorization or BytePairTokenizer`,
      );
    const stops = stopSequences(options.stop, 'string');
    const ids = tokenizer.encode(prompt);
    checkRequest(parts, ids, options);
    return textStream(tokenStream(parts, model, ids, options), tokenizer, stops as string[]);
  }
  const stops = stopSequences(options.stop, 'ids') as number[][];
  const ids = Array.from(prompt);
  checkRequest(parts, ids, options);
  return idStream(tokenStream(parts, model, ids, options), stops);
}

function stopSequences(stop: GenerateOptions['stop'], kind: 'string' | 'ids'): (string | number[])[] {
  if (stop === undefined) return [];
  if (!Array.isArray(stop))
    throw new ValueError(`generate: 'stop' must be a list of stop sequences, got ${JSON.stringify(stop)}`);
  return stop.map((s, i) => {
    if (kind === 'string') {
      if (typeof s !== 'string' || s === '')
        throw new ValueError(
          `generate: with a text prompt, 'stop' must hold non-empty strings; stop[${i}] is ${JSON.stringify(s)}`,
        );
      return s;
    }
    if (!Array.isArray(s) || s.length === 0 || !s.every((id) => Number.isInteger(id)))
      throw new ValueError(
        `generate: with a token-id prompt, 'stop' must hold non-empty lists of token ids; stop[${i}] is ${JSON.stringify(s)}`,
      );
    return [...s];
  });
}

/** The context's first position: the prompt cropped to the block, then a window that slides by a quarter. */
export function contextStart(length: number, start: number, blockSize: number, prompt: boolean): number {
  if (length - start <= blockSize) return start;
  return length - (prompt ? blockSize : blockSize - Math.max(1, Math.floor(blockSize / 4)));
}

/** Every argument checked before any work. */
function checkRequest(parts: GptParts, prompt: number[], options: GenerateOptions): void {
  const { maxNewTokens = 100, temperature, topK, topP, seed } = options;
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 0)
    throw new ValueError(
      `generate: 'maxNewTokens' must be a non-negative integer, got ${JSON.stringify(maxNewTokens)}`,
    );
  if (seed !== undefined && !Number.isInteger(seed))
    throw new ValueError(`generate: 'seed' must be an integer, got ${JSON.stringify(seed)}`);
  if (prompt.length === 0) throw new ValueError(`generate: the prompt must hold at least one token`);
  prompt.forEach((id, i) => {
    if (!Number.isInteger(id) || id < 0 || id >= parts.vocabSize)
      throw new ValueError(
        `generate: prompt token ${i} is ${id}, outside the model's vocabulary; expected integers in [0, ${parts.vocabSize}) (vocabSize ${parts.vocabSize})`,
      );
  });
  samplingDistribution([0], { temperature, topK, topP });
}

/** The raw sampled ids, with no stop handling. */
async function* tokenStream(
  parts: GptParts,
  model: LayersModel,
  prompt: number[],
  options: GenerateOptions,
): AsyncGenerator<number> {
  const { maxNewTokens = 100, temperature, topK, topP, seed, cache: useCache = true } = options;
  const sampling = { temperature, topK, topP, rng: seed === undefined ? globalRng : new Rng(seed) };
  const tokens = [...prompt];
  let start = contextStart(tokens.length, 0, parts.blockSize, true);
  const stepper = useCache ? new CachedStepper(parts) : null;
  try {
    for (let n = 0; n < maxNewTokens; n++) {
      const context = tokens.slice(start);
      const logits = stepper ? stepper.next(context, start) : lastLogits(model, context);
      const id = sampleFromLogits(logits, sampling);
      tokens.push(id);
      start = contextStart(tokens.length, start, parts.blockSize, false);
      yield id;
    }
  } finally {
    stepper?.dispose();
  }
}

/** The model's ordinary forward pass on the whole context: the last position's logits. */
function lastLogits(model: LayersModel, context: number[]): Float32Array {
  return scoped(() =>
    noGrad(() => {
      const logits = model.apply(tensor(Int32Array.from(context), [1, context.length], 'int32')) as Tensor;
      const [, t, v] = logits.shape;
      return Float32Array.from(slice(logits, [0, t - 1, 0], [1, 1, v]).dataSync() as ArrayLike<number>);
    }),
  );
}

/**
 * The forward pass one token at a time: each block's keys and values for the positions seen so
 * far are kept, so a step runs the new token only. A context that starts at a new position
 * (the window slid) is run afresh. After the prompt the caches are kept head-major and each
 * token takes the blocks' one-token `decodeStep` (no mask, no transposed cache), where they have it.
 */
class CachedStepper {
  private caches: (AttentionCache | HeadMajorCache)[] | null = null;
  /** Whether `caches` are head-major (decodeStep's) rather than cachedCall's. */
  private headMajor = false;
  private start = -1;
  private seen = 0;

  constructor(private readonly parts: GptParts) {}

  next(context: number[], start: number): Float32Array {
    if (start !== this.start || context.length !== this.seen + 1) {
      this.dispose();
      this.start = start;
      this.seen = 0;
    }
    const fresh = context.slice(this.seen);
    const { logits, caches, headMajor } = scoped(() => noGrad(() => this.forward(fresh, this.seen)));
    this.dispose();
    this.caches = caches;
    this.headMajor = headMajor;
    this.seen = context.length;
    return logits;
  }

  private forward(
    ids: number[],
    position: number,
  ): { logits: Float32Array; caches: (AttentionCache | HeadMajorCache)[]; headMajor: boolean } {
    const { embedding, blocks, finalNorm } = this.parts;
    let h = embedding.apply(tensor(Int32Array.from(ids), [1, ids.length], 'int32'), {
      startIndex: position,
    }) as Tensor;
    const canStep = () => blocks.every((b) => b.decodeStepUnsupported() === null);
    let caches: (AttentionCache | HeadMajorCache)[];
    if (ids.length === 1 && (this.caches === null || this.headMajor) && canStep()) {
      caches = blocks.map((block, i) => {
        const r = block.decodeStep(h, (this.caches?.[i] as HeadMajorCache | undefined) ?? null);
        h = r.output;
        return r.cache;
      });
    } else {
      // next() starts afresh whenever more than one position is new, so a cache here is cachedCall's.
      caches = blocks.map((block, i) => {
        const r = block.cachedCall(h, (this.caches?.[i] as AttentionCache | undefined) ?? null);
        h = r.output;
        return r.cache;
      });
      // Built by now: from here on the steps take decodeStep, which reads the cache head-major.
      if (canStep()) caches = caches.map(toHeadMajor);
    }
    const [, t, d] = h.shape;
    let last = slice(h, [0, t - 1, 0], [1, 1, d]);
    if (finalNorm) last = finalNorm.apply(last) as Tensor;
    const logits = Float32Array.from(embedding.reverse(last).dataSync() as ArrayLike<number>);
    return { logits, caches, headMajor: canStep() };
  }

  dispose(): void {
    for (const c of this.caches ?? []) {
      c.key.dispose();
      c.value.dispose();
    }
    this.caches = null;
    this.headMajor = false;
  }
}
