// Packed, cache-blocked single-precision matrix multiply with a 6x8 register-tiled SIMD
// micro-kernel (12 f32x4 accumulators, two of B and one broadcast of A: 15 of the 16 SIMD
// registers x86-64 has, and 12 multiply-adds for every 8 loads, where a 4x8
// tile does 8 for 6). All pointers are byte addresses into linear memory;
// strides are in elements, so any transpose is just a swap of the row and column strides.

import { activate } from './activation';

const MR: i32 = 6;

/**
 * a*b + c per lane: one fused multiply-add where the host has relaxed SIMD (the "-fma" builds;
 * the micro-kernel then reaches the core's SIMD peak, about 1.5x the separate multiply and add).
 */
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}
const NR: i32 = 8;
/**
 * Depth of one packed panel: the micro-kernel streams KC*8 floats of B (10 KiB) from L1. 320,
 * not 256, so a 3x3x32 convolution's depth of 288 is one block: two blocks of 144 would pass
 * over C twice, with half the depth per micro-kernel call.
 */
export const KC: i32 = 320;
/** Rows of A packed at once, a whole number of strips (MC*KC floats, 150 KiB, stays in L2). */
export const MC: i32 = 120;
/** Columns of B packed at once (KC*NC floats, 2.5 MiB). */
export const NC: i32 = 2048;

/** Bytes of scratch one thread needs: packed A, packed B and one MR x NR edge tile. */
export function gemmScratchBytes(): i32 {
  return (MC * KC + KC * NC + MR * NR) * 4;
}

// dst[(strip*kc + p)*MR + r] = A[i0 + strip*MR + r, p0 + p]; rows past the edge are zero.
function packA(a: usize, rs: i32, cs: i32, i0: i32, mc: i32, p0: i32, kc: i32, dst: usize): void {
  for (let s = 0; s < mc; s += MR) {
    const rows = min(MR, mc - s);
    let d = dst + <usize>(s * kc) * 4;
    if (rows == MR && rs == 1) {
      // op(A) = a transposed row-major matrix: the 6 rows of a strip sit side by side.
      let src = a + (<usize>(i0 + s + p0 * cs) << 2);
      const cb = <usize>cs << 2;
      for (let p = 0; p < kc; p++) {
        v128.store(d, v128.load(src));
        store<u64>(d, load<u64>(src, 16), 16);
        src += cb;
        d += 24;
      }
    } else if (rows == MR && cs == 1) {
      transposePackA(a + (<usize>((i0 + s) * rs + p0) << 2), <usize>rs << 2, kc, d);
    } else {
      packEdge(a + (<usize>((i0 + s) * rs + p0 * cs) << 2), <usize>rs << 2, <usize>cs << 2, rows, MR, kc, d);
    }
  }
}

// Packs 6 rows that are contiguous in memory (row r starts at src + r*rowBytes) as
// dst[p*6 + r], four values of p at a time: rows 0-3 through a 4x4 register transpose, rows 4
// and 5 interleaved in pairs. Copying one float at a time cost as much as the multiply itself
// for products with few column strips (a convolution's 7744 x 288 x 64).
function transposePackA(src: usize, rowBytes: usize, kc: i32, dst: usize): void {
  let p = 0;
  for (; p + 4 <= kc; p += 4) {
    const at = src + (<usize>p << 2);
    const r0 = v128.load(at), r1 = v128.load(at + rowBytes);
    const r2 = v128.load(at + 2 * rowBytes), r3 = v128.load(at + 3 * rowBytes);
    const r4 = v128.load(at + 4 * rowBytes), r5 = v128.load(at + 5 * rowBytes);
    const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
    const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
    const u0 = v128.shuffle<f32>(r4, r5, 0, 4, 1, 5), u1 = v128.shuffle<f32>(r4, r5, 2, 6, 3, 7);
    const d = dst + <usize>(p * MR) * 4;
    v128.store(d, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
    v128.store64_lane(d, u0, 0, 16);
    v128.store(d, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), 24);
    v128.store64_lane(d, u0, 1, 40);
    v128.store(d, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), 48);
    v128.store64_lane(d, u1, 0, 64);
    v128.store(d, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), 72);
    v128.store64_lane(d, u1, 1, 88);
  }
  if (p < kc) packEdge(src + (<usize>p << 2), rowBytes, 4, MR, MR, kc - p, dst + <usize>(p * MR) * 4);
}

