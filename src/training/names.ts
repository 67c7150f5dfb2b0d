/**
 * The names `compile` accepts for optimizers, losses and metrics, as types: editors complete
 * them and a misspelling (`optimizer: 'adma'`) fails to compile. Each list holds the names the
 * family's registry lists plus its class names; every name in snake_case is also accepted in
 * camelCase (`'sparse_categorical_crossentropy'`, `'sparseCategoricalCrossentropy'`), as the
 * registries accept both. test/training/names.test.ts keeps these lists and the registries equal.
 * A custom name registered at run time is passed as an instance (`getLoss('myLoss')`).
 */
import type { Tensor } from '../core/tensor.js';
import type { SerializedObject } from '../core/config.js';
import type { Loss } from '../losses/index.js';
import type { Metric } from '../metrics/index.js';
import type { Optimizer } from '../optimizers/index.js';

/** 'mean_squared_error' -> 'meanSquaredError'. */
export type SnakeToCamel<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<SnakeToCamel<Tail>>}`
  : S;

type Spellings<T extends readonly string[]> = T[number] | SnakeToCamel<T[number]>;

/** The optimizer names and class names the optimizer registry holds. */
export const OPTIMIZER_NAMES = [
  'sgd',
  'adam',
  'adamw',
  'adamax',
  'nadam',
  'rmsprop',
  'adagrad',
  'adadelta',
  'SGD',
  'Adam',
  'AdamW',
  'Adamax',
  'Nadam',
  'RMSprop',
  'Adagrad',
  'Adadelta',
] as const;

/** The loss names and class names the loss registry holds. */
export const LOSS_NAMES = [
  'mean_squared_error',
  'mse',
  'mean_absolute_error',
  'mae',
  'mean_absolute_percentage_error',
  'mape',
  'mean_squared_logarithmic_error',
  'msle',
  'huber',
  'huber_loss',
  'log_cosh',
  'logcosh',
  'cosine_similarity',
  'binary_crossentropy',
  'bce',
  'categorical_crossentropy',
  'sparse_categorical_crossentropy',
  'hinge',
  'squared_hinge',
  'categorical_hinge',
  'kl_divergence',
  'kld',
  'kullback_leibler_divergence',
  'poisson',
  'MeanSquaredError',
  'MeanAbsoluteError',
  'MeanAbsolutePercentageError',
  'MeanSquaredLogarithmicError',
  'Huber',
  'LogCosh',
  'CosineSimilarity',
  'BinaryCrossentropy',
  'CategoricalCrossentropy',
  'SparseCategoricalCrossentropy',
  'Hinge',
  'SquaredHinge',
  'CategoricalHinge',
  'KLDivergence',
  'Poisson',
] as const;

/** The metric names and class names the metric registry holds. */
export const METRIC_NAMES = [
  'accuracy',
  'acc',
  'mean_squared_error',
  'mse',
  'mean_absolute_error',
  'mae',
  'mean_absolute_percentage_error',
  'mape',
  'mean_squared_logarithmic_error',
  'msle',
  'root_mean_squared_error',
  'rmse',
  'binary_accuracy',
  'categorical_accuracy',
  'sparse_categorical_accuracy',
  'top_k_categorical_accuracy',
  'sparse_top_k_categorical_accuracy',
  'binary_crossentropy',
  'bce',
  'categorical_crossentropy',
  'sparse_categorical_crossentropy',
  'hinge',
  'squared_hinge',
  'categorical_hinge',
  'kl_divergence',
  'kld',
  'kullback_leibler_divergence',
  'poisson',
  'log_cosh',
  'logcosh',
  'cosine_similarity',
  'huber',
  'precision',
  'recall',
  'auc',
  'MeanSquaredError',
  'MeanAbsoluteError',
  'MeanAbsolutePercentageError',
  'MeanSquaredLogarithmicError',
  'RootMeanSquaredError',
  'BinaryAccuracy',
  'CategoricalAccuracy',
  'SparseCategoricalAccuracy',
  'TopKCategoricalAccuracy',
  'SparseTopKCategoricalAccuracy',
  'BinaryCrossentropy',
  'CategoricalCrossentropy',
  'SparseCategoricalCrossentropy',
  'Precision',
  'Recall',
  'AUC',
] as const;

/** An optimizer by name: `'adam'`, `'sgd'`, `'rmsprop'`, ... */
export type OptimizerName = Spellings<typeof OPTIMIZER_NAMES>;
/** A loss by name: `'mse'`, `'sparseCategoricalCrossentropy'`, `'binary_crossentropy'`, ... */
export type LossName = Spellings<typeof LOSS_NAMES>;
/** A metric by name: `'accuracy'`, `'mae'`, `'auc'`, ... */
export type MetricName = Spellings<typeof METRIC_NAMES>;

/** A loss as a function of targets and predictions, returning per-sample (or a scalar) loss. */
export type LossFn = (yTrue: Tensor, yPred: Tensor) => Tensor;

/** What `compile` takes as an optimizer: a name, an instance, or a saved `{className, config}`. */
export type OptimizerIdentifier = OptimizerName | Optimizer | SerializedObject;
/** What `compile` takes as a loss: a name, an instance, a function or a saved `{className, config}`. */
export type LossIdentifier = LossName | Loss | LossFn | SerializedObject;
/** What `compile` takes as a metric: a name, a Metric or Loss instance, a function or a saved one. */
export type MetricIdentifier = MetricName | Metric | Loss | LossFn | SerializedObject;
