import { backend } from '../backend/registry.js';
import { getFloatX, type DType } from '../core/dtype.js';
import { sizeOf, validateShape } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { tensor, wrap, type TensorLike } from './convert.js';

/** A tensor of `shape` filled with `value`. @example fill([2, 3], 7) */
export function fill(shape: readonly number[], value: number, dtype: DType = getFloatX()): Tensor {
  validateShape(shape, 'fill(shape)');
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

function checkedRank(t: Tensor, rank: number, fn: string): Tensor {
  if (t.rank !== rank) throw new Error(`${fn}: expected values of rank ${rank}, got shape [${t.shape.join(', ')}] (rank ${t.rank})`);
  return t;
}
