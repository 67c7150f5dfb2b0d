import { ValueError } from '../core/errors.js';
import { checkOptions, optionKeys } from '../core/options.js';
import {
  type BytePairTokenizerJSON,
  readJSON,
  readTiktokenRanks,
  readVocabAndMerges,
  type TiktokenRanks,
  type TokenizerSpec,
  writeJSON,
} from './bpe_files.js';
import { BpeModel, ID_LIMIT } from './bpe_model.js';
import { countWords, learnMerges } from './bpe_train.js';
import { bytesToSpelling } from './byte_unicode.js';
import { compilePattern, forEachWord, GPT2_PATTERN, literalPattern, wellFormed } from './pretokenize.js';

export interface BytePairTrainOptions {
  /** Size of the vocabulary to learn: the 256 bytes, one token per merge, and the special tokens. */
  vocabularySize: number;
  /** Tokens such as '<|endoftext|>', given the last ids; never learned from the corpus nor made by merges. */
  specialTokens?: readonly string[];
  /** Pairs seen fewer times than this are not merged (training may stop below `vocabularySize`); default 2. */
  minFrequency?: number;
  /** The pre-tokenization regular expression; default GPT-2's. */
  pattern?: string;
}

export interface EncodeOptions {
  /** Special tokens recognized in the text ('all' or a list); default none. */
  allowedSpecial?: 'all' | readonly string[];
  /**
   * Special tokens whose text makes `encode` throw ('all' or a list); default 'all' that are not
   * allowed. Pass [] to encode a special token's text as ordinary text.
   */
  disallowedSpecial?: 'all' | readonly string[];
}

const ENCODE_OPTIONS = optionKeys<EncodeOptions>({ allowedSpecial: true, disallowedSpecial: true });

// Words longer than this are encoded but not cached, so a long run of whitespace cannot fill memory.
const CACHED_WORD_LENGTH = 256;
const CACHE_ENTRIES = 100_000;

/**
 * A byte-level byte-pair-encoding tokenizer, as GPT-2 uses: text is cut into words by a regular
 * expression, each word's UTF-8 bytes are merged pairwise into tokens, and decoding joins the
 * tokens' bytes. Any text round-trips exactly (`decode(encode(s)) === s`), except that a lone
 * surrogate, which UTF-8 cannot hold, is encoded as U+FFFD, as `TextEncoder` writes it.
 *
 * Train one on a corpus, or load GPT-2's published encoding from its ranks (the object
 * `js-tiktoken` ships) or from `vocab.json` and `merges.txt`; save it with `toJSON`.
 *
 * @example
 * const tok = text.BytePairTokenizer.train(corpus, { vocabularySize: 2000, specialTokens: ['<|endoftext|>'] });
 * const ids = tok.encode('To be, or not to be');
 * tok.decode(ids); // 'To be, or not to be'
 * fs.writeFileSync('tokenizer.json', JSON.stringify(tok));
 * const again = text.BytePairTokenizer.fromJSON(fs.readFileSync('tokenizer.json', 'utf8'));
 */
export class BytePairTokenizer {
  /** The pre-tokenization regular expression's source. */
  readonly pattern: string;
  private readonly spec: TokenizerSpec;
  private readonly model: BpeModel;
  private readonly regex: RegExp;
  private readonly specialById = new Map<number, Uint8Array>();
  private readonly specialText = new Map<number, string>();
  private readonly specialRegexes = new Map<string, RegExp>();
  private readonly cache = new Map<string, number | number[]>();
  private readonly utf8 = new TextEncoder();
  private wordBytes = new Uint8Array(1024);
  private readonly utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

  private constructor(spec: TokenizerSpec, where: string) {
    this.regex = compilePattern(spec.pattern, where);
    this.pattern = spec.pattern;
    const tokens = spec.tokens.slice();
    for (const [text, id] of spec.specialTokens) {
      if (text === '') throw new ValueError(`${where}: a special token cannot be the empty string`);
      if (tokens[id] || this.specialById.has(id))
        throw new ValueError(
          `${where}: special token ${JSON.stringify(text)} has id ${id}, which is already the token ${JSON.stringify(this.specialText.get(id) ?? bytesToSpelling(tokens[id] as Uint8Array))}`,
        );
      while (tokens.length <= id) tokens.push(null);
      this.specialById.set(id, this.utf8.encode(text));
      this.specialText.set(id, text);
    }
    if (spec.merges && spec.merges.length > ID_LIMIT)
      throw new ValueError(`${where}: at most ${ID_LIMIT} merges are supported, got ${spec.merges.length}`);
    this.model = new BpeModel(tokens, spec.merges, where);
    this.spec = { ...spec, tokens };
  }

