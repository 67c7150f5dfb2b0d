import { record } from '../../autograd/tape.js';
import { ValueError, fmtShape } from '../../core/errors.js';
import type { Tensor } from '../../core/tensor.js';
import { toTensor, wrap, type TensorLike } from '../convert.js';
import { slice } from './slice.js';

/**
 * Pads with `constantValue`: `paddings[i] = [before, after]` for axis i.
 * @example pad(tensor([1, 2]), [[1, 2]]) // [0, 1, 2, 0, 0]
 */
export function pad(x: TensorLike, paddings: readonly (readonly [number, number])[], constantValue = 0): Tensor {
  const t = toTensor(x, 'x', 'pad');
  if (
    !Array.isArray(paddings) ||
    paddings.length !== t.rank ||
    paddings.some((p) => !Array.isArray(p) || p.length !== 2 || p.some((v) => !Number.isInteger(v) || v < 0))
  ) {
    throw new ValueError(
      `pad: paddings must be ${t.rank} pairs [before, after] of non-negative integers for shape ${fmtShape(t.shape)}, got ${JSON.stringify(paddings)}`,
    );
  }
  if (paddings.every(([a, b]) => a === 0 && b === 0)) return t;
  const outShape = t.shape.map((d, i) => d + paddings[i][0] + paddings[i][1]);
  const y = wrap(t.backend.pad(t, paddings, constantValue), outShape, t.dtype);
  return record('pad', [t], y, (dy) => [
    slice(
      dy,
      paddings.map((p) => p[0]),
      t.shape,
    ),
  ]);
}
