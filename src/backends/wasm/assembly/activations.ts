// GELU and its derivative in one pass each (the composite takes five kernels forward and a dozen
// backward, one of them erf). Exact: x·Φ(x); approximate (tanh form): x·σ(2u) with
// u = √(2/π)(x + 0.044715x³), which equals 0.5x(1 + tanh(u)) without its cancellation for
// negative x. The reference backend's src/backends/ref/transformer.ts computes the same in float64.

import { expV, gaussV, loadTail, normalCdfFromV, normalCdfV, storeTail } from './mathf';

const INV_SQRT_2PI: f32 = 0.3989422804014327;
const SQRT_2_OVER_PI: f32 = 0.7978845608028654;
const CUBIC: f32 = 0.044715;

/** σ(2u) for the tanh form's u. */
@inline function tanhGate(x: v128): v128 {
  const u = f32x4.mul(f32x4.splat(SQRT_2_OVER_PI), f32x4.add(x, f32x4.mul(f32x4.splat(CUBIC), f32x4.mul(x, f32x4.mul(x, x)))));
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, expV(f32x4.mul(u, f32x4.splat(-2)))));
}

@inline function geluV(x: v128, approximate: i32): v128 {
  return f32x4.mul(x, approximate ? tanhGate(x) : normalCdfV(x));
}

/** gelu(x) and gelu'(x) together, sharing the gate (tanh form) or Φ (exact). */
@inline function geluBoth(x: v128, approximate: i32, y: usize, d: usize): void {
  // The slope's second term vanishes long before |x| = 1e10; clamped there, x = ±Infinity gives
  // the limits 1 and 0 instead of Infinity·0.
  const xc = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-1e10)), f32x4.splat(1e10));
  if (approximate) {
    const s = tanhGate(x);
    // d/dx x·σ(2u) = σ + x·σ(1 - σ)·2u', u' = √(2/π)(1 + 3·0.044715x²)
    const du = f32x4.mul(f32x4.splat(2 * SQRT_2_OVER_PI), f32x4.add(f32x4.splat(1), f32x4.mul(f32x4.splat(3 * CUBIC), f32x4.mul(xc, xc))));
    v128.store(y, f32x4.mul(x, s));
    v128.store(d, f32x4.add(s, f32x4.mul(f32x4.mul(xc, f32x4.mul(s, f32x4.sub(f32x4.splat(1), s))), du)));
  } else {
    // Φ(x) + x·φ(x), one exponential for both
    const g = gaussV(x);
    const cdf = normalCdfFromV(x, g);
    const pdf = f32x4.mul(g, f32x4.splat(INV_SQRT_2PI));
    v128.store(y, f32x4.mul(x, cdf));
    v128.store(d, f32x4.add(cdf, f32x4.mul(xc, pdf)));
  }
}

/** out[i] = gelu(x[i]) for i in start..end (approximate: 1 for the tanh form). */
export function gelu(x: usize, out: usize, approximate: i32, start: i32, end: i32): void {
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, geluV(v128.load(x + o), approximate));
  }
  if (i < end) {
    const o = <usize>i << 2;
    storeTail(out + o, geluV(loadTail(x + o, end - i), approximate), end - i);
  }
}

/**
 * y[i] = gelu(x[i]) and d[i] = gelu'(x[i]) for i in start..end: the forward pass of training,
 * which keeps the slope for the backward pass (then a product with dy) for little more than
 * the cost of gelu alone. `tail` is 16 bytes of scratch for the last partial vector.
 */
export function geluWithDerivative(x: usize, y: usize, d: usize, approximate: i32, tail: usize, start: i32, end: i32): void {
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const o = <usize>i << 2;
    geluBoth(v128.load(x + o), approximate, y + o, d + o);
  }
  if (i < end) {
    const o = <usize>i << 2, k = end - i;
    geluBoth(loadTail(x + o, k), approximate, tail, tail + 16);
    storeTail(y + o, v128.load(tail), k);
    storeTail(d + o, v128.load(tail, 16), k);
  }
}