  /**
   * Learns a vocabulary from a corpus (a string or strings): the 256 bytes, then the most
   * frequent adjacent pair merged, again and again, until `vocabularySize` is reached.
   * @example const tok = BytePairTokenizer.train(shakespeare, { vocabularySize: 1000 });
   */
  static train(corpus: string | Iterable<string>, options: BytePairTrainOptions): BytePairTokenizer {
    const where = 'BytePairTokenizer.train';
    checkOptions(
      where,
      options,
      optionKeys<BytePairTrainOptions>({
        vocabularySize: true,
        specialTokens: true,
        minFrequency: true,
        pattern: true,
      }),
    );
    const { vocabularySize, specialTokens = [], minFrequency = 2, pattern = GPT2_PATTERN } = options ?? {};
    const floor = 256 + specialTokens.length;
    if (!Number.isInteger(vocabularySize) || vocabularySize < floor || vocabularySize > ID_LIMIT)
      throw new ValueError(
        `${where}: 'vocabularySize' must be an integer from ${floor} (256 bytes${specialTokens.length ? ` and ${specialTokens.length} special tokens` : ''}) to ${ID_LIMIT}, got ${JSON.stringify(vocabularySize)}`,
      );
    if (!Number.isInteger(minFrequency) || minFrequency < 1)
      throw new ValueError(`${where}: 'minFrequency' must be a positive integer, got ${JSON.stringify(minFrequency)}`);
    if (new Set(specialTokens).size !== specialTokens.length)
      throw new ValueError(`${where}: 'specialTokens' lists a token twice: ${JSON.stringify(specialTokens)}`);
    const texts = typeof corpus === 'string' ? [corpus] : corpus;
    if (texts === null || typeof texts !== 'object' || !(Symbol.iterator in texts))
      throw new ValueError(`${where}: the corpus must be a string or an iterable of strings, got ${typeof corpus}`);
    const counts = countWords(texts, compilePattern(pattern, where), specialTokens);
    const { tokens, merges } = learnMerges(counts, vocabularySize - floor, minFrequency);
    const specials = new Map(specialTokens.map((t, i) => [t, tokens.length + i]));
    return new BytePairTokenizer({ pattern, tokens, merges, specialTokens: specials }, where);
  }

  /**
   * Loads byte-pair ranks: the object `js-tiktoken` ships (`js-tiktoken/ranks/gpt2` for GPT-2),
   * or the text of a `.tiktoken` file. Encodes exactly as tiktoken does.
   * @example
   * import gpt2 from 'js-tiktoken/ranks/gpt2';
   * const tok = BytePairTokenizer.fromTiktokenRanks(gpt2);
   * tok.encode('hello world'); // [31373, 995]
   */
  static fromTiktokenRanks(
    ranks: TiktokenRanks | string,
    options: { pattern?: string; specialTokens?: Record<string, number> } = {},
  ): BytePairTokenizer {
    const where = 'BytePairTokenizer.fromTiktokenRanks';
    checkOptions(where, options, ['pattern', 'specialTokens']);
    return new BytePairTokenizer(readTiktokenRanks(ranks, options, where), where);
  }

  /**
   * Loads a GPT-2 style `vocab.json` and `merges.txt` (as text, or parsed), naming the vocabulary
   * entries that are special tokens.
   * @example
   * const tok = BytePairTokenizer.fromVocabAndMerges(
   *   fs.readFileSync('vocab.json', 'utf8'), fs.readFileSync('merges.txt', 'utf8'),
   *   { specialTokens: ['<|endoftext|>'] });
   */
  static fromVocabAndMerges(
    vocab: string | Record<string, number>,
    merges: string | readonly string[],
    options: { pattern?: string; specialTokens?: readonly string[] } = {},
  ): BytePairTokenizer {
    const where = 'BytePairTokenizer.fromVocabAndMerges';
    checkOptions(where, options, ['pattern', 'specialTokens']);
    return new BytePairTokenizer(readVocabAndMerges(vocab, merges, options, where), where);
  }

