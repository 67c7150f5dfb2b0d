// Reference versions of the optional fused kernels (see FusedKernels in backend/backend.ts):
// plain loops over typed arrays, the oracle the faster backends are tested against.
import type { WindowGeometry } from '../../backend/backend.js';
import { allocArray, type DType, type TypedArray } from '../../core/dtype.js';

const same = (x: number) => x;
/** Rounds like a stored element of `dtype` (so a float32 result matches op-by-op float32 math). */
const rounder = (dtype: DType) => (dtype === 'float32' ? Math.fround : same);

/**
 * One Adam step; every intermediate is rounded to the dtype as the element-wise ops would.
 * @example adamStep(p, g, m, v, 1e-3, 0.9, 0.999, 1e-7, 'float32') // [p', m', v']
 */
export function adamStep(
  p: TypedArray,
  g: TypedArray,
  m: TypedArray,
  v: TypedArray,
  alpha: number,
  beta1: number,
  beta2: number,
  epsilon: number,
  dtype: DType,
): [TypedArray, TypedArray, TypedArray] {
  const r = rounder(dtype);
  const n = p.length;
  const pOut = allocArray(dtype, n),
    mOut = allocArray(dtype, n),
    vOut = allocArray(dtype, n);
  const c1 = r(1 - beta1),
    c2 = r(1 - beta2),
    a = r(alpha),
    e = r(epsilon);
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    const mi = r(m[i] + r(r(gi - m[i]) * c1));
    const vi = r(v[i] + r(r(r(gi * gi) - v[i]) * c2));
    mOut[i] = mi;
    vOut[i] = vi;
    pOut[i] = r(p[i] - r(r(mi * a) / r(r(Math.sqrt(vi)) + e)));
  }
  return [pOut, mOut, vOut];
}

/**
 * Softmax or log-softmax of each row of `cols` values, in float64 and rounded once.
 * @example softmaxRows(Float32Array.of(1, 2, 3), 3, false, 'float32')
 */
export function softmaxRows(x: TypedArray, cols: number, log: boolean, dtype: DType): TypedArray {
  const out = allocArray(dtype, x.length);
  for (let s = 0; s < x.length; s += cols) {
    let m = -Infinity;
    for (let i = 0; i < cols; i++) if (x[s + i] > m || Number.isNaN(x[s + i])) m = Number.isNaN(m) ? m : x[s + i];
    if (!Number.isFinite(m)) m = 0;
    let sum = 0;
    for (let i = 0; i < cols; i++) sum += Math.exp(x[s + i] - m);
    // (x - max) - log(sum), not x - (max + log(sum)): full precision where the logits are large.
    const logSum = Math.log(sum);
    for (let i = 0; i < cols; i++) out[s + i] = log ? x[s + i] - m - logSum : Math.exp(x[s + i] - m) / sum;
  }
  return out;
}

/** Calls `f(outRow, tap, y, x)` for every window tap inside the image (padding is skipped). */
function eachTap(g: WindowGeometry, f: (window: number, tap: number, y: number, x: number) => void): void {
  for (let oh = 0; oh < g.outH; oh++) {
    for (let ow = 0; ow < g.outW; ow++) {
      const window = oh * g.outW + ow;
      for (let i = 0; i < g.kH; i++) {
        const y = oh * g.strideH + i * g.dilationH - g.padTop;
        for (let j = 0; j < g.kW; j++) {
          const x = ow * g.strideW + j * g.dilationW - g.padLeft;
          if (y >= 0 && y < g.inH && x >= 0 && x < g.inW) f(window, i * g.kW + j, y, x);
        }
      }
    }
  }
}

/**
 * im2col of NHWC images [n, inH, inW, c]: [n, outH, outW, kH * kW * c], padding = `padValue`.
 * @example im2col(x, [1, 4, 4, 1], g, 0, 'float32')
 */
