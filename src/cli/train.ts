import { existsSync } from 'node:fs';
import { modelCheckpoint } from '../callbacks/model_checkpoint.js';
import { setSeed } from '../core/rng.js';
import type { Tensor } from '../core/tensor.js';
import { loadCsv } from '../data/csv.js';
import { datasets } from '../data/datasets.js';
import { standardScaler } from '../data/scalers.js';
import { resumeFromCheckpoint, saveModel } from '../io/model_files.js';
import { layers } from '../layers/index.js';
import type { LayersModel } from '../models/layers_model.js';
import { sequential } from '../models/sequential.js';
import { reshape } from '../ops/prims/shape_ops.js';
import { adam } from '../optimizers/adam.js';
import { parseCommandArgs, UsageError } from './args.js';
import { PLOT_HELP, writePlot } from './plot_file.js';

/** The settings of `myelin train`. */
export interface TrainOptions {
  csv?: string;
  label?: string;
  epochs: number;
  batchSize: number;
  units: number;
  learningRate: number;
  seed: number;
  checkpoint: string;
  resume: boolean;
  /** Start over even if the checkpoint exists (it is replaced). */
  overwrite: boolean;
  save?: string;
  /** Where to chart the training curves. */
  plot?: string;
  verbose: 0 | 1 | 2;
}

export const TRAIN_HELP = `Usage: myelin train [options]

Trains Dense(units, relu) -> Dense(1) (Adam, mse) on a numeric CSV file or, by default, the
Boston housing training set, with features standardized. After every epoch the model, the
optimizer state and the random generator's position are saved atomically to the checkpoint,
so an interrupted run continues exactly where it stopped with --resume.

Options:
  --csv FILE              Train on this CSV file (header row, numeric cells).
  --label COLUMN          The CSV column to predict (required with --csv).
  --epochs N              Total epochs, counting those done before a resume (default 20).
  --batch-size N          Samples per step (default 32).
  --units N               Hidden units (default 16).
  --learning-rate X       Adam's learning rate (default 0.01).
  --seed N                Seed for initialisation and shuffling (default 1).
  --checkpoint PATH       Checkpoint file (default myelin-checkpoint.safetensors).
  --resume                Continue from the checkpoint when it exists.
  --overwrite             Start over, replacing an existing checkpoint (without --resume
                          or --overwrite, an existing checkpoint is never replaced).
  --save DIR              Save the trained model there at the end (myelin's native format).
  --verbose 0|1|2         Progress output (default 2).
  ${PLOT_HELP}`;

const OPTIONS = {
  csv: { type: 'string' },
  label: { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  units: { type: 'string' },
  'learning-rate': { type: 'string' },
  seed: { type: 'string' },
  checkpoint: { type: 'string' },
  resume: { type: 'boolean' },
  overwrite: { type: 'boolean' },
  save: { type: 'string' },
  plot: { type: 'string' },
  verbose: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * Parses `myelin train`'s options (after the word `train`); null when help was asked for.
 * @example parseTrainArgs(['--epochs', '50', '--resume']);
 */
export function parseTrainArgs(argv: readonly string[]): TrainOptions | null {
  const { values } = parseCommandArgs(argv, OPTIONS);
  if (values.help) return null;
  if (values.resume && values.overwrite)
    throw new UsageError('options --resume and --overwrite contradict each other; give one');
  const int = (name: string, raw: string | undefined, fallback: number, min: number) => {
    if (raw === undefined) return fallback;
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isInteger(v) || v < min)
      throw new UsageError(`option --${name} expects an integer >= ${min}, got '${raw}'`);
    return v;
  };
  const lr = values['learning-rate'] === undefined ? 0.01 : Number(values['learning-rate']);
  if (!(lr > 0))
    throw new UsageError(`option --learning-rate expects a positive number, got '${values['learning-rate']}'`);
  if (values.csv !== undefined && values.label === undefined)
    throw new UsageError(`option --csv needs --label COLUMN, the column to predict`);
  const verbose = values.verbose ?? '2';
  if (!['0', '1', '2'].includes(verbose)) throw new UsageError(`option --verbose expects 0, 1 or 2, got '${verbose}'`);
  return {
    csv: values.csv,
    label: values.label,
    epochs: int('epochs', values.epochs, 20, 1),
    batchSize: int('batch-size', values['batch-size'], 32, 1),
    units: int('units', values.units, 16, 1),
    learningRate: lr,
    seed: int('seed', values.seed, 1, 0),
    checkpoint: values.checkpoint ?? 'myelin-checkpoint.safetensors',
    resume: values.resume ?? false,
    overwrite: values.overwrite ?? false,
    save: values.save,
    plot: values.plot,
    verbose: Number(verbose) as 0 | 1 | 2,
  };
}

/**
 * Runs `myelin train`: trains with a checkpoint after every epoch, resuming when asked.
 * @example await runTrain(parseTrainArgs(['--epochs', '5'])!, console.log);
 */
export async function runTrain(
  options: TrainOptions,
  print: (line: string) => void,
): Promise<{ model: LayersModel; finalLoss: number; startEpoch: number }> {
  let x: Tensor, y: Tensor;
  if (options.csv) {
    const data = loadCsv(options.csv, { labelColumn: options.label as string });
    x = data.features;
    y = reshape(data.labels, [-1, 1]);
  } else {
    ({ xTrain: x, yTrain: y } = datasets.bostonHousing.load());
  }
  if (!options.resume && !options.overwrite && existsSync(options.checkpoint))
    throw new UsageError(
      `the checkpoint ${options.checkpoint} already exists; pass --resume to continue that run, --overwrite to start over and replace it, or --checkpoint PATH to write elsewhere`,
    );
  x = standardScaler().fit(x).transform(x);
  let model: LayersModel;
  let startEpoch = 0;
  if (options.resume && existsSync(options.checkpoint)) {
    ({ model, initialEpoch: startEpoch } = await resumeFromCheckpoint(options.checkpoint));
    print(`Resuming from ${options.checkpoint} after epoch ${startEpoch}`);
  } else {
    if (options.resume) print(`No checkpoint at ${options.checkpoint}; starting from scratch`);
    setSeed(options.seed);
    model = sequential({
      layers: [
        layers.dense({ units: options.units, activation: 'relu', inputShape: [x.shape[1]] }),
        layers.dense({ units: 1 }),
      ],
    });
    model.compile({ optimizer: adam({ learningRate: options.learningRate }), loss: 'mse', metrics: ['mae'] });
  }
  let finalLoss = NaN;
  if (startEpoch < options.epochs) {
    const history = await model.fit(x, y, {
      epochs: options.epochs,
      initialEpoch: startEpoch,
      batchSize: options.batchSize,
      verbose: options.verbose,
      callbacks: [modelCheckpoint({ filepath: options.checkpoint })],
    });
    finalLoss = history.history.loss.at(-1) as number;
    writePlot(options.plot, history.history, 'myelin train', print);
    print(
      `Trained epochs ${startEpoch + 1}-${options.epochs}; final loss ${finalLoss.toFixed(4)}; checkpoint ${options.checkpoint}`,
    );
  } else {
    print(`The checkpoint already has ${startEpoch} epochs (--epochs ${options.epochs}); nothing to do`);
  }
  if (options.save) {
    await saveModel(model, options.save);
    print(`Saved the model to ${options.save}`);
  }
  return { model, finalLoss, startEpoch };
}
