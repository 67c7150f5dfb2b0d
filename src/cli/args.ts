import { parseArgs } from 'node:util';
import { MyelinError } from '../core/errors.js';

/** A mistake on the command line. `myelin` prints it with a hint and exits with status 2. */
export class UsageError extends MyelinError {}

/** The settings of `myelin boston`, with the Keras example's values as defaults. */
export interface BostonOptions {
  normalize: boolean;
  epochs: number;
  batchSize: number;
  units: number;
  /** Adam's learning rate; Keras' default is 0.001. */
  learningRate: number;
  validationSplit: number;
  /** Seed for weight initialisation and shuffling; unseeded runs differ, as in Keras. */
  seed?: number;
  verbose: 0 | 1 | 2;
  summary: boolean;
}

/** What the command line asks for. */
export type CliCommand = { command: 'help' } | { command: 'boston'; options: BostonOptions };

export const COMMANDS = ['boston', 'mnist', 'shakespeare', 'sentiment', 'gpt', 'train', 'help'] as const;

export const BOSTON_DEFAULTS: BostonOptions = {
  normalize: false,
  epochs: 10,
  batchSize: 32,
  units: 10,
  learningRate: 0.001,
  validationSplit: 0,
  verbose: 1,
  summary: false,
};

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  normalize: { type: 'boolean' },
  summary: { type: 'boolean' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  units: { type: 'string' },
  'learning-rate': { type: 'string' },
  'validation-split': { type: 'string' },
  seed: { type: 'string' },
  verbose: { type: 'string' },
} as const;

/**
 * Parses `myelin`'s arguments (without `node` and the script path). No command means `boston`.
 * @example parseCommandLine(['boston', '--normalize', '--epochs', '200']);
 * // { command: 'boston', options: { normalize: true, epochs: 200, ... } }
 */
export function parseCommandLine(argv: readonly string[]): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    // node's messages end with advice for script authors; keep only the first sentence.
    throw new UsageError((e as Error).message.split('\n')[0].split('. ')[0].replace(/\.$/, ''));
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1)
    throw new UsageError(`expected at most one command, got ${positionals.map((p) => `'${p}'`).join(' ')}`);
  const command = positionals[0] ?? 'boston';
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new UsageError(`unknown command '${command}'; commands: ${COMMANDS.join(', ')}`);
  }
  if (values.help || command === 'help') return { command: 'help' };
  const d = BOSTON_DEFAULTS;
  const options: BostonOptions = {
    normalize: values.normalize ?? d.normalize,
    summary: values.summary ?? d.summary,
    epochs: integerOption('--epochs', values.epochs, d.epochs, 1),
    batchSize: integerOption('--batch-size', values['batch-size'], d.batchSize, 1),
    units: integerOption('--units', values.units, d.units, 1),
    learningRate: numberOption(
      '--learning-rate',
      values['learning-rate'],
      d.learningRate,
      (x) => x > 0,
      'a positive number',
    ),
    validationSplit: numberOption(
      '--validation-split',
      values['validation-split'],
      d.validationSplit,
      (x) => x >= 0 && x < 1,
      'a number in [0, 1)',
    ),
    verbose: verboseOption(values.verbose),
  };
  if (values.seed !== undefined) options.seed = integerOption('--seed', values.seed, 0, 0);
  return { command: 'boston', options };
}

function numberOption(
  name: string,
  raw: string | undefined,
  fallback: number,
  ok: (x: number) => boolean,
  expected: string,
): number {
  if (raw === undefined) return fallback;
  const value = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(value) || !ok(value)) throw new UsageError(`option ${name} expects ${expected}, got '${raw}'`);
  return value;
}

function integerOption(name: string, raw: string | undefined, fallback: number, min: number): number {
  const expected = min === 0 ? 'a non-negative integer' : 'a positive integer';
  return numberOption(name, raw, fallback, (x) => Number.isInteger(x) && x >= min, expected);
}

function verboseOption(raw: string | undefined): 0 | 1 | 2 {
  if (raw === undefined) return BOSTON_DEFAULTS.verbose;
  if (raw !== '0' && raw !== '1' && raw !== '2')
    throw new UsageError(`option --verbose expects 0, 1 or 2, got '${raw}'`);
  return Number(raw) as 0 | 1 | 2;
}
