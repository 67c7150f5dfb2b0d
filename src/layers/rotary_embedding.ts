import { ValueError, fmtShape } from '../core/errors.js';
import { Tensor } from '../core/tensor.js';
import type { Config } from '../core/config.js';
import { tensor } from '../ops/convert.js';
import { add, mul } from '../ops/prims/binary.js';
import { concat } from '../ops/prims/concat.js';
import { slice } from '../ops/prims/slice.js';
import { neg } from '../ops/prims/unary.js';
import { describeLayer } from './convolutional_base.js';
import { Layer, type LayerArgs } from './layer.js';
import { startIndexOf, type PositionCallArgs } from './position.js';
import { registerLayer } from './registry.js';
import { SymbolicTensor, type Shape } from './symbolic.js';
import { ROPE_TYPES, rotaryTables, type RopeScaling, type RopeType } from './rotary_frequencies.js';

export interface RotaryEmbeddingArgs extends LayerArgs {
  /** The longest wavelength (the base of the frequencies, "rope theta"), default 10000. */
  maxWavelength?: number;
  /** How much longer the context is than the one trained on (positions are divided by it for 'linear'). */
  scalingFactor?: number;
  /**
   * 'linear' (default), 'dynamic' (NTK-style: the factor is raised to features/(features-2)) or
   * 'yarn' (high frequencies kept, low ones interpolated, cos and sin scaled).
   */
  ropeType?: RopeType;
  /** YaRN: pairs turning more often than this over the original context keep their frequency (default 32). */
  betaFast?: number;
  /** YaRN: pairs turning less often than this are fully interpolated (default 1). */
  betaSlow?: number;
  /** YaRN: the context length the model was trained on (default 4096). */
  originalMaxPositionEmbeddings?: number | null;
  /** YaRN: round the correction dims outwards and cap positions at `originalMaxPositionEmbeddings` (default false). */
  truncate?: boolean;
  sequenceAxis?: number;
  featureAxis?: number;
  /** The denominator of the frequency exponent `2i / denominatorDim` (default: the feature size; not used by 'yarn'). */
  denominatorDim?: number | null;
}

/** Call options of `RotaryEmbedding`: `startIndex`, or explicit `positions`. */
export interface RotaryCallArgs extends PositionCallArgs {
  /**
   * The position of each step, [sequence] or [batch, sequence] (one row per example); when
   * given, `startIndex` is ignored (as in KerasHub). Positions are constants: no gradient flows to them.
   */
  positions?: Tensor | number[] | number[][] | null;
}

/**
 * Rotary position embedding (KerasHub `RotaryEmbedding`, Su et al. 2021): rotates pairs of
 * features (i, i + features/2) of queries or keys by the angle `p · w^(-2i/features)`, so their
 * dot product depends on relative position. Applied to [batch, sequence, ..., features]
 * (e.g. per-head queries [batch, time, heads, size]); returns the rotated input. `ropeType`
 * 'linear', 'dynamic' or 'yarn' stretches the frequencies for contexts longer than the trained one.
 *
 * @example
 * const rope = new RotaryEmbedding({ ropeType: 'yarn', scalingFactor: 4, originalMaxPositionEmbeddings: 2048 });
 * const q2 = rope.apply(q) as Tensor; // q: [batch, time, heads, headDim]
 */
export class RotaryEmbedding extends Layer implements RopeScaling {
  static override readonly className: string = 'RotaryEmbedding';
  readonly maxWavelength: number;
  readonly scalingFactor: number;
  readonly ropeType: RopeType;
  readonly betaFast: number;
  readonly betaSlow: number;
  readonly originalMaxPositionEmbeddings: number | null;
  readonly truncate: boolean;
  readonly sequenceAxis: number;
  readonly featureAxis: number;
  readonly denominatorDim: number | null;

