import { arrayTypeOf } from '../core/dtype.js';
import { ValueError, fmtShape } from '../core/errors.js';
import { sizeOf } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { tensor } from '../ops/convert.js';

/**
 * The rows (entries along axis 0) of `x` at `indices`, as a new tensor. Data preparation happens
 * once, on the host, so this copies through typed arrays instead of recording a gather.
 * @example takeRows(tensor([[1, 2], [3, 4], [5, 6]]), [2, 0]); // [[5, 6], [1, 2]]
 */
export function takeRows(x: Tensor, indices: readonly number[]): Tensor {
  if (x.rank === 0) throw new ValueError(`takeRows: expected a tensor with a batch axis, got a scalar`);
  const rowSize = sizeOf(x.shape.slice(1));
  const source = x.dataSync();
  const out = new (arrayTypeOf(x.dtype))(indices.length * rowSize);
  indices.forEach((row, i) => {
    if (row < 0 || row >= x.shape[0])
      throw new ValueError(`takeRows: row ${row} is out of range for shape ${fmtShape(x.shape)}`);
    out.set(source.subarray(row * rowSize, (row + 1) * rowSize), i * rowSize);
  });
  return tensor(out, [indices.length, ...x.shape.slice(1)], x.dtype);
}

/** Throws unless every tensor has the same number of rows; returns that number. */
export function commonRowCount(tensors: readonly Tensor[], names: readonly string[], fn: string): number {
  tensors.forEach((t, i) => {
    if (t.rank === 0) throw new ValueError(`${fn}: '${names[i]}' must have a batch axis, got a scalar`);
  });
  const n = tensors[0].shape[0];
  tensors.forEach((t, i) => {
    if (t.shape[0] !== n) {
      throw new ValueError(
        `${fn}: '${names[0]}' has ${n} rows (shape ${fmtShape(tensors[0].shape)}) but '${names[i]}' has ${t.shape[0]} (shape ${fmtShape(t.shape)})`,
      );
    }
  });
  return n;
}