export function im2col(
  x: TypedArray,
  shape: readonly number[],
  g: WindowGeometry,
  padValue: number,
  dtype: DType,
): TypedArray {
  const [n, , , c] = shape;
  const taps = g.kH * g.kW,
    windows = g.outH * g.outW;
  const out = allocArray(dtype, n * windows * taps * c).fill(padValue);
  for (let b = 0; b < n; b++) {
    const img = b * g.inH * g.inW * c,
      base = b * windows * taps * c;
    eachTap(g, (w, t, y, xx) => {
      const src = img + (y * g.inW + xx) * c,
        dst = base + (w * taps + t) * c;
      for (let ch = 0; ch < c; ch++) out[dst + ch] = x[src + ch];
    });
  }
  return out;
}

/**
 * The adjoint of im2col: window rows [n, outH, outW, kH * kW * c] summed back onto images `imageShape`.
 * @example col2im(cols, g, [1, 4, 4, 1], 'float32')
 */
export function col2im(cols: TypedArray, g: WindowGeometry, imageShape: readonly number[], dtype: DType): TypedArray {
  const [n, , , c] = imageShape;
  const taps = g.kH * g.kW,
    windows = g.outH * g.outW;
  // Sums in float64 then rounds once, so the order taps are added in does not matter.
  const acc = new Float64Array(n * g.inH * g.inW * c);
  for (let b = 0; b < n; b++) {
    const img = b * g.inH * g.inW * c,
      base = b * windows * taps * c;
    eachTap(g, (w, t, y, xx) => {
      const dst = img + (y * g.inW + xx) * c,
        src = base + (w * taps + t) * c;
      for (let ch = 0; ch < c; ch++) acc[dst + ch] += cols[src + ch];
    });
  }
  const out = allocArray(dtype, acc.length);
  out.set(acc);
  return out;
}

/**
 * Max over each window of NHWC images; windows that see no pixel give -Infinity.
 * @example maxPool(x, [1, 4, 4, 1], g, 'float32')
 */
export function maxPool(x: TypedArray, shape: readonly number[], g: WindowGeometry, dtype: DType): TypedArray {
  const [n, , , c] = shape;
  const windows = g.outH * g.outW;
  const out = allocArray(dtype, n * windows * c).fill(-Infinity);
  for (let b = 0; b < n; b++) {
    const img = b * g.inH * g.inW * c,
      base = b * windows * c;
    eachTap(g, (w, _t, y, xx) => {
      const src = img + (y * g.inW + xx) * c,
        dst = base + w * c;
      for (let ch = 0; ch < c; ch++) {
        const v = x[src + ch];
        if (v > out[dst + ch] || Number.isNaN(v)) out[dst + ch] = Number.isNaN(out[dst + ch]) ? out[dst + ch] : v;
      }
    });
  }
  return out;
}

/**
 * Gradient of maxPool: each window's dy shared evenly by the pixels equal to its max.
 * @example maxPoolGrad(x, y, dy, [1, 4, 4, 1], g, 'float32')
 */
export function maxPoolGrad(
  x: TypedArray,
  y: TypedArray,
  dy: TypedArray,
  shape: readonly number[],
  g: WindowGeometry,
  dtype: DType,
): TypedArray {
  const [n, , , c] = shape;
  const windows = g.outH * g.outW;
  const counts = new Float64Array(n * windows * c);
  const acc = new Float64Array(x.length);
  for (let pass = 0; pass < 2; pass++) {
    for (let b = 0; b < n; b++) {
      const img = b * g.inH * g.inW * c,
        base = b * windows * c;
      eachTap(g, (w, _t, yy, xx) => {
        const src = img + (yy * g.inW + xx) * c,
          win = base + w * c;
        for (let ch = 0; ch < c; ch++) {
          if (x[src + ch] !== y[win + ch]) continue;
          if (pass === 0) counts[win + ch]++;
          else acc[src + ch] += dy[win + ch] / counts[win + ch];
        }
      });
    }
  }
  const out = allocArray(dtype, x.length);
  out.set(acc);
  return out;
}
