import { ValueError, fmtShape } from '../core/errors.js';
import type { Config } from '../core/config.js';
import type { Tensor } from '../core/tensor.js';
import type { Variable } from '../core/variable.js';
import { noGrad } from '../autograd/tape.js';
import { tensor } from '../ops/convert.js';
import { add, div, maximum, mul, sub } from '../ops/prims/binary.js';
import { cast, reshape } from '../ops/prims/shape_ops.js';
import { sqrt } from '../ops/prims/unary.js';
import { describeLayer } from './convolutional_base.js';
import { Layer, type CallArgs, type LayerArgs } from './layer.js';
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

/** Keras' `backend.epsilon()`, the floor of the standard deviation divided by. */
export const KERAS_EPSILON = 1e-7;

export interface NormalizationArgs extends LayerArgs {
  /** Axes with their own mean and variance (default -1, the features); null: one for everything. */
  axis?: number | number[] | null;
  /** Fixed mean (with `variance`), instead of `adapt`. */
  mean?: number | number[] | null;
  variance?: number | number[] | null;
  /** Undo the normalization instead: mean + x · sqrt(variance). */
  invert?: boolean;
}

/**
 * Feature-wise standardization (Keras' preprocessing `Normalization`): (x − mean) / sqrt(variance),
 * with the mean and variance given or computed from data by `adapt` (kept, untrainable, as the
 * weights `mean`, `variance` and `count`).
 * @example
 * const norm = new Normalization();
 * norm.adapt(trainingFeatures);
 * const model = sequential({ layers: [norm, layers.dense({ units: 1 })] });
 */
export class Normalization extends Layer {
  static override readonly className: string = 'Normalization';
  readonly axis: number[];
  readonly invert: boolean;
  readonly inputMean: number | number[] | null;
  readonly inputVariance: number | number[] | null;
  adaptMean: Variable | null = null;
  adaptVariance: Variable | null = null;
  count: Variable | null = null;
  private keepAxes: number[] = [];
  private broadcastShape: number[] = [];

  constructor(args: NormalizationArgs = {}) {
    super(args);
    const axis = args.axis === undefined ? -1 : args.axis;
    this.axis = axis === null ? [] : Array.isArray(axis) ? [...axis] : [axis];
    if (!this.axis.every(Number.isInteger))
      throw new ValueError(`${describeLayer(this)}: 'axis' must be integers or null, got ${JSON.stringify(args.axis)}`);
    this.invert = args.invert ?? false;
    this.inputMean = args.mean ?? null;
    this.inputVariance = args.variance ?? null;
    if ((this.inputMean === null) !== (this.inputVariance === null))
      throw new ValueError(`${describeLayer(this)}: set both 'mean' and 'variance', or neither (and call adapt)`);
    if (
      Array.isArray(this.inputMean) !== Array.isArray(this.inputVariance) ||
      (Array.isArray(this.inputMean) && this.inputMean.length !== (this.inputVariance as number[]).length)
    )
      throw new ValueError(`${describeLayer(this)}: 'mean' and 'variance' must have the same shape`);
    this.supportsMasking = true;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = inputShape as Shape;
    const ndim = shape.length;
    if (this.axis.some((a) => a < -ndim || a >= ndim))
      throw new ValueError(
        `${describeLayer(this)}: 'axis' ${JSON.stringify(this.axis)} is outside inputs of shape ${fmtShape(shape)}`,
      );
    this.keepAxes = this.axis.map((a) => (a < 0 ? a + ndim : a)).sort((a, b) => a - b);
    if (this.keepAxes.some((a) => shape[a] === null))
      throw new ValueError(
        `${describeLayer(this)}: the kept axes ${JSON.stringify(this.axis)} must be known, got input shape ${fmtShape(shape)}`,
      );
    this.broadcastShape = shape.map((d, i) => (this.keepAxes.includes(i) ? (d as number) : 1));
    if (this.inputMean !== null) return;
    const statShape = this.keepAxes.map((a) => shape[a] as number);
    this.adaptMean = this.addWeight('mean', statShape, undefined, 'zeros', null, false);
    this.adaptVariance = this.addWeight('variance', statShape, undefined, 'ones', null, false);
    // Keras keeps an integer count; a float holds any count a dataset can have exactly enough.
    this.count = this.addWeight('count', [], undefined, 'zeros', null, false);
  }

