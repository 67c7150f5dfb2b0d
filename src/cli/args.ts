import { type ParseArgsConfig, parseArgs } from 'node:util';
import { MyelinError } from '../core/errors.js';
import { closestName } from '../core/options.js';

/** A mistake on the command line. `myelin` prints it with a hint and exits with status 2. */
export class UsageError extends MyelinError {
  // Written out: bundlers that minify rename classes, and the name is part of the message.
  override name = 'UsageError';
}

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
  /** Where to chart the training curves (none when absent). */
  plot?: string;
}

/** What the command line asks for. */
export type CliCommand = { command: 'help' } | { command: 'boston'; options: BostonOptions };

export const COMMANDS = ['boston', 'mnist', 'shakespeare', 'sentiment', 'gpt', 'train', 'playground', 'help'] as const;

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
  plot: { type: 'string' },
} as const;

/**
 * Parses `myelin`'s arguments (without `node` and the script path). No command means `boston`.
 * @example parseCommandLine(['boston', '--normalize', '--epochs', '200']);
 * // { command: 'boston', options: { normalize: true, epochs: 200, ... } }
 */
export function parseCommandLine(argv: readonly string[]): CliCommand {
  const { values, positionals } = parseCommandArgs(argv, OPTIONS, true);
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
  if (values.plot !== undefined) options.plot = values.plot;
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

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Node's `parseArgs` with the command's own messages: a value that starts with '-' (`--epochs -1`)
 * is taken as the option's value and checked like any other, instead of Node's "ambiguous"; an
 * unknown option names the closest known one.
 * @example parseCommandArgs(['--epoch', '3'], { epochs: { type: 'string' } }); // UsageError: ... Did you mean '--epochs'?
 */
export function parseCommandArgs<O extends Options>(
  argv: readonly string[],
  options: O,
  allowPositionals = false,
): { values: { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string }; positionals: string[] } {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith('--') ? argv[i].slice(2) : undefined;
    const next = argv[i + 1];
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-\d|^-\.\d/.test(next)) {
      args.push(`--${name}=${next}`);
      i++;
    } else args.push(argv[i]);
  }
  try {
    const parsed = parseArgs({ args, options, strict: true, allowPositionals });
    return parsed as unknown as ReturnType<typeof parseCommandArgs<O>>;
  } catch (e) {
    // Node's messages end with advice for script authors; keep only the first sentence.
    const message = (e as Error).message.split('\n')[0].split('. ')[0].replace(/\.$/, '');
    const unknown = /^Unknown option '(-{1,2}[^']+)'/.exec(message);
    if (unknown) {
      const closest = closestName(unknown[1].replace(/^-+/, ''), Object.keys(options));
      if (closest !== undefined) throw new UsageError(`${message}. Did you mean '--${closest}'?`);
    }
    throw new UsageError(message);
  }
}

/** '1 epoch', '3 epochs'. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
