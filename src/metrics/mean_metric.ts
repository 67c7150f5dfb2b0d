import { noGrad } from '../autograd/gradients.js';
import type { Tensor } from '../core/tensor.js';
import { broadcastTo, mul } from '../ops/prims/binary.js';
import { toFloat, type TensorLike } from '../ops/convert.js';
import { mean } from '../ops/moments.js';
import { sum } from '../ops/prims/reduce.js';
import { cast } from '../ops/prims/shape_ops.js';
import { squeezeOrExpand } from '../losses/common.js';
import { Metric, metricRegistry, type MetricFunction } from './metric.js';
import { checkPendingOptions } from '../core/options.js';

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

/**
 * Keras' weighted running mean (`reduce_to_samplewise_values` then `Mean`): values are averaged
 * down to one per sample (or to the weights' rank), weighted, summed into `total`, and the
 * weights (or the sample count) summed into `count`.
 */
export class RunningMean {
  total = 0;
  count = 0;

  add(values: Tensor, sampleWeight?: TensorLike | null): void {
    noGrad(() => {
      let v = values.dtype === 'float64' ? values : cast(values, 'float32');
      let w: Tensor | null = null;
      if (sampleWeight !== undefined && sampleWeight !== null) {
        const w0 = toFloat(sampleWeight, 'sampleWeight', 'metric');
        [v, w] = squeezeOrExpand(v, w0.dtype === v.dtype ? w0 : cast(w0, v.dtype));
        if (v.rank > w.rank) v = mean(v, range(w.rank, v.rank));
        w = broadcastTo(w, v.shape);
        v = mul(v, w);
        if (w.rank > 1) w = mean(w, range(1, w.rank));
      }
      if (v.rank > 1) v = mean(v, range(1, v.rank));
      this.total += sum(v).item();
      this.count += w ? sum(w).item() : v.rank >= 1 ? v.shape[0] : 1;
    });
  }

  get value(): number {
    return this.count === 0 ? 0 : this.total / this.count;
  }

  reset(): void {
    this.total = 0;
    this.count = 0;
  }
}

/**
 * Turns a per-sample function (any loss function, or your own) into a running weighted mean
 * over batches (Keras `MeanMetricWrapper`).
 * @example const m = new MeanMetricWrapper(meanAbsoluteError, { name: 'mae' });
 */
export class MeanMetricWrapper extends Metric {
  readonly className: string = 'MeanMetricWrapper';
  /** The running weighted mean of the function's values (Keras' `total` and `count` variables). */
  readonly mean = new RunningMean();

  constructor(
    readonly fn: MetricFunction,
    args: { name?: string } = {},
  ) {
    super(args.name ?? (fn.name || 'mean_metric_wrapper'), args);
  }

  updateState(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike | null): void {
    checkPendingOptions(this, this.className);
    const values = noGrad(() => this.fn(yTrue, yPred));
    this.mean.add(values, sampleWeight);
  }

  result(): number {
    return this.mean.value;
  }

  resetState(): void {
    this.mean.reset();
  }
}

/**
 * Makes a per-sample function usable as a metric by name: a running mean of its values,
 * reported under the name it was asked for.
 * @example registerMetricFunction(hinge, ['hinge']);
 */
export function registerMetricFunction(fn: MetricFunction, names: readonly string[]): void {
  const make = (config: { name?: unknown }) =>
    new MeanMetricWrapper(fn, { name: typeof config.name === 'string' ? config.name : names[0] });
  metricRegistry.register(names[0], make, { names });
}
