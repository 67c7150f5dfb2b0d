import type { Tensor } from '../core/tensor.js';
import type { TensorLike } from '../ops/convert.js';
import { categoricalHinge, hinge, squaredHinge } from './hinge.js';
export { LossFunctionWrapper, type LossFunction } from './function_wrapper.js';
import { Loss, type LossArgs } from './loss.js';
import { registerLoss } from './registry.js';
import {
  binaryCrossentropy,
  categoricalCrossentropy,
  kullbackLeiblerDivergence,
  poisson,
  sparseCategoricalCrossentropy,
} from './probabilistic.js';
import {
  cosineSimilarity,
  huber,
  logCosh,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  meanSquaredLogarithmicError,
} from './regression.js';

/** Mean squared error. @example new MeanSquaredError().compute(yTrue, yPred) */
export class MeanSquaredError extends Loss {
  readonly className = 'MeanSquaredError';
  constructor(args: LossArgs = {}) {
    super(args, 'mean_squared_error');
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return meanSquaredError(yTrue, yPred);
  }
}

/** Mean absolute error. @example new MeanAbsoluteError({ reduction: 'sum' }) */
export class MeanAbsoluteError extends Loss {
  readonly className = 'MeanAbsoluteError';
  constructor(args: LossArgs = {}) {
    super(args, 'mean_absolute_error');
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return meanAbsoluteError(yTrue, yPred);
  }
}

/** Mean absolute percentage error. @example new MeanAbsolutePercentageError() */
export class MeanAbsolutePercentageError extends Loss {
  readonly className = 'MeanAbsolutePercentageError';
  constructor(args: LossArgs = {}) {
    super(args, 'mean_absolute_percentage_error');
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return meanAbsolutePercentageError(yTrue, yPred);
  }
}

/** Mean squared logarithmic error. @example new MeanSquaredLogarithmicError() */
export class MeanSquaredLogarithmicError extends Loss {
  readonly className = 'MeanSquaredLogarithmicError';
  constructor(args: LossArgs = {}) {
    super(args, 'mean_squared_logarithmic_error');
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return meanSquaredLogarithmicError(yTrue, yPred);
  }
}

/** Huber loss (quadratic within `delta`, linear outside; default delta 1). @example new Huber({ delta: 2 }) */
export class Huber extends Loss {
  readonly className = 'Huber';
  readonly delta: number;
  constructor(args: LossArgs & { delta?: number } = {}) {
    super(args, 'huber_loss');
    this.delta = args.delta ?? 1;
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return huber(yTrue, yPred, this.delta);
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), delta: this.delta };
  }
}

/** Log of the hyperbolic cosine of the error. @example new LogCosh() */
export class LogCosh extends Loss {
  readonly className = 'LogCosh';
  constructor(args: LossArgs = {}) {
    super(args, 'log_cosh');
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return logCosh(yTrue, yPred);
  }
}

/** Negative cosine similarity along `axis` (default -1). @example new CosineSimilarity({ axis: 1 }) */
export class CosineSimilarity extends Loss {
  readonly className = 'CosineSimilarity';
  readonly axis: number;
  constructor(args: LossArgs & { axis?: number } = {}) {
    super(args, 'cosine_similarity');
    this.axis = args.axis ?? -1;
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return cosineSimilarity(yTrue, yPred, this.axis);
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }
}

/** Hinge loss. @example new Hinge() */
export class Hinge extends Loss {
  readonly className = 'Hinge';
  constructor(args: LossArgs = {}) {
    super(args, 'hinge');
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return hinge(yTrue, yPred);
  }
}

/** Squared hinge loss. @example new SquaredHinge() */
export class SquaredHinge extends Loss {
  readonly className = 'SquaredHinge';
  constructor(args: LossArgs = {}) {
    super(args, 'squared_hinge');
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return squaredHinge(yTrue, yPred);
  }
}

/** Categorical hinge loss. @example new CategoricalHinge() */
export class CategoricalHinge extends Loss {
  readonly className = 'CategoricalHinge';
  constructor(args: LossArgs = {}) {
    super(args, 'categorical_hinge');
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return categoricalHinge(yTrue, yPred);
  }
}

