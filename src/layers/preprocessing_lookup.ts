import { ValueError } from '../core/errors.js';
import type { Config } from '../core/config.js';
import { Tensor } from '../core/tensor.js';
import { tensor, toTensor, type TensorLike } from '../ops/convert.js';
import { describeLayer } from './convolutional_base.js';
import type { CallArgs, Inputs } from './layer.js';
import { adaptBatches, type AdaptData } from './preprocessing_encoding.js';
import { IndexLookup, type IndexLookupArgs } from './preprocessing_index_lookup.js';
import {
  collectStrings,
  describeInput,
  flattenStrings,
  isStringData,
  nestStrings,
  refuseSymbolic,
  type StringData,
} from './preprocessing_strings.js';
import { registerLayerClass } from './registry.js';
import type { SymbolicTensor } from './symbolic.js';

export interface IntegerLookupArgs extends IndexLookupArgs<number> {
  /** The value `invert` returns for OOV indices (default -1). */
  oovToken?: number;
  /** Only 'int64' (Keras' only choice); values are integers either way. */
  vocabularyDtype?: 'int64';
  /**
   * How unknown values pick one of several OOV indices: 'floormod' (default: value modulo
   * numOovIndices) or 'farmhash' (the hash of the value's decimal string; SipHash with `salt`).
   */
  oovMethod?: 'floormod' | 'farmhash';
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
export class IntegerLookup extends IndexLookup<number> {
  static override readonly className: string = 'IntegerLookup';
  readonly oovMethod: 'floormod' | 'farmhash';

  constructor(args: IntegerLookupArgs = {}) {
    super(args, args.oovToken ?? -1);
    const who = describeLayer(this);
    if ((args.vocabularyDtype ?? 'int64') !== 'int64')
      throw new ValueError(`${who}: 'vocabularyDtype' must be 'int64', got ${JSON.stringify(args.vocabularyDtype)}`);
    this.oovMethod = args.oovMethod ?? 'floormod';
    if (this.oovMethod !== 'floormod' && this.oovMethod !== 'farmhash')
      throw new ValueError(
        `${who}: 'oovMethod' must be 'floormod' or 'farmhash', got ${JSON.stringify(args.oovMethod)}`,
      );
    if (this.salt && this.oovMethod !== 'farmhash')
      throw new ValueError(`${who}: 'salt' can only be used with oovMethod 'farmhash'`);
    if (args.vocabulary) this.setVocabulary(args.vocabulary);
  }

  protected tokenKind(): string {
    return 'integers';
  }

  protected isToken(value: unknown): value is number {
    return Number.isInteger(value);
  }

  protected compareTokens(a: number, b: number): number {
    return a - b;
  }

  protected oovBucket(value: number): number {
    if (this.oovMethod === 'farmhash') return this.hashedOovBucket(value);
    // Keras' floormod for integers (non-negative for negative values too).
    return ((value % this.numOovIndices) + this.numOovIndices) % this.numOovIndices;
  }

  /**
   * Learns the vocabulary from data: values by count, most frequent first (ties: larger value
   * first, Keras' order), the mask and OOV tokens left out, cut to `maxTokens`.
   * @example lookup.adapt(tensor([12, 12, 36], undefined, 'int32')); // vocabulary [12, 36]
   */
  adapt(data: AdaptData): void {
    this.adaptTokens(adaptBatches(data, describeLayer(this)).map((b) => b.dataSync()));
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    const v = x.dataSync();
    if (this.invert) return tensor(Int32Array.from(this.tokensOfIds(v)), [...x.shape], 'int32');
    return this.encodeIds(this.lookupIds(v), x.shape);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), vocabularyDtype: 'int64', oovMethod: this.oovMethod };
  }
}

export interface StringLookupArgs extends IndexLookupArgs<string> {
  /** The token of the OOV indices (default '[UNK]'). */
  oovToken?: string;
  /** Only 'utf-8': strings are hashed and compared as their UTF-8 bytes. */
  encoding?: 'utf-8';
  /** Keras' option for integer vocabularies; strings always pick OOV indices by hash. */
  oovMethod?: 'floormod' | 'farmhash';
}

/** Ascending UTF-8 byte order, which is code point order (JavaScript compares UTF-16 units). */
function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i].codePointAt(0) as number) - (y[i].codePointAt(0) as number);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/**
 * Maps strings to contiguous indices (Keras' `StringLookup`): [mask], OOV indices, then the
 * vocabulary (given, or learned by `adapt`: most frequent first, ties larger string first).
 * Myelin's tensors hold numbers, so the strings are JavaScript strings (one, or nested arrays
 * of equal length) and the layer runs before a model, not inside it; the output is an int32
 * tensor of indices, or one-hot, multi-hot or count vectors. Unknown strings share the OOV
 * indices by FarmHash Fingerprint64 (SipHash with a `salt`), as Keras assigns them.
 * `lookupTokens` maps indices back to strings (what Keras' `invert=True` returns).
 * @example
 * const lookup = new StringLookup({ vocabulary: ['a', 'b', 'c', 'd'] });
 * lookup.apply([['a', 'c', 'd'], ['d', 'z', 'b']]); // int32 [[1, 3, 4], [4, 0, 2]]
 */
