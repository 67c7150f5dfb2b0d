import { allocArray } from '../core/dtype.js';
import { normAxis } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { tensor, toTensor, type TensorLike } from './convert.js';
import { matMul } from './prims/matmul.js';
import { cast, transpose } from './prims/shape_ops.js';

/**
 * Cumulative sum along `axis` (TF.js semantics for `exclusive` and `reverse`). Computed as a
 * product with a triangular matrix, so its gradient (a reversed cumsum) comes from matMul.
 * @example cumsum(tensor([1, 2, 3])) // [1, 3, 6]
 */
export function cumsum(x: TensorLike, axis = 0, exclusive = false, reverse = false): Tensor {
  let t = toTensor(x, 'x', 'cumsum');
  if (t.dtype === 'bool') t = cast(t, 'int32');
  const a = normAxis(axis, t.rank, 'cumsum');
  const n = t.shape[a];
  // mask[i, j] = 1 when input position i contributes to output position j.
  const mask = allocArray(t.dtype, n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const contributes = reverse ? (exclusive ? i > j : i >= j) : exclusive ? i < j : i <= j;
      if (contributes) mask[i * n + j] = 1;
    }
  }
  const last = t.rank - 1;
  const perm = t.shape.map((_, i) => (i === a ? last : i === last ? a : i));
  const moved = transpose(t, perm);
  return transpose(matMul(moved, tensor(mask, [n, n], t.dtype)), perm);
}
