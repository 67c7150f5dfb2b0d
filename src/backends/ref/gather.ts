import { allocArray, type DType, type TypedArray } from '../../core/dtype.js';
import { sizeOf } from '../../core/shape.js';

/** out[outer, i, inner] = x[outer, indices[i], inner]; indices are validated by the op. */
export function gather(
  x: TypedArray,
  shape: readonly number[],
  indices: TypedArray,
  axis: number,
  dtype: DType,
  out?: TypedArray,
): TypedArray {
  const outer = sizeOf(shape.slice(0, axis));
  const len = shape[axis];
  const inner = sizeOf(shape.slice(axis + 1));
  const nIdx = indices.length;
  out ??= allocArray(dtype, outer * nIdx * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < nIdx; i++) {
      const src = (o * len + indices[i]) * inner;
      out.set(x.subarray(src, src + inner) as ArrayLike<number>, (o * nIdx + i) * inner);
    }
  }
  return out;
}

/** The adjoint of gather: out[outer, indices[i], inner] += updates[outer, i, inner]. */
export function scatterAdd(
  updates: TypedArray,
  updShape: readonly number[],
  indices: TypedArray,
  axis: number,
  outShape: readonly number[],
  dtype: DType,
  out?: TypedArray,
): TypedArray {
  if (out) out.fill(0);
  else out = allocArray(dtype, sizeOf(outShape));
  const outer = sizeOf(outShape.slice(0, axis));
  const len = outShape[axis];
  const inner = sizeOf(outShape.slice(axis + 1));
  const nIdx = indices.length;
  void updShape;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < nIdx; i++) {
      const dst = (o * len + indices[i]) * inner;
      const src = (o * nIdx + i) * inner;
      for (let j = 0; j < inner; j++) out[dst + j] += updates[src + j];
    }
  }
  return out;
}
