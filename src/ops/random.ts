import { uploadDrawn } from '../backend/capture.js';
import { backend } from '../backend/registry.js';
import { allocArray, getFloatX, type DType, type TypedArray } from '../core/dtype.js';
import { ValueError } from '../core/errors.js';
import { Rng, globalRng } from '../core/rng.js';
import { sizeOf, validateShape } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { wrap } from './convert.js';

/** The global generator (so `setSeed` makes runs reproducible) unless the call names its own seed. */
function generator(seed: number | undefined, op: string): Rng {
  if (seed === undefined || seed === null) return globalRng;
  if (!Number.isFinite(seed)) throw new ValueError(`${op}: seed must be a finite number, got ${seed}`);
  return new Rng(Math.floor(seed));
}

function checkFloat(dtype: DType, op: string): void {
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new ValueError(`${op}: dtype must be 'float32' or 'float64', got '${dtype}'`);
  }
}

function fromSampler(shape: readonly number[], dtype: DType, op: string, sample: () => number): Tensor {
  validateShape(shape, `${op}(shape)`);
  return drawnTensor(shape, dtype, (values) => {
    for (let i = 0; i < values.length; i++) values[i] = sample();
  });
}

/**
 * A tensor of values host code draws afresh at every call (random masks, noise): `draw` fills
 * an array of the dtype's kind with one value per element, in row-major order. Every random
 * tensor is made here, so that a captured training step (training/replay) repeats the draws at
 * each replay and the generators advance exactly as in the ordinary step.
 * @example drawnTensor([2, 2], 'float32', (v) => v.fill(1))
 */
export function drawnTensor(shape: readonly number[], dtype: DType, draw: (values: TypedArray) => void): Tensor {
  const produce = (): TypedArray => {
    const values = allocArray(dtype, sizeOf(shape));
    draw(values);
    return values;
  };
  return wrap(uploadDrawn(backend(), dtype, produce), shape, dtype);
}

/**
 * Fills `mask` (its first `size` values) with a fresh inverted-dropout mask: 0 with probability
 * `rate`, else 1 / (1 - rate), one uniform draw per value.
 * @example const m = new Float64Array(8); fillDropoutMask(m, 0.5, globalRng);
 */
export function fillDropoutMask(mask: TypedArray, rate: number, rng: Rng, size = mask.length): void {
  const keep = 1 - rate;
  for (let i = 0; i < size; i++) mask[i] = rng.uniform() < keep ? 1 / keep : 0;
}

/**
 * A fresh inverted-dropout mask of `shape` (see fillDropoutMask), drawn from `rng`.
 * @example mul(x, dropoutMask(x.shape, 0.1, x.dtype, globalRng))
 */
export function dropoutMask(shape: readonly number[], rate: number, dtype: DType, rng: Rng): Tensor {
  return drawnTensor(shape, dtype, (mask) => fillDropoutMask(mask, rate, rng));
}

/**
 * Samples from a normal distribution. Draws from the global generator, so `setSeed(n)` makes
 * it reproducible; an explicit `seed` uses a private generator instead.
 * @example randomNormal([2, 3], 0, 0.05)
 */
export function randomNormal(
  shape: readonly number[],
  mean = 0,
  stddev = 1,
  dtype: DType = getFloatX(),
  seed?: number,
): Tensor {
  checkFloat(dtype, 'randomNormal');
  const rng = generator(seed, 'randomNormal');
  return fromSampler(shape, dtype, 'randomNormal', () => mean + stddev * rng.normal());
}

/**
 * Samples uniformly from [minval, maxval). With dtype 'int32' the values are integers in
 * [minval, maxval) (floored, as TF.js does).
 * @example randomUniform([3], -1, 1)
 */
export function randomUniform(
  shape: readonly number[],
  minval = 0,
  maxval = 1,
  dtype: DType = getFloatX(),
  seed?: number,
): Tensor {
  if (dtype === 'bool')
    throw new ValueError(`randomUniform: dtype must be 'float32', 'float64' or 'int32', got 'bool'`);
  if (!(maxval >= minval)) throw new ValueError(`randomUniform: maxval (${maxval}) must be >= minval (${minval})`);
  const rng = generator(seed, 'randomUniform');
  const span = maxval - minval;
  const sample =
    dtype === 'int32' ? () => Math.floor(minval + span * rng.uniform()) : () => minval + span * rng.uniform();
  return fromSampler(shape, dtype, 'randomUniform', sample);
}

/**
 * Samples from a normal distribution, redrawing values more than two standard deviations from
 * the mean (Keras' `TruncatedNormal`).
 * @example truncatedNormal([784, 128], 0, 0.05)
 */
export function truncatedNormal(
  shape: readonly number[],
  mean = 0,
  stddev = 1,
  dtype: DType = getFloatX(),
  seed?: number,
): Tensor {
  checkFloat(dtype, 'truncatedNormal');
  const rng = generator(seed, 'truncatedNormal');
  return fromSampler(shape, dtype, 'truncatedNormal', () => {
    let z: number;
    do z = rng.normal();
    while (Math.abs(z) > 2);
    return mean + stddev * z;
  });
}
