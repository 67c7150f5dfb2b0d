import { parseArgs } from 'node:util';
import { UsageError } from './args.js';

/** The settings of `myelin gpt`. */
export interface GptCliOptions {
  preset: 'baby' | 'small';
  layers: number;
  heads: number;
  embedDim: number;
  /** Context length (the model's blockSize). */
  blockSize: number;
  batchSize: number;
  /** Optimizer steps, each on `batchSize` random windows of the training text. */
  iterations: number;
  /** Peak learning rate after the warm-up; the cosine ends at minLearningRate. */
  learningRate: number;
  minLearningRate: number;
  warmup: number;
  dropout: number;
  /** Steps between validation reports. */
  evalInterval: number;
  /** Validation windows scored at each report (the final score uses the whole held-out text). */
  evalWindows: number;
  /** Stop training after this many minutes, whatever the step (0: no limit). */
  maxMinutes: number;
  /** Prompt of the sample printed at the end (training runs, and with --load). */
  generate: string;
  /** Characters to generate. */
  length: number;
  temperature: number;
  topK: number;
  /** A prompt whose attention maps and saliency are written to `html`; none when empty. */
  explain: string;
  html: string;
  /** Directory to save the trained model and its vocabulary to; none when empty. */
  out: string;
  /** Directory of a saved model to sample from or explain instead of training; none when empty. */
  load: string;
  /** CSV file for the loss curve (step, seconds, train and validation loss, tokens/s); none when empty. */
  log: string;
  seed?: number;
  verbose: 0 | 1 | 2;
}

type Architecture = Pick<
  GptCliOptions,
  | 'layers'
  | 'heads'
  | 'embedDim'
  | 'blockSize'
  | 'batchSize'
  | 'iterations'
  | 'learningRate'
  | 'minLearningRate'
  | 'warmup'
  | 'dropout'
  | 'evalInterval'
>;

/**
 * The presets. `baby` is the classic CPU configuration of a character-level GPT on Tiny
 * Shakespeare; `small` is wider, reads twice the context and trains 1.8 times as many steps of
 * 1.5 times as many windows: about 5.5 million characters, 24 minutes on two cores.
 */
export const GPT_PRESETS: Record<GptCliOptions['preset'], Architecture> = {
  baby: {
    layers: 4,
    heads: 4,
    embedDim: 128,
    blockSize: 64,
    batchSize: 12,
    iterations: 2000,
    learningRate: 1e-3,
    minLearningRate: 1e-4,
    warmup: 100,
    dropout: 0,
    evalInterval: 250,
  },
  small: {
    layers: 4,
    heads: 4,
    embedDim: 192,
    blockSize: 128,
    batchSize: 12,
    iterations: 3600,
    learningRate: 2e-3,
    minLearningRate: 2e-4,
    warmup: 100,
    // No dropout: in 3,600 steps the model reads each training character only about five times,
    // and it ends overfitting mildly (validation 1.54 against training 1.32 nats/char).
    dropout: 0,
    evalInterval: 300,
  },
};

const REST = {
  evalWindows: 200,
  maxMinutes: 0,
  generate: 'ROMEO:\n',
  length: 500,
  temperature: 0.8,
  topK: 0,
  explain: '',
  html: 'attention.html',
  out: '',
  load: '',
  log: '',
  verbose: 1 as const,
};

const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const NUMBERS = [
  ...Object.keys(GPT_PRESETS.baby),
  'evalWindows',
  'maxMinutes',
  'length',
  'temperature',
  'topK',
  'seed',
];
const STRINGS = ['generate', 'explain', 'html', 'out', 'load', 'log'];
const INTEGERS = new Set(
  NUMBERS.filter((k) => !['learningRate', 'minLearningRate', 'dropout', 'temperature', 'maxMinutes'].includes(k)),
);

/**
 * Parses `myelin gpt`'s arguments over the chosen preset; null for --help.
 * @example parseGptArgs(['--preset', 'small', '--out', 'gpt-small']);
 */
