import { ValueError } from '../core/errors.js';
import type { Config } from '../core/config.js';
import type { Tensor } from '../core/tensor.js';
import { tensor } from '../ops/convert.js';
import { hashBucket } from '../text/string_hash.js';
import { describeLayer } from './convolutional_base.js';
import { Layer, type LayerArgs } from './layer.js';
import { checkOutputMode, encodeCategories, encodedShape, type CategoryOutputMode } from './preprocessing_encoding.js';
import { saltPair } from './preprocessing_strings.js';
import type { Shape } from './symbolic.js';

/** The options IntegerLookup and StringLookup share (Keras' `IndexLookup`), for tokens of type T. */
export interface IndexLookupArgs<T> extends LayerArgs {
  /** Largest vocabulary, counting the OOV and mask indices (null: unbounded). */
  maxTokens?: number | null;
  /** How many indices unknown values share (default 1; 0: unknown values are an error). */
  numOovIndices?: number;
  /** A value that maps to index 0 (padding), or null (default). */
  maskToken?: T | null;
  /** The known values, most frequent first; or learn them with `adapt`. */
  vocabulary?: T[] | null;
  /** Map indices back to values. */
  invert?: boolean;
  /** 'int' (default: indices), 'one_hot', 'multi_hot' or 'count'. */
  outputMode?: CategoryOutputMode;
  /** Make vectors `maxTokens` long however small the vocabulary. */
  padToMaxTokens?: boolean;
  /** Only false: sparse outputs do not exist in Myelin. */
  sparse?: boolean;
  /** Keras 3's key of the SipHash that spreads unknown values over several OOV indices (null: FarmHash). */
  salt?: number | [number, number] | null;
}

/** Keras' vocabulary order: by count, most frequent first; ties larger token first. */
function byCountThenToken<T extends number | string>(order: (a: T, b: T) => number) {
  return (a: [T, number], b: [T, number]) => b[1] - a[1] || order(b[0], a[0]);
}

/**
 * The lookup both IntegerLookup and StringLookup are (Keras' `IndexLookup`): index 0 is the
 * mask (when there is a mask token and outputMode is 'int'), then `numOovIndices` OOV indices,
 * then the vocabulary. Subclasses say what a token is, how to read tokens from their inputs,
 * and how an unknown token picks its OOV index.
 */
export abstract class IndexLookup<T extends number | string> extends Layer {
  readonly maxTokens: number | null;
  readonly numOovIndices: number;
  readonly maskToken: T | null;
  readonly oovToken: T;
  readonly invert: boolean;
  readonly outputMode: CategoryOutputMode;
  readonly padToMaxTokens: boolean;
  readonly salt: [number, number] | null;
  private vocabulary: T[] = [];
  private index = new Map<T, number>();

  /** 'integers' or 'strings', for errors (a method: the base constructor calls it). */
  protected abstract tokenKind(): string;
  /** Whether `value` is a valid token. */
  protected abstract isToken(value: unknown): value is T;
  /** Ascending order of tokens (UTF-8 byte order for strings, as Keras sorts them). */
  protected abstract compareTokens(a: T, b: T): number;
  /** Which OOV index (0 ≤ i < numOovIndices, numOovIndices > 1) an unknown value takes. */
  protected abstract oovBucket(value: T): number;

  constructor(args: IndexLookupArgs<T>, oovToken: T) {
    super(args);
    const who = describeLayer(this);
    this.maxTokens = args.maxTokens ?? null;
    if (this.maxTokens !== null && !(Number.isInteger(this.maxTokens) && this.maxTokens > 1))
      throw new ValueError(`${who}: 'maxTokens' must be an integer > 1 or null, got ${JSON.stringify(args.maxTokens)}`);
    this.numOovIndices = args.numOovIndices ?? 1;
    if (!Number.isInteger(this.numOovIndices) || this.numOovIndices < 0)
      throw new ValueError(
        `${who}: 'numOovIndices' must be an integer >= 0, got ${JSON.stringify(args.numOovIndices)}`,
      );
    this.maskToken = args.maskToken ?? null;
    this.oovToken = oovToken;
    for (const [key, value] of [
      ['maskToken', this.maskToken],
      ['oovToken', this.oovToken],
    ] as const)
      if (value !== null && !this.isToken(value))
        throw new ValueError(`${who}: '${key}' must be one of the ${this.tokenKind()}, got ${JSON.stringify(value)}`);
    this.invert = args.invert ?? false;
    this.outputMode = checkOutputMode(this, args.outputMode ?? 'int', ['int', 'one_hot', 'multi_hot', 'count']);
    this.padToMaxTokens = args.padToMaxTokens ?? false;
    this.salt = saltPair(args.salt, who);
    if (args.sparse) throw new ValueError(`${who}: 'sparse' outputs are not supported`);
    if (this.invert && this.outputMode !== 'int') throw new ValueError(`${who}: 'invert' needs outputMode 'int'`);
    if (this.maskToken !== null && this.outputMode !== 'int')
      throw new ValueError(`${who}: a 'maskToken' is only supported with outputMode 'int'`);
    if (this.padToMaxTokens && this.maxTokens === null)
      throw new ValueError(`${who}: 'padToMaxTokens' needs 'maxTokens'`);
  }

  /** Index of the first OOV slot: 1 after a mask index (int mode), else 0. */
  private get oovStart(): number {
    return this.maskToken !== null && this.outputMode === 'int' ? 1 : 0;
  }

  /** The index of the vocabulary's first value, after [mask] and the OOV indices. */
  get tokenStart(): number {
    return this.oovStart + this.numOovIndices;
  }

