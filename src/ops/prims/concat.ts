import { record } from '../../autograd/tape.js';
import { upcast } from '../../core/dtype.js';
import { ValueError, fmtShape } from '../../core/errors.js';
import { normAxis } from '../../core/shape.js';
import type { Tensor } from '../../core/tensor.js';
import { toTensor, wrap, type TensorLike } from '../convert.js';
import { cast } from './shape_ops.js';
import { slice } from './slice.js';

/**
 * Joins tensors along an existing `axis` (default 0). All other dimensions must match; mixed
 * dtypes are promoted as in binary ops.
 * @example concat([a, b], -1)
 */
export function concat(tensors: readonly TensorLike[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0)
    throw new ValueError('concat: expected a non-empty list of tensors');
  let ts = tensors.map((x, i) => toTensor(x, `tensors[${i}]`, 'concat'));
  const rank = ts[0].rank;
  if (rank === 0) throw new ValueError('concat: cannot concatenate scalars; use stack to join them into a vector');
  const a = normAxis(axis, rank, 'concat');
  ts.forEach((t, i) => {
    const same = t.rank === rank && t.shape.every((d, k) => k === a || d === ts[0].shape[k]);
    if (!same) {
      throw new ValueError(
        `concat: tensors[${i}] has shape ${fmtShape(t.shape)}, which does not match tensors[0] ${fmtShape(ts[0].shape)} outside axis ${a}`,
      );
    }
  });
  if (ts.length === 1) return ts[0];
  const dtype = ts.map((t) => t.dtype).reduce(upcast);
  ts = ts.map((t) => (t.dtype === dtype ? t : cast(t, dtype)));
  const outShape = [...ts[0].shape];
  outShape[a] = ts.reduce((acc, t) => acc + t.shape[a], 0);
  const y = wrap(ts[0].backend.concat(ts, a, outShape), outShape, dtype);
  return record('concat', ts, y, (dy) => {
    let offset = 0;
    return ts.map((t) => {
      const begin = outShape.map((_, k) => (k === a ? offset : 0));
      offset += t.shape[a];
      return slice(dy, begin, t.shape);
    });
  });
}
