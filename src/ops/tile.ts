import { ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { broadcastTo } from './prims/binary.js';
import { toTensor, type TensorLike } from './convert.js';
import { reshape } from './prims/shape_ops.js';

/**
 * Repeats `x` `reps[i]` times along axis i. Built as reshape → broadcast → reshape, so the
 * gradient (a sum over the copies) comes from broadcastTo.
 * @example tile(tensor([1, 2]), [3]) // [1, 2, 1, 2, 1, 2]
 */
export function tile(x: TensorLike, reps: readonly number[]): Tensor {
  const t = toTensor(x, 'x', 'tile');
  if (!Array.isArray(reps) || reps.length !== t.rank || reps.some((r) => !Number.isInteger(r) || r < 0)) {
    throw new ValueError(
      `tile: reps must list ${t.rank} non-negative integers (one per axis of shape ${fmtShape(t.shape)}), got ${JSON.stringify(reps)}`,
    );
  }
  if (reps.every((r) => r === 1)) return t;
  const interleaved = t.shape.flatMap((d) => [1, d]);
  const expanded = t.shape.flatMap((d, i) => [reps[i], d]);
  return reshape(
    broadcastTo(reshape(t, interleaved), expanded),
    t.shape.map((d, i) => d * reps[i]),
  );
}