  /**
   * Replaces the vocabulary: the known values, optionally preceded by the reserved ones as
   * `getVocabulary()` lists them ([mask], OOV tokens), which are then dropped, as in Keras.
   */
  setVocabulary(vocabulary: T[]): void {
    const who = describeLayer(this);
    if (!Array.isArray(vocabulary) || !vocabulary.every((v) => this.isToken(v)))
      throw new ValueError(
        `${who}: the vocabulary must be a list of ${this.tokenKind()}, got ${JSON.stringify(vocabulary)}`,
      );
    const reserved = this.reservedTokens();
    if (reserved.length > 0 && reserved.every((t, i) => vocabulary[i] === t))
      vocabulary = vocabulary.slice(reserved.length);
    if (new Set(vocabulary).size !== vocabulary.length)
      throw new ValueError(`${who}: the vocabulary has repeated values`);
    for (const special of [this.maskToken, this.numOovIndices > 0 ? this.oovToken : null])
      if (special !== null && vocabulary.includes(special))
        throw new ValueError(
          `${who}: the vocabulary contains the reserved token ${JSON.stringify(special)} (mask or OOV)`,
        );
    if (this.maxTokens !== null && vocabulary.length + this.tokenStart > this.maxTokens)
      throw new ValueError(
        `${who}: a vocabulary of ${vocabulary.length} values plus ${this.tokenStart} reserved indices exceeds maxTokens ${this.maxTokens}`,
      );
    this.vocabulary = [...vocabulary];
    this.index = new Map(vocabulary.map((v, i) => [v, this.tokenStart + i]));
  }

  /** The values of the reserved indices: [mask], then the OOV token once per OOV index. */
  private reservedTokens(): T[] {
    const mask = this.oovStart ? [this.maskToken as T] : [];
    return [...mask, ...Array<T>(this.numOovIndices).fill(this.oovToken)];
  }

  /** Every index's value: [mask], the OOV token once per OOV index, then the vocabulary. */
  getVocabulary(): T[] {
    return [...this.reservedTokens(), ...this.vocabulary];
  }

  /** How many indices there are (the length of one-hot vectors). */
  vocabularySize(): number {
    return this.padToMaxTokens ? (this.maxTokens as number) : this.tokenStart + this.vocabulary.length;
  }

  /**
   * Learns the vocabulary from `tokens`: by count, most frequent first (ties: larger token
   * first, Keras' order), the mask and OOV tokens left out, cut to `maxTokens`.
   */
  protected adaptTokens(batches: Iterable<ArrayLike<T>>): void {
    const counts = new Map<T, number>();
    for (const batch of batches)
      for (let i = 0; i < batch.length; i++) counts.set(batch[i], (counts.get(batch[i]) ?? 0) + 1);
    if (this.maskToken !== null) counts.delete(this.maskToken);
    counts.delete(this.oovToken);
    let tokens = [...counts.entries()].sort(byCountThenToken((a: T, b: T) => this.compareTokens(a, b))).map(([v]) => v);
    if (this.maxTokens !== null) tokens = tokens.slice(0, this.maxTokens - this.tokenStart);
    this.setVocabulary(tokens);
  }

  /** The index of each value: 0 for the mask token, the vocabulary's index, else an OOV index. */
  protected lookupIds(values: ArrayLike<T>): Int32Array {
    const ids = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (this.maskToken !== null && value === this.maskToken) continue;
      const known = this.index.get(value);
      if (known !== undefined) ids[i] = known;
      else if (this.numOovIndices === 0)
        throw new ValueError(
          `${describeLayer(this)}: with numOovIndices 0 every input must be in the vocabulary, got ${JSON.stringify(value)}; set numOovIndices to 1`,
        );
      else ids[i] = this.oovStart + (this.numOovIndices === 1 ? 0 : this.oovBucket(value));
    }
    return ids;
  }

  /** The token of each index; indices outside the vocabulary give the OOV token. */
  protected tokensOfIds(ids: ArrayLike<number>): T[] {
    const vocab = this.getVocabulary();
    return Array.from(ids, (i) => (i >= 0 && i < vocab.length ? vocab[i] : this.oovToken));
  }

  /** The layer's output for the ids of inputs of `shape`: the ids, or their encoded vectors. */
  protected encodeIds(ids: Int32Array, shape: readonly number[]): Tensor {
    if (this.outputMode === 'int') return tensor(ids, [...shape], 'int32');
    return encodeCategories(this, ids, shape, this.outputMode, this.vocabularySize(), this.dtype);
  }

  /** Fingerprint64 (or, with a salt, SipHash) of the token's string, modulo the OOV count (Keras' 'farmhash'). */
  protected hashedOovBucket(value: T): number {
    const key = this.salt ? ([BigInt(this.salt[0]), BigInt(this.salt[1])] as const) : undefined;
    return hashBucket(String(value), this.numOovIndices, key);
  }

  protected override outputDtype(): Tensor['dtype'] {
    return this.outputMode === 'int' ? 'int32' : this.dtype;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return encodedShape(inputShape as Shape, this.outputMode, this.vocabularySize());
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      maxTokens: this.maxTokens,
      numOovIndices: this.numOovIndices,
      maskToken: this.maskToken,
      oovToken: this.oovToken,
      vocabulary: [...this.vocabulary],
      invert: this.invert,
      outputMode: this.outputMode,
      padToMaxTokens: this.padToMaxTokens,
      sparse: false,
      salt: this.salt ? [...this.salt] : null,
    };
  }
}
