import { ValueError } from '../core/errors.js';
import { square } from '../ops/prims/unary.js';
import { sub } from '../ops/prims/binary.js';
import type { TensorLike } from '../ops/convert.js';
import { prepare } from '../losses/common.js';
import { binaryCrossentropy, categoricalCrossentropy, sparseCategoricalCrossentropy } from '../losses/probabilistic.js';
import {
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  meanSquaredLogarithmicError,
} from '../losses/regression.js';
import {
  binaryAccuracy,
  categoricalAccuracy,
  sparseCategoricalAccuracy,
  sparseTopKCategoricalAccuracy,
  topKCategoricalAccuracy,
} from './accuracy.js';
import { categoricalHinge, hinge, squaredHinge } from '../losses/hinge.js';
import { kullbackLeiblerDivergence, poisson } from '../losses/probabilistic.js';
import { cosineSimilarity, huber, logCosh } from '../losses/regression.js';
import { MeanMetricWrapper, registerMetricFunction } from './mean_metric.js';
import { metricRegistry, registerMetric, type Metric } from './metric.js';

type NameArg = { name?: string };

/** Running mean squared error. @example new MeanSquaredError({ name: 'mse' }) */
export class MeanSquaredError extends MeanMetricWrapper {
  override readonly className = 'MeanSquaredError';
  constructor(args: NameArg = {}) {
    super(meanSquaredError, { ...args, name: args.name ?? 'mean_squared_error' });
  }
}

/** Running mean absolute error. @example new MeanAbsoluteError({ name: 'mae' }) */
export class MeanAbsoluteError extends MeanMetricWrapper {
  override readonly className = 'MeanAbsoluteError';
  constructor(args: NameArg = {}) {
    super(meanAbsoluteError, { ...args, name: args.name ?? 'mean_absolute_error' });
  }
}

/** Running mean absolute percentage error. @example new MeanAbsolutePercentageError() */
export class MeanAbsolutePercentageError extends MeanMetricWrapper {
  override readonly className = 'MeanAbsolutePercentageError';
  constructor(args: NameArg = {}) {
    super(meanAbsolutePercentageError, { ...args, name: args.name ?? 'mean_absolute_percentage_error' });
  }
}

/** Running mean squared logarithmic error. @example new MeanSquaredLogarithmicError() */
export class MeanSquaredLogarithmicError extends MeanMetricWrapper {
  override readonly className = 'MeanSquaredLogarithmicError';
  constructor(args: NameArg = {}) {
    super(meanSquaredLogarithmicError, { ...args, name: args.name ?? 'mean_squared_logarithmic_error' });
  }
}

/**
 * The square root of the running (weighted) mean of squared errors, as Keras: the mean is
 * taken over all elements seen, then the root.
 * @example const m = new RootMeanSquaredError(); m.updateState([[0], [0]], [[3], [4]]); m.result(); // sqrt(12.5)
 */
export class RootMeanSquaredError extends MeanMetricWrapper {
  override readonly className = 'RootMeanSquaredError';
  constructor(args: NameArg = {}) {
    super(
      (yTrue: TensorLike, yPred: TensorLike) => {
        const [t, p] = prepare(yTrue, yPred, 'rootMeanSquaredError');
        return square(sub(p, t));
      },
      { ...args, name: args.name ?? 'root_mean_squared_error' },
    );
  }
  override result(): number {
    return Math.sqrt(this.mean.value);
  }
}

/** Fraction of 0/1 labels matched by `yPred > threshold` (default 0.5). @example new BinaryAccuracy({ threshold: 0.7 }) */
export class BinaryAccuracy extends MeanMetricWrapper {
  override readonly className = 'BinaryAccuracy';
  readonly threshold: number;
  constructor(args: NameArg & { threshold?: number } = {}) {
    const threshold = args.threshold ?? 0.5;
    if (!(threshold > 0 && threshold < 1))
      throw new ValueError(`BinaryAccuracy: 'threshold' must be in (0, 1), got ${threshold}`);
    super((t, p) => binaryAccuracy(t, p, threshold), { ...args, name: args.name ?? 'binary_accuracy' });
    this.threshold = threshold;
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), threshold: this.threshold };
  }
}

