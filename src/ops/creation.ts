import { backend } from '../backend/registry.js';
import { allocArray, checkDType, getFloatX, type DType } from '../core/dtype.js';
import { ValueError } from '../core/errors.js';
import { sizeOf, validateShape } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { tensor, wrap, type TensorLike } from './convert.js';

/** A tensor of `shape` filled with `value`. @example fill([2, 3], 7) */
export function fill(shape: readonly number[], value: number, dtype: DType = getFloatX()): Tensor {
  checkDType(dtype, 'fill');
  validateShape(shape, 'fill(shape)');
  // An Int32Array would wrap 3e9 to -1294967296 and turn NaN into 0 without a word.
  if (dtype === 'int32' && !(Math.trunc(value) >= -2147483648 && Math.trunc(value) <= 2147483647))
    throw new ValueError(
      `fill: value ${value} does not fit dtype int32 (integers from -2147483648 to 2147483647); use 'float32' or 'float64' for it`,
    );
  return wrap(backend().fill(sizeOf(shape), value, dtype), shape, dtype);
}

/** Zeros of `shape`. @example zeros([2, 3]) */
export function zeros(shape: readonly number[], dtype: DType = getFloatX()): Tensor {
  return fill(shape, 0, dtype);
}

/** Ones of `shape`. @example ones([3]) */
export function ones(shape: readonly number[], dtype: DType = getFloatX()): Tensor {
  return fill(shape, 1, dtype);
}

/** Zeros with the shape and dtype of `x`. */
export function zerosLike(x: Tensor): Tensor {
  return zeros(x.shape, x.dtype);
}

/** Ones with the shape and dtype of `x`. */
export function onesLike(x: Tensor): Tensor {
  return ones(x.shape, x.dtype);
}

/** A rank-0 tensor. @example scalar(3.5) */
export function scalar(value: number | boolean, dtype?: DType): Tensor {
  return tensor(value, [], dtype);
}

export function tensor1d(values: TensorLike, dtype?: DType): Tensor {
  return checkedRank(tensor(values, undefined, dtype), 1, 'tensor1d');
}
export function tensor2d(values: TensorLike, shape?: readonly [number, number], dtype?: DType): Tensor {
  return checkedRank(tensor(values, shape, dtype), 2, 'tensor2d');
}
export function tensor3d(values: TensorLike, shape?: readonly [number, number, number], dtype?: DType): Tensor {
  return checkedRank(tensor(values, shape, dtype), 3, 'tensor3d');
}
export function tensor4d(values: TensorLike, shape?: readonly [number, number, number, number], dtype?: DType): Tensor {
  return checkedRank(tensor(values, shape, dtype), 4, 'tensor4d');
}

export function tensor5d(values: TensorLike, shape?: readonly number[], dtype?: DType): Tensor {
  return checkedRank(tensor(values, shape, dtype), 5, 'tensor5d');
}
export function tensor6d(values: TensorLike, shape?: readonly number[], dtype?: DType): Tensor {
  return checkedRank(tensor(values, shape, dtype), 6, 'tensor6d');
}

function checkedRank(t: Tensor, rank: number, fn: string): Tensor {
  if (t.rank !== rank)
    throw new Error(`${fn}: expected values of rank ${rank}, got shape [${t.shape.join(', ')}] (rank ${t.rank})`);
  return t;
}

/**
 * `num` evenly spaced values from `start` to `stop`, both included.
 * @example linspace(0, 1, 5) // [0, 0.25, 0.5, 0.75, 1]
 */
export function linspace(start: number, stop: number, num: number, dtype: DType = getFloatX()): Tensor {
  if (!Number.isInteger(num) || num < 1) throw new ValueError(`linspace: num must be a positive integer, got ${num}`);
  const values = allocArray(dtype, num);
  const step = num === 1 ? 0 : (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) values[i] = start + i * step;
  if (num > 1) values[num - 1] = stop;
  return tensor(values, [num], dtype);
}

/**
 * Values from `start` (inclusive) to `stop` (exclusive) by `step`, as TF.js `range`. With one
 * argument it counts from 0, like Python. A step pointing away from `stop` gives an empty tensor.
 * @example range(0, 5) // [0, 1, 2, 3, 4]
 * @example range(5, 0, -2, 'int32') // [5, 3, 1]
 */
export function range(start: number, stop?: number, step = 1, dtype: DType = 'float32'): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  if (step === 0) throw new ValueError('range: step must not be 0');
  if (![start, stop, step].every(Number.isFinite))
    throw new ValueError(`range: start, stop and step must be finite, got ${start}, ${stop}, ${step}`);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const values = allocArray(dtype, n);
  for (let i = 0; i < n; i++) values[i] = start + i * step;
  return tensor(values, [n], dtype);
}

/**
 * An identity matrix of `numRows` x `numColumns` (square by default).
 * @example eye(3) // 3x3 identity
 */
export function eye(numRows: number, numColumns: number = numRows, dtype: DType = getFloatX()): Tensor {
  validateShape([numRows, numColumns], 'eye(numRows, numColumns)');
  const values = allocArray(dtype, numRows * numColumns);
  for (let i = 0; i < Math.min(numRows, numColumns); i++) values[i * numColumns + i] = 1;
  return tensor(values, [numRows, numColumns], dtype);
}
