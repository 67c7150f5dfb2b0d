// Reference versions of the fused kernels a Transformer block spends its element-wise time in
// (gelu, layer normalization, masked softmax, the softmax gradient): float64 arithmetic, each
// result rounded once to the tensor's dtype. The oracle of the faster backends' versions.
import { allocArray, type DType, type TypedArray } from '../../core/dtype.js';
import { sizeOf, stridesOf } from '../../core/shape.js';
import { normalCdf } from './elementwise.js';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const CUBIC = 0.044715;

/** σ(2u), u = √(2/π)(x + 0.044715x³): the tanh form's gate, 0.5(1 + tanh(u)) without cancellation. */
function tanhGate(x: number): number {
  return 1 / (1 + Math.exp(-2 * SQRT_2_OVER_PI * (x + CUBIC * x * x * x)));
}

/**
 * gelu of every element: x·Φ(x), or x·σ(2u) (= 0.5x(1 + tanh(u))) with `approximate`.
 * @example geluValues(Float32Array.of(0, 1), false, 'float32') // [0, 0.8413447]
 */
export function geluValues(x: TypedArray, approximate: boolean, dtype: DType): TypedArray {
  const out = allocArray(dtype, x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] * (approximate ? tanhGate(x[i]) : normalCdf(x[i]));
  return out;
}

/** [gelu(x), gelu'(x)] for every element. @example geluWithDerivativeValues(x, false, 'float32') */
export function geluWithDerivativeValues(x: TypedArray, approximate: boolean, dtype: DType): [TypedArray, TypedArray] {
  const y = geluValues(x, approximate, dtype);
  const out = allocArray(dtype, x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    let d: number;
    // The second term is 0 wherever its small factor is (so x = ±Infinity gives the limits 1
    // and 0, not Infinity·0).
    if (approximate) {
      const s = tanhGate(v),
        t = s * (1 - s);
      d = s + (t === 0 ? 0 : v * t * 2 * SQRT_2_OVER_PI * (1 + 3 * CUBIC * v * v));
    } else {
      const pdf = Math.exp(-0.5 * v * v) * INV_SQRT_2PI;
      d = normalCdf(v) + (pdf === 0 ? 0 : v * pdf);
    }
    out[i] = d;
  }
  return [y, out];
}

/**
 * Layer normalization of rows of `cols` values: [y, mean, rstd] with rstd = 1/sqrt(var + eps)
 * (biased variance) and y = (x - mean)·rstd·gamma + beta (gamma, beta: `cols` values or null).
 * @example layerNormRows(x, 128, gamma, beta, 1e-5, 'float32')
 */
export function layerNormRows(
  x: TypedArray,
  cols: number,
  gamma: TypedArray | null,
  beta: TypedArray | null,
  epsilon: number,
  dtype: DType,
): [TypedArray, TypedArray, TypedArray] {
  const rows = cols === 0 ? 0 : x.length / cols;
  const y = allocArray(dtype, x.length),
    mean = allocArray(dtype, rows),
    rstd = allocArray(dtype, rows);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let s = 0;
    for (let i = 0; i < cols; i++) s += x[o + i];
    const m = s / cols;
    let ss = 0;
    for (let i = 0; i < cols; i++) ss += (x[o + i] - m) ** 2;
    const inv = 1 / Math.sqrt(ss / cols + epsilon);
    mean[r] = m;
    rstd[r] = inv;
    for (let i = 0; i < cols; i++) {
      let v = (x[o + i] - m) * inv;
      if (gamma) v *= gamma[i];
      if (beta) v += beta[i];
      y[o + i] = v;
    }
  }
  return [y, mean, rstd];
}

/**
 * The gradient of layerNormRows from its saved mean and rstd: [dx, dgamma, dbeta] with
 * dx = rstd·(g - mean(g) - x̂·mean(g·x̂)), g = dy·gamma, x̂ = (x - mean)·rstd,
 * dgamma = Σ_rows dy·x̂, dbeta = Σ_rows dy.
 * @example const [dx, dGamma, dBeta] = layerNormGradRows(x, mean, rstd, gamma, dy, 128, 'float32');
 */
