// Single-precision transcendental functions on f32x4 lanes, for kernels where a float64 call per
// element would cost more than the rest of the kernel (gelu, softmax). Each is accurate to a few
// float32 ulp over its whole range, including the tails: no cancellation where a result is tiny.

const LOG2E: f32 = 1.44269504088896341;
const INV_SQRT2: f32 = 0.7071067811865476;
/** 1.5·2^23: added to a float below 2^22 in magnitude, it rounds it to an integer held in the low mantissa bits. */
const ROUNDER: f32 = 12582912;
const ROUNDER_BITS: i32 = 0x4b400000;

/**
 * e^x, about 1 ulp (Cephes' expf polynomial), over the whole float32 range: subnormal results
 * and overflow to Infinity as the float64 exp rounded to float32 gives them, NaN kept.
 */
@inline export function expV(x: v128): v128 {
  // Past -104 the result rounds to 0; past 89 it overflows (the scale below gives Infinity).
  // pmax/pmin are single instructions (min/max with NaN semantics are several); x first, so a
  // NaN passes through.
  const xc = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-104)), f32x4.splat(89));
  // n = round(x·log2 e) by the 1.5·2^23 trick: its low mantissa bits hold n, with no floor or
  // float-to-int conversion.
  const t = f32x4.add(f32x4.mul(xc, f32x4.splat(LOG2E)), f32x4.splat(ROUNDER));
  const fx = f32x4.sub(t, f32x4.splat(ROUNDER));
  const n = i32x4.sub(t, i32x4.splat(ROUNDER_BITS));
  let r = f32x4.sub(xc, f32x4.mul(fx, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(fx, f32x4.splat(-2.12194440e-4)));
  let y = f32x4.splat(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(y, f32x4.mul(r, r)), r), f32x4.splat(1));
  // 2^n as two factors, each a normal float, so n from -150 to 128 scales exactly (with one
  // rounding where the result is subnormal).
  const n1 = i32x4.shr_s(n, 1);
  const n2 = i32x4.sub(n, n1);
  const bias = i32x4.splat(127);
  return f32x4.mul(f32x4.mul(y, i32x4.shl(i32x4.add(n1, bias), 23)), i32x4.shl(i32x4.add(n2, bias), 23));
}

/**
 * erfc(z) for z >= 0 with a relative error of about 1e-7 everywhere (Numerical Recipes'
 * Chebyshev fit `erfcc`), so tiny tail values keep their precision.
 */
@inline function erfcNonNegV(z: v128): v128 {
  const one = f32x4.splat(1);
  const t = f32x4.div(one, f32x4.add(one, f32x4.mul(z, f32x4.splat(0.5))));
  let p = f32x4.splat(0.17087277);
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-0.82215223));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(1.48851587));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-1.13520398));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.27886807));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-0.18628806));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.09678418));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.37409196));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(1.00002368));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-1.26551223));
  return f32x4.mul(t, expV(f32x4.sub(p, f32x4.mul(z, z))));
}

/**
 * The standard normal CDF Φ(x) = (1 + erf(x/√2))/2, from erfc on either side of 0 so that
 * Φ of a very negative x is relatively accurate (no 1 + erf cancellation).
 */
@inline export function normalCdfV(x: v128): v128 {
  const half = f32x4.mul(erfcNonNegV(f32x4.mul(f32x4.abs(x), f32x4.splat(INV_SQRT2))), f32x4.splat(0.5));
  return v128.bitselect(f32x4.sub(f32x4.splat(1), half), half, f32x4.ge(x, f32x4.splat(0)));
}

/** Loads `n` (< 4) floats into the low lanes of a vector, zeros above: a kernel's tail. */
@inline export function loadTail(p: usize, n: i32): v128 {
  let v = f32x4.splat(0);
  if (n > 0) v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (n > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (n > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

/** Stores the low `n` (< 4) lanes of `v`. */
@inline export function storeTail(p: usize, v: v128, n: i32): void {
  if (n > 0) store<f32>(p, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (n > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}
