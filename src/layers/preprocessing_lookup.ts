import { ValueError } from '../core/errors.js';
import type { Config } from '../core/config.js';
import type { Tensor } from '../core/tensor.js';
import { tensor } from '../ops/convert.js';
import { describeLayer } from './convolutional_base.js';
import { Layer, type LayerArgs } from './layer.js';
import {
  adaptBatches,
  checkOutputMode,
  encodeCategories,
  encodedShape,
  type AdaptData,
  type CategoryOutputMode,
} from './preprocessing_encoding.js';
import { registerLayerClass } from './registry.js';
import type { Shape } from './symbolic.js';

export interface IntegerLookupArgs extends LayerArgs {
  /** Largest vocabulary, counting the OOV and mask indices (null: unbounded). */
  maxTokens?: number | null;
  /** How many indices unknown values share, by value modulo this count (default 1; 0: unknown values are an error). */
  numOovIndices?: number;
  /** A value that maps to index 0 (padding), or null (default). */
  maskToken?: number | null;
  /** The value `invert` returns for OOV indices (default -1). */
  oovToken?: number;
  /** The known values, most frequent first; or learn them with `adapt`. */
  vocabulary?: number[] | null;
  /** Only 'int64' (Keras' only choice); values are integers either way. */
  vocabularyDtype?: 'int64';
  /** Map indices back to values. */
  invert?: boolean;
  /** 'int' (default: indices), 'one_hot', 'multi_hot' or 'count'. */
  outputMode?: CategoryOutputMode;
  /** Make vectors `maxTokens` long however small the vocabulary. */
  padToMaxTokens?: boolean;
  /** Only false: sparse outputs do not exist in Myelin. */
  sparse?: boolean;
}

/**
 * Maps integer values to contiguous indices (Keras' `IntegerLookup`): [mask], OOV indices, then
 * the vocabulary (given, or learned by `adapt`: most frequent first, ties larger value first, as
 * Keras sorts). `invert` maps indices back; other output modes give one-hot, multi-hot or count
 * vectors over the indices.
 * @example
 * const lookup = new IntegerLookup({ vocabulary: [12, 36, 1138, 42] });
 * lookup.apply(tensor([[12, 1138, 42], [42, 1000, 36]], undefined, 'int32')); // [[1, 3, 4], [4, 0, 2]]
 */
export class IntegerLookup extends Layer {
  static override readonly className: string = 'IntegerLookup';
  readonly maxTokens: number | null;
  readonly numOovIndices: number;
  readonly maskToken: number | null;
  readonly oovToken: number;
  readonly invert: boolean;
  readonly outputMode: CategoryOutputMode;
  readonly padToMaxTokens: boolean;
  private vocabulary: number[];
  private index = new Map<number, number>();

  constructor(args: IntegerLookupArgs = {}) {
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
    this.oovToken = args.oovToken ?? -1;
    this.invert = args.invert ?? false;
    this.outputMode = checkOutputMode(this, args.outputMode ?? 'int', ['int', 'one_hot', 'multi_hot', 'count']);
    this.padToMaxTokens = args.padToMaxTokens ?? false;
    if ((args.vocabularyDtype ?? 'int64') !== 'int64')
      throw new ValueError(`${who}: 'vocabularyDtype' must be 'int64', got ${JSON.stringify(args.vocabularyDtype)}`);
    if (args.sparse) throw new ValueError(`${who}: 'sparse' outputs are not supported`);
    if (this.invert && this.outputMode !== 'int') throw new ValueError(`${who}: 'invert' needs outputMode 'int'`);
    if (this.maskToken !== null && this.outputMode !== 'int')
      throw new ValueError(`${who}: a 'maskToken' is only supported with outputMode 'int'`);
    if (this.padToMaxTokens && this.maxTokens === null)
      throw new ValueError(`${who}: 'padToMaxTokens' needs 'maxTokens'`);
    this.vocabulary = [];
    if (args.vocabulary) this.setVocabulary(args.vocabulary);
  }

  /** Index of the first OOV slot: 1 after a mask index (int mode), else 0. */
  private get oovStart(): number {
    return this.maskToken !== null && this.outputMode === 'int' ? 1 : 0;
  }

  private get tokenStart(): number {
    return this.oovStart + this.numOovIndices;
  }

