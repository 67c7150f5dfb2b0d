import { Callback, type Logs } from '../training/callback.js';

/**
 * Stops training as soon as a batch loss is NaN or infinite (the trainer also undoes such a
 * step, and one whose update would leave a weight non-finite, which it logs with a NaN loss;
 * this callback ends the run quietly, with the last finite weights, instead of with an error).
 * @example await model.fit(x, y, { epochs: 10, callbacks: [terminateOnNaN()] });
 */
export class TerminateOnNaN extends Callback {
  override async onBatchEnd(batch: number, logs?: Logs): Promise<void> {
    const loss = logs?.loss;
    if (loss !== undefined && !Number.isFinite(loss)) {
      console.log(`Batch ${batch}: invalid loss, terminating training`);
      this.model.stopTraining = true;
    }
  }
}

export function terminateOnNaN(): TerminateOnNaN {
  return new TerminateOnNaN();
}
