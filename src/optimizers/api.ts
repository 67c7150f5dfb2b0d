/** Everything the optimizers package exports; `index.ts` also groups it as the `optimizers` namespace. */
export { Optimizer, type OptimizerArgs, type GradAndVar, type NamedWeight } from './optimizer.js';
// Each optimizer's file defines its class, its `optimizers.*` factory and its registration.
export { SGD, sgd, type SGDArgs } from './sgd.js';
export { Adam, AdamW, adam, adamw, type AdamArgs } from './adam.js';
export { Adamax, adamax, type AdamaxArgs } from './adamax.js';
export { Nadam, nadam, type NadamArgs } from './nadam.js';
export { RMSprop, rmsprop, type RMSpropArgs } from './rmsprop.js';
export { Adagrad, adagrad, type AdagradArgs } from './adagrad.js';
export { Adadelta, adadelta, type AdadeltaArgs } from './adadelta.js';
export {
  getOptimizer,
  serializeOptimizer,
  registerOptimizer,
  optimizerRegistry,
  type OptimizerConfig,
} from './registry.js';
export { train } from './train.js';
export * as schedules from './schedules.js';
export { LearningRateSchedule } from './schedules.js';