  /**
   * Computes the mean and variance of `data` (a tensor, or batches of them) per position of the
   * kept axes, combining batches exactly as Keras does, and stores them.
   * @example norm.adapt(tensor([[1, 10], [3, 30]])); // mean [2, 20], variance [1, 100]
   */
  adapt(data: AdaptData): void {
    const batches = adaptBatches(data, describeLayer(this));
    const first = batches[0].shape;
    if (!this.built) {
      this.ensureBuilt([null, ...first.slice(1)]);
    }
    if (this.inputMean !== null)
      throw new ValueError(`${describeLayer(this)}: adapt() cannot change a mean and variance given as options`);
    const keep = this.keepAxes;
    const size = keep.reduce((n, a) => n * this.broadcastShape[a], 1);
    let mean = new Float64Array(size);
    let variance = new Float64Array(size);
    let total = 0;
    for (const batch of batches) {
      if (batch.rank !== first.length || keep.some((a) => batch.shape[a] !== this.broadcastShape[a]))
        throw new ValueError(
          `${describeLayer(this)}: adapt() got a batch of shape ${fmtShape(batch.shape)}, incompatible with the kept axes of ${fmtShape(this.broadcastShape)}`,
        );
      const { mean: bm, variance: bv, count } = this.batchMoments(batch, size);
      total += count;
      const w = count / total;
      const next = mean.map((m, i) => m * (1 - w) + bm[i] * w);
      variance = variance.map(
        (v, i) => (v + (mean[i] - next[i]) ** 2) * (1 - w) + (bv[i] + (bm[i] - next[i]) ** 2) * w,
      );
      mean = next;
    }
    noGrad(() => {
      const shape = (this.adaptMean as Variable).shape;
      (this.adaptMean as Variable).assign(tensor(mean, shape, this.dtype));
      (this.adaptVariance as Variable).assign(tensor(variance, shape, this.dtype));
      (this.count as Variable).assign(tensor([total], [], this.dtype));
    });
  }

  /** Mean and (population) variance of one batch over the reduced axes, per kept position. */
  private batchMoments(batch: Tensor, size: number): { mean: Float64Array; variance: Float64Array; count: number } {
    const v = batch.dataSync();
    const shape = batch.shape;
    const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
    const sums = new Float64Array(size);
    const squares = new Float64Array(size);
    const count = v.length / size;
    for (let i = 0; i < v.length; i++) {
      let k = 0;
      for (const a of this.keepAxes) k = k * shape[a] + (Math.floor(i / strides[a]) % shape[a]);
      sums[k] += v[i];
    }
    const mean = sums.map((s) => s / count);
    for (let i = 0; i < v.length; i++) {
      let k = 0;
      for (const a of this.keepAxes) k = k * shape[a] + (Math.floor(i / strides[a]) % shape[a]);
      squares[k] += (v[i] - mean[k]) ** 2;
    }
    return { mean, variance: squares.map((s) => s / count), count };
  }

  /**
   * The mean and variance, shaped to broadcast against the input (what `call` uses; exporters
   * read them too).
   * @example const [mean, variance] = norm.statistics();
   */
  statistics(): [Tensor, Tensor] {
    if (this.inputMean === null) {
      const view = (p: Variable) => reshape(p, this.broadcastShape);
      return [view(this.adaptMean as Variable), view(this.adaptVariance as Variable)];
    }
    // A list lines up with the last kept axis (Keras expands it from the right).
    const fixed = (p: number | number[]) =>
      Array.isArray(p)
        ? reshape(
            tensor(p, [p.length], this.dtype),
            this.broadcastShape.map((_, i) => (i === this.keepAxes.at(-1) ? p.length : 1)),
          )
        : tensor([p], [], this.dtype);
    return [fixed(this.inputMean), fixed(this.inputVariance as number | number[])];
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    let x = inputs as Tensor;
    if (x.dtype !== this.dtype) x = cast(x, this.dtype);
    const [mean, variance] = this.statistics();
    const std = maximum(sqrt(variance), KERAS_EPSILON);
    return this.invert ? add(mean, mul(x, std)) : div(sub(x, mean), std);
  }

  protected override outputDtype(): Tensor['dtype'] {
    return this.dtype;
  }

  override getConfig(): Config {
    const copy = (p: number | number[] | null) => (Array.isArray(p) ? [...p] : p);
    return {
      ...super.getConfig(),
      axis: this.axis.length === 1 ? this.axis[0] : [...this.axis],
      invert: this.invert,
      mean: copy(this.inputMean),
      variance: copy(this.inputVariance),
    };
  }
}

export interface DiscretizationArgs extends LayerArgs {
  /** Sorted bin edges: bins are (-inf, b0), [b0, b1), ..., [bn, inf). */
  binBoundaries?: number[] | null;
  /** How many bins `adapt` should find (instead of `binBoundaries`). */
  numBins?: number | null;
  /** The error tolerance of `adapt`'s quantiles (default 0.01). */
  epsilon?: number;
  /** 'int' (default, bin indices), 'one_hot', 'multi_hot' or 'count'. */
  outputMode?: CategoryOutputMode;
  /** Only false: sparse outputs do not exist in Myelin. */
  sparse?: boolean;
}

