import { ValueError } from '../core/errors.js';
import type { Logs } from '../training/callback.js';

export type MonitorMode = 'auto' | 'min' | 'max';

/**
 * Tracks the best value of a logged quantity, as Keras' monitor logic: 'auto' maximises
 * accuracy-like names and minimises everything else; an improvement must beat the best by
 * `minDelta`.
 */
export class Monitor {
  readonly maximize: boolean;
  best: number;

  constructor(
    readonly name: string,
    mode: MonitorMode,
    readonly minDelta: number,
    readonly owner: string,
  ) {
    if (!['auto', 'min', 'max'].includes(mode))
      throw new ValueError(`${owner}: mode must be 'auto', 'min' or 'max', got ${JSON.stringify(mode)}`);
    this.maximize = mode === 'max' || (mode === 'auto' && /acc|auc|precision|recall|f1/.test(name));
    this.minDelta = Math.abs(minDelta);
    this.best = this.maximize ? -Infinity : Infinity;
  }

  /** The monitored value in `logs`, or a clear error listing what is logged. */
  read(logs: Logs | undefined): number {
    const v = logs?.[this.name];
    if (v === undefined) {
      throw new ValueError(
        `${this.owner}: monitored quantity '${this.name}' is not in the logs; available: ${Object.keys(logs ?? {}).join(', ') || 'none'} (use validationSplit or validationData for 'val_' quantities)`,
      );
    }
    return v;
  }

  isImprovement(value: number, reference = this.best): boolean {
    return this.maximize ? value - this.minDelta > reference : value + this.minDelta < reference;
  }

  reset(): void {
    this.best = this.maximize ? -Infinity : Infinity;
  }
}