  constructor(args: RotaryEmbeddingArgs = {}) {
    super(args);
    const who = describeLayer(this);
    const positive = (k: string, v: unknown, extra = '') => {
      if (typeof v !== 'number' || !(v > 0) || v === Number.POSITIVE_INFINITY)
        throw new ValueError(`${who}: '${k}' must be a positive number${extra}, got ${JSON.stringify(v)}`);
    };
    this.maxWavelength = args.maxWavelength ?? 10000;
    this.scalingFactor = args.scalingFactor ?? 1;
    positive('maxWavelength', this.maxWavelength);
    positive('scalingFactor', this.scalingFactor);
    this.ropeType = args.ropeType ?? 'linear';
    if (!ROPE_TYPES.includes(this.ropeType))
      throw new ValueError(
        `${who}: 'ropeType' must be one of ${ROPE_TYPES.map((t) => `'${t}'`).join(', ')}, got ${JSON.stringify(args.ropeType)}`,
      );
    this.betaFast = args.betaFast ?? 32;
    this.betaSlow = args.betaSlow ?? 1;
    this.originalMaxPositionEmbeddings =
      args.originalMaxPositionEmbeddings === undefined ? 4096 : args.originalMaxPositionEmbeddings;
    this.truncate = args.truncate ?? false;
    if (typeof this.truncate !== 'boolean')
      throw new ValueError(`${who}: 'truncate' must be true or false, got ${JSON.stringify(args.truncate)}`);
    if (this.ropeType === 'yarn') {
      // Only YaRN uses these; a value <= 0 would put the log of a non-positive number in the correction dims.
      const why = " (ropeType 'yarn' takes its logarithm)";
      positive('betaFast', this.betaFast, why);
      positive('betaSlow', this.betaSlow, why);
      positive('originalMaxPositionEmbeddings', this.originalMaxPositionEmbeddings, why);
    }
    this.denominatorDim = args.denominatorDim ?? null;
    if (this.denominatorDim !== null) positive('denominatorDim', this.denominatorDim, ' or null');
    this.sequenceAxis = args.sequenceAxis ?? 1;
    this.featureAxis = args.featureAxis ?? -1;
    this.supportsMasking = true;
  }

  override apply(inputs: SymbolicTensor | SymbolicTensor[], kwargs?: RotaryCallArgs): SymbolicTensor | SymbolicTensor[];
  override apply(inputs: Tensor | Tensor[], kwargs?: RotaryCallArgs): Tensor | Tensor[];
  override apply(
    inputs: Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[],
    kwargs?: RotaryCallArgs,
  ): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[];
  /**
   * Options: `startIndex`, the position of the first step (while generating with a cache), or
   * `positions`, each step's position ([sequence] or [batch, sequence]).
   */
  override apply(
    inputs: Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[],
    kwargs: RotaryCallArgs = {},
  ): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[] {
    if (kwargs.positions instanceof SymbolicTensor)
      throw new ValueError(
        `${describeLayer(this)}: 'positions' must be a Tensor or an array of numbers; a symbolic tensor is not supported`,
      );
    return super.apply(inputs, kwargs);
  }

  call(inputs: Tensor | Tensor[], kwargs: RotaryCallArgs): Tensor {
    const x = inputs as Tensor;
    const { cos, sin, view } = this.rotation(x.shape, kwargs);
    const featAxis = this.axesOf(x.shape)[1];
    const half = x.shape[featAxis] / 2;
    const first = slice(
      x,
      x.shape.map(() => 0),
      x.shape.map((d, a) => (a === featAxis ? half : d)),
    );
    const second = slice(
      x,
      x.shape.map((_, a) => (a === featAxis ? half : 0)),
      x.shape.map((d, a) => (a === featAxis ? half : d)),
    );
    const rotated = concat([neg(second), first], featAxis);
    return add(mul(x, tensor(cos, view, x.dtype)), mul(rotated, tensor(sin, view, x.dtype)));
  }

  /**
   * The cos and sin factors for an input of `shape` and these call options, laid out in the
   * input's axis order with the shape `view`: the input's shape with 1 on every axis but the
   * sequence and feature axes (and the batch axis when `positions` has a row per example).
   */
  rotation(shape: Shape, kwargs: RotaryCallArgs = {}): { cos: Float64Array; sin: Float64Array; view: number[] } {
    const who = describeLayer(this);
    const [seqAxis, featAxis] = this.axesOf(shape);
    const [length, dim] = [shape[seqAxis], shape[featAxis]];
    if (length === null || dim === null)
      throw new ValueError(`${who}: the sequence length and feature size must be known, got shape ${fmtShape(shape)}`);
    if (dim % 2 !== 0)
      throw new ValueError(
        `${who}: the feature size must be even to rotate pairs of features, got ${dim} (shape ${fmtShape(shape)})`,
      );
    // KerasHub's batch axis: the first axis that is neither the sequence nor the feature axis.
    const batchAxis = shape.findIndex((_, a) => a !== seqAxis && a !== featAxis);
    const { values, rows } = this.positionsOf(length, batchAxis < 0 ? undefined : shape[batchAxis], kwargs);
    const tables = rotaryTables(this, values, dim);
    const view = shape.map((d, a) =>
      a === seqAxis || a === featAxis ? (d as number) : a === batchAxis && rows > 1 ? rows : 1,
    );
    const strides = view.map((_, a) => view.slice(a + 1).reduce((p, d) => p * d, 1));
    const place = (v: Float64Array) => {
      const out = new Float64Array(v.length);
      for (let r = 0; r < rows; r++)
        for (let p = 0; p < length; p++)
          for (let f = 0; f < dim; f++)
            out[(rows > 1 ? r * strides[batchAxis] : 0) + p * strides[seqAxis] + f * strides[featAxis]] =
              v[(r * length + p) * dim + f];
      return out;
    };
    return { cos: place(tables.cos), sin: place(tables.sin), view };
  }

