import { ENTRY_1D, LINEAR_INDEX } from './common.js';
import { offsetsCode } from './strided.js';

/**
 * Copies bit patterns between two strided views of the same shape: transpose, slice, pad's
 * interior and each part of a concat are all this one kernel. Params: count, read base, write
 * base, then dims, read strides, write strides.
 */
export function stridedCopyShader(rank: number): string {
  return `@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<u32>;
${ENTRY_1D}${LINEAR_INDEX}
  if (i >= p[0]) { return; }
${offsetsCode(rank, 2, 3)}
  y[p[2] + off1] = x[p[1] + off0];
}`;
}

/** out[o, j, k] = x[o, idx[j], k] for x viewed as [outer, axisLen, inner]. Params: count, axisLen, nIdx, inner. */
export function gatherShader(): string {
  return `@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read> idx: array<i32>;
@group(0) @binding(3) var<storage, read_write> y: array<u32>;
${ENTRY_1D}${LINEAR_INDEX}
  if (i >= p[0]) { return; }
  let axisLen = p[1]; let nIdx = p[2]; let inner = p[3];
  let k = i % inner;
  let j = (i / inner) % nIdx;
  let o = i / (inner * nIdx);
  let v = idx[j];
  if (v < 0 || u32(v) >= axisLen) { y[i] = 0u; return; }
  y[i] = x[(o * axisLen + u32(v)) * inner + k];
}`;
}

/**
 * The adjoint of gather without atomics: one thread per output element walks the indices and
 * sums the updates aimed at it, in index order (so results match the reference exactly).
 * Params: count, axisLen, nIdx, inner.
 */
export function scatterAddShader(t: 'f32' | 'i32'): string {
  return `@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> upd: array<${t}>;
@group(0) @binding(2) var<storage, read> idx: array<i32>;
@group(0) @binding(3) var<storage, read_write> y: array<${t}>;
${ENTRY_1D}${LINEAR_INDEX}
  if (i >= p[0]) { return; }
  let axisLen = p[1]; let nIdx = p[2]; let inner = p[3];
  let k = i % inner;
  let n = i32((i / inner) % axisLen);
  let o = i / (inner * axisLen);
  var acc = ${t}(0);
  for (var j = 0u; j < nIdx; j = j + 1u) {
    if (idx[j] == n) { acc = acc + upd[(o * nIdx + j) * inner + k]; }
  }
  y[i] = acc;
}`;
}
