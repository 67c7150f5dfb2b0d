// Layer normalization over the last axis and its gradient, one pass over each row (the composite
// takes a dozen kernels each way). Statistics and the normalization are computed in f64 lanes and
// rounded once, as the reference backend does (src/backends/ref/transformer.ts), so a row far from 0
// (values 1e4 ± 1) keeps its precision. A gamma or beta address of 0 means the layer has none
// (address 0 is never a tensor's).

/** Four floats at p as two f64x2 halves. */
@inline function lo(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
}
@inline function hi(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p, 8));
}
@inline function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}
/** Two f64x2 halves rounded and stored as four floats. */
@inline function store4(p: usize, a: v128, b: v128): void {
  const fa = f32x4.demote_f64x2_zero(a), fb = f32x4.demote_f64x2_zero(b);
  v128.store(p, v128.shuffle<f32>(fa, fb, 0, 1, 4, 5));
}

/**
 * Rows start..end of n floats: mean[r], rstd[r] = 1/sqrt(var + eps) (biased variance) and
 * out = (x - mean)·rstd·gamma + beta.
 */
export function layerNorm(x: usize, gamma: usize, beta: usize, out: usize, mean: usize, rstd: usize,
  n: i32, eps: f64, start: i32, end: i32): void {
  const n4 = n & ~3;
  for (let r = start; r < end; r++) {
    const src = x + (<usize>(r * n) << 2), dst = out + (<usize>(r * n) << 2);
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
    for (let i = 0; i < n4; i += 4) {
      const o = src + (<usize>i << 2);
      s0 = f64x2.add(s0, lo(o));
      s1 = f64x2.add(s1, hi(o));
    }
    let sum = hsum(s0) + hsum(s1);
    for (let i = n4; i < n; i++) sum += <f64>load<f32>(src + (<usize>i << 2));
    const m = sum / <f64>n;
    const mv = f64x2.splat(m);
    s0 = f64x2.splat(0);
    s1 = f64x2.splat(0);
    for (let i = 0; i < n4; i += 4) {
      const o = src + (<usize>i << 2);
      const d0 = f64x2.sub(lo(o), mv), d1 = f64x2.sub(hi(o), mv);
      s0 = f64x2.add(s0, f64x2.mul(d0, d0));
      s1 = f64x2.add(s1, f64x2.mul(d1, d1));
    }
    let ss = hsum(s0) + hsum(s1);
    for (let i = n4; i < n; i++) {
      const d = <f64>load<f32>(src + (<usize>i << 2)) - m;
      ss += d * d;
    }
    const s = 1 / Math.sqrt(ss / <f64>n + eps);
    store<f32>(mean + (<usize>r << 2), <f32>m);
    store<f32>(rstd + (<usize>r << 2), <f32>s);
    const sv = f64x2.splat(s);
    for (let i = 0; i < n4; i += 4) {
      const o = <usize>i << 2;
      let y0 = f64x2.mul(f64x2.sub(lo(src + o), mv), sv), y1 = f64x2.mul(f64x2.sub(hi(src + o), mv), sv);
      if (gamma) {
        y0 = f64x2.mul(y0, lo(gamma + o));
        y1 = f64x2.mul(y1, hi(gamma + o));
      }
      if (beta) {
        y0 = f64x2.add(y0, lo(beta + o));
        y1 = f64x2.add(y1, hi(beta + o));
      }
      store4(dst + o, y0, y1);
    }
    for (let i = n4; i < n; i++) {
      const o = <usize>i << 2;
      let y = (<f64>load<f32>(src + o) - m) * s;
      if (gamma) y *= <f64>load<f32>(gamma + o);
      if (beta) y += <f64>load<f32>(beta + o);
      store<f32>(dst + o, <f32>y);
    }
  }
}

/**
 * The gradient of layerNorm for rows start..end, from the mean and rstd it saved:
 * dx = rstd·(g - mean(g) - x̂·mean(g·x̂)) with g = dy·gamma and x̂ = (x - mean)·rstd; adds
 * Σ dy·x̂ and Σ dy over these rows into the f64 accumulators dGammaAcc and dBetaAcc (n each).
 */
