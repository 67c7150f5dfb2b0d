import { ValueError } from '../core/errors.js';
import type { SerializedObject } from '../core/config.js';
import { Loss } from '../losses/loss.js';
import { MeanMetricWrapper } from './mean_metric.js';
import { Metric, metricRegistry, type MetricFunction } from './metric.js';
import { resolveAccuracy, type MetricContext } from './wrapped.js';

export type { MetricContext } from './wrapped.js';

/** A serialised metric: its class name and `getConfig()`. */
export type MetricConfig = SerializedObject;

const isAccuracy = (name: string): boolean => ['accuracy', 'acc'].includes(name.toLowerCase().replace(/_/g, ''));

/**
 * Resolves a metric: a name (Keras snake_case, camelCase, class names, 'mse', 'mae', 'mape',
 * 'msle', 'rmse', 'accuracy'/'acc', any loss name, any registered one), a `Metric` (as is), a
 * `Loss` or per-sample function (a running mean named after it), or `{ className, config }`. A
 * metric given by name is reported under that name, as in Keras.
 * @example getMetric('accuracy', { lossName: 'sparse_categorical_crossentropy' }).className; // 'SparseCategoricalAccuracy'
 */
export function getMetric(
  identifier: string | Metric | Loss | MetricFunction | MetricConfig,
  context: MetricContext = {},
): Metric {
  if (identifier instanceof Metric) return identifier;
  if (identifier instanceof Loss) {
    const loss = identifier;
    return new MeanMetricWrapper((t, p) => loss.call(t, p), { name: loss.name });
  }
  if (typeof identifier === 'function') return new MeanMetricWrapper(identifier);
  if (typeof identifier === 'string') {
    if (isAccuracy(identifier)) return resolveAccuracy(identifier, context);
    return metricRegistry.resolve(identifier).make({ name: identifier });
  }
  if (identifier && typeof identifier === 'object') return metricRegistry.get(identifier);
  throw new ValueError(
    `getMetric: expected a metric name, Metric, Loss, function or {className, config}, got ${String(identifier)}`,
  );
}

/** `{ className, config }` that `getMetric` rebuilds the metric from (state not included). */
export function serializeMetric(metric: Metric): MetricConfig {
  return metricRegistry.serialize(metric);
}
