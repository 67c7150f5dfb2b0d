import { ValueError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { toFloat, type TensorLike } from './convert.js';
import { mul } from './prims/binary.js';
import { max, min, sum } from './prims/reduce.js';
import { abs, sqrt } from './prims/unary.js';

type Axis = number | readonly number[] | null;

/**
 * Vector or matrix norm: `ord` 'euclidean' (default, 2), 1, Infinity, or 'fro'.
 * @example norm(x) // Euclidean norm of all elements
 */
export function norm(
  x: TensorLike,
  ord: number | 'euclidean' | 'fro' = 'euclidean',
  axis?: Axis,
  keepDims = false,
): Tensor {
  const t = toFloat(x, 'x', 'norm');
  if (ord === 'euclidean' || ord === 'fro' || ord === 2) return sqrt(sum(mul(t, t), axis, keepDims));
  if (ord === 1) return sum(abs(t), axis, keepDims);
  if (ord === Infinity) return max(abs(t), axis, keepDims);
  if (ord === -Infinity) return min(abs(t), axis, keepDims);
  throw new ValueError(
    `norm: unsupported ord ${String(ord)}; expected 'euclidean', 'fro', 1, 2, Infinity or -Infinity`,
  );
}