/**
 * Buckets numbers by `binBoundaries` (Keras' `Discretization`): each value becomes the index of
 * its bin, or that index one-hot / multi-hot / counted. `adapt` finds `numBins` bins of about
 * equal population with Keras' approximate quantiles.
 * @example new Discretization({ binBoundaries: [0, 1] }).apply(tensor([-0.5, 0.5, 2])); // [0, 1, 2]
 */
export class Discretization extends Layer {
  static override readonly className: string = 'Discretization';
  binBoundaries: number[] | null;
  readonly numBins: number | null;
  readonly epsilon: number;
  readonly outputMode: CategoryOutputMode;
  private summary: [number[], number[]] = [[], []];

  constructor(args: DiscretizationArgs = {}) {
    super(args);
    const who = describeLayer(this);
    this.outputMode = checkOutputMode(this, args.outputMode ?? 'int', ['int', 'one_hot', 'multi_hot', 'count']);
    if (args.sparse) throw new ValueError(`${who}: 'sparse' outputs are not supported`);
    const numBins = args.numBins ?? null;
    const bounds = args.binBoundaries ?? null;
    if (numBins !== null && !(Number.isInteger(numBins) && numBins >= 0))
      throw new ValueError(`${who}: 'numBins' must be a non-negative integer, got ${JSON.stringify(numBins)}`);
    if (numBins === null && bounds === null)
      throw new ValueError(`${who}: set either 'numBins' (and adapt) or 'binBoundaries'`);
    if (
      bounds !== null &&
      (!Array.isArray(bounds) || !bounds.every((b, i) => typeof b === 'number' && (i === 0 || b >= bounds[i - 1])))
    )
      throw new ValueError(`${who}: 'binBoundaries' must be a sorted list of numbers, got ${JSON.stringify(bounds)}`);
    this.numBins = numBins;
    this.binBoundaries = bounds && [...bounds];
    this.epsilon = args.epsilon ?? 0.01;
  }

  /**
   * Finds `numBins` bins from data (a tensor or batches of them), as Keras does: each batch is
   * summarized into about 1/epsilon weighted quantiles, summaries are merged, and the final
   * boundaries are read off the merged summary.
   * @example const d = new Discretization({ numBins: 4 }); d.adapt(values);
   */
  adapt(data: AdaptData): void {
    if (this.numBins === null)
      throw new ValueError(`${describeLayer(this)}: adapt() needs 'numBins'; this layer was given 'binBoundaries'`);
    this.summary = [[], []];
    for (const batch of adaptBatches(data, describeLayer(this))) {
      const next = summarize(Float32Array.from(batch.dataSync()), this.epsilon);
      this.summary = mergeSummaries(next, this.summary, this.epsilon);
    }
    this.binBoundaries = compressSummary(this.summary, 1 / this.numBins)[0].slice(0, -1);
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    if (this.binBoundaries === null)
      throw new ValueError(`${describeLayer(this)}: call adapt(data) or give 'binBoundaries' before using the layer`);
    const bounds = this.binBoundaries;
    const v = x.dataSync();
    const ids = Int32Array.from(v, (value) => {
      let lo = 0,
        hi = bounds.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (bounds[mid] <= value) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    });
    if (this.outputMode === 'int') return tensor(ids, [...x.shape], 'int32');
    return encodeCategories(this, ids, x.shape, this.outputMode, bounds.length + 1, this.dtype);
  }

  protected override outputDtype(): Tensor['dtype'] {
    return this.outputMode === 'int' ? 'int32' : this.dtype;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const depth = this.binBoundaries ? this.binBoundaries.length + 1 : (this.numBins as number);
    return encodedShape(inputShape as Shape, this.outputMode, depth);
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      binBoundaries: this.binBoundaries && [...this.binBoundaries],
      numBins: this.numBins,
      epsilon: this.epsilon,
      outputMode: this.outputMode,
      sparse: false,
    };
  }
}

type Summary = [number[], number[]];

/** Keras' `summarize`: every `step`-th sorted value, each weighing `step` (float32 as in Keras). */
function summarize(values: Float32Array, epsilon: number): Summary {
  const sorted = Float32Array.from(values).sort();
  const step = Math.max(sorted.length / (1 / epsilon), 1);
  const bounds: number[] = [];
  for (let i = Math.trunc(step - 1); i < sorted.length; i += Math.trunc(step)) bounds.push(sorted[i]);
  return [bounds, bounds.map(() => Math.fround(step))];
}

