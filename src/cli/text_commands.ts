import { MyelinError } from '../core/errors.js';
import { parseCommandArgs, UsageError } from './args.js';
import { runSentiment, SENTIMENT_DEFAULTS, type SentimentOptions } from './sentiment.js';
import { runShakespeare, SHAKESPEARE_DEFAULTS, type ShakespeareOptions } from './shakespeare.js';

type Defaults = Record<string, string | number | undefined>;

/** Counts that must be at least 1. */
const POSITIVE = new Set(['epochs', 'steps', 'batchSize', 'units', 'embeddingDim', 'seqLength', 'maxTokens']);

const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Options as --kebab-case flags over `defaults`; numbers are checked, names match the keys. */
function parseOptions<T extends Defaults>(
  argv: readonly string[],
  defaults: T,
  choices: Record<string, readonly string[]> = {},
): T | null {
  const keys = [...new Set([...Object.keys(defaults), 'seed'])];
  const spec = Object.fromEntries([
    ...keys.map((k) => [kebab(k), { type: 'string' as const }]),
    ['help', { type: 'boolean' as const, short: 'h' }],
  ]);
  const values = parseCommandArgs(argv, spec).values as Record<string, string | boolean | undefined>;
  if (values.help) return null;
  const out: Defaults = { ...defaults };
  for (const key of keys) {
    const raw = values[kebab(key)] as string | undefined;
    if (raw === undefined) continue;
    if (choices[key]) {
      if (!choices[key].includes(raw))
        throw new UsageError(`option --${kebab(key)} expects one of ${choices[key].join(', ')}, got '${raw}'`);
      out[key] = raw;
    } else if (typeof defaults[key] === 'string') out[key] = raw.replace(/\\n/g, '\n');
    else {
      const n = raw.trim() === '' ? NaN : Number(raw);
      const integer = Number.isInteger(defaults[key]) || key === 'seed';
      const min = POSITIVE.has(key) ? 1 : 0;
      const expected = integer ? (min ? 'a positive integer' : 'a non-negative integer') : 'a non-negative number';
      if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n)))
        throw new UsageError(`option --${kebab(key)} expects ${expected}, got '${raw}'`);
      if (key === 'verbose' && n > 2) throw new UsageError(`option --verbose expects 0, 1 or 2, got '${raw}'`);
      out[key] = n;
    }
  }
  return out as T;
}

/** Usage of the two text commands: every option with its default. */
export function textCommandHelp(command: 'shakespeare' | 'sentiment'): string {
  const defaults: Defaults = command === 'shakespeare' ? { ...SHAKESPEARE_DEFAULTS } : { ...SENTIMENT_DEFAULTS };
  const what =
    command === 'shakespeare'
      ? 'Trains a character-level LSTM on Tiny Shakespeare, saves it (--out), then generates text from --prompt at --temperature.'
      : 'Trains embedding → LSTM/GRU → sigmoid on the labelled review sentences and compares it with a bag-of-words logistic regression.';
  const lines = Object.entries(defaults).map(([k, v]) => `  --${kebab(k)} ${JSON.stringify(v)}`);
  if (!('seed' in defaults)) lines.push('  --seed N');
  return [
    `myelin ${command} [options]`,
    what,
    'Options (defaults shown; --plot FILE charts the training curves):',
    ...lines,
  ].join('\n');
}

/**
 * `myelin shakespeare` and `myelin sentiment`: parses the options, runs, returns the exit status.
 * @example process.exitCode = await runTextCommand('sentiment', ['--cell', 'gru'], io);
 */
export async function runTextCommand(
  command: 'shakespeare' | 'sentiment',
  argv: readonly string[],
  io: { out: (l: string) => void; err: (l: string) => void },
): Promise<number> {
  let options;
  try {
    options =
      command === 'shakespeare'
        ? parseOptions(argv, { ...SHAKESPEARE_DEFAULTS } as unknown as Defaults)
        : parseOptions(argv, { ...SENTIMENT_DEFAULTS } as unknown as Defaults, { cell: ['lstm', 'gru'] });
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`myelin ${command}: ${e.message}`);
    io.err(`Run 'myelin ${command} --help' for the options.`);
    return 2;
  }
  if (options === null) {
    io.out(textCommandHelp(command));
    return 0;
  }
  try {
    if (command === 'shakespeare') await runShakespeare(options as unknown as ShakespeareOptions, io.out);
    else await runSentiment(options as unknown as SentimentOptions, io.out);
    return 0;
  } catch (e) {
    if (!(e instanceof MyelinError)) throw e;
    io.err(`myelin: ${e.name}: ${e.message}`);
    return 1;
  }
}
