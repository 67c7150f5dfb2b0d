import { checkOptions } from '../core/options.js';
import { ValueError } from '../core/errors.js';
import type { TrainableModel } from './trainable_model.js';

/** Values logged at a batch or epoch end: loss, metrics, `val_` metrics, learning rate... */
export type Logs = Record<string, number>;

/** Facts about the current `fit` call, available to callbacks as `this.params`. */
export interface TrainingParams {
  epochs: number;
  /** Batches per epoch (undefined when iterating a dataset of unknown length). */
  steps?: number;
  samples?: number;
  verbose: number;
  metrics: string[];
}

/**
 * Base class for callbacks: override the hooks you need. Hooks may be async; `fit` awaits them.
 * @example
 * class PrintLoss extends Callback {
 *   override async onEpochEnd(epoch: number, logs?: Logs) { console.log(epoch, logs?.loss); }
 * }
 */
export class Callback {
  model!: TrainableModel;
  params!: TrainingParams;

  setModel(model: TrainableModel): void {
    this.model = model;
  }
  setParams(params: TrainingParams): void {
    this.params = params;
  }
  async onTrainBegin(_logs?: Logs): Promise<void> {}
  async onTrainEnd(_logs?: Logs): Promise<void> {}
  async onEpochBegin(_epoch: number, _logs?: Logs): Promise<void> {}
  async onEpochEnd(_epoch: number, _logs?: Logs): Promise<void> {}
  async onBatchBegin(_batch: number, _logs?: Logs): Promise<void> {}
  async onBatchEnd(_batch: number, _logs?: Logs): Promise<void> {}

  /** Whether this callback runs code between batches (overrides a batch hook); fit skips batch hooks when none does. */
  get watchesBatches(): boolean {
    return this.onBatchBegin !== Callback.prototype.onBatchBegin || this.onBatchEnd !== Callback.prototype.onBatchEnd;
  }
}

/** TF.js-style custom callback: a plain object with any of the hook functions. */
export interface CustomCallbackArgs {
  onTrainBegin?: (logs?: Logs) => void | Promise<void>;
  onTrainEnd?: (logs?: Logs) => void | Promise<void>;
  onEpochBegin?: (epoch: number, logs?: Logs) => void | Promise<void>;
  onEpochEnd?: (epoch: number, logs?: Logs) => void | Promise<void>;
  onBatchBegin?: (batch: number, logs?: Logs) => void | Promise<void>;
  onBatchEnd?: (batch: number, logs?: Logs) => void | Promise<void>;
}

const HOOKS = ['onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd'] as const;

/** Wraps a plain object of hooks as a Callback. */
export class CustomCallback extends Callback {
  constructor(private readonly hooks: CustomCallbackArgs) {
    super();
    checkOptions('callbacks', hooks, HOOKS);
  }
  override async onTrainBegin(logs?: Logs) {
    await this.hooks.onTrainBegin?.(logs);
  }
  override async onTrainEnd(logs?: Logs) {
    await this.hooks.onTrainEnd?.(logs);
  }
  override async onEpochBegin(epoch: number, logs?: Logs) {
    await this.hooks.onEpochBegin?.(epoch, logs);
  }
  override async onEpochEnd(epoch: number, logs?: Logs) {
    await this.hooks.onEpochEnd?.(epoch, logs);
  }
  override async onBatchBegin(batch: number, logs?: Logs) {
    await this.hooks.onBatchBegin?.(batch, logs);
  }
  override async onBatchEnd(batch: number, logs?: Logs) {
    await this.hooks.onBatchEnd?.(batch, logs);
  }
  override get watchesBatches(): boolean {
    return !!(this.hooks.onBatchBegin || this.hooks.onBatchEnd);
  }
}

/** Normalises `fit`'s `callbacks` argument (a callback, a hooks object, or a list of them). */
export function toCallbacks(value: unknown): Callback[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((c, i) => {
    if (c instanceof Callback) return c;
    if (c && typeof c === 'object') return new CustomCallback(c as CustomCallbackArgs);
    throw new ValueError(`fit: callbacks[${i}] must be a Callback or an object of hook functions, got ${typeof c}`);
  });
}

/** Calls a hook on every callback in order, awaiting each. */
export class CallbackList {
  constructor(readonly callbacks: Callback[]) {}

  configure(model: TrainableModel, params: TrainingParams): void {
    for (const c of this.callbacks) {
      c.setModel(model);
      c.setParams(params);
    }
  }
  async trainBegin(logs?: Logs) {
    for (const c of this.callbacks) await c.onTrainBegin(logs);
  }
  async trainEnd(logs?: Logs) {
    for (const c of this.callbacks) await c.onTrainEnd(logs);
  }
  async epochBegin(epoch: number, logs?: Logs) {
    for (const c of this.callbacks) await c.onEpochBegin(epoch, logs);
  }
  async epochEnd(epoch: number, logs?: Logs) {
    for (const c of this.callbacks) await c.onEpochEnd(epoch, logs);
  }
  async batchBegin(batch: number, logs?: Logs) {
    for (const c of this.callbacks) await c.onBatchBegin(batch, logs);
  }
  async batchEnd(batch: number, logs?: Logs) {
    for (const c of this.callbacks) await c.onBatchEnd(batch, logs);
  }
}
