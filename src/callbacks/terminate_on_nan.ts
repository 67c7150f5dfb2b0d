import { Callback, type Logs } from './callback.js';

/**
 * Stops training as soon as a batch loss is NaN or infinite (the trainer also refuses to apply
 * such a step; this callback ends the run quietly instead of with an error).
 */
export class TerminateOnNaN extends Callback {
  /** It reads only the batch loss. */
  override get needsModelBetweenBatches(): boolean {
    return false;
  }

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
