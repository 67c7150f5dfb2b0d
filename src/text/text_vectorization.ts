import { checkOptions, optionKeys } from '../core/options.js';
import { ValueError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { Config } from '../core/config.js';
import { tensor } from '../ops/convert.js';

export type Standardize =
  | 'lower_and_strip_punctuation'
  | 'lower'
  | 'strip_punctuation'
  | null
  | ((text: string) => string);
export type SplitMode = 'whitespace' | 'character' | null | ((text: string) => string[]);

export interface TextVectorizationOptions {
  /** Vocabulary size including the padding ('') and out-of-vocabulary tokens; default unlimited. */
  maxTokens?: number | null;
  /** Default 'lower_and_strip_punctuation' (Keras). */
  standardize?: Standardize;
  /** Default 'whitespace'; 'character' makes a character-level vocabulary. */
  split?: SplitMode;
  /** Pad (with 0) or truncate every row to this length, at the end; default the longest row. */
  outputSequenceLength?: number | null;
  /** The out-of-vocabulary token, index 1; default '[UNK]'. */
  oovToken?: string;
  /** A fixed vocabulary (without '' and the OOV token) instead of `adapt`. */
  vocabulary?: string[];
}

// Keras' DEFAULT_STRIP_REGEX: ASCII punctuation.
const PUNCTUATION = /[!"#$%&()*+,\-./:;<=>?@[\\\]^_`{|}~']/g;

/**
 * Turns strings into integer id sequences, in the spirit of Keras' `TextVectorization`:
 * standardise (lower-case, strip punctuation), split (words or characters), look up ids in a
 * vocabulary built by `adapt` (most frequent first; 0 is padding, 1 the OOV token), then pad
 * or truncate to `outputSequenceLength`.
 *
 * @example
 * const tv = new TextVectorization({ maxTokens: 1000, outputSequenceLength: 20 });
 * tv.adapt(trainSentences);
 * const ids = tv.call(['what a great film']); // int32 [1, 20]
 */
export class TextVectorization {
  readonly maxTokens: number | null;
  readonly standardize: Standardize;
  readonly split: SplitMode;
  readonly outputSequenceLength: number | null;
  readonly oovToken: string;
  private vocabulary: string[] = [];
  private index = new Map<string, number>();

  constructor(options: TextVectorizationOptions = {}) {
    checkOptions(
      'TextVectorization',
      options,
      optionKeys<TextVectorizationOptions>({
        maxTokens: true,
        standardize: true,
        split: true,
        outputSequenceLength: true,
        oovToken: true,
        vocabulary: true,
      }),
    );
    this.maxTokens = options.maxTokens ?? null;
    if (this.maxTokens !== null && (!Number.isInteger(this.maxTokens) || this.maxTokens < 3)) {
      throw new ValueError(
        `TextVectorization: 'maxTokens' must be an integer >= 3 (padding, OOV and at least one token) or null, got ${JSON.stringify(options.maxTokens)}`,
      );
    }
    this.standardize = options.standardize === undefined ? 'lower_and_strip_punctuation' : options.standardize;
    this.split = options.split === undefined ? 'whitespace' : options.split;
    for (const [arg, v, valid] of [
      ['standardize', this.standardize, ['lower_and_strip_punctuation', 'lower', 'strip_punctuation']],
      ['split', this.split, ['whitespace', 'character']],
    ] as const) {
      if (typeof v === 'string' && !(valid as readonly string[]).includes(v))
        throw new ValueError(
          `TextVectorization: unknown ${arg} ${JSON.stringify(v)}; expected one of ${valid.join(', ')}, null or a function`,
        );
    }
    this.outputSequenceLength = options.outputSequenceLength ?? null;
    if (
      this.outputSequenceLength !== null &&
      (!Number.isInteger(this.outputSequenceLength) || this.outputSequenceLength < 1)
    ) {
      throw new ValueError(
        `TextVectorization: 'outputSequenceLength' must be a positive integer or null, got ${JSON.stringify(options.outputSequenceLength)}`,
      );
    }
    this.oovToken = options.oovToken ?? '[UNK]';
    if (options.vocabulary) this.setVocabulary(options.vocabulary);
  }

  /** The standardised tokens of one text. */
  tokenize(text: string): string[] {
    if (typeof text !== 'string')
      throw new ValueError(`TextVectorization: expected a string, got ${text === null ? 'null' : typeof text}`);
    let s = text;
    const st = this.standardize;
    if (typeof st === 'function') s = st(s);
    else {
      if (st === 'lower' || st === 'lower_and_strip_punctuation') s = s.toLowerCase();
      if (st === 'strip_punctuation' || st === 'lower_and_strip_punctuation') s = s.replace(PUNCTUATION, '');
    }
    const sp = this.split;
    if (typeof sp === 'function') return sp(s);
    if (sp === 'character') return Array.from(s);
    if (sp === 'whitespace') return s.split(/\s+/).filter((w) => w !== '');
    return [s];
  }

  /** Builds the vocabulary from `texts`: most frequent tokens first, ties in order of first appearance. */
  adapt(texts: readonly string[]): this {
    if (!Array.isArray(texts))
      throw new ValueError(`TextVectorization.adapt: expected an array of strings, got ${typeof texts}`);
    const counts = new Map<string, number>();
    for (const text of texts) for (const token of this.tokenize(text)) counts.set(token, (counts.get(token) ?? 0) + 1);
    counts.delete('');
    counts.delete(this.oovToken);
    const ranked = [...counts.entries()]
      .map(([token, n], order) => ({ token, n, order }))
      .sort((a, b) => b.n - a.n || a.order - b.order);
    const limit = this.maxTokens === null ? ranked.length : this.maxTokens - 2;
    this.setVocabulary(ranked.slice(0, limit).map((r) => r.token));
    return this;
  }

  /** Sets the vocabulary (tokens only; '' and the OOV token are added in front). */
  setVocabulary(tokens: readonly string[]): void {
    const vocab = ['', this.oovToken, ...tokens.filter((t) => t !== '' && t !== this.oovToken)];
    if (new Set(vocab).size !== vocab.length)
      throw new ValueError('TextVectorization.setVocabulary: the vocabulary contains duplicate tokens');
    if (this.maxTokens !== null && vocab.length > this.maxTokens)
      throw new ValueError(
        `TextVectorization.setVocabulary: ${vocab.length} tokens (with padding and OOV) exceed maxTokens ${this.maxTokens}`,
      );
    this.vocabulary = vocab;
    this.index = new Map(vocab.map((t, i) => [t, i]));
  }

  /** The vocabulary, index by index: '' (padding), the OOV token, then tokens by frequency. */
  getVocabulary(): string[] {
    return [...this.vocabulary];
  }

  vocabularySize(): number {
    return this.vocabulary.length;
  }

  /** Ids of one text, without padding (unknown tokens map to 1). */
  encode(text: string): number[] {
    this.requireVocabulary();
    return this.tokenize(text).map((t) => this.index.get(t) ?? 1);
  }

  /** Tokens of ids, skipping padding; joined with '' for characters and ' ' for words. */
  decode(ids: ArrayLike<number>): string {
    const tokens = Array.from(ids)
      .filter((i) => i !== 0)
      .map((i) => this.vocabulary[i] ?? this.oovToken);
    return tokens.join(this.split === 'character' ? '' : ' ');
  }

  /** int32 [texts.length, length]: each row padded with 0 or truncated at its end. */
  call(texts: readonly string[]): Tensor {
    if (!Array.isArray(texts))
      throw new ValueError(`TextVectorization: expected an array of strings, got ${typeof texts}`);
    const rows = texts.map((t) => this.encode(t));
    const length = this.outputSequenceLength ?? rows.reduce((m, r) => Math.max(m, r.length), 0);
    const out = new Int32Array(rows.length * length);
    rows.forEach((r, i) => out.set(r.slice(0, length), i * length));
    return tensor(out, [rows.length, length], 'int32');
  }

  private requireVocabulary(): void {
    if (this.vocabulary.length === 0)
      throw new ValueError('TextVectorization: no vocabulary yet; call adapt(texts) or pass a vocabulary');
  }

  /**
   * The options and the vocabulary; `new TextVectorization(config)` rebuilds it.
   * @example const copy = new TextVectorization(tv.getConfig() as TextVectorizationOptions);
   */
  getConfig(): Config {
    if (typeof this.standardize === 'function' || typeof this.split === 'function') {
      throw new ValueError(
        'TextVectorization.getConfig: a function-valued standardize or split cannot be serialised; use the named modes to save the config',
      );
    }
    return {
      maxTokens: this.maxTokens,
      standardize: this.standardize,
      split: this.split,
      outputSequenceLength: this.outputSequenceLength,
      oovToken: this.oovToken,
      vocabulary: this.vocabulary.slice(2),
    };
  }
}
