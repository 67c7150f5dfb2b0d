import { checkOptions, optionKeys } from '../core/options.js';
import type { DType } from '../core/dtype.js';
import { ValueError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { tensor } from '../ops/convert.js';

export interface PadSequencesOptions {
  /** Length of every row; default the longest sequence. */
  maxlen?: number | null;
  /** Default 'int32'. */
  dtype?: DType;
  /** Pad at the start ('pre', default, as Keras) or the end ('post'). */
  padding?: 'pre' | 'post';
  /** Drop from the start ('pre', default) or the end ('post') of sequences longer than maxlen. */
  truncating?: 'pre' | 'post';
  /** The padding value; default 0. */
  value?: number;
}

/**
 * Turns a ragged list of id sequences into one [n, maxlen] tensor (Keras `pad_sequences`).
 * @example
 * padSequences([[1, 2, 3], [4]]);                      // [[1, 2, 3], [0, 0, 4]]
 * padSequences([[1, 2, 3], [4]], { maxlen: 2, padding: 'post' }); // [[2, 3], [4, 0]]
 */
export function padSequences(sequences: readonly (readonly number[])[], options: PadSequencesOptions = {}): Tensor {
  checkOptions(
    'padSequences',
    options,
    optionKeys<PadSequencesOptions>({ maxlen: true, dtype: true, padding: true, truncating: true, value: true }),
  );
  if (!Array.isArray(sequences))
    throw new ValueError(`padSequences: 'sequences' must be an array of number arrays, got ${typeof sequences}`);
  const { padding = 'pre', truncating = 'pre', value = 0, dtype = 'int32' } = options;
  for (const [arg, v] of [
    ['padding', padding],
    ['truncating', truncating],
  ] as const) {
    if (v !== 'pre' && v !== 'post')
      throw new ValueError(`padSequences: '${arg}' must be 'pre' or 'post', got ${JSON.stringify(v)}`);
  }
  sequences.forEach((s, i) => {
    if (!Array.isArray(s) && !ArrayBuffer.isView(s))
      throw new ValueError(
        `padSequences: sequences[${i}] must be an array of numbers, got ${s === null ? 'null' : typeof s}`,
      );
  });
  const longest = sequences.reduce((m, s) => Math.max(m, s.length), 0);
  const maxlen = options.maxlen ?? longest;
  if (!Number.isInteger(maxlen) || maxlen < 0)
    throw new ValueError(
      `padSequences: 'maxlen' must be a non-negative integer, got ${JSON.stringify(options.maxlen)}`,
    );
  const out = new Float64Array(sequences.length * maxlen).fill(value);
  sequences.forEach((s, i) => {
    const kept =
      s.length <= maxlen
        ? Array.from(s)
        : truncating === 'pre'
          ? Array.from(s).slice(s.length - maxlen)
          : Array.from(s).slice(0, maxlen);
    const start = padding === 'pre' ? maxlen - kept.length : 0;
    kept.forEach((v, j) => {
      if (typeof v !== 'number' || Number.isNaN(v))
        throw new ValueError(`padSequences: sequences[${i}][${j}] must be a number, got ${JSON.stringify(v)}`);
      out[i * maxlen + start + j] = v;
    });
  });
  return tensor(out, [sequences.length, maxlen], dtype);
}
