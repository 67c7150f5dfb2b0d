import type { TypedArray } from '../core/dtype.js';
import { type StepResult, trainBatch } from './batch.js';
import type { Batch, BatchSource, Samples } from './batch_source.js';
import type { CompiledState } from './compile.js';
import type { FusedDenseStep } from './fused/dense_step.js';
import { fusedStepFor } from './fused/support.js';
import { backend } from '../backend/registry.js';
import { ValueError } from '../core/errors.js';
import { ReplayedPass, replayUnsupported } from './replay_step.js';
import type { LossAndMetricTracker } from './tracker.js';
import type { TrainableModel } from './trainable_model.js';

/**
 * The training step the epoch loop runs on each batch. `enter` comes before an epoch's first
 * batch and after any other code ran (a yield, a callback); `leave` before other code runs, so
 * that it finds the model's variables current.
 */
export interface TrainStep {
  enter(): void;
  leave(): void;
  /** Synchronous where the step is (the fused one), so the loop awaits nothing between batches. */
  run(batch: Batch, tracker: LossAndMetricTracker): StepResult | Promise<StepResult>;
}

/** The ordinary step (any model, any backend), its forward and backward pass replayed where captured. */
class EagerStep implements TrainStep {
  constructor(
    private readonly model: TrainableModel,
    private readonly state: CompiledState,
    private readonly replay: ReplayedPass | null,
  ) {}
  enter(): void {}
  leave(): void {}
  run(batch: Batch, tracker: LossAndMetricTracker): Promise<StepResult> {
    return trainBatch(this.model, this.state, tracker, () => batch.tensors(), this.replay?.pass);
  }
}

/**
 * The fused step (fused/): weights and optimizer slots live in arrays between `enter` and
 * `leave`. A batch it cannot take (a dataset's odd batch, sample weights) runs op by op.
 */
class FusedStep implements TrainStep {
  /** In-memory data as arrays, read once (not at every batch). */
  private host: [TypedArray, TypedArray] | null = null;

  constructor(
    private readonly fused: FusedDenseStep,
    private readonly eager: EagerStep,
  ) {}

  enter(): void {
    this.fused.load();
  }

  leave(): void {
    this.fused.store();
  }

  run(batch: Batch, tracker: LossAndMetricTracker): StepResult | Promise<StepResult> {
    const { xs, ys, sampleWeight } = batch.data;
    if (sampleWeight) return this.runEager(batch, tracker);
    if (batch.rows !== null) {
      this.host ??= [xs[0].dataSync(), ys[0].dataSync()];
      return this.fused.trainBatch(this.host[0], this.host[1], batch.rows, batch.size, tracker);
    }
    if (!this.fused.accepts(xs[0], ys[0], batch.size)) return this.runEager(batch, tracker);
    return this.fused.trainBatch(xs[0].dataSync(), ys[0].dataSync(), null, batch.size, tracker);
  }

  private async runEager(batch: Batch, tracker: LossAndMetricTracker): Promise<StepResult> {
    this.fused.store();
    try {
      return await this.eager.run(batch, tracker);
    } finally {
      this.fused.load();
    }
  }
}

/** A dataset's step: planned on its first batch, since nothing is known of the data before. */
class PlannedOnFirstBatch implements TrainStep {
  private step: TrainStep | null = null;
  private entered = false;

  constructor(private readonly plan: (first: Samples, size: number) => TrainStep) {}

  enter(): void {
    this.entered = true;
    this.step?.enter();
  }
  leave(): void {
    this.step?.leave();
  }
  run(batch: Batch, tracker: LossAndMetricTracker): StepResult | Promise<StepResult> {
    if (!this.step) {
      this.step = this.plan(batch.data, batch.size);
      if (this.entered) this.step.enter();
    }
    return this.step.run(batch, tracker);
  }
}

/**
 * The step for this fit. With `jitCompile` 'auto' (the default): the fused step (fused/) where
 * the model qualifies and is small enough to gain from it, else the ordinary step with its
 * forward and backward pass captured and replayed (replay_step.ts) where the backend allows it.
 * With true: fused or replayed, or an error naming why neither can run. With false: op by op.
 * @example const step = trainStepFor(model, state, source, 32, 'fit'); step.enter(); await step.run(batch, tracker);
 */
export function trainStepFor(
  model: TrainableModel,
  state: CompiledState,
  source: BatchSource,
  batchSize: number | undefined,
  call: string,
): TrainStep {
  if (state.jitCompile === false) return new EagerStep(model, state, null);
  const replay = replayedPassFor(model, state, call);
  const plan = (data: Samples, size: number): TrainStep => {
    const eager = new EagerStep(model, state, replay);
    const fused = fusedStepFor(model, state, data, size);
    if (typeof fused !== 'string') return new FusedStep(fused, eager);
    if (!replay && state.jitCompile === true)
      throw new ValueError(
        `${call}: jitCompile is true but the training step can be neither fused (${fused}) nor captured (${replayUnsupported(backend())})`,
      );
    return eager;
  };
  return source.inMemory ? plan(source.inMemory, batchSize ?? source.inMemory.n) : new PlannedOnFirstBatch(plan);
}

/**
 * The captured-and-replayed forward and backward pass for this model, or null where the
 * backend cannot replay (`jitCompile: false` never asks).
 * @example await trainBatch(model, state, tracker, makeBatch, replayedPassFor(model, state, 'trainOnBatch')?.pass);
 */
export function replayedPassFor(model: TrainableModel, state: CompiledState, call: string): ReplayedPass | null {
  if (state.jitCompile === false || replayUnsupported(backend())) return null;
  return new ReplayedPass(model, state, call);
}
