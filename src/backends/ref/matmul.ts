import type { DataHandle, TensorInfo } from '../../backend/backend.js';
import { allocArray, type DType, type TypedArray } from '../../core/dtype.js';
import { sizeOf, stridesOf } from '../../core/shape.js';

/**
 * Batched matrix multiply. Each matrix is first made row-major in the layout the i-k-j loop
 * wants (A as [m, k], B as [k, n]), so the inner loop is a contiguous axpy.
 */
export function matmul(
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  outShape: readonly number[],
): DataHandle {
  const av = a.handle as TypedArray,
    bv = b.handle as TypedArray;
  const ra = a.shape.length;
  const m = outShape[outShape.length - 2],
    n = outShape[outShape.length - 1];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const batchShape = outShape.slice(0, -2);
  const batch = sizeOf(batchShape);
  const out = allocArray(a.dtype, batch * m * n);
  const aBatchOffsets = batchOffsets(a.shape.slice(0, -2), batchShape, m * k);
  const bBatchOffsets = batchOffsets(b.shape.slice(0, -2), batchShape, k * n);
  const aMat = allocArray(a.dtype, m * k) as Float64Array;
  const bMat = allocArray(b.dtype, k * n) as Float64Array;
  for (let bi = 0; bi < batch; bi++) {
    copyMatrix(av, aBatchOffsets[bi], transposeA, m, k, aMat);
    copyMatrix(bv, bBatchOffsets[bi], transposeB, k, n, bMat);
    const o = bi * m * n;
    for (let i = 0; i < m; i++) {
      const row = o + i * n;
      for (let p = 0; p < k; p++) {
        const s = aMat[i * k + p];
        if (s === 0) continue;
        const bo = p * n;
        for (let j = 0; j < n; j++) out[row + j] += s * bMat[bo + j];
      }
    }
  }
  // A zero in A skips its row of B, which would hide NaN/Inf in B; redo exactly when B has any.
  if (hasNonFinite(bv)) return naiveMatmul(av, bv, a.shape, b.shape, transposeA, transposeB, outShape, a.dtype);
  return out;
}

/** Copies one matrix (stored `rows x cols`, or transposed) into a row-major `rows x cols` buffer. */
function copyMatrix(
  src: TypedArray,
  offset: number,
  transposed: boolean,
  rows: number,
  cols: number,
  dst: TypedArray,
): void {
  if (!transposed) {
    for (let i = 0; i < rows * cols; i++) dst[i] = src[offset + i];
    return;
  }
  // Stored as [cols, rows].
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) dst[i * cols + j] = src[offset + j * rows + i];
}

/** Flat offset of each output batch's matrix inside an input whose batch dims broadcast. */
function batchOffsets(inBatch: readonly number[], outBatch: readonly number[], matSize: number): number[] {
  const n = sizeOf(outBatch);
  const offsets = new Array<number>(n);
  const inStrides = stridesOf(inBatch);
  const outStrides = stridesOf(outBatch);
  const lead = outBatch.length - inBatch.length;
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let d = 0; d < inBatch.length; d++) {
      const coord = Math.floor(i / outStrides[d + lead]) % outBatch[d + lead];
      off += (inBatch[d] === 1 ? 0 : coord) * inStrides[d];
    }
    offsets[i] = off * matSize;
  }
  return offsets;
}

function hasNonFinite(v: TypedArray): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return true;
  return false;
}

function naiveMatmul(
  av: TypedArray,
  bv: TypedArray,
  aShape: readonly number[],
  bShape: readonly number[],
  tA: boolean,
  tB: boolean,
  outShape: readonly number[],
  dtype: DType,
): DataHandle {
  const m = outShape[outShape.length - 2],
    n = outShape[outShape.length - 1];
  const k = tA ? aShape[aShape.length - 2] : aShape[aShape.length - 1];
  const batchShape = outShape.slice(0, -2);
  const batch = sizeOf(batchShape);
  const out = allocArray(dtype, batch * m * n);
  const ao = batchOffsets(aShape.slice(0, -2), batchShape, m * k);
  const bo = batchOffsets(bShape.slice(0, -2), batchShape, k * n);
  for (let bi = 0; bi < batch; bi++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const x = av[ao[bi] + (tA ? p * m + i : i * k + p)];
          const y = bv[bo[bi] + (tB ? j * k + p : p * n + j)];
          s += x * y;
        }
        out[bi * m * n + i * n + j] = s;
      }
    }
  }
  return out;
}
