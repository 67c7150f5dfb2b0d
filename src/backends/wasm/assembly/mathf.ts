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
 * erfc(z)·e^(z²)/t for z >= 0 as a polynomial in t = 1/(1 + z/2) (t runs over (0, 1] as z
 * goes from infinity to 0): a weighted least-squares fit of degree 10 to the float64 values,
 * relative error 1.1e-8 (1.6e-7 evaluated in float32). Numerical Recipes' `erfcc` takes the
 * exponential of a polynomial in the same t; this form leaves e^(-z²) = e^(-x²/2) as the only
 * exponential, which the GELU slope needs anyway for φ(x).
 */
@inline function erfcxOverTV(t: v128): v128 {
  let p = f32x4.splat(0.04235193878412247);
  p = fma(p, t, -0.2308543622493744);
  p = fma(p, t, 0.4861719310283661);
  p = fma(p, t, -0.4469694495201111);
  p = fma(p, t, 0.1270839422941208);
  p = fma(p, t, -0.0572301484644413);
  p = fma(p, t, 0.09299999475479126);
  p = fma(p, t, 0.17537692189216614);
  p = fma(p, t, 0.24688057601451874);
  p = fma(p, t, 0.2820938527584076);
  return fma(p, t, 0.282094806432724);
}

/** p·t + c per lane (fused where the build has relaxed SIMD: one rounding instead of two). */
@inline function fma(p: v128, t: v128, c: f32): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(p, t, f32x4.splat(c));
  return f32x4.add(f32x4.mul(p, t), f32x4.splat(c));
}

/** e^(-x²/2): the Gaussian factor of φ(x), and of Φ(x) through normalCdfFromV. */
@inline export function gaussV(x: v128): v128 {
  return expV(f32x4.mul(f32x4.mul(x, x), f32x4.splat(-0.5)));
}

/**
 * The standard normal CDF Φ(x) = erfc(-x/√2)/2 given g = gaussV(x), from erfc on either side
 * of 0 so that Φ of a very negative x is relatively accurate (no 1 + erf cancellation).
 */
@inline export function normalCdfFromV(x: v128, g: v128): v128 {
  const one = f32x4.splat(1);
  const z = f32x4.mul(f32x4.abs(x), f32x4.splat(INV_SQRT2));
  const t = f32x4.div(one, f32x4.add(one, f32x4.mul(z, f32x4.splat(0.5))));
  const half = f32x4.mul(f32x4.mul(f32x4.mul(t, erfcxOverTV(t)), g), f32x4.splat(0.5));
  return v128.bitselect(f32x4.sub(one, half), half, f32x4.ge(x, f32x4.splat(0)));
}

/** Φ(x), the standard normal CDF (see normalCdfFromV). */
@inline export function normalCdfV(x: v128): v128 {
  return normalCdfFromV(x, gaussV(x));
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