/** Fraction of samples whose arg-max matches the one-hot label. @example new CategoricalAccuracy() */
export class CategoricalAccuracy extends MeanMetricWrapper {
  override readonly className = 'CategoricalAccuracy';
  constructor(args: NameArg = {}) {
    super(categoricalAccuracy, { ...args, name: args.name ?? 'categorical_accuracy' });
  }
}

/** Fraction of samples whose arg-max equals the integer label. @example new SparseCategoricalAccuracy() */
export class SparseCategoricalAccuracy extends MeanMetricWrapper {
  override readonly className = 'SparseCategoricalAccuracy';
  constructor(args: NameArg = {}) {
    super(sparseCategoricalAccuracy, { ...args, name: args.name ?? 'sparse_categorical_accuracy' });
  }
}

/** Fraction of one-hot labels among the top k predictions (default 5). @example new TopKCategoricalAccuracy({ k: 3 }) */
export class TopKCategoricalAccuracy extends MeanMetricWrapper {
  override readonly className = 'TopKCategoricalAccuracy';
  readonly k: number;
  constructor(args: NameArg & { k?: number } = {}) {
    const k = args.k ?? 5;
    super((t, p) => topKCategoricalAccuracy(t, p, k), { ...args, name: args.name ?? 'top_k_categorical_accuracy' });
    this.k = k;
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), k: this.k };
  }
}

/** Fraction of integer labels among the top k predictions (default 5). @example new SparseTopKCategoricalAccuracy({ k: 3 }) */
export class SparseTopKCategoricalAccuracy extends MeanMetricWrapper {
  override readonly className = 'SparseTopKCategoricalAccuracy';
  readonly k: number;
  constructor(args: NameArg & { k?: number } = {}) {
    const k = args.k ?? 5;
    super((t, p) => sparseTopKCategoricalAccuracy(t, p, k), {
      ...args,
      name: args.name ?? 'sparse_top_k_categorical_accuracy',
    });
    this.k = k;
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), k: this.k };
  }
}

type CrossentropyArgs = NameArg & { fromLogits?: boolean; labelSmoothing?: number };

/** Running mean binary crossentropy. @example new BinaryCrossentropy({ fromLogits: true }) */
export class BinaryCrossentropy extends MeanMetricWrapper {
  override readonly className = 'BinaryCrossentropy';
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  constructor(args: CrossentropyArgs = {}) {
    const fromLogits = args.fromLogits ?? false;
    const labelSmoothing = args.labelSmoothing ?? 0;
    super((t, p) => binaryCrossentropy(t, p, fromLogits, labelSmoothing), {
      ...args,
      name: args.name ?? 'binary_crossentropy',
    });
    this.fromLogits = fromLogits;
    this.labelSmoothing = labelSmoothing;
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing };
  }
}

/** Running mean categorical crossentropy. @example new CategoricalCrossentropy() */
export class CategoricalCrossentropy extends MeanMetricWrapper {
  override readonly className = 'CategoricalCrossentropy';
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  constructor(args: CrossentropyArgs = {}) {
    const fromLogits = args.fromLogits ?? false;
    const labelSmoothing = args.labelSmoothing ?? 0;
    super((t, p) => categoricalCrossentropy(t, p, fromLogits, labelSmoothing), {
      ...args,
      name: args.name ?? 'categorical_crossentropy',
    });
    this.fromLogits = fromLogits;
    this.labelSmoothing = labelSmoothing;
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing };
  }
}

/** Running mean sparse categorical crossentropy. @example new SparseCategoricalCrossentropy({ fromLogits: true }) */
export class SparseCategoricalCrossentropy extends MeanMetricWrapper {
  override readonly className = 'SparseCategoricalCrossentropy';
  readonly fromLogits: boolean;
  constructor(args: NameArg & { fromLogits?: boolean } = {}) {
    const fromLogits = args.fromLogits ?? false;
    super((t, p) => sparseCategoricalCrossentropy(t, p, fromLogits), {
      ...args,
      name: args.name ?? 'sparse_categorical_crossentropy',
    });
    this.fromLogits = fromLogits;
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), fromLogits: this.fromLogits };
  }
}