/** Kullback-Leibler divergence. @example new KLDivergence() */
export class KLDivergence extends Loss {
  readonly className = 'KLDivergence';
  constructor(args: LossArgs = {}) {
    super(args, 'kl_divergence');
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return kullbackLeiblerDivergence(yTrue, yPred);
  }
}

/** Poisson loss. @example new Poisson() */
export class Poisson extends Loss {
  readonly className = 'Poisson';
  constructor(args: LossArgs = {}) {
    super(args, 'poisson');
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return poisson(yTrue, yPred);
  }
}

export interface CrossentropyArgs extends LossArgs {
  /** yPred holds logits rather than probabilities. */
  fromLogits?: boolean;
  labelSmoothing?: number;
}

/** Binary crossentropy. @example new BinaryCrossentropy({ fromLogits: true }) */
export class BinaryCrossentropy extends Loss {
  readonly className = 'BinaryCrossentropy';
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  constructor(args: CrossentropyArgs = {}) {
    super(args, 'binary_crossentropy');
    this.fromLogits = args.fromLogits ?? false;
    this.labelSmoothing = args.labelSmoothing ?? 0;
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return binaryCrossentropy(yTrue, yPred, this.fromLogits, this.labelSmoothing);
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing };
  }
}

/** Categorical crossentropy over one-hot targets. @example new CategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }) */
export class CategoricalCrossentropy extends Loss {
  readonly className = 'CategoricalCrossentropy';
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;
  constructor(args: CrossentropyArgs & { axis?: number } = {}) {
    super(args, 'categorical_crossentropy');
    this.fromLogits = args.fromLogits ?? false;
    this.labelSmoothing = args.labelSmoothing ?? 0;
    this.axis = args.axis ?? -1;
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return categoricalCrossentropy(yTrue, yPred, this.fromLogits, this.labelSmoothing, this.axis);
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing, axis: this.axis };
  }
}

/** Categorical crossentropy over integer labels. @example new SparseCategoricalCrossentropy({ fromLogits: true }) */
export class SparseCategoricalCrossentropy extends Loss {
  readonly className = 'SparseCategoricalCrossentropy';
  readonly fromLogits: boolean;
  constructor(args: LossArgs & { fromLogits?: boolean } = {}) {
    super(args, 'sparse_categorical_crossentropy');
    this.fromLogits = args.fromLogits ?? false;
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return sparseCategoricalCrossentropy(yTrue, yPred, this.fromLogits);
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), fromLogits: this.fromLogits };
  }
}

// Keras' function name first (what a loss resolved from a string is called), then short forms.
registerLoss('MeanSquaredError', MeanSquaredError, ['mean_squared_error', 'mse']);
registerLoss('MeanAbsoluteError', MeanAbsoluteError, ['mean_absolute_error', 'mae']);
registerLoss('MeanAbsolutePercentageError', MeanAbsolutePercentageError, ['mean_absolute_percentage_error', 'mape']);
registerLoss('MeanSquaredLogarithmicError', MeanSquaredLogarithmicError, ['mean_squared_logarithmic_error', 'msle']);
registerLoss('Huber', Huber, ['huber', 'huber_loss']);
registerLoss('LogCosh', LogCosh, ['log_cosh', 'logcosh']);
registerLoss('CosineSimilarity', CosineSimilarity, ['cosine_similarity']);
registerLoss('BinaryCrossentropy', BinaryCrossentropy, ['binary_crossentropy', 'bce']);
registerLoss('CategoricalCrossentropy', CategoricalCrossentropy, ['categorical_crossentropy']);
registerLoss('SparseCategoricalCrossentropy', SparseCategoricalCrossentropy, ['sparse_categorical_crossentropy']);
registerLoss('Hinge', Hinge, ['hinge']);
registerLoss('SquaredHinge', SquaredHinge, ['squared_hinge']);
registerLoss('CategoricalHinge', CategoricalHinge, ['categorical_hinge']);
registerLoss('KLDivergence', KLDivergence, ['kl_divergence', 'kld', 'kullback_leibler_divergence']);
registerLoss('Poisson', Poisson, ['poisson']);