// The general packing of `lines` rows of A (or columns of B) into a strip `width` wide:
// dst[p*width + r] = src[r*lineBytes + p*stepBytes], lines past `lines` zero (edge strips).
function packEdge(src: usize, lineBytes: usize, stepBytes: usize, lines: i32, width: i32, kc: i32, dst: usize): void {
  if (lines < width) memory.fill(dst, 0, <usize>(kc * width) << 2);
  const wb = <usize>width << 2;
  for (let r = 0; r < lines; r++) {
    let s = src + <usize>r * lineBytes, d = dst + (<usize>r << 2);
    for (let p = 0; p < kc; p++) {
      store<f32>(d, load<f32>(s));
      s += stepBytes;
      d += wb;
    }
  }
}

// dst[(strip*kc + p)*NR + c] = B[p0 + p, j0 + strip*NR + c]; columns past the edge are zero.
function packB(b: usize, rs: i32, cs: i32, p0: i32, kc: i32, j0: i32, nc: i32, dst: usize): void {
  for (let t = 0; t < nc; t += NR) {
    const cols = min(NR, nc - t);
    let d = dst + <usize>(t * kc) * 4;
    if (cols == NR && cs == 1) {
      let src = b + (<usize>(p0 * rs + j0 + t) << 2);
      const rb = <usize>rs << 2;
      for (let p = 0; p < kc; p++) {
        v128.store(d, v128.load(src));
        v128.store(d, v128.load(src, 16), 16);
        src += rb;
        d += 32;
      }
    } else if (cols == NR && rs == 1) {
      // op(B) = a transposed row-major matrix: each of the 8 columns is contiguous in p.
      transposePackB(b + (<usize>(p0 + (j0 + t) * cs) << 2), <usize>cs << 2, kc, d);
    } else {
      packEdge(b + (<usize>(p0 * rs + (j0 + t) * cs) << 2), <usize>cs << 2, <usize>rs << 2, cols, NR, kc, d);
    }
  }
}

// Packs 8 columns that are contiguous in memory (column c starts at src + c*colBytes) as
// dst[p*8 + c], four values of p at a time through two 4x4 register transposes.
function transposePackB(src: usize, colBytes: usize, kc: i32, dst: usize): void {
  let p = 0;
  for (; p + 4 <= kc; p += 4) {
    const at = src + (<usize>p << 2);
    for (let half = 0; half < 2; half++) {
      const base = at + <usize>(half * 4) * colBytes;
      const r0 = v128.load(base), r1 = v128.load(base + colBytes);
      const r2 = v128.load(base + 2 * colBytes), r3 = v128.load(base + 3 * colBytes);
      const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
      const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
      const d = dst + (<usize>(p * NR + half * 4) << 2);
      v128.store(d, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
      v128.store(d, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), 32);
      v128.store(d, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), 64);
      v128.store(d, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), 96);
    }
  }
  for (; p < kc; p++) {
    for (let c = 0; c < NR; c++) {
      store<f32>(dst + (<usize>(p * NR + c) << 2), load<f32>(src + <usize>c * colBytes + (<usize>p << 2)));
    }
  }
}

// C[0..rows, 0..cols] (+)= packedA(6 x kc) * packedB(kc x 8). Edge tiles go through `tile`.
function micro(pa: usize, pb: usize, kc: i32, c: usize, ldc: i32, accumulate: bool, rows: i32, cols: i32, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  let c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    a = v128.load32_splat(pa, 16);
    c40 = madd(a, b0, c40); c41 = madd(a, b1, c41);
    a = v128.load32_splat(pa, 20);
    c50 = madd(a, b0, c50); c51 = madd(a, b1, c51);
    pa += 24;
    pb += 32;
  }
  const full = rows == MR && cols == NR;
  const out = full ? c : tile;
  const ld: usize = full ? <usize>ldc << 2 : 32;
  if (full && accumulate) {
    v128.store(out, f32x4.add(v128.load(out), c00)); v128.store(out, f32x4.add(v128.load(out, 16), c01), 16);
    v128.store(out + ld, f32x4.add(v128.load(out + ld), c10)); v128.store(out + ld, f32x4.add(v128.load(out + ld, 16), c11), 16);
    v128.store(out + 2 * ld, f32x4.add(v128.load(out + 2 * ld), c20)); v128.store(out + 2 * ld, f32x4.add(v128.load(out + 2 * ld, 16), c21), 16);
    v128.store(out + 3 * ld, f32x4.add(v128.load(out + 3 * ld), c30)); v128.store(out + 3 * ld, f32x4.add(v128.load(out + 3 * ld, 16), c31), 16);
    v128.store(out + 4 * ld, f32x4.add(v128.load(out + 4 * ld), c40)); v128.store(out + 4 * ld, f32x4.add(v128.load(out + 4 * ld, 16), c41), 16);
    v128.store(out + 5 * ld, f32x4.add(v128.load(out + 5 * ld), c50)); v128.store(out + 5 * ld, f32x4.add(v128.load(out + 5 * ld, 16), c51), 16);
    return;
  }
  v128.store(out, c00); v128.store(out, c01, 16);
  v128.store(out + ld, c10); v128.store(out + ld, c11, 16);
  v128.store(out + 2 * ld, c20); v128.store(out + 2 * ld, c21, 16);
  v128.store(out + 3 * ld, c30); v128.store(out + 3 * ld, c31, 16);
  v128.store(out + 4 * ld, c40); v128.store(out + 4 * ld, c41, 16);
  v128.store(out + 5 * ld, c50); v128.store(out + 5 * ld, c51, 16);
  if (full) return;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) {
      const dst = c + (<usize>(r * ldc + j) << 2);
      const v = load<f32>(tile + (<usize>(r * NR + j) << 2));
      store<f32>(dst, accumulate ? load<f32>(dst) + v : v);
    }
  }
}

