/**
 * Optimizers with Keras 3 update rules, learning-rate schedules, and the name registry, also
 * grouped as the `optimizers` namespace.
 * @example import { optimizers } from 'myelin'; const opt = optimizers.adam({ learningRate: 0.01 });
 */
export * from './api.js';
export * as optimizers from './api.js';
