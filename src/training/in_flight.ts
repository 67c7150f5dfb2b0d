import { StateError } from '../core/errors.js';
import type { TrainableModel } from './trainable_model.js';

interface Training {
  readonly call: string;
  /** Makes the model's variables hold the current weights (the fused step keeps them in arrays). */
  flush(): void;
}

const training = new WeakMap<TrainableModel, Training>();

/**
 * Marks `model` as training for the duration of `call`. A second `fit`, `fitDataset` or
 * `trainOnBatch` on the same model while one runs would interleave two runs' updates (each
 * reads the weights the other is about to overwrite), so it is refused, as in TF.js.
 * Taken synchronously at the call, before the first `await`, so two calls made back to back
 * are caught too.
 * @example claimTraining(model, 'fit'); try { ... } finally { releaseTraining(model); }
 */
export function claimTraining(model: TrainableModel, call: string, flush: () => void = () => {}): void {
  const running = training.get(model);
  if (running) {
    throw new StateError(
      `${call}: model '${model.name}' is already training (a ${running.call} call is in progress); await it before calling fit, fitDataset or trainOnBatch again`,
    );
  }
  training.set(model, { call, flush });
}

/** Ends what `claimTraining` began. @example releaseTraining(model); */
export function releaseTraining(model: TrainableModel): void {
  training.delete(model);
}

/** Replaces the flush of a running training (once its step is known). @example setTrainingFlush(model, () => step.leave()); */
export function setTrainingFlush(model: TrainableModel, flush: () => void): void {
  const running = training.get(model);
  if (running) training.set(model, { call: running.call, flush });
}

/**
 * Before reading the model while it trains (predict, evaluate from a timer or another async
 * task): brings its variables up to date with the batches trained so far.
 * @example syncTrainingWeights(model); const y = model.forward([x], false);
 */
export function syncTrainingWeights(model: TrainableModel): void {
  training.get(model)?.flush();
}
