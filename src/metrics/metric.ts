import { deferOptionCheck } from '../core/options.js';
import { Registry, type ConfigurableClass } from '../core/registry.js';
import type { Tensor } from '../core/tensor.js';
import type { TensorLike } from '../ops/convert.js';

/**
 * A stateful metric (Keras `Metric`): `updateState` accumulates batches, `result` reads the value
 * so far, `resetState` starts over (each epoch). Subclass it for a custom metric.
 * @example
 * const m = new MeanAbsoluteError();
 * m.updateState(yTrue, yPred); m.result(); m.resetState();
 */
export abstract class Metric {
  abstract readonly className: string;
  /** The name the metric is reported under ('mae', 'accuracy', ...). */
  readonly name: string;

  /** `options`: what the subclass was built from, checked (see `checkPendingOptions`) by `compile`. */
  constructor(name: string, options?: object) {
    deferOptionCheck(this, options);
    this.name = name;
  }

  abstract updateState(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike | null): void;
  abstract result(): number;
  abstract resetState(): void;

  /** The arguments that rebuild this metric. */
  getConfig(): Record<string, unknown> {
    return { name: this.name };
  }
}

/** A per-sample metric function `(yTrue, yPred) => Tensor` (every loss function is one). */
export type MetricFunction = (yTrue: TensorLike, yPred: TensorLike) => Tensor;

/** Metrics by name (Keras' snake_case names and short forms); each metric's file registers its own. */
export const metricRegistry = new Registry<Metric>({
  kind: 'metric',
  getter: 'getMetric',
  registerWith: 'registerMetric',
  alsoAccepts: 'a Metric or a function (camelCase also accepted)',
  isInstance: (value): value is Metric => value instanceof Metric,
  classNameOf: (metric) => metric.className,
  configOf: (metric) => metric.getConfig(),
});

/**
 * Makes a metric class known by name to `getMetric`, `compile` and saved training configs, under
 * `className` and `names`. A metric resolved from a name is reported under that name.
 * @example registerMetric('MeanSquaredError', MeanSquaredError, ['mean_squared_error', 'mse']);
 */
export function registerMetric(
  className: string,
  cls: ConfigurableClass<Metric>,
  names: readonly string[] = [className],
): void {
  metricRegistry.registerClass(cls, { className, names });
}
