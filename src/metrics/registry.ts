import { ValueError } from '../core/errors.js';
import { Loss } from '../losses/loss.js';
import { categoricalHinge, hinge, squaredHinge } from '../losses/hinge.js';
import { kullbackLeiblerDivergence, poisson } from '../losses/probabilistic.js';
import { cosineSimilarity, huber, logCosh } from '../losses/regression.js';
import { AUC } from './auc.js';
import { MeanMetricWrapper } from './mean_metric.js';
import { Metric, type MetricFunction } from './metric.js';
import { Precision, Recall } from './precision_recall.js';
import * as w from './wrapped.js';

type MetricClass = new (args?: never) => Metric;

/** Stateful metric classes with their Keras snake_case names and short aliases. */
const CLASSES: [MetricClass, string, string[]][] = [
  [w.MeanSquaredError, 'mean_squared_error', ['mse']],
  [w.MeanAbsoluteError, 'mean_absolute_error', ['mae']],
  [w.MeanAbsolutePercentageError, 'mean_absolute_percentage_error', ['mape']],
  [w.MeanSquaredLogarithmicError, 'mean_squared_logarithmic_error', ['msle']],
  [w.RootMeanSquaredError, 'root_mean_squared_error', ['rmse']],
  [w.BinaryAccuracy, 'binary_accuracy', []],
  [w.CategoricalAccuracy, 'categorical_accuracy', []],
  [w.SparseCategoricalAccuracy, 'sparse_categorical_accuracy', []],
  [w.TopKCategoricalAccuracy, 'top_k_categorical_accuracy', []],
  [w.SparseTopKCategoricalAccuracy, 'sparse_top_k_categorical_accuracy', []],
  [w.BinaryCrossentropy, 'binary_crossentropy', ['bce']],
  [w.CategoricalCrossentropy, 'categorical_crossentropy', []],
  [w.SparseCategoricalCrossentropy, 'sparse_categorical_crossentropy', []],
  [Precision, 'precision', []],
  [Recall, 'recall', []],
  [AUC, 'auc', []],
];

/** Loss functions usable as metrics (a running mean of the per-sample values). */
const FUNCTIONS: [MetricFunction, string, string[]][] = [
  [hinge, 'hinge', []],
  [squaredHinge, 'squared_hinge', []],
  [categoricalHinge, 'categorical_hinge', []],
  [kullbackLeiblerDivergence, 'kl_divergence', ['kld', 'kullback_leibler_divergence']],
  [poisson, 'poisson', []],
  [logCosh, 'log_cosh', ['logcosh']],
  [cosineSimilarity, 'cosine_similarity', []],
  [huber, 'huber', []],
];

const key = (name: string): string => name.toLowerCase().replace(/_/g, '');
const BY_KEY = new Map<string, (name: string) => Metric>();
for (const [ctor, snake, aliases] of CLASSES) {
  for (const n of [snake, ...aliases, ctor.name]) BY_KEY.set(key(n), (name) => new ctor({ name } as never));
}
for (const [fn, snake, aliases] of FUNCTIONS) {
  for (const n of [snake, ...aliases]) BY_KEY.set(key(n), (name) => new MeanMetricWrapper(fn, { name }));
}
const CLASS_BY_NAME = new Map<string, MetricClass>(CLASSES.map(([ctor]) => [ctor.name, ctor]));

/** Every name `getMetric` accepts, as listed in its errors. */
export const METRIC_NAMES: readonly string[] = [
  'accuracy',
  'acc',
  ...CLASSES.flatMap(([, s, a]) => [s, ...a]),
  ...FUNCTIONS.flatMap(([, s, a]) => [s, ...a]),
];

/** What `getMetric` may know about the model output, to resolve 'accuracy'. */
export interface MetricContext {
  /** The name of the output's loss ('binary_crossentropy', 'sparseCategoricalCrossentropy', ...). */
  lossName?: string;
  /** The output shape, batch dimension included (may be null). */
  outputShape?: readonly (number | null)[];
  /** The target shape, when known. */
  targetShape?: readonly (number | null)[];
}

/** A serialised metric: its class name and `getConfig()`. */
export interface MetricConfig {
  className: string;
  config: Record<string, unknown>;
}

/**
 * Resolves 'accuracy' (or 'acc') as Keras does: binary accuracy for a binary crossentropy loss
 * or a one-unit output, sparse categorical accuracy for a sparse categorical crossentropy loss
 * or integer-shaped targets, categorical accuracy otherwise.
 */
function resolveAccuracy(name: string, ctx: MetricContext): Metric {
  const loss = ctx.lossName ? key(ctx.lossName) : '';
  const out = ctx.outputShape;
  const target = ctx.targetShape;
  if (loss === 'binarycrossentropy' || loss === 'bce') return new w.BinaryAccuracy({ name });
  if (loss === 'sparsecategoricalcrossentropy') return new w.SparseCategoricalAccuracy({ name });
  if (out && out.length > 0 && out[out.length - 1] === 1) return new w.BinaryAccuracy({ name });
  if (
    out &&
    target &&
    (target.length === out.length - 1 || (target[target.length - 1] === 1 && (out[out.length - 1] ?? 0) > 1))
  ) {
    return new w.SparseCategoricalAccuracy({ name });
  }
  return new w.CategoricalAccuracy({ name });
}

/**
 * Resolves a metric: a name (Keras snake_case, camelCase, class names, 'mse', 'mae', 'mape',
 * 'msle', 'rmse', 'accuracy'/'acc', any loss name), a `Metric` (as is), a `Loss` or per-sample
 * function (a running mean named after it), or `{ className, config }`. A metric given by name
 * is reported under that name, as in Keras.
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
    if (key(identifier) === 'accuracy' || key(identifier) === 'acc') return resolveAccuracy(identifier, context);
    const make = BY_KEY.get(key(identifier));
    if (!make)
      throw new ValueError(
        `Unknown metric '${identifier}'; expected one of ${METRIC_NAMES.map((n) => `'${n}'`).join(', ')} (camelCase also accepted), a Metric or a function`,
      );
    return make(identifier);
  }
  if (identifier && typeof identifier === 'object' && typeof identifier.className === 'string') {
    const ctor = CLASS_BY_NAME.get(identifier.className);
    if (!ctor)
      throw new ValueError(
        `getMetric: cannot rebuild a metric of class '${identifier.className}'; expected one of ${[...CLASS_BY_NAME.keys()].join(', ')}`,
      );
    return new ctor(identifier.config as never);
  }
  throw new ValueError(
    `getMetric: expected a metric name, Metric, Loss, function or {className, config}, got ${String(identifier)}`,
  );
}

/** `{ className, config }` that `getMetric` rebuilds the metric from (state not included). */
export function serializeMetric(metric: Metric): MetricConfig {
  return { className: metric.className, config: metric.getConfig() };
}
