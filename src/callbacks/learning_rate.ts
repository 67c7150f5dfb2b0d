import { checkOptions, optionKeys } from '../core/options.js';
import { ValueError } from '../core/errors.js';
import { Callback, type Logs } from './callback.js';
import { Monitor, type MonitorMode } from './monitor.js';

interface HasLearningRate {
  learningRate: number;
}

function optimizerOf(cb: Callback, owner: string): HasLearningRate {
  const opt = cb.model.compiled?.optimizer as unknown as HasLearningRate | undefined;
  if (!opt || typeof opt.learningRate !== 'number') {
    throw new ValueError(
      `${owner}: the model's optimizer has no numeric learningRate (a schedule cannot be overridden by this callback)`,
    );
  }
  return opt;
}

export interface ReduceLROnPlateauArgs {
  monitor?: string;
  factor?: number;
  patience?: number;
  verbose?: number;
  mode?: MonitorMode;
  minDelta?: number;
  cooldown?: number;
  minLr?: number;
}

/**
 * Multiplies the learning rate by `factor` when the monitored quantity stops improving for
 * `patience` epochs (Keras semantics, with cooldown and a floor `minLr`).
 * @example callbacks: [reduceLROnPlateau({ monitor: 'val_loss', factor: 0.5, patience: 3 })]
 */
export class ReduceLROnPlateau extends Callback {
  readonly monitor: Monitor;
  private wait = 0;
  private cooldownCounter = 0;

  constructor(readonly args: ReduceLROnPlateauArgs = {}) {
    checkOptions(
      'reduceLROnPlateau',
      args,
      optionKeys<ReduceLROnPlateauArgs>({
        monitor: true,
        factor: true,
        patience: true,
        verbose: true,
        mode: true,
        minDelta: true,
        cooldown: true,
        minLr: true,
      }),
    );
    super();
    const factor = args.factor ?? 0.1;
    if (!(factor < 1 && factor > 0))
      throw new ValueError(`reduceLROnPlateau: 'factor' must be in (0, 1), got ${factor}`);
    this.monitor = new Monitor(
      args.monitor ?? 'val_loss',
      args.mode ?? 'auto',
      args.minDelta ?? 1e-4,
      'reduceLROnPlateau',
    );
  }

  override async onTrainBegin(): Promise<void> {
    this.wait = 0;
    this.cooldownCounter = 0;
    this.monitor.reset();
  }

  override async onEpochEnd(epoch: number, logs?: Logs): Promise<void> {
    const opt = optimizerOf(this, 'reduceLROnPlateau');
    const current = this.monitor.read(logs);
    if (logs) logs.learning_rate = opt.learningRate;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.wait = 0;
    }
    if (this.monitor.isImprovement(current)) {
      this.monitor.best = current;
      this.wait = 0;
    } else if (this.cooldownCounter <= 0) {
      this.wait++;
      if (this.wait >= (this.args.patience ?? 10)) {
        const minLr = this.args.minLr ?? 0;
        const old = opt.learningRate;
        if (old > minLr) {
          opt.learningRate = Math.max(old * (this.args.factor ?? 0.1), minLr);
          if ((this.args.verbose ?? 0) > 0)
            console.log(`Epoch ${epoch + 1}: reduceLROnPlateau reducing learning rate to ${opt.learningRate}.`);
          this.cooldownCounter = this.args.cooldown ?? 0;
          this.wait = 0;
        }
      }
    }
  }

  getConfig(): ReduceLROnPlateauArgs {
    return { ...this.args };
  }
}

export function reduceLROnPlateau(args?: ReduceLROnPlateauArgs): ReduceLROnPlateau {
  return new ReduceLROnPlateau(args);
}

/**
 * Sets the learning rate at the start of each epoch from `schedule(epoch, currentLr)`.
 * @example callbacks: [learningRateScheduler((epoch, lr) => (epoch < 10 ? lr : lr * 0.9))]
 */
export class LearningRateScheduler extends Callback {
  constructor(
    readonly schedule: (epoch: number, lr: number) => number,
    readonly verbose = 0,
  ) {
    super();
    if (typeof schedule !== 'function')
      throw new ValueError(
        `learningRateScheduler: 'schedule' must be a function (epoch, lr) => lr, got ${typeof schedule}`,
      );
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    const opt = optimizerOf(this, 'learningRateScheduler');
    const lr = this.schedule(epoch, opt.learningRate);
    if (typeof lr !== 'number' || !Number.isFinite(lr)) {
      throw new ValueError(
        `learningRateScheduler: the schedule returned ${String(lr)} for epoch ${epoch}; expected a finite number`,
      );
    }
    opt.learningRate = lr;
    if (this.verbose > 0) console.log(`Epoch ${epoch + 1}: learningRateScheduler setting learning rate to ${lr}.`);
  }

  override async onEpochEnd(_epoch: number, logs?: Logs): Promise<void> {
    if (logs) logs.learning_rate = optimizerOf(this, 'learningRateScheduler').learningRate;
  }
}

export function learningRateScheduler(
  schedule: (epoch: number, lr: number) => number,
  verbose = 0,
): LearningRateScheduler {
  return new LearningRateScheduler(schedule, verbose);
}
