import { ValueError, fmtShape } from '../core/errors.js';
import { normAxes, normAxis } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { toTensor, type TensorLike } from './convert.js';
import { reshape } from './prims/shape_ops.js';

/**
 * Inserts a dimension of size 1 at `axis` (negative counts from the end of the result).
 * @example expandDims(tensor([1, 2]), 1).shape // [2, 1]
 */
export function expandDims(x: TensorLike, axis = 0): Tensor {
  const t = toTensor(x, 'x', 'expandDims');
  const a = normAxis(axis, t.rank + 1, 'expandDims');
  const shape = [...t.shape];
  shape.splice(a, 0, 1);
  return reshape(t, shape);
}

/**
 * Removes dimensions of size 1: all of them, or only those in `axis` (each must have size 1).
 * @example squeeze(zeros([1, 3, 1])).shape // [3]
 */
export function squeeze(x: TensorLike, axis?: number | readonly number[]): Tensor {
  const t = toTensor(x, 'x', 'squeeze');
  const axes =
    axis === undefined || axis === null
      ? t.shape.flatMap((d, i) => (d === 1 ? [i] : []))
      : normAxes(axis, t.rank, 'squeeze');
  for (const a of axes) {
    if (t.shape[a] !== 1)
      throw new ValueError(
        `squeeze: cannot squeeze axis ${a} of shape ${fmtShape(t.shape)}: its size is ${t.shape[a]}, not 1`,
      );
  }
  return reshape(
    t,
    t.shape.filter((_, i) => !axes.includes(i)),
  );
}

/**
 * Reshapes to one dimension.
 * @example flatten(zeros([2, 3])).shape // [6]
 */
export function flatten(x: TensorLike): Tensor {
  const t = toTensor(x, 'x', 'flatten');
  return reshape(t, [t.size]);
}
