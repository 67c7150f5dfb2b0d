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
import { MeanMetricWrapper } from './mean_metric.js';

type NameArg = { name?: string };

/** Running mean squared error. @example new MeanSquaredError({ name: 'mse' }) */
export class MeanSquaredError extends MeanMetricWrapper {
  override readonly className = 'MeanSquaredError';
  constructor(args: NameArg = {}) {
    super(meanSquaredError, { name: args.name ?? 'mean_squared_error' });
  }
}

/** Running mean absolute error. @example new MeanAbsoluteError({ name: 'mae' }) */
export class MeanAbsoluteError extends MeanMetricWrapper {
  override readonly className = 'MeanAbsoluteError';
  constructor(args: NameArg = {}) {
    super(meanAbsoluteError, { name: args.name ?? 'mean_absolute_error' });
  }
}

/** Running mean absolute percentage error. @example new MeanAbsolutePercentageError() */
export class MeanAbsolutePercentageError extends MeanMetricWrapper {
  override readonly className = 'MeanAbsolutePercentageError';
  constructor(args: NameArg = {}) {
    super(meanAbsolutePercentageError, { name: args.name ?? 'mean_absolute_percentage_error' });
  }
}

/** Running mean squared logarithmic error. @example new MeanSquaredLogarithmicError() */
export class MeanSquaredLogarithmicError extends MeanMetricWrapper {
  override readonly className = 'MeanSquaredLogarithmicError';
  constructor(args: NameArg = {}) {
    super(meanSquaredLogarithmicError, { name: args.name ?? 'mean_squared_logarithmic_error' });
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
      { name: args.name ?? 'root_mean_squared_error' },
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
    super((t, p) => binaryAccuracy(t, p, threshold), { name: args.name ?? 'binary_accuracy' });
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
    super(categoricalAccuracy, { name: args.name ?? 'categorical_accuracy' });
  }
}

/** Fraction of samples whose arg-max equals the integer label. @example new SparseCategoricalAccuracy() */
export class SparseCategoricalAccuracy extends MeanMetricWrapper {
  override readonly className = 'SparseCategoricalAccuracy';
  constructor(args: NameArg = {}) {
    super(sparseCategoricalAccuracy, { name: args.name ?? 'sparse_categorical_accuracy' });
  }
}

/** Fraction of one-hot labels among the top k predictions (default 5). @example new TopKCategoricalAccuracy({ k: 3 }) */
export class TopKCategoricalAccuracy extends MeanMetricWrapper {
  override readonly className = 'TopKCategoricalAccuracy';
  readonly k: number;
  constructor(args: NameArg & { k?: number } = {}) {
    const k = args.k ?? 5;
    super((t, p) => topKCategoricalAccuracy(t, p, k), { name: args.name ?? 'top_k_categorical_accuracy' });
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
    super((t, p) => sparseTopKCategoricalAccuracy(t, p, k), { name: args.name ?? 'sparse_top_k_categorical_accuracy' });
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
    super((t, p) => binaryCrossentropy(t, p, fromLogits, labelSmoothing), { name: args.name ?? 'binary_crossentropy' });
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
      name: args.name ?? 'sparse_categorical_crossentropy',
    });
    this.fromLogits = fromLogits;
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), fromLogits: this.fromLogits };
  }
}
