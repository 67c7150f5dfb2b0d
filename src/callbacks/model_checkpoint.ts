import { checkOptions, optionKeys } from '../core/options.js';
import { ValueError } from '../core/errors.js';
import { globalRng } from '../core/rng.js';
import { saveModel } from '../io/model_files.js';
import type { LayersModel } from '../models/layers_model.js';
import { Callback, type Logs } from '../training/callback.js';
import { firstNonFiniteWeight } from '../training/rollback.js';
import { Monitor, type MonitorMode } from './monitor.js';

export interface ModelCheckpointArgs {
  /**
   * Where to save: a `.safetensors` file (one self-contained file) or a directory. May contain
   * `{epoch}`, `{epoch:03d}` and logged values such as `{val_loss:.4f}` (Keras placeholders).
   */
  filepath: string;
  /** The logged quantity `saveBestOnly` compares (default 'val_loss'). */
  monitor?: string;
  verbose?: 0 | 1;
  /** Save only when the monitored quantity improves on the best so far. */
  saveBestOnly?: boolean;
  mode?: MonitorMode;
  /** 'epoch' (default) saves at each epoch end; a number saves every that many batches. */
  saveFreq?: 'epoch' | number;
  /** Save the optimizer state and training progress, needed to resume (default true). */
  includeOptimizer?: boolean;
  /** With saveBestOnly: the value the first save must beat. */
  initialValueThreshold?: number;
}

/**
 * Saves the model during training (Keras' ModelCheckpoint). Each save is atomic, so a run
 * killed at any moment leaves the previous checkpoint or the new one, never a torn file; each
 * records the epoch, the optimizer state and the random generator's position, so
 * `resumeFromCheckpoint` continues exactly as if training had not stopped (from epoch-end
 * saves; a mid-epoch save restarts its epoch).
 *
 * @example
 * await model.fit(x, y, { epochs: 50, callbacks: [modelCheckpoint({ filepath: 'ckpt/last.safetensors' })] });
 * const { model: m, initialEpoch } = await resumeFromCheckpoint('ckpt/last.safetensors');
 */
export class ModelCheckpoint extends Callback {
  readonly filepath: string;
  readonly saveBestOnly: boolean;
  readonly saveFreq: 'epoch' | number;
  readonly monitor: Monitor;
  private batchesSinceSave = 0;
  private currentEpoch = 0;

  constructor(readonly args: ModelCheckpointArgs) {
    checkOptions(
      'modelCheckpoint',
      args,
      optionKeys<ModelCheckpointArgs>({
        filepath: true,
        monitor: true,
        verbose: true,
        saveBestOnly: true,
        mode: true,
        saveFreq: true,
        includeOptimizer: true,
        initialValueThreshold: true,
      }),
    );
    super();
    if (!args || typeof args.filepath !== 'string' || args.filepath === '') {
      throw new ValueError(
        `modelCheckpoint: 'filepath' must be a non-empty string (a .safetensors file or a directory), got ${JSON.stringify(args?.filepath)}`,
      );
    }
    const freq = args.saveFreq ?? 'epoch';
    if (freq !== 'epoch' && !(Number.isInteger(freq) && freq > 0)) {
      throw new ValueError(
        `modelCheckpoint: 'saveFreq' must be 'epoch' or a positive integer number of batches, got ${JSON.stringify(freq)}`,
      );
    }
    this.filepath = args.filepath;
    this.saveBestOnly = args.saveBestOnly ?? false;
    this.saveFreq = freq;
    this.monitor = new Monitor(args.monitor ?? 'val_loss', args.mode ?? 'auto', 0, 'modelCheckpoint');
    if (args.initialValueThreshold !== undefined) this.monitor.best = args.initialValueThreshold;
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    this.currentEpoch = epoch;
  }

  /** Saving once an epoch needs no batch hook (fit then skips them). */
  override get watchesBatches(): boolean {
    return this.saveFreq !== 'epoch';
  }

  override async onBatchEnd(batch: number, logs?: Logs): Promise<void> {
    if (this.saveFreq === 'epoch') return;
    if (++this.batchesSinceSave < this.saveFreq) return;
    this.batchesSinceSave = 0;
    await this.maybeSave(this.currentEpoch, batch + 1, logs);
  }

  override async onEpochEnd(epoch: number, logs?: Logs): Promise<void> {
    if (this.saveFreq === 'epoch') await this.maybeSave(epoch + 1, null, logs);
  }

  /** `epochsDone` epochs are complete, plus `batch` batches of the next when mid-epoch. */
  private async maybeSave(epochsDone: number, batch: number | null, logs: Logs | undefined): Promise<void> {
    if (this.saveBestOnly) {
      const value = this.monitor.read(logs);
      if (!this.monitor.isImprovement(value)) {
        if (this.args.verbose)
          console.log(`Epoch ${epochsDone}: ${this.monitor.name} did not improve from ${this.monitor.best}`);
        return;
      }
      this.monitor.best = value;
    }
    const path = formatCheckpointPath(this.filepath, batch === null ? epochsDone : epochsDone + 1, logs ?? {});
    // A diverged model must never replace the last good checkpoint.
    const bad = await firstNonFiniteWeight(this.model.weights);
    if (bad !== null)
      throw new ValueError(
        `modelCheckpoint: not saving to '${path}': weight '${bad}' holds NaN or infinite values; checkpoints are never written with non-finite weights, so the previous one is kept`,
      );
    const includeOptimizer = this.args.includeOptimizer ?? true;
    await saveModel(this.model as unknown as LayersModel, path, {
      includeOptimizer,
      trainingState: includeOptimizer ? { epoch: epochsDone, batch, rng: globalRng.getState() } : undefined,
    });
    if (this.args.verbose) console.log(`Epoch ${epochsDone}: saved model to ${path}`);
  }
}

/**
 * Fills Keras-style placeholders: `{epoch}` (1-based, as Keras prints it), `{epoch:02d}`, and
 * any logged value, `{val_loss:.4f}`.
 * @example formatCheckpointPath('ckpt/e{epoch:02d}-{loss:.2f}.safetensors', 3, { loss: 0.1234 }); // 'ckpt/e03-0.12.safetensors'
 */
export function formatCheckpointPath(template: string, epoch: number, logs: Logs): string {
  return template.replace(
    /\{([A-Za-z_][\w]*)(?::(0?)(\d*)(?:\.(\d+))?([dfe]?))?\}/g,
    (whole, key: string, zero: string, width: string, precision: string, kind: string) => {
      const value = key === 'epoch' ? epoch : logs[key];
      if (value === undefined)
        throw new ValueError(
          `modelCheckpoint: filepath placeholder ${whole} names '${key}', which is not logged; available: epoch, ${Object.keys(logs).join(', ')}`,
        );
      let text =
        kind === 'd'
          ? String(Math.round(value))
          : kind === 'e'
            ? value.toExponential(precision ? Number(precision) : 6)
            : kind === 'f' || precision
              ? value.toFixed(precision ? Number(precision) : 6)
              : String(value);
      if (width) text = text.padStart(Number(width), zero ? '0' : ' ');
      return text;
    },
  );
}

/**
 * Creates a ModelCheckpoint callback.
 * @example modelCheckpoint({ filepath: 'ckpt/best.safetensors', monitor: 'val_loss', saveBestOnly: true })
 */
export function modelCheckpoint(args: ModelCheckpointArgs): ModelCheckpoint {
  return new ModelCheckpoint(args);
}
