import { normAxes } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { tensor, toTensor, type TensorLike } from './convert.js';
import { gather } from './prims/gather.js';

/**
 * Reverses the order of elements along `axis` (all axes when omitted).
 * @example reverse(tensor([1, 2, 3])) // [3, 2, 1]
 */
export function reverse(x: TensorLike, axis?: number | readonly number[]): Tensor {
  let t = toTensor(x, 'x', 'reverse');
  for (const a of normAxes(axis, t.rank, 'reverse')) {
    const n = t.shape[a];
    if (n < 2) continue;
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = n - 1 - i;
    t = gather(t, tensor(idx, [n], 'int32'), a);
  }
  return t;
}
