import { allocArray, type DType } from '../core/dtype.js';
import { ValueError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { tensor, type TensorLike } from './convert.js';
import { toIndices } from './indices.js';

/**
 * One-hot encodes integer `indices`: the result has shape `[...indices.shape, depth]` with
 * `onValue` at each index and `offValue` elsewhere. An index outside [0, depth) is an error
 * (a silently all-zero row would hide a label bug). The dtype is int32 as in TF.js.
 * @example oneHot(tensor([0, 2], [2], 'int32'), 3) // [[1, 0, 0], [0, 0, 1]]
 */
export function oneHot(indices: TensorLike, depth: number, onValue = 1, offValue = 0, dtype: DType = 'int32'): Tensor {
  if (!Number.isInteger(depth) || depth < 1)
    throw new ValueError(`oneHot: depth must be a positive integer, got ${depth}`);
  const idx = toIndices(indices, 'oneHot');
  const flat = idx.dataSync();
  const out = allocArray(dtype, flat.length * depth);
  if (offValue !== 0) out.fill(offValue);
  for (let i = 0; i < flat.length; i++) {
    const k = flat[i];
    if (k < 0 || k >= depth) {
      throw new ValueError(
        `oneHot: index ${k} (at flat position ${i}) is out of range for depth ${depth}; expected indices in [0, ${depth - 1}]`,
      );
    }
    out[i * depth + k] = onValue;
  }
  return tensor(out, [...idx.shape, depth], dtype);
}
