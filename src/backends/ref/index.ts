import type {
  Backend,
  BinaryOp,
  DataHandle,
  FusedActivation,
  ReduceOp,
  TensorInfo,
  UnaryOp,
  WindowGeometry,
} from '../../backend/backend.js';
import { UNARY_OPS } from '../../backend/op_table.js';
import { allocArray, arrayTypeOf, type DType, type TypedArray } from '../../core/dtype.js';
import { sizeOf, stridesOf } from '../../core/shape.js';
import { BINARY, UNARY } from './elementwise.js';
import { adamStep, col2im, im2col, maxPool, maxPoolGrad, softmaxRows } from './fused.js';
import {
  geluWithDerivativeValues,
  geluValues,
  layerNormGradRows,
  layerNormRows,
  maskedSoftmaxValues,
  softmaxGradValues,
} from './transformer.js';
import { lstmCellForward, lstmCellGradC, lstmCellGradH } from './lstm.js';
import { lstmSequence, lstmSequenceGrad } from './lstm_sequence.js';
import { matmul } from './matmul.js';
import { gather, scatterAdd } from './gather.js';
import { concat, pad, slice, transpose } from './movement.js';
import { argReduce, reduce } from './reduce.js';

/**
 * The reference backend: plain TypeScript over typed arrays. It is the oracle that every faster
 * backend is tested against, so clarity wins over speed except on the hot paths (same-shape and
 * scalar element-wise, matmul) where a few fast paths keep small models quick.
 */
export class RefBackend implements Backend {
  readonly name = 'ref';

  upload(values: TypedArray, dtype: DType): DataHandle {
    const out = allocArray(dtype, values.length);
    out.set(values as ArrayLike<number>);
    return out;
  }

  read(t: TensorInfo): TypedArray {
    return (t.handle as TypedArray).slice();
  }

  async readAsync(t: TensorInfo): Promise<TypedArray> {
    return this.read(t);
  }

  dispose(): void {
    // Typed arrays are reclaimed by the garbage collector.
  }

  fill(size: number, value: number, dtype: DType): DataHandle {
    return allocArray(dtype, size).fill(value);
  }

  cast(x: TensorInfo, dtype: DType): DataHandle {
    const src = x.handle as TypedArray;
    const out = allocArray(dtype, src.length);
    if (dtype === 'int32') for (let i = 0; i < src.length; i++) out[i] = Math.trunc(src[i]);
    else if (dtype === 'bool') for (let i = 0; i < src.length; i++) out[i] = src[i] !== 0 ? 1 : 0;
    else out.set(src as ArrayLike<number>);
    return out;
  }

  unary(op: UnaryOp, x: TensorInfo): DataHandle {
    const f = UNARY[op];
    const src = x.handle as TypedArray;
    const outDtype = UNARY_OPS[op] === 'bool' ? 'bool' : x.dtype;
    const out = allocArray(outDtype, src.length);
    for (let i = 0; i < src.length; i++) out[i] = f(src[i]);
    return out;
  }

  binary(op: BinaryOp, a: TensorInfo, b: TensorInfo, outShape: readonly number[], outDtype: DType): DataHandle {
    const av = a.handle as TypedArray,
      bv = b.handle as TypedArray;
    const n = sizeOf(outShape);
    const out = allocArray(outDtype, n);
    const f = BINARY[op];
    if (av.length === n && bv.length === n) {
      if (op === 'add') for (let i = 0; i < n; i++) out[i] = av[i] + bv[i];
      else if (op === 'mul') for (let i = 0; i < n; i++) out[i] = av[i] * bv[i];
      else if (op === 'sub') for (let i = 0; i < n; i++) out[i] = av[i] - bv[i];
      else for (let i = 0; i < n; i++) out[i] = f(av[i], bv[i]);
    } else if (bv.length === 1 && av.length === n) {
      const s = bv[0];
      for (let i = 0; i < n; i++) out[i] = f(av[i], s);
    } else if (av.length === 1 && bv.length === n) {
      const s = av[0];
      for (let i = 0; i < n; i++) out[i] = f(s, bv[i]);
    } else if (av.length === n && isTrailing(b.shape, outShape)) {
      // b repeats along the leading axes (a bias row): the commonest broadcast in layers.
      const m = bv.length;
      for (let i = 0; i < n; i += m) for (let j = 0; j < m; j++) out[i + j] = f(av[i + j], bv[j]);
    } else {
      const ai = broadcastIndex(a.shape, outShape),
        bi = broadcastIndex(b.shape, outShape);
      for (let i = 0; i < n; i++) out[i] = f(av[ai[i]], bv[bi[i]]);
    }
    return out;
  }

  where(cond: TensorInfo, a: TensorInfo, b: TensorInfo, outShape: readonly number[]): DataHandle {
    const cv = cond.handle as TypedArray,
      av = a.handle as TypedArray,
      bv = b.handle as TypedArray;
    const n = sizeOf(outShape);
    const out = allocArray(a.dtype, n);
    const ci = broadcastIndex(cond.shape, outShape),
      ai = broadcastIndex(a.shape, outShape),
      bi = broadcastIndex(b.shape, outShape);
    for (let i = 0; i < n; i++) out[i] = cv[ci[i]] ? av[ai[i]] : bv[bi[i]];
    return out;
  }

