/**
 * Stateful metrics with Keras 3 semantics, per-sample metric functions, and the name registry
 * (which resolves 'accuracy' from the loss or output shape), also grouped as `metrics`.
 * @example import { metrics } from 'myelin'; const m = metrics.getMetric('mae'); m.updateState(y, p); m.result();
 */
export * from './api.js';
export * as metrics from './api.js';
