import { ValueError } from '../core/errors.js';
import type { Config } from '../core/config.js';
import type { Tensor } from '../core/tensor.js';
import { tensor } from '../ops/convert.js';
import { hashBucket } from '../text/string_hash.js';
import { describeLayer } from './convolutional_base.js';
import { Layer, type CallArgs, type Inputs, type LayerArgs } from './layer.js';
import { checkOutputMode, encodeCategories, encodedShape, type CategoryOutputMode } from './preprocessing_encoding.js';
import { describeInput, flattenStrings, isStringData, saltPair, type StringData } from './preprocessing_strings.js';
import { registerLayerClass } from './registry.js';
import type { Shape, SymbolicTensor } from './symbolic.js';

export interface HashingArgs extends LayerArgs {
  /** How many bins, counting the mask's bin 0 when there is a `maskValue`. */
  numBins: number;
  /** A value (string, or integer for numeric inputs) that maps to bin 0, or null (default). */
  maskValue?: string | number | null;
  /** A SipHash key (one integer used twice, or two) instead of FarmHash; null (default): FarmHash. */
  salt?: number | [number, number] | null;
  /** 'int' (default: bin indices), 'one_hot', 'multi_hot' or 'count'. */
  outputMode?: CategoryOutputMode;
  /** Only false: sparse outputs do not exist in Myelin. */
  sparse?: boolean;
}

/** The decimal string TensorFlow's `as_string` writes for a value cast to int64. */
function decimal(value: number, who: string): string {
  if (!Number.isFinite(value)) throw new ValueError(`${who}: input values must be finite, got ${value}`);
  const whole = Math.trunc(value);
  return Math.abs(whole) < 1e21 ? String(whole) : BigInt(whole).toString();
}

/**
 * Hashes values into `numBins` bins (Keras' `Hashing`): a string's bin is FarmHash's
 * Fingerprint64 of its UTF-8 bytes modulo numBins (TensorFlow's `to_hash_bucket_fast`), or
 * keyed SipHash-2-4 with a `salt`; numbers are hashed as the decimal strings of their integer
 * parts, as Keras converts them. With a `maskValue`, it takes bin 0 and the others
 * 1 + hash mod (numBins - 1). Strings are JavaScript strings (one, or nested arrays of equal
 * length), hashed before a model; numeric inputs also work inside one.
 * @example
 * new Hashing({ numBins: 3 }).apply([['A'], ['B'], ['C'], ['D'], ['E']]); // int32 [[1], [0], [1], [1], [2]]
 */
export class Hashing extends Layer {
  static override readonly className: string = 'Hashing';
  readonly numBins: number;
  readonly maskValue: string | number | null;
  readonly salt: [number, number] | null;
  readonly outputMode: CategoryOutputMode;
  private readonly key: readonly [bigint, bigint] | undefined;

  constructor(args: HashingArgs) {
    super(args);
    const who = describeLayer(this);
    this.numBins = args?.numBins;
    if (!Number.isInteger(this.numBins) || this.numBins < 1)
      throw new ValueError(`${who}: 'numBins' must be an integer >= 1, got ${JSON.stringify(args?.numBins)}`);
    this.maskValue = args.maskValue ?? null;
    if (this.maskValue !== null && typeof this.maskValue !== 'string' && !Number.isInteger(this.maskValue))
      throw new ValueError(
        `${who}: 'maskValue' must be a string, an integer or null, got ${JSON.stringify(args.maskValue)}`,
      );
    this.salt = saltPair(args.salt, who);
    this.key = this.salt ? [BigInt(this.salt[0]), BigInt(this.salt[1])] : undefined;
    this.outputMode = checkOutputMode(this, args.outputMode ?? 'int', ['int', 'one_hot', 'multi_hot', 'count']);
    if (args.sparse) throw new ValueError(`${who}: 'sparse' outputs are not supported`);
  }

  /** Bins of strings: an int32 tensor of their shape (or encoded vectors). */
  override apply(inputs: StringData, kwargs?: CallArgs): Tensor;
  override apply(inputs: SymbolicTensor | SymbolicTensor[], kwargs?: CallArgs): SymbolicTensor | SymbolicTensor[];
  override apply(inputs: Tensor | Tensor[], kwargs?: CallArgs): Tensor | Tensor[];
  override apply(inputs: Inputs, kwargs?: CallArgs): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[];
  override apply(
    inputs: Inputs | StringData,
    kwargs: CallArgs = {},
  ): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[] {
    if (!isStringData(inputs)) return super.apply(inputs as Inputs, kwargs);
    const who = describeLayer(this);
    if (typeof this.maskValue === 'number')
      throw new ValueError(`${who}: string inputs need a string 'maskValue', got ${this.maskValue}`);
    const { values, shape } = flattenStrings(inputs, who);
    return this.encode(
      this.bins(values, (s) => s),
      shape,
    );
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    const who = describeLayer(this);
    const x = inputs as Tensor;
    if (Array.isArray(inputs) || x.dtype === 'bool')
      throw new ValueError(`${who}: expected strings or a numeric tensor, got ${describeInput(inputs)}`);
    if (typeof this.maskValue === 'string')
      throw new ValueError(`${who}: numeric inputs need an integer 'maskValue', got ${JSON.stringify(this.maskValue)}`);
    return this.encode(
      this.bins(Array.from(x.dataSync()), (v) => decimal(v, who)),
      x.shape,
    );
  }

  /** Each value's bin; each distinct value is hashed once (categorical data repeats). */
  private bins<T extends string | number>(values: readonly T[], text: (v: T) => string): Int32Array {
    const masking = this.maskValue !== null && this.numBins > 1;
    const buckets = masking ? this.numBins - 1 : this.numBins;
    const seen = new Map<T, number>();
    return Int32Array.from(values, (v) => {
      if (masking && v === this.maskValue) return 0;
      let bin = seen.get(v);
      if (bin === undefined) {
        bin = hashBucket(text(v), buckets, this.key) + (masking ? 1 : 0);
        seen.set(v, bin);
      }
      return bin;
    });
  }

  private encode(bins: Int32Array, shape: readonly number[]): Tensor {
    if (this.outputMode === 'int') return tensor(bins, [...shape], 'int32');
    return encodeCategories(this, bins, shape, this.outputMode, this.numBins, this.dtype);
  }

  protected override outputDtype(): Tensor['dtype'] {
    return this.outputMode === 'int' ? 'int32' : this.dtype;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return encodedShape(inputShape as Shape, this.outputMode, this.numBins);
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      numBins: this.numBins,
      salt: this.salt ? [...this.salt] : null,
      maskValue: this.maskValue,
      outputMode: this.outputMode,
      sparse: false,
    };
  }
}

registerLayerClass(Hashing);
