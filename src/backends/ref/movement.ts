import { allocArray, type DType, type TypedArray } from '../../core/dtype.js';
import { sizeOf, stridesOf } from '../../core/shape.js';

/** `out`, when given, receives the result (another backend's memory); otherwise one is allocated. */
export function transpose(
  x: TypedArray,
  shape: readonly number[],
  perm: readonly number[],
  out?: TypedArray,
): TypedArray {
  const rank = shape.length;
  const n = x.length;
  out ??= new (x.constructor as new (n: number) => TypedArray)(n);
  const inStrides = stridesOf(shape);
  if (rank === 2 && perm[0] === 1) {
    const [r, c] = shape;
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = x[i * c + j];
    return out;
  }
  // Trailing axes the permutation leaves in place are contiguous in both, so each output
  // position of the leading axes copies a run (whole feature rows when a sequence's batch and
  // time axes swap; one value when the last axis moves).
  let kept = rank;
  while (kept > 0 && perm[kept - 1] === kept - 1) kept--;
  const run = sizeOf(shape.slice(kept));
  const outer = perm.slice(0, kept).map((p) => shape[p]);
  const st = perm.slice(0, kept).map((p) => inStrides[p]);
  // Walk the output in order; the input offset moves by the permuted strides.
  return copyRuns(x, out, 0, outer, st, run);
}

/**
 * The movement loop shared by transpose and slice: walks the output in order over the `outer`
 * axes, the input offset moving by `strides` from `base`, and copies `run` contiguous values at
 * each position (run 1: an element at a time).
 */
function copyRuns(
  x: TypedArray,
  out: TypedArray,
  base: number,
  outer: readonly number[],
  strides: readonly number[],
  run: number,
): TypedArray {
  const rank = outer.length,
    count = sizeOf(outer);
  const counter = new Array<number>(rank).fill(0);
  let off = base;
  for (let i = 0; i < count; i++) {
    if (run >= 8) out.set(x.subarray(off, off + run) as ArrayLike<number>, i * run);
    else for (let j = 0; j < run; j++) out[i * run + j] = x[off + j];
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]++;
      off += strides[d];
      if (counter[d] < outer[d]) break;
      off -= strides[d] * counter[d];
      counter[d] = 0;
    }
  }
  return out;
}

export function slice(
  x: TypedArray,
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
  strides?: readonly number[],
  out?: TypedArray,
): TypedArray {
  const rank = shape.length;
  const n = sizeOf(size);
  out ??= new (x.constructor as new (n: number) => TypedArray)(n);
  if (n === 0) return out;
  const inStrides = stridesOf(shape);
  const step = strides ?? new Array<number>(rank).fill(1);
  let base = 0;
  for (let d = 0; d < rank; d++) base += begin[d] * inStrides[d];
  if (step.every((s) => s === 1)) return sliceRuns(x, shape, inStrides, base, size, out);
  return copyRuns(
    x,
    out,
    base,
    size,
    step.map((s, d) => s * inStrides[d]),
    1,
  );
}

/**
 * A unit-step slice as copies of contiguous runs: the trailing dims taken whole, times the last
 * dim that is cut, are one run in both input and output.
 */
function sliceRuns(
  x: TypedArray,
  shape: readonly number[],
  inStrides: readonly number[],
  base: number,
  size: readonly number[],
  out: TypedArray,
): TypedArray {
  if (size.length === 0) {
    out[0] = x[base];
    return out;
  }
  let k = size.length - 1;
  while (k > 0 && size[k] === shape[k]) k--;
  return copyRuns(x, out, base, size.slice(0, k), inStrides.slice(0, k), size[k] * inStrides[k]);
}

export function pad(
  x: TypedArray,
  shape: readonly number[],
  paddings: readonly (readonly [number, number])[],
  value: number,
): TypedArray {
  const outShape = shape.map((d, i) => d + paddings[i][0] + paddings[i][1]);
  const out = new (x.constructor as new (n: number) => TypedArray)(sizeOf(outShape));
  if (value !== 0) out.fill(value);
  const outStrides = stridesOf(outShape);
  const rank = shape.length;
  let base = 0;
  for (let d = 0; d < rank; d++) base += paddings[d][0] * outStrides[d];
  const counter = new Array<number>(rank).fill(0);
  let off = base;
  for (let i = 0; i < x.length; i++) {
    out[off] = x[i];
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]++;
      off += outStrides[d];
      if (counter[d] < shape[d]) break;
      off -= outStrides[d] * counter[d];
      counter[d] = 0;
    }
  }
  return out;
}

export function concat(
  xs: readonly { values: TypedArray; shape: readonly number[] }[],
  axis: number,
  outShape: readonly number[],
  dtype: DType,
  out?: TypedArray,
): TypedArray {
  out ??= allocArray(dtype, sizeOf(outShape));
  const outer = sizeOf(outShape.slice(0, axis));
  const outRow = sizeOf(outShape.slice(axis));
  let colOffset = 0;
  for (const { values, shape } of xs) {
    const row = sizeOf(shape.slice(axis));
    for (let o = 0; o < outer; o++) {
      out.set(values.subarray(o * row, (o + 1) * row) as ArrayLike<number>, o * outRow + colOffset);
    }
    colOffset += row;
  }
  return out;
}