export class StringLookup extends IndexLookup<string> {
  static override readonly className: string = 'StringLookup';
  readonly oovMethod: 'floormod' | 'farmhash';

  constructor(args: StringLookupArgs = {}) {
    super(args, args.oovToken ?? '[UNK]');
    const who = describeLayer(this);
    if ((args.encoding ?? 'utf-8') !== 'utf-8')
      throw new ValueError(`${who}: 'encoding' must be 'utf-8', got ${JSON.stringify(args.encoding)}`);
    this.oovMethod = args.oovMethod ?? 'floormod';
    if (this.oovMethod !== 'floormod' && this.oovMethod !== 'farmhash')
      throw new ValueError(
        `${who}: 'oovMethod' must be 'floormod' or 'farmhash', got ${JSON.stringify(args.oovMethod)}`,
      );
    if (args.vocabulary) this.setVocabulary(args.vocabulary);
  }

  protected tokenKind(): string {
    return 'strings';
  }

  protected isToken(value: unknown): value is string {
    return typeof value === 'string';
  }

  protected compareTokens(a: string, b: string): number {
    return compareCodePoints(a, b);
  }

  protected oovBucket(value: string): number {
    return this.hashedOovBucket(value);
  }

  /**
   * Learns the vocabulary from strings (nested arrays, ragged ones too, or any iterable of
   * batches such as a generator): by count,
   * most frequent first (ties: larger string first), the mask and OOV tokens left out.
   * @example lookup.adapt([['a', 'c', 'd'], ['d', 'z', 'b']]); // vocabulary ['[UNK]', 'd', 'z', 'c', 'b', 'a']
   */
  adapt(data: StringData | Iterable<StringData>): void {
    const tokens = collectStrings(data, `${describeLayer(this)}.adapt`);
    if (tokens.length === 0) throw new ValueError(`${describeLayer(this)}: adapt() received no data`);
    this.adaptTokens([tokens]);
  }

  /** Indices of strings: an int32 tensor of their shape (or encoded vectors). */
  override apply(inputs: StringData, kwargs?: CallArgs): Tensor;
  override apply(inputs: SymbolicTensor | SymbolicTensor[], kwargs?: CallArgs): SymbolicTensor | SymbolicTensor[];
  override apply(inputs: Tensor | Tensor[], kwargs?: CallArgs): Tensor | Tensor[];
  override apply(inputs: Inputs, kwargs?: CallArgs): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[];
  override apply(
    inputs: Inputs | StringData,
    kwargs: CallArgs = {},
  ): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[] {
    const who = describeLayer(this);
    refuseSymbolic(inputs, who);
    if (this.invert)
      throw new ValueError(
        `${who} (invert: true) maps indices to strings, which a tensor cannot hold; call lookupTokens(ids) for them`,
      );
    if (!isStringData(inputs) && !(Array.isArray(inputs) && inputs.length === 0))
      throw new ValueError(
        `${who}: expected strings (one, or nested arrays of equal length), got ${describeInput(inputs)}; Myelin's tensors hold numbers (IntegerLookup maps integers)`,
      );
    const { values, shape } = flattenStrings(inputs, who);
    void kwargs;
    return this.encodeIds(this.lookupIds(values), shape);
  }

  /** Never reached with strings (`apply` handles them); a numeric tensor is not a string input. */
  call(inputs: Tensor | Tensor[]): Tensor {
    throw new ValueError(`${describeLayer(this)}: expected strings, got ${describeInput(inputs)}`);
  }

  /**
   * The strings of indices (Keras' `invert=True` output): nested arrays of the ids' shape,
   * the OOV token for indices outside the vocabulary.
   * @example new StringLookup({ vocabulary: ['a', 'b'] }).lookupTokens([[1, 0, 2]]); // [['a', '[UNK]', 'b']]
   */
  lookupTokens(ids: TensorLike): StringData {
    const t = ids instanceof Tensor ? ids : toTensor(ids, 'ids', `${describeLayer(this)}.lookupTokens`);
    const v = t.dataSync();
    for (const i of v)
      if (!Number.isInteger(i))
        throw new ValueError(`${describeLayer(this)}.lookupTokens: indices must be integers, got ${i}`);
    return nestStrings(this.tokensOfIds(v), t.shape);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), encoding: 'utf-8', oovMethod: this.oovMethod };
  }
}

registerLayerClass(IntegerLookup);
registerLayerClass(StringLookup);
