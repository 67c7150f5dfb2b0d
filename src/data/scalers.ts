import { checkOptions, optionKeys } from '../core/options.js';
import { getFloatX, isFloat } from '../core/dtype.js';
import { fmtList, StateError, ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { add, div, mul, sub } from '../ops/prims/binary.js';
import { tensor } from '../ops/convert.js';

/** Per-feature statistics a scaler was fitted to, enough to rebuild it. */
export interface ScalerStats {
  /** Subtracted from each feature... */
  center: number[];
  /** ...which is then divided by this. */
  scale: number[];
}

/**
 * A per-feature affine rescaling `(x - center) / scale`, fitted on training data. Features are
 * the last axis (a rank-1 tensor is one feature). Fit on the training set only and reuse the
 * scaler for validation and test data, so that no test statistics leak into training.
 */
export abstract class FeatureScaler {
  protected stats?: ScalerStats;
  abstract readonly className: string;

  /** Computes the per-feature statistics of `x` and returns the scaler. */
  fit(x: Tensor): this {
    const { rows, features, values } = byFeature(x, this.className);
    if (rows === 0) throw new ValueError(`${this.className}.fit: x of shape ${fmtShape(x.shape)} has no rows`);
    this.stats = this.statsOf(values, rows, features);
    return this;
  }

  /** Rescales `x` with the fitted statistics; the result has x's shape and (float) dtype. */
  transform(x: Tensor): Tensor {
    const { center, scale } = this.fitted('transform', x);
    const dtype = isFloat(x.dtype) ? x.dtype : getFloatX();
    return div(sub(x, tensor(center, undefined, dtype)), tensor(scale, undefined, dtype));
  }

  /** `fit(x)` then `transform(x)`. */
  fitTransform(x: Tensor): Tensor {
    return this.fit(x).transform(x);
  }

  /** Undoes `transform`: maps scaled values back to the original units. */
  inverseTransform(x: Tensor): Tensor {
    const { center, scale } = this.fitted('inverseTransform', x);
    const dtype = isFloat(x.dtype) ? x.dtype : getFloatX();
    return add(mul(x, tensor(scale, undefined, dtype)), tensor(center, undefined, dtype));
  }

  /** The fitted statistics (a copy). */
  getConfig(): ScalerStats {
    if (!this.stats)
      throw new StateError(`${this.className}.getConfig: the scaler has not been fitted; call fit(xTrain) first`);
    return { center: [...this.stats.center], scale: [...this.stats.scale] };
  }

  protected abstract statsOf(values: ArrayLike<number>, rows: number, features: number): ScalerStats;

  protected setStats(stats: ScalerStats): void {
    if (stats.center.length !== stats.scale.length || stats.scale.some((s) => !(s > 0) && !(s < 0))) {
      throw new ValueError(
        `${this.className}: center and scale must have equal lengths and non-zero scales; got ${stats.center.length} centers and scales [${fmtList(stats.scale)}]`,
      );
    }
    this.stats = { center: [...stats.center], scale: [...stats.scale] };
  }

  private fitted(method: string, x: Tensor): ScalerStats {
    if (!this.stats)
      throw new StateError(`${this.className}.${method}: the scaler has not been fitted; call fit(xTrain) first`);
    const features = x.rank === 1 ? 1 : x.shape[x.rank - 1];
    if (x.rank === 0 || features !== this.stats.center.length) {
      throw new ValueError(
        `${this.className}.${method}: the scaler was fitted on ${this.stats.center.length} features (the last axis) but x has shape ${fmtShape(x.shape)}`,
      );
    }
    return this.stats;
  }
}

/** Options of `standardScaler`: give both to rebuild a fitted scaler from its `getConfig()`. */
export interface StandardScalerOptions {
  center?: number[];
  scale?: number[];
}

/** Standardization to mean 0 and standard deviation 1 per feature. See `standardScaler`. */
export class StandardScaler extends FeatureScaler {
  readonly className = 'StandardScaler';

  constructor(options: StandardScalerOptions = {}) {
    super();
    checkOptions('standardScaler', options, optionKeys<StandardScalerOptions>({ center: true, scale: true }));
    if (options.center || options.scale) this.setStats({ center: options.center ?? [], scale: options.scale ?? [] });
  }

  /** The per-feature means (Keras Normalization's `mean`). */
  get mean(): number[] {
    return this.getConfig().center;
  }
  /** The per-feature population standard deviations (1 for constant features). */
  get std(): number[] {
    return this.getConfig().scale;
  }

  protected statsOf(values: ArrayLike<number>, rows: number, features: number): ScalerStats {
    const center = new Array<number>(features).fill(0);
    const scale = new Array<number>(features).fill(0);
    for (let i = 0; i < values.length; i++) center[i % features] += values[i];
    for (let f = 0; f < features; f++) center[f] /= rows;
    for (let i = 0; i < values.length; i++) scale[i % features] += (values[i] - center[i % features]) ** 2;
    for (let f = 0; f < features; f++) {
      const std = Math.sqrt(scale[f] / rows);
      // A constant column would divide by zero; like scikit-learn, leave it centred but unscaled.
      scale[f] = std > 1e-12 * Math.max(1, Math.abs(center[f])) ? std : 1;
    }
    return { center, scale };
  }
}

/**
 * Standardizes each feature with the training set's mean and (population) standard deviation,
 * as the Keras book does for the Boston data: `(x - mean) / std`. Constant features are only
 * centred. Statistics are computed in float64.
 * @example
 * const scaler = standardScaler().fit(xTrain);
 * const xTrainScaled = scaler.transform(xTrain);
 * const xTestScaled = scaler.transform(xTest);   // training statistics, not the test set's
 */
export function standardScaler(options?: StandardScalerOptions): StandardScaler {
  return new StandardScaler(options);
}

/** Options of `minMaxScaler`; `center` and `scale` rebuild a fitted scaler from its `getConfig()`. */
export interface MinMaxScalerOptions {
  /** Target range of every feature (default [0, 1]). */
  featureRange?: [number, number];
  center?: number[];
  scale?: number[];
}

/** Rescaling of each feature to a fixed range. See `minMaxScaler`. */
export class MinMaxScaler extends FeatureScaler {
  readonly className = 'MinMaxScaler';
  readonly featureRange: [number, number];

  constructor(options: MinMaxScalerOptions = {}) {
    super();
    checkOptions(
      'minMaxScaler',
      options,
      optionKeys<MinMaxScalerOptions>({ featureRange: true, center: true, scale: true }),
    );
    const [lo, hi] = options.featureRange ?? [0, 1];
    if (!(lo < hi))
      throw new ValueError(`MinMaxScaler: featureRange must be [low, high] with low < high, got [${lo}, ${hi}]`);
    this.featureRange = [lo, hi];
    if (options.center || options.scale) this.setStats({ center: options.center ?? [], scale: options.scale ?? [] });
  }

  override getConfig(): ScalerStats & { featureRange: [number, number] } {
    return { ...super.getConfig(), featureRange: [...this.featureRange] };
  }

  protected statsOf(values: ArrayLike<number>, _rows: number, features: number): ScalerStats {
    const [lo, hi] = this.featureRange;
    const min = new Array<number>(features).fill(Infinity);
    const max = new Array<number>(features).fill(-Infinity);
    for (let i = 0; i < values.length; i++) {
      const f = i % features;
      if (values[i] < min[f]) min[f] = values[i];
      if (values[i] > max[f]) max[f] = values[i];
    }
    const scale = min.map((m, f) => (max[f] > m ? max[f] - m : 1) / (hi - lo));
    return { center: min.map((m, f) => m - lo * scale[f]), scale };
  }
}

/**
 * Rescales each feature linearly so that the training set's minimum maps to `featureRange[0]`
 * and its maximum to `featureRange[1]` (scikit-learn's MinMaxScaler). Constant features map to
 * `featureRange[0]`.
 * @example
 * const scaler = minMaxScaler({ featureRange: [-1, 1] }).fit(xTrain);
 * scaler.transform(xTest);
 */
export function minMaxScaler(options?: MinMaxScalerOptions): MinMaxScaler {
  return new MinMaxScaler(options);
}

function byFeature(x: Tensor, who: string): { rows: number; features: number; values: ArrayLike<number> } {
  if (x.rank === 0) throw new ValueError(`${who}.fit: expected x of shape [rows, features] (or [rows]), got a scalar`);
  const features = x.rank === 1 ? 1 : x.shape[x.rank - 1];
  return { rows: features === 0 ? 0 : x.size / features, features, values: x.dataSync() };
}