  /**
   * Replaces the vocabulary: the known values, optionally preceded by the reserved ones as
   * `getVocabulary()` lists them ([mask], OOV tokens), which are then dropped, as in Keras.
   */
  setVocabulary(vocabulary: number[]): void {
    const who = describeLayer(this);
    if (!Array.isArray(vocabulary) || !vocabulary.every(Number.isInteger))
      throw new ValueError(`${who}: the vocabulary must be a list of integers, got ${JSON.stringify(vocabulary)}`);
    const reserved = this.reservedTokens();
    if (reserved.length > 0 && reserved.every((t, i) => vocabulary[i] === t))
      vocabulary = vocabulary.slice(reserved.length);
    if (new Set(vocabulary).size !== vocabulary.length)
      throw new ValueError(`${who}: the vocabulary has repeated values`);
    for (const special of [this.maskToken, this.numOovIndices > 0 ? this.oovToken : null])
      if (special !== null && vocabulary.includes(special))
        throw new ValueError(`${who}: the vocabulary contains the reserved token ${special} (mask or OOV)`);
    if (this.maxTokens !== null && vocabulary.length + this.tokenStart > this.maxTokens)
      throw new ValueError(
        `${who}: a vocabulary of ${vocabulary.length} values plus ${this.tokenStart} reserved indices exceeds maxTokens ${this.maxTokens}`,
      );
    this.vocabulary = [...vocabulary];
    this.index = new Map(vocabulary.map((v, i) => [v, this.tokenStart + i]));
  }

  /** The values of the reserved indices: [mask], then the OOV token once per OOV index. */
  private reservedTokens(): number[] {
    return [...(this.oovStart ? [this.maskToken as number] : []), ...Array(this.numOovIndices).fill(this.oovToken)];
  }

  /** Every index's value: [mask], the OOV token once per OOV index, then the vocabulary. */
  getVocabulary(): number[] {
    return [...this.reservedTokens(), ...this.vocabulary];
  }

  /** How many indices there are (the length of one-hot vectors). */
  vocabularySize(): number {
    return this.padToMaxTokens ? (this.maxTokens as number) : this.tokenStart + this.vocabulary.length;
  }

  /**
   * Learns the vocabulary from data: values by count, most frequent first (ties: larger value
   * first, Keras' order), the mask and OOV tokens left out, cut to `maxTokens`.
   * @example lookup.adapt(tensor([12, 12, 36], undefined, 'int32')); // vocabulary [12, 36]
   */
  adapt(data: AdaptData): void {
    const counts = new Map<number, number>();
    for (const batch of adaptBatches(data, describeLayer(this)))
      for (const v of batch.dataSync()) counts.set(v, (counts.get(v) ?? 0) + 1);
    if (this.maskToken !== null) counts.delete(this.maskToken);
    counts.delete(this.oovToken);
    let tokens = [...counts.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0]).map(([v]) => v);
    if (this.maxTokens !== null) tokens = tokens.slice(0, this.maxTokens - this.tokenStart);
    this.setVocabulary(tokens);
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    const v = x.dataSync();
    if (this.invert) {
      const vocab = this.getVocabulary();
      const out = Int32Array.from(v, (i) => (i >= 0 && i < vocab.length ? vocab[i] : this.oovToken));
      return tensor(out, [...x.shape], 'int32');
    }
    const ids = Int32Array.from(v, (value) => {
      if (this.maskToken !== null && value === this.maskToken) return 0;
      const known = this.index.get(value);
      if (known !== undefined) return known;
      if (this.numOovIndices === 0)
        throw new ValueError(
          `${describeLayer(this)}: with numOovIndices 0 every input must be in the vocabulary, got ${value}; set numOovIndices to 1`,
        );
      // Keras' floormod for integers (non-negative for negative values too).
      return this.oovStart + (((value % this.numOovIndices) + this.numOovIndices) % this.numOovIndices);
    });
    if (this.outputMode === 'int') return tensor(ids, [...x.shape], 'int32');
    return encodeCategories(this, ids, x.shape, this.outputMode, this.vocabularySize(), this.dtype);
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
      vocabularyDtype: 'int64',
      invert: this.invert,
      outputMode: this.outputMode,
      padToMaxTokens: this.padToMaxTokens,
      sparse: false,
    };
  }
}

registerLayerClass(IntegerLookup);
