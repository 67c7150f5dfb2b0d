import { Callback, type Logs } from './callback.js';
import type { History as HistoryShape } from './types.js';

/**
 * What `fit` returns: `history.history.loss[e]` is the loss of epoch `epoch[e]`, likewise every
 * metric and `val_` metric.
 */
export class History extends Callback implements HistoryShape {
  epoch: number[] = [];
  history: Record<string, number[]> = {};

  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) {
      (this.history[k] ??= []).push(v);
    }
  }
}