/**
 * C[rowStart..rowEnd, colStart..colEnd] = op(A) * op(B) for one matrix of a batch.
 * A element (i, p) is at a + (i*ars + p*acs)*4, B element (p, j) at b + (p*brs + j*bcs)*4,
 * C is row-major with n columns. `scratch` holds gemmScratchBytes() bytes owned by the caller.
 */
export function gemm(a: usize, ars: i32, acs: i32, b: usize, brs: i32, bcs: i32, c: usize, n: i32, k: i32,
  rowStart: i32, rowEnd: i32, colStart: i32, colEnd: i32, scratch: usize): void {
  if (k == 0) {
    for (let i = rowStart; i < rowEnd; i++) memory.fill(c + (<usize>(i * n + colStart) << 2), 0, <usize>(colEnd - colStart) << 2);
    return;
  }
  const packedA = scratch;
  const packedB = scratch + <usize>(MC * KC) * 4;
  const tile = packedB + <usize>(KC * NC) * 4;
  for (let jc = colStart; jc < colEnd; jc += NC) {
    const nc = min(NC, colEnd - jc);
    // Equal depth blocks (784 = 262 + 262 + 260, not 320 + 320 + 144): a thin last block would pay a whole
    // pass of C loads and stores for little work.
    const kcStep = (k + (k + KC - 1) / KC - 1) / ((k + KC - 1) / KC);
    for (let pc = 0; pc < k; pc += kcStep) {
      const kc = min(kcStep, k - pc);
      packB(b, brs, bcs, pc, kc, jc, nc, packedB);
      for (let ic = rowStart; ic < rowEnd; ic += MC) {
        const mc = min(MC, rowEnd - ic);
        packA(a, ars, acs, ic, mc, pc, kc, packedA);
        for (let jr = 0; jr < nc; jr += NR) {
          const pb = packedB + <usize>(jr * kc) * 4;
          for (let ir = 0; ir < mc; ir += MR) {
            micro(packedA + <usize>(ir * kc) * 4, pb, kc, c + (<usize>((ic + ir) * n + jc + jr) << 2), n, pc > 0,
              min(MR, mc - ir), min(NR, nc - jr), tile);
          }
        }
      }
    }
  }
}

/**
 * Small products straight from memory, no packing: C[i, j] = sum_p A[i, p] B[p, j] for rows
 * rowStart..rowEnd. Used when packing would cost more than it saves (tiny layers).
 */
export function gemmSmall(a: usize, ars: i32, acs: i32, b: usize, brs: i32, bcs: i32, c: usize, n: i32, k: i32,
  rowStart: i32, rowEnd: i32): void {
  for (let i = rowStart; i < rowEnd; i++) {
    const crow = c + (<usize>(i * n) << 2);
    memory.fill(crow, 0, <usize>n << 2);
    for (let p = 0; p < k; p++) {
      const s = load<f32>(a + (<usize>(i * ars + p * acs) << 2));
      const brow = b + (<usize>(p * brs) << 2);
      if (bcs == 1) {
        const sv = f32x4.splat(s);
        let j = 0;
        for (; j + 4 <= n; j += 4) {
          const o = crow + (<usize>j << 2);
          v128.store(o, madd(sv, v128.load(brow + (<usize>j << 2)), v128.load(o)));
        }
        for (; j < n; j++) {
          const o = crow + (<usize>j << 2);
          store<f32>(o, load<f32>(o) + s * load<f32>(brow + (<usize>j << 2)));
        }
      } else {
        for (let j = 0; j < n; j++) {
          const o = crow + (<usize>j << 2);
          store<f32>(o, load<f32>(o) + s * load<f32>(brow + (<usize>(j * bcs) << 2)));
        }
      }
    }
  }
}

