/** Everything the optimizers package exports; `index.ts` also groups it as the `optimizers` namespace. */
export { Optimizer, type OptimizerArgs, type GradAndVar, type NamedWeight } from './optimizer.js';
export { SGD, type SGDArgs } from './sgd.js';
export { Adam, AdamW, type AdamArgs } from './adam.js';
export { Adamax, type AdamaxArgs } from './adamax.js';
export { Nadam, type NadamArgs } from './nadam.js';
export { RMSprop, type RMSpropArgs } from './rmsprop.js';
export { Adagrad, type AdagradArgs } from './adagrad.js';
export { Adadelta, type AdadeltaArgs } from './adadelta.js';
export { sgd, adam, adamw, adamax, nadam, rmsprop, adagrad, adadelta } from './factories.js';
export { getOptimizer, serializeOptimizer, type OptimizerConfig } from './registry.js';
export { train } from './train.js';
export * as schedules from './schedules.js';
export { LearningRateSchedule } from './schedules.js';