/** What `getMetric` may know about the model output, to resolve 'accuracy'. */
export interface MetricContext {
  /** The name of the output's loss ('binary_crossentropy', 'sparseCategoricalCrossentropy', ...). */
  lossName?: string;
  /** The output shape, batch dimension included (may be null). */
  outputShape?: readonly (number | null)[];
  /** The target shape, when known. */
  targetShape?: readonly (number | null)[];
}

/**
 * Resolves 'accuracy' (or 'acc') as Keras does: binary accuracy for a binary crossentropy loss
 * or a one-unit output, sparse categorical accuracy for a sparse categorical crossentropy loss
 * or integer-shaped targets, categorical accuracy otherwise.
 */
export function resolveAccuracy(name: string, ctx: MetricContext): Metric {
  const loss = ctx.lossName ? ctx.lossName.toLowerCase().replace(/_/g, '') : '';
  const out = ctx.outputShape;
  const target = ctx.targetShape;
  if (loss === 'binarycrossentropy' || loss === 'bce') return new BinaryAccuracy({ name });
  if (loss === 'sparsecategoricalcrossentropy') return new SparseCategoricalAccuracy({ name });
  if (out && out.length > 0 && out[out.length - 1] === 1) return new BinaryAccuracy({ name });
  if (
    out &&
    target &&
    (target.length === out.length - 1 || (target[target.length - 1] === 1 && (out[out.length - 1] ?? 0) > 1))
  ) {
    return new SparseCategoricalAccuracy({ name });
  }
  return new CategoricalAccuracy({ name });
}

// 'accuracy' is listed first; `getMetric` resolves it from the loss and shapes (above).
metricRegistry.register(
  'accuracy',
  (config) => resolveAccuracy(typeof config.name === 'string' ? config.name : 'accuracy', {}),
  {
    names: ['accuracy', 'acc'],
  },
);
registerMetric('MeanSquaredError', MeanSquaredError, ['mean_squared_error', 'mse']);
registerMetric('MeanAbsoluteError', MeanAbsoluteError, ['mean_absolute_error', 'mae']);
registerMetric('MeanAbsolutePercentageError', MeanAbsolutePercentageError, ['mean_absolute_percentage_error', 'mape']);
registerMetric('MeanSquaredLogarithmicError', MeanSquaredLogarithmicError, ['mean_squared_logarithmic_error', 'msle']);
registerMetric('RootMeanSquaredError', RootMeanSquaredError, ['root_mean_squared_error', 'rmse']);
registerMetric('BinaryAccuracy', BinaryAccuracy, ['binary_accuracy']);
registerMetric('CategoricalAccuracy', CategoricalAccuracy, ['categorical_accuracy']);
registerMetric('SparseCategoricalAccuracy', SparseCategoricalAccuracy, ['sparse_categorical_accuracy']);
registerMetric('TopKCategoricalAccuracy', TopKCategoricalAccuracy, ['top_k_categorical_accuracy']);
registerMetric('SparseTopKCategoricalAccuracy', SparseTopKCategoricalAccuracy, ['sparse_top_k_categorical_accuracy']);
registerMetric('BinaryCrossentropy', BinaryCrossentropy, ['binary_crossentropy', 'bce']);
registerMetric('CategoricalCrossentropy', CategoricalCrossentropy, ['categorical_crossentropy']);
registerMetric('SparseCategoricalCrossentropy', SparseCategoricalCrossentropy, ['sparse_categorical_crossentropy']);
// Loss functions usable as metrics (a running mean of the per-sample values).
registerMetricFunction(hinge, ['hinge']);
registerMetricFunction(squaredHinge, ['squared_hinge']);
registerMetricFunction(categoricalHinge, ['categorical_hinge']);
registerMetricFunction(kullbackLeiblerDivergence, ['kl_divergence', 'kld', 'kullback_leibler_divergence']);
registerMetricFunction(poisson, ['poisson']);
registerMetricFunction(logCosh, ['log_cosh', 'logcosh']);
registerMetricFunction(cosineSimilarity, ['cosine_similarity']);
registerMetricFunction(huber, ['huber']);