/**
 * Products with few rows (one sample through a layer, an LSTM step at batch 1) and B's rows
 * contiguous: C[i, colStart..colEnd] = sum_p A[i, p] B[p, :] with 24 columns of C held in six
 * registers while the whole depth streams past, so B is read once per row and C written once.
 * Packing would copy all of B to use a quarter of each 4-row micro-tile. A dense layer's bias
 * (bias != 0) and activation (act, see activation.ts) are applied as C is stored.
 */
export function gemmThin(a: usize, ars: i32, acs: i32, b: usize, brs: i32, c: usize, n: i32, k: i32,
  rowStart: i32, rowEnd: i32, colStart: i32, colEnd: i32, bias: usize, act: i32): void {
  const bStep = <usize>brs << 2, aStep = <usize>acs << 2;
  for (let i = rowStart; i < rowEnd; i++) {
    const arow = a + (<usize>(i * ars) << 2);
    const crow = c + (<usize>(i * n) << 2);
    let j = colStart;
    // 24 columns (six accumulators) at a time: with eight, the accumulators, the splat and the
    // eight loads of a step outgrow the 15 SIMD registers V8 allocates on x64, and it spills an
    // accumulator, which then goes through memory at every step of the depth (about three
    // times slower). Each element's sum runs over p in order either way.
    for (; j + 24 <= colEnd; j += 24) {
      let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0);
      let c3 = f32x4.splat(0), c4 = f32x4.splat(0), c5 = f32x4.splat(0);
      let bp = b + (<usize>j << 2), ap = arow;
      for (let p = 0; p < k; p++) {
        const s = v128.load32_splat(ap);
        c0 = madd(s, v128.load(bp), c0); c1 = madd(s, v128.load(bp, 16), c1);
        c2 = madd(s, v128.load(bp, 32), c2); c3 = madd(s, v128.load(bp, 48), c3);
        c4 = madd(s, v128.load(bp, 64), c4); c5 = madd(s, v128.load(bp, 80), c5);
        bp += bStep;
        ap += aStep;
      }
      const o = crow + (<usize>j << 2);
      if (bias != 0 || act != 0) {
        const bj = bias + (<usize>j << 2);
        if (bias != 0) {
          c0 = f32x4.add(c0, v128.load(bj)); c1 = f32x4.add(c1, v128.load(bj, 16));
          c2 = f32x4.add(c2, v128.load(bj, 32)); c3 = f32x4.add(c3, v128.load(bj, 48));
          c4 = f32x4.add(c4, v128.load(bj, 64)); c5 = f32x4.add(c5, v128.load(bj, 80));
        }
        c0 = activate(c0, act); c1 = activate(c1, act); c2 = activate(c2, act);
        c3 = activate(c3, act); c4 = activate(c4, act); c5 = activate(c5, act);
      }
      v128.store(o, c0); v128.store(o, c1, 16); v128.store(o, c2, 32);
      v128.store(o, c3, 48); v128.store(o, c4, 64); v128.store(o, c5, 80);
    }
    for (; j + 4 <= colEnd; j += 4) {
      let acc = f32x4.splat(0);
      let bp = b + (<usize>j << 2), ap = arow;
      for (let p = 0; p < k; p++) {
        acc = madd(v128.load32_splat(ap), v128.load(bp), acc);
        bp += bStep;
        ap += aStep;
      }
      if (bias != 0) acc = f32x4.add(acc, v128.load(bias + (<usize>j << 2)));
      v128.store(crow + (<usize>j << 2), activate(acc, act));
    }
    for (; j < colEnd; j++) {
      let acc: f32 = 0;
      let bp = b + (<usize>j << 2), ap = arow;
      for (let p = 0; p < k; p++) {
        acc += load<f32>(ap) * load<f32>(bp);
        bp += bStep;
        ap += aStep;
      }
      if (bias != 0) acc += load<f32>(bias + (<usize>j << 2));
      if (act == 1) acc = acc > 0 ? acc : acc == acc ? 0 : acc;
      store<f32>(crow + (<usize>j << 2), acc);
    }
  }
}

/**
 * Matrices start..end of a batch whose (a, b, c) byte addresses are listed as u32 triples at
 * `table`; every matrix is multiplied in full. Lets one thread take whole matrices of a batch.
 */
