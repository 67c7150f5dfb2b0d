/**
 * Losses with Keras 3 formulas: per-sample functions, `Loss` objects with reductions and sample
 * weights, and the name registry, also grouped as the `losses` namespace.
 * @example import { losses } from 'myelin'; losses.getLoss('mse').compute(yTrue, yPred);
 */
export * from './api.js';
export * as losses from './api.js';