  /**
   * Reads a tokenizer saved with `toJSON` (the text, or the parsed object), checking every field.
   * @example const tok = BytePairTokenizer.fromJSON(fs.readFileSync('tokenizer.json', 'utf8'));
   */
  static fromJSON(json: string | BytePairTokenizerJSON, options: { allowCustomPattern?: boolean } = {}) {
    const where = 'BytePairTokenizer.fromJSON';
    checkOptions(where, options, ['allowCustomPattern']);
    return new BytePairTokenizer(readJSON(json, options, where), where);
  }

  /**
   * The tokenizer as a plain object of the documented file format (`JSON.stringify(tok)` calls it).
   * @example fs.writeFileSync('tokenizer.json', JSON.stringify(tok));
   */
  toJSON(): BytePairTokenizerJSON {
    return writeJSON(this.spec);
  }

  /** Number of ids: one more than the largest id, special tokens included. */
  vocabularySize(): number {
    return this.spec.tokens.length;
  }

  /** Every id's token (`idToToken`), index by index; null for unused ids. */
  getVocabulary(): (string | null)[] {
    return this.spec.tokens.map((t, id) => (t ? bytesToSpelling(t) : (this.specialText.get(id) ?? null)));
  }

  /** The special tokens and their ids. */
  getSpecialTokens(): Record<string, number> {
    return Object.fromEntries(this.spec.specialTokens);
  }

  /**
   * The token of an id: a special token's text, or the token's bytes in GPT-2's spelling.
   * @example tok.idToToken(262); // 'Ġthe' for GPT-2: a space, then 'the'
   */
  idToToken(id: number): string {
    const bytes = this.spec.tokens[id];
    if (bytes && Number.isInteger(id)) return bytesToSpelling(bytes);
    const special = this.specialText.get(id);
    if (special !== undefined) return special;
    throw new ValueError(`BytePairTokenizer.idToToken: ${id} is not a token id (ids run from 0 to ${this.maxId()})`);
  }

  /**
   * The id of a token, spelled as `idToToken` spells it.
   * @example tok.tokenToId('Ġthe'); // 262 for GPT-2
   */
  tokenToId(token: string): number {
    const id = this.model.idBySpelling.get(token) ?? this.spec.specialTokens.get(token);
    if (id === undefined)
      throw new ValueError(`BytePairTokenizer.tokenToId: ${JSON.stringify(token)} is not in the vocabulary`);
    return id;
  }

  /**
   * The ids of a text. Special tokens are recognized only when allowed, and by default their
   * text anywhere else throws, so that text from users cannot smuggle them in.
   * @example tok.encode('Hi<|endoftext|>', { allowedSpecial: 'all' }); // [17250, 50256] for GPT-2
   */
  encode(text: string, options: EncodeOptions = {}): number[] {
    if (typeof text !== 'string')
      throw new ValueError(`BytePairTokenizer.encode: expected a string, got ${text === null ? 'null' : typeof text}`);
    checkOptions('BytePairTokenizer.encode', options, ENCODE_OPTIONS);
    const clean = wellFormed(text);
    const allowed = this.specialSet(options.allowedSpecial ?? [], 'allowedSpecial');
    const disallowed =
      options.disallowedSpecial === undefined || options.disallowedSpecial === 'all'
        ? [...this.spec.specialTokens.keys()].filter((t) => !allowed.includes(t))
        : this.specialSet(options.disallowedSpecial, 'disallowedSpecial');
    if (disallowed.length > 0) {
      const found = this.specialRegex(disallowed).exec(clean);
      if (found)
        throw new ValueError(
          `BytePairTokenizer.encode: the text contains the special token ${JSON.stringify(found[0])} at index ${found.index}; pass { allowedSpecial: [${JSON.stringify(found[0])}] } to encode it as its id, or { disallowedSpecial: [] } to encode it as ordinary text`,
        );
    }
    const ids: number[] = [];
    const word = (w: string) => this.encodeWord(w, ids);
    if (allowed.length === 0) {
      forEachWord(clean, this.regex, word);
      return ids;
    }
    const special = this.specialRegex(allowed);
    let done = 0;
    for (let m = special.exec(clean); m !== null; m = special.exec(clean)) {
      forEachWord(clean.slice(done, m.index), this.regex, word);
      ids.push(this.spec.specialTokens.get(m[0]) as number);
      done = m.index + m[0].length;
    }
    forEachWord(clean.slice(done), this.regex, word);
    return ids;
  }