export function gemmBatched(table: usize, start: i32, end: i32, ars: i32, acs: i32, brs: i32, bcs: i32, m: i32, n: i32, k: i32, scratch: usize): void {
  for (let t = start; t < end; t++) {
    const e = table + <usize>(t * 12);
    gemm(load<u32>(e), ars, acs, load<u32>(e, 4), brs, bcs, load<u32>(e, 8), n, k, 0, m, 0, n, scratch);
  }
}

/** Matrix `index` of a batch listed in `table` (see gemmBatched), claimed one at a time. */
export function gemmBatchedOne(table: usize, ars: i32, acs: i32, brs: i32, bcs: i32, m: i32, n: i32, k: i32, scratch: usize, index: i32): void {
  gemmBatched(table, index, index + 1, ars, acs, brs, bcs, m, n, k, scratch);
}

/**
 * Depth slice `chunk` of `parts`: partial C (m x n, at partials + chunk·m·n floats) =
 * op(A)[:, slice]·op(B)[slice, :], for products whose output is too small to split by tiles
 * but whose depth is long (a first convolution's kernel gradient: 9 x 32 outputs, depth 43264).
 * The caller adds the partials.
 */
export function gemmDepthSlice(a: usize, ars: i32, acs: i32, b: usize, brs: i32, bcs: i32, partials: usize, m: i32, n: i32, k: i32,
  parts: i32, scratch: usize, chunk: i32): void {
  const per = (k + parts - 1) / parts;
  const p0 = chunk * per, kc = min(per, k - p0);
  const c = partials + (<usize>(chunk * m * n) << 2);
  if (kc <= 0) {
    memory.fill(c, 0, <usize>(m * n) << 2);
    return;
  }
  gemm(a + (<usize>(p0 * acs) << 2), ars, acs, b + (<usize>(p0 * brs) << 2), brs, bcs, c, n, kc, 0, m, 0, n, scratch);
}

// ---- Shared panels: for one big product split across threads, each depth block of A and B is
// packed once (the threads share the packing, strip by strip) and every thread then computes its
// tiles from the shared panels. Tiles that packed their own panels would pack B once per row of
// tiles and A once per column of tiles: at n = 1024 on two threads, four times the packing.

/** Rows (or columns) of one packing chunk: 16 strips of A, 8 of B. */
export const PANEL_CHUNK_ROWS: i32 = 16 * MR;
export const PANEL_CHUNK_COLS: i32 = 8 * NR;

/**
 * Packs chunk `chunk` of the depth block [p0, p0 + kc): chunks 0..aChunks-1 are row strips of A
 * (into pa, strip s at pa + s*kc*MR floats), the rest column strips of B (into pb).
 */
export function packPanels(a: usize, ars: i32, acs: i32, b: usize, brs: i32, bcs: i32, m: i32, n: i32, p0: i32, kc: i32,
  pa: usize, pb: usize, aChunks: i32, chunk: i32): void {
  if (chunk < aChunks) {
    const i0 = chunk * PANEL_CHUNK_ROWS;
    packA(a, ars, acs, i0, min(PANEL_CHUNK_ROWS, m - i0), p0, kc, pa + (<usize>(i0 * kc) << 2));
  } else {
    const j0 = (chunk - aChunks) * PANEL_CHUNK_COLS;
    packB(b, brs, bcs, p0, kc, j0, min(PANEL_CHUNK_COLS, n - j0), pb + (<usize>(j0 * kc) << 2));
  }
}

/**
 * Tile `tile` (row-major over tileRows x tileCols tiles of the m x n output) from the packed
 * panels of one depth block: C (+)= A[:, block]·B[block, :]. `edge` holds one MR x NR edge tile.
 */
export function gemmPanelTile(pa: usize, pb: usize, c: usize, m: i32, n: i32, kc: i32, accumulate: i32,
  tileRows: i32, tileCols: i32, edge: usize, tile: i32): void {
  const perRow = (n + tileCols - 1) / tileCols;
  const r0 = (tile / perRow) * tileRows, c0 = (tile % perRow) * tileCols;
  const r1 = min(m, r0 + tileRows), c1 = min(n, c0 + tileCols);
  for (let jr = c0; jr < c1; jr += NR) {
    const pbj = pb + (<usize>(jr * kc) << 2);
    for (let ir = r0; ir < r1; ir += MR) {
      micro(pa + (<usize>(ir * kc) << 2), pbj, kc, c + (<usize>(ir * n + jr) << 2), n, accumulate != 0, min(MR, r1 - ir), min(NR, c1 - jr), edge);
    }
  }
}
