import { ValueError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { maximum, minimum } from './prims/binary.js';
import { toTensor, type TensorLike } from './convert.js';

/**
 * Clamps every element to [clipValueMin, clipValueMax]. The gradient is 1 inside the range and
 * 0 outside it; on the boundary it is 1, as in TF/TF.js (maximum and minimum send ties to x).
 * @example clipByValue(tensor([-2, 0.5, 3]), 0, 1) // [0, 0.5, 1]
 */
export function clipByValue(x: TensorLike, clipValueMin: number, clipValueMax: number): Tensor {
  if (!(clipValueMin <= clipValueMax)) {
    throw new ValueError(`clipByValue: clipValueMin (${clipValueMin}) must be <= clipValueMax (${clipValueMax})`);
  }
  const t = toTensor(x, 'x', 'clipByValue');
  return minimum(maximum(t, clipValueMin), clipValueMax);
}