  /**
   * The UTF-8 bytes of ids, joined: exact for any id sequence, even one that splits a character.
   * @example new TextDecoder().decode(tok.decodeBytes(ids));
   */
  decodeBytes(ids: ArrayLike<number>): Uint8Array {
    const parts: Uint8Array[] = new Array(ids.length);
    let length = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      const bytes = this.spec.tokens[id] ?? this.specialById.get(id);
      if (!bytes || !Number.isInteger(id))
        throw new ValueError(
          `BytePairTokenizer.decode: ids[${i}] is ${JSON.stringify(id)}, which is not a token id (ids run from 0 to ${this.maxId()})`,
        );
      parts[i] = bytes;
      length += bytes.length;
    }
    const out = new Uint8Array(length);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  /**
   * The text of ids. Bytes that are not valid UTF-8 (a sequence cut inside a character) decode to
   * U+FFFD, one per maximal invalid run, as `TextDecoder` does; `decodeBytes` gives the exact bytes.
   * @example tok.decode(tok.encode('naïve 🙂')); // 'naïve 🙂'
   */
  decode(ids: ArrayLike<number>): string {
    return this.utf8Decoder.decode(this.decodeBytes(ids));
  }

  /**
   * A decoder for ids that arrive one by one (generation): it holds back the bytes of a
   * character until the rest of it arrives, so a streamed emoji is never printed as U+FFFD.
   * @example
   * const stream = tok.streamDecoder();
   * for await (const id of generated) process.stdout.write(stream.write(id));
   * process.stdout.write(stream.end());
   */
  streamDecoder(): { write(ids: number | ArrayLike<number>): string; end(): string } {
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    return {
      write: (ids) => decoder.decode(this.decodeBytes(typeof ids === 'number' ? [ids] : ids), { stream: true }),
      end: () => decoder.decode(),
    };
  }

  private encodeWord(word: string, ids: number[]): void {
    const hit = this.cache.get(word);
    if (hit !== undefined) {
      if (typeof hit === 'number') ids.push(hit);
      else for (const id of hit) ids.push(id);
      return;
    }
    const start = ids.length;
    // At most 3 UTF-8 bytes per UTF-16 unit; one buffer serves every word.
    if (this.wordBytes.length < word.length * 3) this.wordBytes = new Uint8Array(word.length * 3);
    const { written } = this.utf8.encodeInto(word, this.wordBytes);
    this.model.encodeWord(this.wordBytes, written, ids);
    if (word.length > CACHED_WORD_LENGTH) return;
    if (this.cache.size >= CACHE_ENTRIES) this.cache.clear();
    this.cache.set(word, ids.length - start === 1 ? ids[start] : ids.slice(start));
  }

  private specialSet(names: 'all' | readonly string[], arg: string): string[] {
    if (names === 'all') return [...this.spec.specialTokens.keys()];
    if (!Array.isArray(names))
      throw new ValueError(`BytePairTokenizer.encode: '${arg}' must be 'all' or an array of special tokens`);
    for (const name of names)
      if (!this.spec.specialTokens.has(name))
        throw new ValueError(
          `BytePairTokenizer.encode: '${arg}' names ${JSON.stringify(name)}, which is not a special token; the special tokens are ${JSON.stringify([...this.spec.specialTokens.keys()])}`,
        );
    return [...names];
  }

  private specialRegex(names: string[]): RegExp {
    const key = JSON.stringify([...names].sort());
    let re = this.specialRegexes.get(key);
    if (!re) this.specialRegexes.set(key, (re = literalPattern(names)));
    re.lastIndex = 0;
    return re;
  }

  private maxId(): number {
    return this.spec.tokens.length - 1;
  }
}
