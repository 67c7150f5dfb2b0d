import { checkOptions, optionKeys } from '../core/options.js';
import { ValueError } from '../core/errors.js';
import { globalRng, type Rng } from '../core/rng.js';

export interface SamplingOptions {
  /** Divides the logits: < 1 sharper, > 1 flatter, 0 greedy (argmax). Default 1. */
  temperature?: number;
  /** Keep only the k most likely tokens (0 or undefined: all). */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p (nucleus sampling). */
  topP?: number;
  /** The generator to draw from; default the global one (see setSeed). */
  rng?: Rng;
}

/**
 * The probabilities `sampleFromLogits` draws from, after temperature, top-k and top-p.
 * @example samplingDistribution([2, 1, 0], { topK: 2 }); // [0.731, 0.269, 0]
 */
export function samplingDistribution(logits: ArrayLike<number>, options: SamplingOptions = {}): Float64Array {
  checkOptions(
    'sampleFromLogits',
    options,
    optionKeys<SamplingOptions>({ temperature: true, topK: true, topP: true, rng: true }),
  );
  const { temperature = 1, topK = 0, topP = 1 } = options;
  const n = logits.length;
  if (n === 0) throw new ValueError('sampleFromLogits: logits must not be empty');
  if (!(temperature >= 0) || !Number.isFinite(temperature))
    throw new ValueError(`sampleFromLogits: 'temperature' must be a finite number >= 0, got ${temperature}`);
  if (!Number.isInteger(topK) || topK < 0)
    throw new ValueError(`sampleFromLogits: 'topK' must be a non-negative integer, got ${topK}`);
  if (!(topP > 0 && topP <= 1)) throw new ValueError(`sampleFromLogits: 'topP' must be in (0, 1], got ${topP}`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => logits[b] - logits[a] || a - b);
  const probs = new Float64Array(n);
  if (temperature === 0) {
    probs[order[0]] = 1;
    return probs;
  }
  const keep = topK > 0 ? Math.min(topK, n) : n;
  const top = logits[order[0]] / temperature;
  let total = 0;
  for (let r = 0; r < keep; r++) total += probs[order[r]] = Math.exp(logits[order[r]] / temperature - top);
  // Nucleus: the shortest prefix (by probability) whose mass reaches topP.
  let mass = 0;
  let cut = keep;
  for (let r = 0; r < keep; r++) {
    mass += probs[order[r]] / total;
    if (mass >= topP) {
      cut = r + 1;
      break;
    }
  }
  let kept = 0;
  for (let r = 0; r < n; r++) {
    if (r >= cut) probs[order[r]] = 0;
    else kept += probs[order[r]];
  }
  for (let i = 0; i < n; i++) probs[i] /= kept;
  return probs;
}

/**
 * Draws a token index from unnormalised log-probabilities with temperature, top-k and top-p,
 * from a seeded generator so generation is reproducible.
 * @example
 * const next = sampleFromLogits(logits.dataSync(), { temperature: 0.8, topK: 20, rng: new Rng(1) });
 */
export function sampleFromLogits(logits: ArrayLike<number>, options: SamplingOptions = {}): number {
  const probs = samplingDistribution(logits, options);
  const u = (options.rng ?? globalRng).uniform();
  let acc = 0;
  let last = 0;
  for (let i = 0; i < probs.length; i++) {
    if (probs[i] === 0) continue;
    last = i;
    acc += probs[i];
    if (u < acc) return i;
  }
  return last;
}
