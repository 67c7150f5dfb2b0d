// Attention's softmax kernels: the masked softmax (one pass instead of the composite's mask
// arithmetic around a softmax) and the softmax gradient from the output (one pass instead of
// four kernels). Exponentials in f32 lanes (mathf.ts, about 1 ulp), sums in f64.

import { expV, loadTail, storeTail } from './mathf';

@inline function hsum(s: v128): f64 {
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

/** Lane masks (all ones) where the next four mask bytes (or one repeated byte) are nonzero. */
@inline function allowed(m: usize, stride: i32): v128 {
  const bytes = stride ? v128.load32_zero(m) : i8x16.splat(load<u8>(m));
  return i32x4.ne(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(bytes)), i32x4.splat(0));
}

/**
 * Softmax of rows start..end of n floats over the entries their mask row allows (bool bytes at
 * mask + rowOffsets[r], stepping maskStride 0 or 1 along the row); 0 at the masked entries and
 * across rows with none allowed. The shift is the max of the allowed entries (0 if not finite).
 */
export function maskedSoftmaxRows(x: usize, mask: usize, rowOffsets: usize, maskStride: i32, out: usize,
  n: i32, start: i32, end: i32): void {
  const negInf = f32x4.splat(-Infinity), zero = f32x4.splat(0);
  for (let r = start; r < end; r++) {
    const src = x + (<usize>(r * n) << 2), dst = out + (<usize>(r * n) << 2);
    const mrow = mask + <usize>load<u32>(rowOffsets + (<usize>r << 2));
    let mv = negInf;
    let any = i32x4.splat(0);
    for (let i = 0; i < n; i += 4) {
      const keep = keepLanes(mrow + <usize>(i * maskStride), maskStride, n - i);
      any = v128.or(any, keep);
      // pmax (one instruction) may drop a NaN here; the NaN still reaches the sum below.
      mv = f32x4.pmax(mv, v128.bitselect(values(src + (<usize>i << 2), n - i), negInf, keep));
    }
    if (!v128.any_true(any)) {
      for (let j = 0; j < n; j++) store<f32>(dst + (<usize>j << 2), 0);
      continue;
    }
    mv = f32x4.pmax(mv, v128.shuffle<u32>(mv, mv, 2, 3, 0, 1));
    mv = f32x4.pmax(mv, v128.shuffle<u32>(mv, mv, 1, 0, 3, 2));
    let m = f32x4.extract_lane(mv, 0);
    // An infinite (or NaN) max would turn every exponential into NaN; shift by 0 then, as softmax does.
    if (m - m != 0) m = 0;
    const shift = f32x4.splat(m);
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
    for (let i = 0; i < n; i += 4) {
      const keep = keepLanes(mrow + <usize>(i * maskStride), maskStride, n - i);
      // Four masked entries (half of a causal mask's) need no exponential: zeros, nothing to sum.
      if (!v128.any_true(keep)) {
        put(dst + (<usize>i << 2), zero, n - i);
        continue;
      }
      const e = v128.bitselect(expV(f32x4.sub(values(src + (<usize>i << 2), n - i), shift)), zero, keep);
      s0 = f64x2.add(s0, f64x2.promote_low_f32x4(e));
      s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<u32>(e, e, 2, 3, 0, 1)));
      put(dst + (<usize>i << 2), e, n - i);
    }
    const inv = f32x4.splat(<f32>(1 / (hsum(s0) + hsum(s1))));
    for (let i = 0; i < n; i += 4) {
      // Masked entries stay 0 even when the row's sum is not finite.
      const keep = keepLanes(mrow + <usize>(i * maskStride), maskStride, n - i);
      if (!v128.any_true(keep)) continue;
      const o = dst + (<usize>i << 2);
      put(o, v128.bitselect(f32x4.mul(values(o, n - i), inv), zero, keep), n - i);
    }
  }
}

/** The next four floats of a row, or its last k < 4 (zeros above). */
@inline function values(p: usize, k: i32): v128 {
  return k >= 4 ? v128.load(p) : loadTail(p, k);
}

/** Stores four floats, or the last k < 4 of a row. */
@inline function put(p: usize, v: v128, k: i32): void {
  if (k >= 4) v128.store(p, v);
  else storeTail(p, v, k);
}

/** Lane masks (all ones) where the next four mask bytes allow an entry; lanes past the row are masked. */
@inline function keepLanes(m: usize, stride: i32, k: i32): v128 {
  if (k >= 4) return allowed(m, stride);
  return tailAllowed(m, stride, k);
}

/** Lane masks for the last k (< 4) entries of a row; lanes past the row are masked. */
@inline function tailAllowed(m: usize, stride: i32, k: i32): v128 {
  let v = i32x4.splat(0);
  if (k > 0 && load<u8>(m) != 0) v = i32x4.replace_lane(v, 0, -1);
  if (k > 1 && load<u8>(m + <usize>stride) != 0) v = i32x4.replace_lane(v, 1, -1);
  if (k > 2 && load<u8>(m + <usize>(2 * stride)) != 0) v = i32x4.replace_lane(v, 2, -1);
  return v;
}

/**
 * The gradient of softmax along rows start..end of n floats, from its output y:
 * dx = y·(dy - Σ dy·y); with `log`, of log-softmax: dx = dy - exp(y)·Σ dy.
 */
export function softmaxGradRows(y: usize, dy: usize, out: usize, n: i32, log: i32, start: i32, end: i32): void {
  for (let r = start; r < end; r++) {
    const row = <usize>(r * n) << 2;
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const o = row + (<usize>i << 2);
      const d = v128.load(dy + o);
      const t = log ? d : f32x4.mul(d, v128.load(y + o));
      s0 = f64x2.add(s0, f64x2.promote_low_f32x4(t));
      s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<u32>(t, t, 2, 3, 0, 1)));
    }
    let s = hsum(s0) + hsum(s1);
    for (; i < n; i++) {
      const o = row + (<usize>i << 2);
      s += log ? <f64>load<f32>(dy + o) : <f64>(load<f32>(dy + o) * load<f32>(y + o));
    }
    const sv = f32x4.splat(<f32>s);
    for (i = 0; i + 4 <= n; i += 4) {
      const o = row + (<usize>i << 2);
      const yv = v128.load(y + o), d = v128.load(dy + o);
      v128.store(out + o, log ? f32x4.sub(d, f32x4.mul(expV(yv), sv)) : f32x4.mul(yv, f32x4.sub(d, sv)));
    }
    if (i < n) {
      const o = row + (<usize>i << 2);
      const k = n - i;
      const yv = loadTail(y + o, k), d = loadTail(dy + o, k);
      const g = log ? f32x4.sub(d, f32x4.mul(expV(yv), sv)) : f32x4.mul(yv, f32x4.sub(d, sv));
      storeTail(out + o, g, k);
    }
  }
}
