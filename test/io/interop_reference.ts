/**
 * An independent reading of the real model files in test/fixtures/interop: their weights
 * straight from HDF5 with h5wasm (not Myelin's reader), NumPy's .npy arrays, and forward
 * passes of the layers they use as plain loops in float64, from Keras' definitions. The
 * interop tests compare Myelin's loaded models with these.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import h5wasm, { type Group } from 'h5wasm';

export const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/interop/', import.meta.url));

/** A .npy array (little-endian float32/float64, C order) with its shape. */
export function readNpy(path: string): { data: Float64Array; shape: number[] } {
  const bytes = readFileSync(path);
  const headerLength = bytes.readUInt16LE(8);
  const header = bytes.subarray(10, 10 + headerLength).toString('latin1');
  const descr = /'descr':\s*'([<|]f[48])'/.exec(header)?.[1];
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (!descr || /fortran_order':\s*True/.test(header)) throw new Error(`${path}: unsupported .npy header ${header}`);
  const body = bytes.subarray(10 + headerLength);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = descr.endsWith('8') ? body.readDoubleLE(8 * i) : body.readFloatLE(4 * i);
  return { data, shape };
}

/** Every dataset of a Keras .h5 file's `model_weights` group by path, and the root attributes. */
export async function readKerasH5(
  path: string,
): Promise<{ attrs: Record<string, string>; datasets: Map<string, { data: Float64Array; shape: number[] }> }> {
  const { FS } = await h5wasm.ready;
  const name = `/reference-${Math.random().toString(36).slice(2)}.h5`;
  FS.writeFile(name, readFileSync(path));
  const file = new h5wasm.File(name, 'r');
  try {
    const attrs: Record<string, string> = {};
    for (const [k, a] of Object.entries(file.attrs)) if (typeof a.value === 'string') attrs[k] = a.value;
    const datasets = new Map<string, { data: Float64Array; shape: number[] }>();
    const walk = (group: Group, prefix: string) => {
      for (const key of group.keys()) {
        const entity = group.get(key);
        if (entity instanceof h5wasm.Group) walk(entity, `${prefix}${key}/`);
        else if (entity instanceof h5wasm.Dataset)
          datasets.set(`${prefix}${key}`, {
            data: Float64Array.from(entity.value as Float32Array),
            shape: [...(entity.shape ?? [])],
          });
      }
    };
    walk(file.get('model_weights') as Group, '');
    return { attrs, datasets };
  } finally {
    file.close();
    FS.unlink(name);
  }
}

/** A batch as nested arrays of float64 numbers. */
export type Batch = number[][] | number[][][] | number[][][][];

export const relu = (v: number) => Math.max(0, v);
export const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
/** TF.js' and Keras 2's hard sigmoid. */
export const hardSigmoid02 = (v: number) => Math.min(1, Math.max(0, 0.2 * v + 0.5));

/** x · W + b for one vector; W is [in, out] row-major. */
export function affine(x: number[], w: Float64Array, b: Float64Array | null, out: number): number[] {
  const y = new Array(out).fill(0);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    if (xi === 0) continue;
    for (let j = 0; j < out; j++) y[j] += xi * w[i * out + j];
  }
  if (b) for (let j = 0; j < out; j++) y[j] += b[j];
  return y;
}

export function softmax(v: number[]): number[] {
  const m = Math.max(...v);
  const e = v.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

/** Keras' inference batch normalization of the last axis. */
export function batchNorm(
  x: number[],
  p: { gamma: Float64Array; beta: Float64Array; mean: Float64Array; variance: Float64Array },
  eps: number,
): number[] {
  return x.map((v, c) => ((v - p.mean[c]) / Math.sqrt(p.variance[c] + eps)) * p.gamma[c] + p.beta[c]);
}

/** A 1-D convolution of [steps][in] with kernel [k, in, out] (Keras layout), 'valid' or 'same'. */
export function conv1d(
  x: number[][],
  kernel: Float64Array,
  bias: Float64Array,
  k: number,
  out: number,
  padding: 'valid' | 'same',
): number[][] {
  const inDim = x[0].length;
  const pad = padding === 'same' ? Math.floor((k - 1) / 2) : 0;
  const steps = padding === 'same' ? x.length : x.length - k + 1;
  const y: number[][] = [];
  for (let t = 0; t < steps; t++) {
    const row = Array.from(bias);
    for (let d = 0; d < k; d++) {
      const src = t + d - pad;
      if (src < 0 || src >= x.length) continue;
      const xs = x[src];
      for (let i = 0; i < inDim; i++) {
        const xi = xs[i];
        const base = (d * inDim + i) * out;
        for (let o = 0; o < out; o++) row[o] += xi * kernel[base + o];
      }
    }
    y.push(row);
  }
  return y;
}

/** One LSTM over a sequence (Keras gate order i, f, c, o); returns every step's h. */
export function lstm(
  xs: number[][],
  w: { kernel: Float64Array; recurrent: Float64Array; bias: Float64Array },
  units: number,
  recurrentActivation: (v: number) => number,
): number[][] {
  let h = new Array(units).fill(0);
  let c = new Array(units).fill(0);
  const out: number[][] = [];
  for (const x of xs) {
    const z = affine(x, w.kernel, w.bias, 4 * units);
    const r = affine(h, w.recurrent, null, 4 * units);
    const g = z.map((v, k) => v + r[k]);
    const next = new Array(units);
    const cNext = new Array(units);
    for (let j = 0; j < units; j++) {
      const i = recurrentActivation(g[j]);
      const f = recurrentActivation(g[units + j]);
      const cand = Math.tanh(g[2 * units + j]);
      const o = recurrentActivation(g[3 * units + j]);
      cNext[j] = f * c[j] + i * cand;
      next[j] = o * Math.tanh(cNext[j]);
    }
    h = next;
    c = cNext;
    out.push(h);
  }
  return out;
}

/** The largest absolute difference between two flat lists of numbers. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** A deterministic pseudo-random number in [lo, hi) for test inputs. */
export function seeded(seed: number): (lo: number, hi: number) => number {
  let s = seed >>> 0;
  return (lo, hi) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + ((s >>> 8) / 2 ** 24) * (hi - lo);
  };
}

/**
 * The rows of a printed Keras summary: for each layer line, its first column (`name (Class)`,
 * cut to the column width), output shape and parameter count, read by the header's columns.
 */
export function summaryRows(lines: string[]): { layer: string; shape: string; params: number }[] {
  const header = lines.find((l) => l.startsWith('Layer (type)')) as string;
  const shapeAt = header.indexOf('Output Shape');
  const paramsAt = header.indexOf('Param #');
  const connectedAt = header.indexOf('Connected to');
  const start = lines.indexOf(header) + 2;
  const rows: { layer: string; shape: string; params: number }[] = [];
  for (const line of lines.slice(start)) {
    if (/^(=|_)+$/.test(line) || line.startsWith('Total params')) continue;
    if (/^(Trainable|Non-trainable) params/.test(line)) continue;
    if (line.slice(0, shapeAt).trim() === '') continue; // a further 'Connected to' line
    rows.push({
      layer: line.slice(0, shapeAt).trim(),
      shape: line.slice(shapeAt, paramsAt).trim(),
      params: Number(line.slice(paramsAt, connectedAt > 0 ? connectedAt : undefined).trim()),
    });
  }
  return rows;
}
