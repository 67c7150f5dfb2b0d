import { ValueError, fmtShape } from '../core/errors.js';
import { broadcastAxes, shapesEqual } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { toTensor, type TensorLike } from './convert.js';
import { sum } from './prims/reduce.js';
import { reshape } from './prims/shape_ops.js';

/**
 * Sums `x` down to `shape` over the axes `shape` was broadcast along: the adjoint of
 * `broadcastTo` (what the tape does to every gradient of a broadcasting op).
 * @example reduceTo(ones([4, 2, 3]), [2, 1]) // [[12], [12]]
 */
export function reduceTo(x: TensorLike, shape: readonly number[]): Tensor {
  const t = toTensor(x, 'x', 'reduceTo');
  if (shapesEqual(t.shape, shape)) return t;
  const axes = broadcastAxes(shape, t.shape);
  if (!axes)
    throw new ValueError(`reduceTo: shape ${fmtShape(shape)} does not broadcast to x's shape ${fmtShape(t.shape)}`);
  return reshape(sum(t, axes), shape);
}
