import { checkOptions, optionKeys } from '../core/options.js';
import type { TypedArray } from '../core/dtype.js';
import { tensor } from '../ops/convert.js';
import { Callback, type Logs } from './callback.js';
import { Monitor, type MonitorMode } from './monitor.js';

export interface EarlyStoppingArgs {
  monitor?: string;
  minDelta?: number;
  patience?: number;
  verbose?: number;
  mode?: MonitorMode;
  baseline?: number;
  restoreBestWeights?: boolean;
  startFromEpoch?: number;
}

/**
 * Stops training when the monitored quantity has not improved for `patience` epochs (Keras
 * semantics, including `baseline`, `startFromEpoch` and `restoreBestWeights`).
 * @example callbacks: [earlyStopping({ monitor: 'val_loss', patience: 5, restoreBestWeights: true })]
 */
export class EarlyStopping extends Callback {
  readonly monitor: Monitor;
  readonly patience: number;
  wait = 0;
  stoppedEpoch = 0;
  bestEpoch = 0;
  private bestWeights: TypedArray[] | null = null;

  constructor(readonly args: EarlyStoppingArgs = {}) {
    checkOptions(
      'earlyStopping',
      args,
      optionKeys<EarlyStoppingArgs>({
        monitor: true,
        minDelta: true,
        patience: true,
        verbose: true,
        mode: true,
        baseline: true,
        restoreBestWeights: true,
        startFromEpoch: true,
      }),
    );
    super();
    this.monitor = new Monitor(args.monitor ?? 'val_loss', args.mode ?? 'auto', args.minDelta ?? 0, 'earlyStopping');
    this.patience = args.patience ?? 0;
  }

  override async onTrainBegin(): Promise<void> {
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.bestEpoch = 0;
    this.bestWeights = null;
    this.monitor.reset();
  }

  override async onEpochEnd(epoch: number, logs?: Logs): Promise<void> {
    const current = this.monitor.read(logs);
    if (epoch < (this.args.startFromEpoch ?? 0)) return;
    if (this.args.restoreBestWeights && this.bestWeights === null) this.bestWeights = this.snapshot();
    this.wait++;
    if (this.monitor.isImprovement(current)) {
      this.monitor.best = current;
      this.bestEpoch = epoch;
      if (this.args.restoreBestWeights) this.bestWeights = this.snapshot();
      // Only restart the wait if we beat both the baseline and our previous best.
      if (this.args.baseline === undefined || this.monitor.isImprovement(current, this.args.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      this.model.stopTraining = true;
      if (this.args.restoreBestWeights && this.bestWeights) this.restore(this.bestWeights);
    }
  }

  override async onTrainEnd(): Promise<void> {
    if (this.stoppedEpoch > 0 && (this.args.verbose ?? 0) > 0) {
      console.log(
        `Epoch ${this.stoppedEpoch + 1}: early stopping${this.args.restoreBestWeights ? `; restored the weights of epoch ${this.bestEpoch + 1}` : ''}`,
      );
    }
  }

  private snapshot(): TypedArray[] {
    return this.model.weights.map((v) => v.dataSync());
  }

  private restore(values: TypedArray[]): void {
    this.model.weights.forEach((v, i) => v.assign(tensor(values[i], v.shape, v.dtype)));
  }

  getConfig(): EarlyStoppingArgs {
    return { ...this.args };
  }
}

/** Factory in the TF.js style. */
export function earlyStopping(args?: EarlyStoppingArgs): EarlyStopping {
  return new EarlyStopping(args);
}
