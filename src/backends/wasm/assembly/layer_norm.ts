// Layer normalization over the last axis and its gradient, one pass over each row (the composite
// takes a dozen kernels each way). Statistics and the normalization are computed in f64 lanes and
// rounded once, as the reference backend does (src/backends/ref/fused.ts). A gamma or beta
// address of 0 means the layer has none (address 0 is never a tensor's).

@inline function sumRow(x: usize, n: i32): f64 {
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    s0 = f64x2.add(s0, f64x2.promote_low_f32x4(v));
    s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<u32>(v, v, 2, 3, 0, 1)));
  }
  let s = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1) + f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1);
  for (; i < n; i++) s += <f64>load<f32>(x + (<usize>i << 2));
  return s;
}

/**
 * Rows start..end of n floats: mean[r], rstd[r] = 1/sqrt(var + eps) (biased variance) and
 * out = (x - mean)·rstd·gamma + beta.
 */
export function layerNorm(x: usize, gamma: usize, beta: usize, out: usize, mean: usize, rstd: usize,
  n: i32, eps: f64, start: i32, end: i32): void {
  for (let r = start; r < end; r++) {
    const src = x + (<usize>(r * n) << 2), dst = out + (<usize>(r * n) << 2);
    const m = sumRow(src, n) / <f64>n;
    let ss: f64 = 0;
    for (let i = 0; i < n; i++) {
      const d = <f64>load<f32>(src + (<usize>i << 2)) - m;
      ss += d * d;
    }
    const s = 1 / Math.sqrt(ss / <f64>n + eps);
    store<f32>(mean + (<usize>r << 2), <f32>m);
    store<f32>(rstd + (<usize>r << 2), <f32>s);
    for (let i = 0; i < n; i++) {
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
  for (let r = start; r < end; r++) {
    const row = <usize>(r * n) << 2;
    const m = <f64>load<f32>(mean + (<usize>r << 2)), s = <f64>load<f32>(rstd + (<usize>r << 2));
    let sg: f64 = 0, sgx: f64 = 0;
    for (let i = 0; i < n; i++) {
      const o = <usize>i << 2;
      const xh = (<f64>load<f32>(x + row + o) - m) * s;
      const d = <f64>load<f32>(dy + row + o);
      const g = gamma ? d * <f64>load<f32>(gamma + o) : d;
      sg += g;
      sgx += g * xh;
      const q = <usize>i << 3;
      store<f64>(dGammaAcc + q, load<f64>(dGammaAcc + q) + d * xh);
      store<f64>(dBetaAcc + q, load<f64>(dBetaAcc + q) + d);
    }
    const a = sg / <f64>n, b = sgx / <f64>n;
    for (let i = 0; i < n; i++) {
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
