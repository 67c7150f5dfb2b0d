import { ValueError, fmtShape } from '../core/errors.js';
import { normAxis, shapesEqual } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { toTensor, type TensorLike } from './convert.js';
import { expandDims } from './dims.js';
import { concat } from './prims/concat.js';
import { reshape } from './prims/shape_ops.js';
import { slice } from './prims/slice.js';

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

/**
 * Splits `x` along `axis` into `numOrSizeSplits` equal parts, or parts of the listed sizes
 * (one size may be -1 for the remainder).
 * @example const [a, b] = split(x, 2, 1);
 * @example split(x, [1, -1], 0) // first row, then the rest
 */
export function split(x: TensorLike, numOrSizeSplits: number | readonly number[], axis = 0): Tensor[] {
  const t = toTensor(x, 'x', 'split');
  const a = normAxis(axis, t.rank, 'split');
  const dim = t.shape[a];
  let sizes: number[];
  if (typeof numOrSizeSplits === 'number') {
    if (!Number.isInteger(numOrSizeSplits) || numOrSizeSplits < 1 || dim % numOrSizeSplits !== 0) {
      throw new ValueError(
        `split: axis ${a} of shape ${fmtShape(t.shape)} (size ${dim}) cannot be split into ${numOrSizeSplits} equal parts`,
      );
    }
    sizes = new Array<number>(numOrSizeSplits).fill(dim / numOrSizeSplits);
  } else {
    sizes = [...numOrSizeSplits];
    const unknown = sizes.filter((s) => s === -1).length;
    if (unknown > 1 || sizes.some((s) => !Number.isInteger(s) || s < -1)) {
      throw new ValueError(
        `split: sizes ${JSON.stringify(numOrSizeSplits)} must be non-negative integers with at most one -1`,
      );
    }
    const known = sizes.reduce((acc, s) => acc + (s === -1 ? 0 : s), 0);
    if (unknown) sizes[sizes.indexOf(-1)] = dim - known;
    if (known > dim || (!unknown && known !== dim)) {
      throw new ValueError(
        `split: sizes ${JSON.stringify(numOrSizeSplits)} sum to ${known}, but axis ${a} of shape ${fmtShape(t.shape)} has size ${dim}`,
      );
    }
  }
  let offset = 0;
  return sizes.map((s) => {
    const begin = t.shape.map((_, i) => (i === a ? offset : 0));
    const size = t.shape.map((d, i) => (i === a ? s : d));
    offset += s;
    return slice(t, begin, size);
  });
}
