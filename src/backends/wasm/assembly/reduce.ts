// Reductions of float32 tensors viewed as [outer, red, inner]: out[o, j] folds x[o, 0..red, j].
// Sums accumulate in f64 when the reduced run is contiguous, as the reference backend does.

import { Reduce } from './opcodes';

@inline function initOf(op: i32): f32 {
  return op == Reduce.sum ? 0 : op == Reduce.prod ? 1 : op == Reduce.max ? -Infinity : Infinity;
}

function foldContiguous(op: i32, x: usize, n: i32): f32 {
  let i = 0;
  if (op == Reduce.sum) {
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
    for (; i + 4 <= n; i += 4) {
      const v = v128.load(x + (<usize>i << 2));
      s0 = f64x2.add(s0, f64x2.promote_low_f32x4(v));
      s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<u32>(v, v, 2, 3, 0, 1)));
    }
    let s = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1) + f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1);
    for (; i < n; i++) s += <f64>load<f32>(x + (<usize>i << 2));
    return <f32>s;
  }
  if (op == Reduce.prod) {
    let p: f64 = 1;
    for (; i < n; i++) p *= <f64>load<f32>(x + (<usize>i << 2));
    return <f32>p;
  }
  let acc: f32 = initOf(op);
  if (n >= 8) {
    let va = v128.load(x);
    for (i = 4; i + 4 <= n; i += 4) {
      const v = v128.load(x + (<usize>i << 2));
      va = op == Reduce.max ? f32x4.max(va, v) : f32x4.min(va, v);
    }
    for (let l = 0; l < 4; l++) {
      const v = f32x4.extract_lane(va, 0);
      va = v128.shuffle<u32>(va, va, 1, 2, 3, 0);
      if (op == Reduce.max ? v > acc || v != v : v < acc || v != v) acc = v;
      if (acc != acc) break;
    }
  }
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (op == Reduce.max ? v > acc || v != v : v < acc || v != v) acc = v;
    if (acc != acc) break;
  }
  return acc;
}

/** Folds `red` along the middle axis for outer indices start..end. */
export function reduce(op: i32, x: usize, out: usize, red: i32, inner: i32, start: i32, end: i32): void {
  if (inner == 1) {
    for (let o = start; o < end; o++) store<f32>(out + (<usize>o << 2), foldContiguous(op, x + (<usize>(o * red) << 2), red));
    return;
  }
  const init = initOf(op);
  for (let o = start; o < end; o++) {
    const dst = out + (<usize>(o * inner) << 2);
    for (let j = 0; j < inner; j++) store<f32>(dst + (<usize>j << 2), init);
    for (let r = 0; r < red; r++) {
      const src = x + (<usize>((o * red + r) * inner) << 2);
      let j = 0;
      if (op == Reduce.sum) {
        for (; j + 4 <= inner; j += 4) { const q = <usize>j << 2; v128.store(dst + q, f32x4.add(v128.load(dst + q), v128.load(src + q))); }
      } else if (op == Reduce.max) {
        for (; j + 4 <= inner; j += 4) { const q = <usize>j << 2; v128.store(dst + q, f32x4.max(v128.load(dst + q), v128.load(src + q))); }
      } else if (op == Reduce.min) {
        for (; j + 4 <= inner; j += 4) { const q = <usize>j << 2; v128.store(dst + q, f32x4.min(v128.load(dst + q), v128.load(src + q))); }
      }
      for (; j < inner; j++) {
        const q = <usize>j << 2;
        const acc = load<f32>(dst + q), v = load<f32>(src + q);
        let r2: f32;
        if (op == Reduce.sum) r2 = acc + v;
        else if (op == Reduce.prod) r2 = <f32>(<f64>acc * <f64>v);
        else if (op == Reduce.max) r2 = v > acc || v != v || acc != acc ? (acc != acc ? acc : v) : acc;
        else r2 = v < acc || v != v || acc != acc ? (acc != acc ? acc : v) : acc;
        store<f32>(dst + q, r2);
      }
    }
  }
}

/** Softmax (or log-softmax when `log` is 1) over rows of n floats, rows start..end. */
export function softmaxRows(x: usize, out: usize, n: i32, log: i32, start: i32, end: i32): void {
  for (let r = start; r < end; r++) {
    const src = x + (<usize>(r * n) << 2), dst = out + (<usize>(r * n) << 2);
    let m = <f64>foldContiguous(Reduce.max, src, n);
    // An infinite max would turn every exp into NaN; the op layer subtracts 0 then too.
    if (m - m != 0) m = 0;
    let s: f64 = 0;
    for (let i = 0; i < n; i++) {
      const e = Math.exp(<f64>load<f32>(src + (<usize>i << 2)) - m);
      if (!log) store<f32>(dst + (<usize>i << 2), <f32>e);
      s += e;
    }
    if (log) {
      const logSum = Math.log(s);
      for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), <f32>((<f64>load<f32>(src + (<usize>i << 2)) - m) - logSum));
    } else {
      const inv = 1 / s;
      for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), <f32>(<f64>load<f32>(dst + (<usize>i << 2)) * inv));
    }
  }
}

/**
 * One Adam step (Keras 3 form) for elements start..end:
 * m' = m + (g - m)·d1; v' = v + (g² - v)·d2; p' = p - alpha·m' / (sqrt(v') + eps), where d1 = 1 - beta1
 * and d2 = 1 - beta2 come rounded from the caller, as the scalar operands of the element-wise ops do.
 */
export function adam(p: usize, g: usize, m: usize, v: usize, pOut: usize, mOut: usize, vOut: usize,
  alpha: f32, d1: f32, d2: f32, eps: f32, start: i32, end: i32): void {
  const c1 = f32x4.splat(d1), c2 = f32x4.splat(d2), va = f32x4.splat(alpha), ve = f32x4.splat(eps);
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const o = <usize>i << 2;
    const gv = v128.load(g + o);
    let mv = v128.load(m + o), vv = v128.load(v + o);
    mv = f32x4.add(mv, f32x4.mul(f32x4.sub(gv, mv), c1));
    vv = f32x4.add(vv, f32x4.mul(f32x4.sub(f32x4.mul(gv, gv), vv), c2));
    v128.store(mOut + o, mv);
    v128.store(vOut + o, vv);
    v128.store(pOut + o, f32x4.sub(v128.load(p + o), f32x4.div(f32x4.mul(mv, va), f32x4.add(f32x4.sqrt(vv), ve))));
  }
  for (; i < end; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o);
    let mi = load<f32>(m + o), vi = load<f32>(v + o);
    mi = mi + (gi - mi) * d1;
    vi = vi + (gi * gi - vi) * d2;
    store<f32>(mOut + o, mi);
    store<f32>(vOut + o, vi);
    store<f32>(pOut + o, load<f32>(p + o) - (mi * alpha) / (Mathf.sqrt(vi) + eps));
  }
}