export function layerNormGradRows(
  x: TypedArray,
  mean: TypedArray,
  rstd: TypedArray,
  gamma: TypedArray | null,
  dy: TypedArray,
  cols: number,
  dtype: DType,
): [TypedArray, TypedArray, TypedArray] {
  const rows = mean.length;
  const dx = allocArray(dtype, x.length);
  const dGamma = new Float64Array(cols),
    dBeta = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols,
      m = mean[r],
      s = rstd[r];
    let sg = 0,
      sgx = 0;
    for (let i = 0; i < cols; i++) {
      const xh = (x[o + i] - m) * s;
      const g = gamma ? dy[o + i] * gamma[i] : dy[o + i];
      sg += g;
      sgx += g * xh;
      dGamma[i] += dy[o + i] * xh;
      dBeta[i] += dy[o + i];
    }
    const a = sg / cols,
      b = sgx / cols;
    for (let i = 0; i < cols; i++) {
      const xh = (x[o + i] - m) * s;
      const g = gamma ? dy[o + i] * gamma[i] : dy[o + i];
      dx[o + i] = s * (g - a - xh * b);
    }
  }
  const round = (v: Float64Array) => {
    const out = allocArray(dtype, cols);
    out.set(v);
    return out;
  };
  return [dx, round(dGamma), round(dBeta)];
}

/**
 * Softmax along the last axis over the entries where `mask` (broadcasting to `shape`, same
 * rank) is nonzero; 0 at the others and across rows where none is allowed. The shift is the
 * max of the allowed entries (0 when it is not finite), as softmax's.
 * @example maskedSoftmaxValues(x, [2, 3], causal, [1, 3], 'float32')
 */
export function maskedSoftmaxValues(
  x: TypedArray,
  shape: readonly number[],
  mask: TypedArray,
  maskShape: readonly number[],
  dtype: DType,
): TypedArray {
  const out = allocArray(dtype, x.length);
  const cols = shape[shape.length - 1] ?? 1;
  const rows = cols === 0 ? 0 : x.length / cols;
  const offsets = maskRowOffsets(shape, maskShape);
  const step = maskShape[maskShape.length - 1] === 1 ? 0 : 1;
  for (let r = 0; r < rows; r++) {
    const o = r * cols,
      mo = offsets[r];
    let m = -Infinity,
      any = false;
    for (let i = 0; i < cols; i++) {
      if (!mask[mo + i * step]) continue;
      any = true;
      const v = x[o + i];
      if (v > m || Number.isNaN(v)) m = Number.isNaN(m) ? m : v;
    }
    if (!any) continue;
    if (!Number.isFinite(m)) m = 0;
    let sum = 0;
    for (let i = 0; i < cols; i++) if (mask[mo + i * step]) sum += Math.exp(x[o + i] - m);
    for (let i = 0; i < cols; i++) out[o + i] = mask[mo + i * step] ? Math.exp(x[o + i] - m) / sum : 0;
  }
  return out;
}

/**
 * Where each row of a tensor of `shape` starts in a mask of `maskShape` (same rank, each axis
 * equal or 1) that broadcasts to it.
 * @example maskRowOffsets([2, 4, 3], [1, 4, 3]) // [0, 3, 6, 9, 0, 3, 6, 9]
 */
export function maskRowOffsets(shape: readonly number[], maskShape: readonly number[]): Int32Array {
  const lead = shape.slice(0, -1);
  const strides = stridesOf(maskShape);
  const rows = sizeOf(lead);
  const out = new Int32Array(rows);
  const index = new Array<number>(lead.length).fill(0);
  for (let r = 0; r < rows; r++) {
    let o = 0;
    for (let d = 0; d < lead.length; d++) if (maskShape[d] !== 1) o += index[d] * strides[d];
    out[r] = o;
    for (let d = lead.length - 1; d >= 0; d--) {
      if (++index[d] < lead[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

/**
 * The gradient of softmax along rows of `cols` from its output y: y·(dy - Σ dy·y); with `log`,
 * of log-softmax: dy - exp(y)·Σ dy.
 * @example softmaxGradValues(Float32Array.of(0.5, 0.5), Float32Array.of(1, 0), 2, false, 'float32') // [0.25, -0.25]
 */
export function softmaxGradValues(y: TypedArray, dy: TypedArray, cols: number, log: boolean, dtype: DType): TypedArray {
  const out = allocArray(dtype, y.length);
  for (let o = 0; o < y.length; o += cols) {
    let s = 0;
    for (let i = 0; i < cols; i++) s += log ? dy[o + i] : dy[o + i] * y[o + i];
    for (let i = 0; i < cols; i++) out[o + i] = log ? dy[o + i] - Math.exp(y[o + i]) * s : y[o + i] * (dy[o + i] - s);
  }
  return out;
}
