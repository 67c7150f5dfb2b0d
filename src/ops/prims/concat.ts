import { record } from '../../autograd/tape.js';
import { upcast } from '../../core/dtype.js';
import { ValueError, fmtShape } from '../../core/errors.js';
import { normAxis, shapesEqual } from '../../core/shape.js';
import type { Tensor } from '../../core/tensor.js';
import { toTensor, wrap, type TensorLike } from '../convert.js';
import { expandDims } from '../dims.js';
import { cast, reshape } from './shape_ops.js';
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

/**
 * Joins same-shaped tensors along a new `axis`.
 * @example stack([tensor([1, 2]), tensor([3, 4])]) // shape [2, 2]
 */
export function stack(tensors: readonly TensorLike[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0)
    throw new ValueError('stack: expected a non-empty list of tensors');
  const ts = tensors.map((x, i) => toTensor(x, `tensors[${i}]`, 'stack'));
  ts.forEach((t, i) => {
    if (!shapesEqual(t.shape, ts[0].shape))
      throw new ValueError(
        `stack: tensors[${i}] has shape ${fmtShape(t.shape)} but tensors[0] has ${fmtShape(ts[0].shape)}; all must match`,
      );
  });
  const a = normAxis(axis, ts[0].rank + 1, 'stack');
  return concat(
    ts.map((t) => expandDims(t, a)),
    a,
  );
}

/**
 * Splits `x` along `axis` into its slices, each with that axis removed.
 * @example const [row0, row1] = unstack(tensor([[1, 2], [3, 4]]));
 */
export function unstack(x: TensorLike, axis = 0): Tensor[] {
  const t = toTensor(x, 'x', 'unstack');
  const a = normAxis(axis, t.rank, 'unstack');
  const rest = t.shape.filter((_, i) => i !== a);
  return Array.from({ length: t.shape[a] }, (_, k) =>
    reshape(
      slice(
        t,
        t.shape.map((_, i) => (i === a ? k : 0)),
        t.shape.map((d, i) => (i === a ? 1 : d)),
      ),
      rest,
    ),
  );
}