export function layerNormGrad(x: usize, mean: usize, rstd: usize, gamma: usize, dy: usize, dx: usize,
  dGammaAcc: usize, dBetaAcc: usize, n: i32, start: i32, end: i32): void {
  const n4 = n & ~3;
  for (let r = start; r < end; r++) {
    const row = <usize>(r * n) << 2;
    const m = <f64>load<f32>(mean + (<usize>r << 2)), s = <f64>load<f32>(rstd + (<usize>r << 2));
    const mv = f64x2.splat(m), sv = f64x2.splat(s);
    let sg0 = f64x2.splat(0), sg1 = f64x2.splat(0), sx0 = f64x2.splat(0), sx1 = f64x2.splat(0);
    for (let i = 0; i < n4; i += 4) {
      const o = <usize>i << 2, q = <usize>i << 3;
      const xh0 = f64x2.mul(f64x2.sub(lo(x + row + o), mv), sv), xh1 = f64x2.mul(f64x2.sub(hi(x + row + o), mv), sv);
      const d0 = lo(dy + row + o), d1 = hi(dy + row + o);
      const g0 = gamma ? f64x2.mul(d0, lo(gamma + o)) : d0, g1 = gamma ? f64x2.mul(d1, hi(gamma + o)) : d1;
      sg0 = f64x2.add(sg0, g0);
      sg1 = f64x2.add(sg1, g1);
      sx0 = f64x2.add(sx0, f64x2.mul(g0, xh0));
      sx1 = f64x2.add(sx1, f64x2.mul(g1, xh1));
      v128.store(dGammaAcc + q, f64x2.add(v128.load(dGammaAcc + q), f64x2.mul(d0, xh0)));
      v128.store(dGammaAcc + q, f64x2.add(v128.load(dGammaAcc + q, 16), f64x2.mul(d1, xh1)), 16);
      v128.store(dBetaAcc + q, f64x2.add(v128.load(dBetaAcc + q), d0));
      v128.store(dBetaAcc + q, f64x2.add(v128.load(dBetaAcc + q, 16), d1), 16);
    }
    let sg = hsum(sg0) + hsum(sg1), sgx = hsum(sx0) + hsum(sx1);
    for (let i = n4; i < n; i++) {
      const o = <usize>i << 2, q = <usize>i << 3;
      const xh = (<f64>load<f32>(x + row + o) - m) * s;
      const d = <f64>load<f32>(dy + row + o);
      const g = gamma ? d * <f64>load<f32>(gamma + o) : d;
      sg += g;
      sgx += g * xh;
      store<f64>(dGammaAcc + q, load<f64>(dGammaAcc + q) + d * xh);
      store<f64>(dBetaAcc + q, load<f64>(dBetaAcc + q) + d);
    }
    const a = sg / <f64>n, b = sgx / <f64>n;
    const av = f64x2.splat(a), bv = f64x2.splat(b);
    for (let i = 0; i < n4; i += 4) {
      const o = <usize>i << 2;
      const xh0 = f64x2.mul(f64x2.sub(lo(x + row + o), mv), sv), xh1 = f64x2.mul(f64x2.sub(hi(x + row + o), mv), sv);
      const d0 = lo(dy + row + o), d1 = hi(dy + row + o);
      const g0 = gamma ? f64x2.mul(d0, lo(gamma + o)) : d0, g1 = gamma ? f64x2.mul(d1, hi(gamma + o)) : d1;
      store4(dx + row + o,
        f64x2.mul(sv, f64x2.sub(f64x2.sub(g0, av), f64x2.mul(xh0, bv))),
        f64x2.mul(sv, f64x2.sub(f64x2.sub(g1, av), f64x2.mul(xh1, bv))));
    }
    for (let i = n4; i < n; i++) {
      const o = <usize>i << 2;
      const xh = (<f64>load<f32>(x + row + o) - m) * s;
      const d = <f64>load<f32>(dy + row + o);
      const g = gamma ? d * <f64>load<f32>(gamma + o) : d;
      store<f32>(dx + row + o, <f32>(s * (g - a - xh * b)));
    }
  }
}

/** out[j] = Σ_p partials[p·stride + j] rounded to f32 (f64 partials, one block per thread). */
export function sumPartialsF64(partials: usize, parts: i32, out: usize, n: i32, stride: i32): void {
  for (let j = 0; j < n; j++) {
    let s: f64 = 0;
    for (let p = 0; p < parts; p++) s += load<f64>(partials + (<usize>(p * stride + j) << 3));
    store<f32>(out + (<usize>j << 2), <f32>s);
  }
}