  reduce(op: ReduceOp, x: TensorInfo, axes: readonly number[]): DataHandle {
    return reduce(op, x.handle as TypedArray, x.shape, axes, x.dtype);
  }

  argReduce(op: 'argMax' | 'argMin', x: TensorInfo, axis: number): DataHandle {
    return argReduce(op, x.handle as TypedArray, x.shape, axis);
  }

  matmul(
    a: TensorInfo,
    b: TensorInfo,
    transposeA: boolean,
    transposeB: boolean,
    outShape: readonly number[],
  ): DataHandle {
    return matmul(a, b, transposeA, transposeB, outShape);
  }

  transpose(x: TensorInfo, perm: readonly number[]): DataHandle {
    return transpose(x.handle as TypedArray, x.shape, perm);
  }

  slice(x: TensorInfo, begin: readonly number[], size: readonly number[], strides?: readonly number[]): DataHandle {
    return slice(x.handle as TypedArray, x.shape, begin, size, strides);
  }

  pad(x: TensorInfo, paddings: readonly (readonly [number, number])[], value: number): DataHandle {
    return pad(x.handle as TypedArray, x.shape, paddings, value);
  }

  concat(xs: readonly TensorInfo[], axis: number, outShape: readonly number[]): DataHandle {
    return concat(
      xs.map((x) => ({ values: x.handle as TypedArray, shape: x.shape })),
      axis,
      outShape,
      xs[0].dtype,
    );
  }

  gather(x: TensorInfo, indices: TensorInfo, axis: number): DataHandle {
    return gather(x.handle as TypedArray, x.shape, indices.handle as TypedArray, axis, x.dtype);
  }

  scatterAdd(updates: TensorInfo, indices: TensorInfo, axis: number, outShape: readonly number[]): DataHandle {
    return scatterAdd(
      updates.handle as TypedArray,
      updates.shape,
      indices.handle as TypedArray,
      axis,
      outShape,
      updates.dtype,
    );
  }

  // ---- optional fused kernels ----

  adam(
    p: TensorInfo,
    g: TensorInfo,
    m: TensorInfo,
    v: TensorInfo,
    alpha: number,
    beta1: number,
    beta2: number,
    epsilon: number,
  ): [DataHandle, DataHandle, DataHandle] {
    const h = (t: TensorInfo) => t.handle as TypedArray;
    return adamStep(h(p), h(g), h(m), h(v), alpha, beta1, beta2, epsilon, p.dtype);
  }

  softmax(x: TensorInfo, log: boolean): DataHandle {
    return softmaxRows(x.handle as TypedArray, x.shape[x.shape.length - 1] ?? 1, log, x.dtype);
  }

  maskedSoftmax(x: TensorInfo, mask: TensorInfo): DataHandle {
    return maskedSoftmaxValues(x.handle as TypedArray, x.shape, mask.handle as TypedArray, mask.shape, x.dtype);
  }

  softmaxGrad(y: TensorInfo, dy: TensorInfo, log: boolean): DataHandle {
    const cols = y.shape[y.shape.length - 1] ?? 1;
    return softmaxGradValues(y.handle as TypedArray, dy.handle as TypedArray, cols, log, y.dtype);
  }

  gelu(x: TensorInfo, approximate: boolean): DataHandle {
    return geluValues(x.handle as TypedArray, approximate, x.dtype);
  }

  geluWithDerivative(x: TensorInfo, approximate: boolean): [DataHandle, DataHandle] {
    return geluWithDerivativeValues(x.handle as TypedArray, approximate, x.dtype);
  }

  layerNorm(
    x: TensorInfo,
    gamma: TensorInfo | null,
    beta: TensorInfo | null,
    epsilon: number,
  ): [DataHandle, DataHandle, DataHandle] {
    const cols = x.shape[x.shape.length - 1] ?? 1;
    const h = (t: TensorInfo | null) => (t ? (t.handle as TypedArray) : null);
    return layerNormRows(x.handle as TypedArray, cols, h(gamma), h(beta), epsilon, x.dtype);
  }

  layerNormGrad(
    x: TensorInfo,
    mean: TensorInfo,
    rstd: TensorInfo,
    gamma: TensorInfo | null,
    dy: TensorInfo,
  ): [DataHandle, DataHandle, DataHandle] {
    const cols = x.shape[x.shape.length - 1] ?? 1;
    const h = (t: TensorInfo) => t.handle as TypedArray;
    return layerNormGradRows(h(x), h(mean), h(rstd), gamma && h(gamma), h(dy), cols, x.dtype);
  }

  im2col(x: TensorInfo, g: WindowGeometry, padValue: number): DataHandle {
    return im2col(x.handle as TypedArray, x.shape, g, padValue, x.dtype);
  }

