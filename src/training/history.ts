import { Callback, type Logs } from './callback.js';
import type { History as HistoryShape } from './types.js';

/**
 * Gives every `accuracy` entry of `record` (`accuracy`, `val_accuracy`, `out_accuracy`) the
 * name TF.js logs it under (`acc`, `val_acc`, `out_acc`) as a non-enumerable alias: programs
 * written for TF.js read `logs.acc` and `history.history.val_acc`, while listings, progress
 * lines and saved logs show each value once, under Keras 3's name.
 * @example withTfjsNames({ accuracy: 0.9 }).acc; // 0.9
 */
export function withTfjsNames<T extends object>(record: T): T {
  for (const key of Object.keys(record)) {
    if (!/(^|_)accuracy$/.test(key)) continue;
    const alias = `${key.slice(0, -'accuracy'.length)}acc`;
    if (Object.hasOwn(record, alias)) continue;
    Object.defineProperty(record, alias, {
      get: () => (record as Record<string, unknown>)[key],
      enumerable: false,
      configurable: true,
    });
  }
  return record;
}

/**
 * What `fit` returns: `history.history.loss[e]` is the loss of epoch `epoch[e]`, likewise every
 * metric and `val_` metric. Metrics compiled as 'accuracy' are also readable under TF.js' names
 * (`history.history.acc`, `val_acc`).
 */
export class History extends Callback implements HistoryShape {
  epoch: number[] = [];
  history: Record<string, number[]> = {};

  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) {
      (this.history[k] ??= []).push(v);
    }
    withTfjsNames(this.history);
  }
}