  /**
   * The cos and sin tables [length, dim], row p for position `start + p`; both halves of a row
   * hold the same frequencies, so feature i pairs with feature i + dim/2.
   */
  tables(length: number, dim: number, start = 0): { cos: Float64Array; sin: Float64Array } {
    return rotaryTables(
      this,
      Float64Array.from({ length }, (_, p) => start + p),
      dim,
    );
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      maxWavelength: this.maxWavelength,
      scalingFactor: this.scalingFactor,
      ropeType: this.ropeType,
      betaFast: this.betaFast,
      betaSlow: this.betaSlow,
      originalMaxPositionEmbeddings: this.originalMaxPositionEmbeddings,
      truncate: this.truncate,
      sequenceAxis: this.sequenceAxis,
      featureAxis: this.featureAxis,
      denominatorDim: this.denominatorDim,
    };
  }

  /** The sequence and feature axes, made non-negative and checked against the input's rank. */
  private axesOf(shape: Shape): [number, number] {
    const norm = (a: number) => (a < 0 ? a + shape.length : a);
    const seqAxis = norm(this.sequenceAxis),
      featAxis = norm(this.featureAxis);
    if (seqAxis < 0 || seqAxis >= shape.length || featAxis < 0 || featAxis >= shape.length || seqAxis === featAxis)
      throw new ValueError(
        `${describeLayer(this)}: sequenceAxis ${this.sequenceAxis} and featureAxis ${this.featureAxis} must be different axes of the input (shape ${fmtShape(shape)})`,
      );
    return [seqAxis, featAxis];
  }

  /**
   * The positions of the steps, `rows` × `length` (row-major): `positions`, or `startIndex`
   * onwards. `batch` is the size of the input's batch axis (undefined: the input has none).
   */
  private positionsOf(
    length: number,
    batch: number | null | undefined,
    kwargs: RotaryCallArgs,
  ): { values: Float64Array; rows: number } {
    const given = kwargs.positions;
    if (given === undefined || given === null) {
      const start = startIndexOf(this, kwargs);
      return { values: Float64Array.from({ length }, (_, p) => start + p), rows: 1 };
    }
    const who = describeLayer(this);
    let t: Tensor;
    try {
      t = given instanceof Tensor ? given : tensor(given, undefined, 'float64');
    } catch (e) {
      throw new ValueError(
        `${who}: 'positions' must be a Tensor or a (nested) array of numbers: ${(e as Error).message}`,
      );
    }
    if ((t.rank !== 1 && t.rank !== 2) || t.shape[t.rank - 1] !== length)
      throw new ValueError(
        `${who}: 'positions' must have shape [${length}] or [batch, ${length}] for an input of sequence length ${length}, got ${fmtShape(t.shape)}`,
      );
    const rows = t.rank === 2 ? t.shape[0] : 1;
    // An unknown batch size (while exporting) is checked when the model runs.
    if (rows > 1 && (batch === undefined || (batch !== null && rows !== batch)))
      throw new ValueError(
        `${who}: 'positions' has ${rows} rows but the input ${batch === undefined ? 'has no batch axis' : `has a batch of ${batch}`}`,
      );
    return { values: Float64Array.from(t.dataSync() as ArrayLike<number>), rows };
  }
}

registerLayer(RotaryEmbedding.className, (config) => new RotaryEmbedding(config as RotaryEmbeddingArgs));
