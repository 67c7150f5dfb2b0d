/** Output tile edge per workgroup, threads per edge, and the k-depth of one shared-memory step. */
export const TILE = 64;
const THREADS = 16;
const PER_THREAD = TILE / THREADS;
const DEPTH = 16;

/**
 * Batched C = op(A) · op(B), tiled in workgroup memory: each 16x16 workgroup stages a 64x16 slab
 * of A and a 16x64 slab of B, and each thread accumulates a 4x4 block in registers. The
 * transposes are resolved in the staging loads (chosen so neighbouring threads read neighbouring
 * addresses). Leading batch dims broadcast through per-dim strides.
 * Params: M, N, K, batchRank, batch dims[4], A batch strides[4], B batch strides[4].
 */
export function matmulShader(t: 'f32' | 'i32', transposeA: boolean, transposeB: boolean): string {
  const zero = t === 'f32' ? '0.0' : '0';
  // Staging: element e (0..1023) of each slab; the fastest-varying index follows memory order.
  const aCoords = transposeA ? 'let kk = e / 64u; let mm = e % 64u;' : 'let kk = e % 16u; let mm = e / 16u;';
  const aIndex = transposeA ? 'ka * M + row' : 'row * K + ka';
  const bCoords = transposeB ? 'let kk = e % 16u; let nn = e / 16u;' : 'let kk = e / 64u; let nn = e % 64u;';
  const bIndex = transposeB ? 'col * K + kb' : 'kb * N + col';
  return `@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> A: array<${t}>;
@group(0) @binding(2) var<storage, read> B: array<${t}>;
@group(0) @binding(3) var<storage, read_write> C: array<${t}>;
var<workgroup> As: array<${t}, ${TILE * DEPTH}>;
var<workgroup> Bs: array<${t}, ${TILE * DEPTH}>;
@compute @workgroup_size(${THREADS}, ${THREADS})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let M = p[0]; let N = p[1]; let K = p[2]; let batchRank = p[3];
  var rem = wg.z; var aOff = 0u; var bOff = 0u;
  for (var d = 0u; d < batchRank; d = d + 1u) {
    let axis = batchRank - 1u - d;
    let dim = p[4u + axis]; let c = rem % dim; rem = rem / dim;
    aOff = aOff + c * p[8u + axis]; bOff = bOff + c * p[12u + axis];
  }
  let cOff = wg.z * M * N;
  let row0 = wg.y * ${TILE}u; let col0 = wg.x * ${TILE}u;
  let tid = lid.y * ${THREADS}u + lid.x;
  var acc: array<array<${t}, ${PER_THREAD}>, ${PER_THREAD}>;
  for (var i = 0u; i < ${PER_THREAD}u; i = i + 1u) { for (var j = 0u; j < ${PER_THREAD}u; j = j + 1u) { acc[i][j] = ${zero}; } }
  for (var k0 = 0u; k0 < K; k0 = k0 + ${DEPTH}u) {
    for (var s = 0u; s < ${(TILE * DEPTH) / (THREADS * THREADS)}u; s = s + 1u) {
      let e = tid + s * ${THREADS * THREADS}u;
      { ${aCoords}
        let row = row0 + mm; let ka = k0 + kk;
        var v = ${zero};
        if (row < M && ka < K) { v = A[aOff + ${aIndex}]; }
        As[kk * ${TILE}u + mm] = v; }
      { ${bCoords}
        let col = col0 + nn; let kb = k0 + kk;
        var v = ${zero};
        if (col < N && kb < K) { v = B[bOff + ${bIndex}]; }
        Bs[kk * ${TILE}u + nn] = v; }
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${DEPTH}u; kk = kk + 1u) {
      var a: array<${t}, ${PER_THREAD}>; var b: array<${t}, ${PER_THREAD}>;
      for (var i = 0u; i < ${PER_THREAD}u; i = i + 1u) { a[i] = As[kk * ${TILE}u + lid.y + i * ${THREADS}u]; }
      for (var j = 0u; j < ${PER_THREAD}u; j = j + 1u) { b[j] = Bs[kk * ${TILE}u + lid.x + j * ${THREADS}u]; }
      for (var i = 0u; i < ${PER_THREAD}u; i = i + 1u) { for (var j = 0u; j < ${PER_THREAD}u; j = j + 1u) { acc[i][j] = acc[i][j] + a[i] * b[j]; } }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < ${PER_THREAD}u; i = i + 1u) {
    let row = row0 + lid.y + i * ${THREADS}u;
    for (var j = 0u; j < ${PER_THREAD}u; j = j + 1u) {
      let col = col0 + lid.x + j * ${THREADS}u;
      if (row < M && col < N) { C[cOff + row * N + col] = acc[i][j]; }
    }
  }
}`;
}