/** Keras' `merge_summaries`: both summaries sorted by value together, then compressed. */
function mergeSummaries(a: Summary, b: Summary, epsilon: number): Summary {
  const order = [...a[0].map((v, i) => [v, a[1][i]]), ...b[0].map((v, i) => [v, b[1][i]])];
  // numpy's argsort is a stable quicksort-introsort; ties keep either order with equal values.
  order.sort((p, q) => p[0] - q[0]);
  return compressSummary([order.map((p) => p[0]), order.map((p) => p[1])], epsilon);
}

/** Keras' `compress_summary`: values at evenly spaced cumulative-weight percentiles. */
function compressSummary(summary: Summary, epsilon: number): Summary {
  const [values, weights] = summary;
  if (values.length * epsilon < 1) return summary;
  const n = Math.ceil(1 / epsilon);
  const percents = Array.from({ length: n }, (_, i) => epsilon + i * epsilon);
  const cum: number[] = [];
  weights.reduce((s, w, i) => (cum[i] = s + w), 0);
  const cumPercents = cum.map((c) => c / cum[cum.length - 1]);
  const bins = percents.map((p) => interp(p, cumPercents, values));
  const cumNew = percents.map((p) => interp(p, cumPercents, cum));
  const newWeights = cumNew.map((c, i) => c - (i === 0 ? 0 : cumNew[i - 1]));
  return [bins.map(Math.fround), newWeights.map(Math.fround)];
}

/** numpy's `interp`: linear between the known points, the end values outside them. */
function interp(x: number, xp: number[], fp: number[]): number {
  const last = xp.length - 1;
  if (x <= xp[0]) return fp[0];
  if (x >= xp[last]) return fp[last];
  let lo = 0,
    hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xp[mid] <= x) lo = mid;
    else hi = mid;
  }
  const slope = (fp[lo + 1] - fp[lo]) / (xp[lo + 1] - xp[lo]);
  return slope * (x - xp[lo]) + fp[lo];
}

export interface CategoryEncodingArgs extends LayerArgs {
  /** How many categories: ids must be in [0, numTokens). */
  numTokens: number;
  /** 'multi_hot' (default), 'one_hot' or 'count'. */
  outputMode?: 'multi_hot' | 'one_hot' | 'count' | 'binary';
  /** Only false: sparse outputs do not exist in Myelin. */
  sparse?: boolean;
}

/** Call options of CategoryEncoding: per-id weights summed in 'count' mode. */
export interface CategoryEncodingCallArgs extends CallArgs {
  countWeights?: Tensor | null;
}

/**
 * Integer ids as one-hot, multi-hot or count vectors of length `numTokens` (Keras'
 * `CategoryEncoding`); multi-hot and count reduce the last axis.
 * @example new CategoryEncoding({ numTokens: 4 }).apply(tensor([[0, 1], [3, 3]], undefined, 'int32')); // [[1,1,0,0],[0,0,0,1]]
 */
export class CategoryEncoding extends Layer {
  static override readonly className: string = 'CategoryEncoding';
  readonly numTokens: number;
  readonly outputMode: Exclude<CategoryOutputMode, 'int'>;

  constructor(args: CategoryEncodingArgs) {
    super(args);
    if (!Number.isInteger(args?.numTokens) || args.numTokens < 1)
      throw new ValueError(
        `${describeLayer(this)}: 'numTokens' must be an integer >= 1, got ${JSON.stringify(args?.numTokens)}`,
      );
    this.numTokens = args.numTokens;
    const mode = args.outputMode === 'binary' ? 'multi_hot' : (args.outputMode ?? 'multi_hot');
    this.outputMode = checkOutputMode(this, mode, ['one_hot', 'multi_hot', 'count']) as Exclude<
      CategoryOutputMode,
      'int'
    >;
    if (args.sparse) throw new ValueError(`${describeLayer(this)}: 'sparse' outputs are not supported`);
  }

  call(inputs: Tensor | Tensor[], kwargs: CategoryEncodingCallArgs = {}): Tensor {
    const x = inputs as Tensor;
    const weights = kwargs.countWeights ?? null;
    if (weights && this.outputMode !== 'count')
      throw new ValueError(
        `${describeLayer(this)}: 'countWeights' is only used with outputMode 'count', not '${this.outputMode}'`,
      );
    if (weights && weights.size !== x.size)
      throw new ValueError(
        `${describeLayer(this)}: 'countWeights' must have the inputs' shape ${fmtShape(x.shape)}, got ${fmtShape(weights.shape)}`,
      );
    return encodeCategories(
      this,
      x.dataSync(),
      x.shape,
      this.outputMode,
      this.numTokens,
      this.dtype,
      weights?.dataSync(),
    );
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return encodedShape(inputShape as Shape, this.outputMode, this.numTokens);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), numTokens: this.numTokens, outputMode: this.outputMode, sparse: false };
  }
}

registerLayerClass(Normalization);
registerLayerClass(Discretization);
registerLayerClass(CategoryEncoding);