  col2im(cols: TensorInfo, g: WindowGeometry, imageShape: readonly number[]): DataHandle {
    return col2im(cols.handle as TypedArray, g, imageShape, cols.dtype);
  }

  maxPool(x: TensorInfo, g: WindowGeometry): DataHandle {
    return maxPool(x.handle as TypedArray, x.shape, g, x.dtype);
  }

  lstmCell(z: TensorInfo, c: TensorInfo): [DataHandle, DataHandle, DataHandle] {
    const n = (c.handle as TypedArray).length;
    const gates = allocArray(z.dtype, n * 4),
      cNew = allocArray(z.dtype, n),
      h = allocArray(z.dtype, n);
    lstmCellForward(z.handle as TypedArray, c.handle as TypedArray, gates, cNew, h, c.shape[c.shape.length - 1]);
    return [gates, cNew, h];
  }

  lstmCellGrad(
    which: 'cell' | 'hidden',
    gates: TensorInfo,
    state: TensorInfo,
    dy: TensorInfo,
  ): [DataHandle, DataHandle] {
    const n = (state.handle as TypedArray).length;
    const dz = allocArray(dy.dtype, n * 4),
      ds = allocArray(dy.dtype, n);
    const kernel = which === 'cell' ? lstmCellGradC : lstmCellGradH;
    kernel(
      gates.handle as TypedArray,
      state.handle as TypedArray,
      dy.handle as TypedArray,
      dz,
      ds,
      state.shape[state.shape.length - 1],
    );
    return [dz, ds];
  }

  maxPoolGrad(x: TensorInfo, y: TensorInfo, dy: TensorInfo, g: WindowGeometry): DataHandle {
    return maxPoolGrad(x.handle as TypedArray, y.handle as TypedArray, dy.handle as TypedArray, x.shape, g, x.dtype);
  }

  linear(x: TensorInfo, w: TensorInfo, bias: TensorInfo | null, activation: FusedActivation): DataHandle {
    const shape = [x.shape[0], w.shape[1]];
    const y = { handle: this.matmul(x, w, false, false, shape), shape, dtype: x.dtype };
    return this.biasActivation(y, bias, activation);
  }

  biasActivation(x: TensorInfo, bias: TensorInfo | null, activation: FusedActivation): DataHandle {
    const sum = bias ? { handle: this.binary('add', x, bias, x.shape, x.dtype), shape: x.shape, dtype: x.dtype } : x;
    if (activation === 'relu') return this.unary('relu', sum);
    return sum === x ? (x.handle as TypedArray).slice() : sum.handle;
  }

  activationGrad(_activation: 'relu', y: TensorInfo, dy: TensorInfo): DataHandle {
    const yv = y.handle as TypedArray,
      dv = dy.handle as TypedArray;
    const out = allocArray(dy.dtype, dv.length);
    for (let i = 0; i < dv.length; i++) out[i] = yv[i] > 0 ? dv[i] : 0;
    return out;
  }

  lstmSequence(
    z: TensorInfo,
    u: TensorInfo,
    h0: TensorInfo,
    c0: TensorInfo,
    withGates: boolean,
  ): [DataHandle, DataHandle, DataHandle | null] {
    return lstmSequence(z, u, h0, c0, withGates);
  }

  lstmSequenceGrad(
    gates: TensorInfo,
    cs: TensorInfo,
    c0: TensorInfo,
    u: TensorInfo,
    dhs: TensorInfo,
    dcs: TensorInfo | null,
  ): [DataHandle, DataHandle, DataHandle] {
    return lstmSequenceGrad(gates, cs, c0, u, dhs, dcs);
  }
}

function isTrailing(small: readonly number[], big: readonly number[]): boolean {
  // True when `small` equals the trailing dims of `big` (after dropping leading 1s).
  let s = 0;
  while (s < small.length && small[s] === 1) s++;
  const rest = small.length - s;
  if (rest > big.length) return false;
  for (let i = 0; i < rest; i++) if (small[s + i] !== big[big.length - rest + i]) return false;
  return true;
}

/** For each flat output index, the flat index into an input broadcast to `outShape`. */
export function broadcastIndex(inShape: readonly number[], outShape: readonly number[]): Int32Array {
  const n = sizeOf(outShape);
  const idx = new Int32Array(n);
  if (sizeOf(inShape) === n) {
    for (let i = 0; i < n; i++) idx[i] = i;
    return idx;
  }
  const rank = outShape.length;
  const inStrides = stridesOf(inShape);
  // Stride of each output axis in the input: 0 where the input is broadcast.
  const st = new Array<number>(rank).fill(0);
  for (let i = 0; i < inShape.length; i++) {
    const o = rank - inShape.length + i;
    st[o] = inShape[i] === 1 ? 0 : inStrides[i];
  }
  const counter = new Array<number>(rank).fill(0);
  let off = 0;
  for (let i = 0; i < n; i++) {
    idx[i] = off;
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]++;
      off += st[d];
      if (counter[d] < outShape[d]) break;
      off -= st[d] * counter[d];
      counter[d] = 0;
    }
  }
  return idx;
}

export { arrayTypeOf };
