/** Everything the losses package exports; `index.ts` also groups it as the `losses` namespace. */
export { Loss, type LossArgs } from './loss.js';
export { type Reduction, REDUCTIONS } from './reduction.js';
export * from './classes.js';
export {
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredLogarithmicError,
  huber,
  logCosh,
  cosineSimilarity,
} from './regression.js';
export {
  binaryCrossentropy,
  categoricalCrossentropy,
  sparseCategoricalCrossentropy,
  kullbackLeiblerDivergence,
  poisson,
} from './probabilistic.js';
export { hinge, squaredHinge, categoricalHinge } from './hinge.js';
export { getLoss, serializeLoss, registerLoss, lossRegistry, type LossConfig } from './registry.js';
import { lossRegistry } from './registry.js';

/** Every name `getLoss` lists in its errors (the built-in losses). */
export const LOSS_NAMES: readonly string[] = lossRegistry.names();
export {
  meanSquaredError as mse,
  meanAbsoluteError as mae,
  meanAbsolutePercentageError as mape,
  meanSquaredLogarithmicError as msle,
} from './regression.js';
export { kullbackLeiblerDivergence as kld, kullbackLeiblerDivergence as klDivergence } from './probabilistic.js';
// TF.js' `tf.losses`: weighted and reduced to a scalar by default. `meanSquaredError` is TF.js'
// (a scalar); its Keras per-sample form is `mse` here and `metrics.meanSquaredError`.
export {
  type ReductionValue,
  computeWeightedLoss,
  absoluteDifference,
  meanSquaredError,
  huberLoss,
  logLoss,
  cosineDistance,
  hingeLoss,
  sigmoidCrossEntropy,
  softmaxCrossEntropy,
} from './tfjs_losses.js';
