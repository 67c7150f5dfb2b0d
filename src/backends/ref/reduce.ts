import type { ReduceOp } from '../../backend/backend.js';
import { allocArray, type DType, type TypedArray } from '../../core/dtype.js';
import { sizeOf } from '../../core/shape.js';

const INIT: Record<ReduceOp, number> = { sum: 0, prod: 1, max: -Infinity, min: Infinity, any: 0, all: 1 };

/**
 * Reduces `axes` by first viewing the tensor as [outer..., reduced..., inner...] groups:
 * the input is walked once in order, each element folded into its output slot.
 */
export function reduce(
  op: ReduceOp,
  x: TypedArray,
  shape: readonly number[],
  axes: readonly number[],
  dtype: DType,
): TypedArray {
  const outShape = shape.filter((_, i) => !axes.includes(i));
  const outDtype: DType = op === 'any' || op === 'all' ? 'bool' : dtype;
  const out = allocArray(outDtype, sizeOf(outShape));
  out.fill(INIT[op]);
  // Output stride of each input axis (0 for reduced axes).
  const rank = shape.length;
  const outStrideOfAxis = new Array<number>(rank).fill(0);
  let s = 1;
  for (let i = rank - 1; i >= 0; i--) {
    if (!axes.includes(i)) {
      outStrideOfAxis[i] = s;
      s *= shape[i];
    }
  }
  // Fast path: reducing trailing axes (e.g. softmax over the last axis, sum of all).
  const trailing = axes.every((a, i) => a === rank - axes.length + i);
  if (trailing) {
    const inner = sizeOf(axes.map((a) => shape[a]));
    for (let o = 0, i = 0; o < out.length; o++) {
      let acc = INIT[op];
      const end = i + inner;
      switch (op) {
        case 'sum':
          for (; i < end; i++) acc += x[i];
          break;
        case 'prod':
          for (; i < end; i++) acc *= x[i];
          break;
        case 'max':
          for (; i < end; i++) {
            const v = x[i];
            if (v > acc || v !== v) acc = v;
          }
          break;
        case 'min':
          for (; i < end; i++) {
            const v = x[i];
            if (v < acc || v !== v) acc = v;
          }
          break;
        case 'any':
          for (; i < end; i++) if (x[i]) acc = 1;
          break;
        case 'all':
          for (; i < end; i++) if (!x[i]) acc = 0;
          break;
      }
      i = end;
      out[o] = acc;
    }
    return out;
  }
  const counter = new Array<number>(rank).fill(0);
  let o = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    switch (op) {
      case 'sum':
        out[o] += v;
        break;
      case 'prod':
        out[o] *= v;
        break;
      case 'max':
        if (v > out[o] || v !== v) out[o] = v;
        break;
      case 'min':
        if (v < out[o] || v !== v) out[o] = v;
        break;
      case 'any':
        if (v) out[o] = 1;
        break;
      case 'all':
        if (!v) out[o] = 0;
        break;
    }
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]++;
      o += outStrideOfAxis[d];
      if (counter[d] < shape[d]) break;
      o -= outStrideOfAxis[d] * counter[d];
      counter[d] = 0;
    }
  }
  return out;
}

export function argReduce(op: 'argMax' | 'argMin', x: TypedArray, shape: readonly number[], axis: number): Int32Array {
  const outer = sizeOf(shape.slice(0, axis));
  const len = shape[axis];
  const inner = sizeOf(shape.slice(axis + 1));
  const out = new Int32Array(outer * inner);
  const better = op === 'argMax' ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * len * inner + j;
      let best = x[base],
        bestI = 0;
      for (let k = 1; k < len; k++) {
        const v = x[base + k * inner];
        if (better(v, best) || (v !== v && best === best)) {
          best = v;
          bestI = k;
        }
      }
      out[o * inner + j] = bestI;
    }
  }
  return out;
}
