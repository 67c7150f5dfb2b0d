// One-row products (gemmThin's) from a copy of B laid out in the order they read it: the
// columns in blocks, each block's rows one after another, so the whole depth streams from
// consecutive addresses, where row-major B has gemmThin step a whole row of B (1 KiB for 256
// columns) between the 96 bytes it reads. With the stride gone the loop is bound by the
// latency of its multiply-add chains, so blocks are 28 columns wide (seven accumulators, the
// most V8 keeps in registers beside the loads; eight spill), four more than gemmThin's.

import { activate } from './activation';
import { madd } from './gemm';

/**
 * Columns of the block that starts where `remaining` columns are left: 28 while 28 remain,
 * then 24, 16, 8, 4 (at most three blocks for the rest), then single columns.
 */
@inline function blockWidth(remaining: i32): i32 {
  if (remaining >= 28) return 28;
  if (remaining >= 24) return 24;
  if (remaining >= 16) return 16;
  if (remaining >= 8) return 8;
  return remaining >= 4 ? 4 : 1;
}

/**
 * Copies B (k x n, row-major, `brs` elements between rows) into `dst` (k*n floats) in
 * gemmThinPacked's layout: the block of `width` columns starting at column j (widths from
 * blockWidth(n - j)) occupies dst[j*k .. (j + width)*k), with element (p, c) at j*k + p*width + c.
 */
export function packThin(b: usize, brs: i32, k: i32, n: i32, dst: usize): void {
  const rowBytes = <usize>brs << 2;
  for (let j = 0; j < n; ) {
    const width = blockWidth(n - j);
    let s = b + (<usize>j << 2), d = dst + (<usize>(j * k) << 2);
    for (let p = 0; p < k; p++) {
      if (width == 1) store<f32>(d, load<f32>(s));
      else for (let c = 0; c < width; c += 4) v128.store(d + (<usize>c << 2), v128.load(s + (<usize>c << 2)));
      s += rowBytes;
      d += <usize>width << 2;
    }
    j += width;
  }
}

/**
 * gemmThin's product and epilogue with B packed by packThin: C[i, colStart..colEnd] =
 * act(sum_p A[i, p] B[p, j] + bias[j]) for rows rowStart..rowEnd (C row-major, n columns).
 * Every element is computed by the same operations in the same order as in gemmThin, so the
 * results are the same bits. colStart and colEnd are multiples of 28, or n.
 */
export function gemmThinPacked(a: usize, ars: i32, acs: i32, packed: usize, c: usize, n: i32, k: i32,
  rowStart: i32, rowEnd: i32, colStart: i32, colEnd: i32, bias: usize, act: i32): void {
  for (let i = rowStart; i < rowEnd; i++) {
    const arow = a + (<usize>(i * ars) << 2);
    const crow = c + (<usize>(i * n) << 2);
    for (let j = colStart; j < colEnd; ) {
      const width = blockWidth(colEnd - j);
      const bp = packed + (<usize>(j * k) << 2), o = crow + (<usize>j << 2);
      const bj = bias == 0 ? 0 : bias + (<usize>j << 2);
      if (width == 28) columns(28, arow, acs, bp, k, o, bj, act);
      else if (width == 24) columns(24, arow, acs, bp, k, o, bj, act);
      else if (width == 16) columns(16, arow, acs, bp, k, o, bj, act);
      else if (width == 8) columns(8, arow, acs, bp, k, o, bj, act);
      else if (width == 4) columns(4, arow, acs, bp, k, o, bj, act);
      else column(arow, acs, bp, k, o, bj, act);
      j += width;
    }
  }
}

/**
 * One block of W columns (a multiple of 4, at most 28; a constant once inlined, so the unused
 * accumulators fold away): out[0..W) = act(sum_p a[p] b[p, 0..W) + bias).
 */
@inline function columns(W: i32, arow: usize, acs: i32, bp: usize, k: i32, out: usize, bias: usize, act: i32): void {
  const aStep = <usize>acs << 2;
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let c4 = f32x4.splat(0), c5 = f32x4.splat(0), c6 = f32x4.splat(0);
  let ap = arow;
  for (let p = 0; p < k; p++) {
    const s = v128.load32_splat(ap);
    c0 = madd(s, v128.load(bp), c0);
    if (W > 4) c1 = madd(s, v128.load(bp, 16), c1);
    if (W > 8) { c2 = madd(s, v128.load(bp, 32), c2); c3 = madd(s, v128.load(bp, 48), c3); }
    if (W > 16) { c4 = madd(s, v128.load(bp, 64), c4); c5 = madd(s, v128.load(bp, 80), c5); }
    if (W > 24) c6 = madd(s, v128.load(bp, 96), c6);
    bp += <usize>W << 2;
    ap += aStep;
  }
  if (bias != 0) {
    c0 = f32x4.add(c0, v128.load(bias));
    if (W > 4) c1 = f32x4.add(c1, v128.load(bias, 16));
    if (W > 8) { c2 = f32x4.add(c2, v128.load(bias, 32)); c3 = f32x4.add(c3, v128.load(bias, 48)); }
    if (W > 16) { c4 = f32x4.add(c4, v128.load(bias, 64)); c5 = f32x4.add(c5, v128.load(bias, 80)); }
    if (W > 24) c6 = f32x4.add(c6, v128.load(bias, 96));
  }
  v128.store(out, activate(c0, act));
  if (W > 4) v128.store(out, activate(c1, act), 16);
  if (W > 8) { v128.store(out, activate(c2, act), 32); v128.store(out, activate(c3, act), 48); }
  if (W > 16) { v128.store(out, activate(c4, act), 64); v128.store(out, activate(c5, act), 80); }
  if (W > 24) v128.store(out, activate(c6, act), 96);
}

/** One column, in gemmThin's scalar order (a multiply, then an add: no fused multiply-add). */
@inline function column(arow: usize, acs: i32, bp: usize, k: i32, out: usize, bias: usize, act: i32): void {
  const aStep = <usize>acs << 2;
  let acc: f32 = 0, ap = arow;
  for (let p = 0; p < k; p++) {
    acc += load<f32>(ap) * load<f32>(bp);
    bp += 4;
    ap += aStep;
  }
  if (bias != 0) acc += load<f32>(bias);
  if (act == 1) acc = acc > 0 ? acc : acc == acc ? 0 : acc;
  store<f32>(out, acc);
}
