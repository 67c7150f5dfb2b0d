/**
 * Loop implementations of attention, written from the formulas and independent of Myelin's
 * einsum path: the oracle the attention layers' forward values are checked against.
 */
import type { Tensor } from '../../src/core/tensor.js';

type Arr = ArrayLike<number>;

/** Row-major reader for a tensor's values. */
export function reader(t: Tensor): (...idx: number[]) => number {
  const v = t.dataSync() as Arr;
  const shape = t.shape;
  return (...idx: number[]) => {
    let o = 0;
    for (let a = 0; a < shape.length; a++) o = o * shape[a] + (shape[a] === 1 ? 0 : idx[a]);
    return v[o];
  };
}

export interface MhaWeights {
  wq: Tensor;
  bq: Tensor | null;
  wk: Tensor;
  bk: Tensor | null;
  wv: Tensor;
  bv: Tensor | null;
  wo: Tensor;
  bo: Tensor | null;
  /** With useGate: the gate projection [dim, heads, valueDim] and bias, through a sigmoid. */
  wg?: Tensor;
  bg?: Tensor | null;
}

/** A projection x[b, t, d] · W[d, n, h] + bias[n, h] as nested arrays [b][t][n][h]. */
function project(x: Tensor, w: Tensor, bias: Tensor | null): number[][][][] {
  const [B, T, D] = x.shape;
  const [, N, H] = w.shape;
  const X = reader(x),
    W = reader(w),
    Bi = bias && reader(bias);
  const out: number[][][][] = [];
  for (let b = 0; b < B; b++) {
    out.push([]);
    for (let t = 0; t < T; t++) {
      out[b].push([]);
      for (let n = 0; n < N; n++) {
        out[b][t].push([]);
        for (let h = 0; h < H; h++) {
          let s = Bi ? Bi(n, h) : 0;
          for (let d = 0; d < D; d++) s += X(b, t, d) * W(d, n, h);
          out[b][t][n].push(s);
        }
      }
    }
  }
  return out;
}

/**
 * Multi-head attention by loops. `allowed(b, t, s)` says whether query t may attend to key s;
 * masked scores get -1e9 and fully masked rows give zero probabilities (Keras' masked softmax).
 * `kvGroups` > 1 shares each key/value head among that many query heads (grouped-query).
 */
export function referenceAttention(
  query: Tensor,
  value: Tensor,
  key: Tensor,
  w: MhaWeights,
  allowed: (b: number, t: number, s: number) => boolean,
  kvGroups = 1,
): { output: number[]; scores: number[] } {
  const q = project(query, w.wq, w.bq),
    k = project(key, w.wk, w.bk),
    v = project(value, w.wv, w.bv);
  const [B, T] = query.shape;
  const S = value.shape[1];
  const N = w.wq.shape[1],
    H = w.wq.shape[2],
    Hv = w.wv.shape[2];
  const [, , O] = w.wo.shape;
  const Wo = reader(w.wo),
    Bo = w.bo && reader(w.bo);
  const output: number[] = [],
    scores: number[] = [];
  const heads: number[][][][] = []; // [b][t][n][hv]
  for (let b = 0; b < B; b++) {
    heads.push([]);
    for (let t = 0; t < T; t++) heads[b].push(Array.from({ length: N }, () => new Array(Hv).fill(0)));
  }
  for (let b = 0; b < B; b++)
    for (let n = 0; n < N; n++)
      for (let t = 0; t < T; t++) {
        const kvHead = Math.floor(n / kvGroups);
        const logits: number[] = [];
        for (let s = 0; s < S; s++) {
          let dot = 0;
          for (let h = 0; h < H; h++) dot += q[b][t][n][h] * k[b][s][kvHead][h];
          logits.push(allowed(b, t, s) ? dot / Math.sqrt(H) : -1e9);
        }
        const m = Math.max(...logits);
        const e = logits.map((l) => Math.exp(l - m));
        const z = e.reduce((a, c) => a + c, 0);
        const p = e.map((x, s) => (allowed(b, t, s) ? x / z : 0));
        scores.push(...p);
        for (let hv = 0; hv < Hv; hv++) {
          let acc = 0;
          for (let s = 0; s < S; s++) acc += p[s] * v[b][s][kvHead][hv];
          heads[b][t][n][hv] = acc;
        }
      }
  if (w.wg) {
    const g = project(query, w.wg, w.bg ?? null);
    for (let b = 0; b < B; b++)
      for (let t = 0; t < T; t++)
        for (let n = 0; n < N; n++)
          for (let hv = 0; hv < Hv; hv++) heads[b][t][n][hv] *= 1 / (1 + Math.exp(-g[b][t][n][hv]));
  }
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++)
      for (let o = 0; o < O; o++) {
        let acc = Bo ? Bo(o) : 0;
        for (let n = 0; n < N; n++) for (let hv = 0; hv < Hv; hv++) acc += heads[b][t][n][hv] * Wo(n, hv, o);
        output.push(acc);
      }
  return { output, scores };
}