export function parseGptArgs(argv: readonly string[]): GptCliOptions | null {
  const spec = Object.fromEntries([
    ...[...NUMBERS, ...STRINGS, 'preset', 'verbose'].map((k) => [kebab(k), { type: 'string' as const }]),
    ['help', { type: 'boolean' as const, short: 'h' }],
  ]);
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: [...argv], options: spec, strict: true, allowPositionals: false }).values as Record<
      string,
      string | boolean | undefined
    >;
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0].split('. ')[0].replace(/\.$/, ''));
  }
  if (values.help) return null;
  const preset = (values.preset as string | undefined) ?? 'baby';
  if (preset !== 'baby' && preset !== 'small')
    throw new UsageError(`option --preset expects baby or small, got '${preset}'`);
  const options: GptCliOptions = { preset, ...GPT_PRESETS[preset], ...REST };
  const record = options as unknown as Record<string, unknown>;
  for (const key of NUMBERS) {
    const raw = values[kebab(key)] as string | undefined;
    if (raw === undefined) continue;
    const n = raw.trim() === '' ? NaN : Number(raw);
    const ok = Number.isFinite(n) && n >= 0 && (!INTEGERS.has(key) || Number.isInteger(n));
    if (!ok)
      throw new UsageError(
        `option --${kebab(key)} expects a non-negative ${INTEGERS.has(key) ? 'integer' : 'number'}, got '${raw}'`,
      );
    record[key] = n;
  }
  for (const key of STRINGS) {
    const raw = values[kebab(key)] as string | undefined;
    if (raw !== undefined) record[key] = key === 'generate' || key === 'explain' ? raw.replace(/\\n/g, '\n') : raw;
  }
  if (values.verbose !== undefined) {
    if (!['0', '1', '2'].includes(values.verbose as string))
      throw new UsageError(`option --verbose expects 0, 1 or 2, got '${values.verbose}'`);
    options.verbose = Number(values.verbose) as 0 | 1 | 2;
  }
  for (const key of ['layers', 'heads', 'embedDim', 'blockSize', 'batchSize', 'iterations', 'evalInterval'] as const)
    if (options[key] < 1)
      throw new UsageError(`option --${kebab(key)} expects a positive integer, got ${options[key]}`);
  if (options.embedDim % options.heads !== 0)
    throw new UsageError(`option --embed-dim (${options.embedDim}) must be divisible by --heads (${options.heads})`);
  if (options.dropout >= 1) throw new UsageError(`option --dropout expects a number in [0, 1), got ${options.dropout}`);
  if (options.warmup >= options.iterations)
    throw new UsageError(`option --warmup (${options.warmup}) must be less than --iterations (${options.iterations})`);
  return options;
}

/** `myelin gpt --help`. */
export function gptHelp(): string {
  const b = GPT_PRESETS.baby,
    s = GPT_PRESETS.small;
  const arch = (p: Architecture) =>
    `${p.layers} layers, ${p.heads} heads, embedding ${p.embedDim}, context ${p.blockSize}, batch ${p.batchSize}, ${p.iterations} steps, lr ${p.learningRate} → ${p.minLearningRate}, dropout ${p.dropout}`;
  return `Usage: myelin gpt [options]

Trains a character-level GPT on Tiny Shakespeare (first 90% for training, last 10% for
validation) with AdamW (beta2 0.99, weight decay 0.1 on kernels and tables, none on biases and
norms), ${b.warmup} warm-up steps then cosine decay, gradients clipped to a global norm of 1; prints
the validation loss (nats per character) and a sample. With --load, samples from (or explains)
a saved model instead of training.

Presets (--preset):
  baby    (default) ${arch(b)}
  small   ${arch(s)}
Any of these can be overridden: --layers --heads --embed-dim --block-size --batch-size
  --iterations --learning-rate --min-learning-rate --warmup --dropout --eval-interval

Options:
  --eval-windows N      Validation windows scored at each report (default ${REST.evalWindows}); the final
                        score is over the whole held-out text.
  --max-minutes X       Stop training after X minutes, at whatever step (default 0: no limit).
  --out DIR             Save the trained model (model.json, model.safetensors, vocabulary.json).
  --load DIR            Load a model saved with --out instead of training.
  --generate TEXT       Prompt of the sample (default ${JSON.stringify(REST.generate)}; \\n for a newline).
  --length N            Characters to generate (default ${REST.length}).
  --temperature X       Sampling temperature (default ${REST.temperature}; 0 is greedy).
  --top-k N             Sample among the N most likely characters (default 0: all).
  --explain TEXT        Write every head's attention over TEXT and the saliency of each character
                        for the next-character prediction to an HTML page (--html, default ${REST.html}).
  --log FILE            Write the loss curve as CSV.
  --seed N              Seed initialisation, batches and sampling.
  --verbose 0|1|2       0 quiet, 1 progress bar, 2 one line per report (default 1).

Examples:
  myelin gpt --out gpt-baby
  myelin gpt --preset small --out gpt-small --log small.csv
  myelin gpt --load gpt-baby --generate "JULIET:\\n" --length 300 --temperature 0.7
  myelin gpt --load gpt-baby --explain "To be, or not to be" --html attention.html`;
}
