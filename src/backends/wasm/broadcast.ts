/**
 * Reduces a broadcast between two inputs and an output to the fewest axes: neighbouring axes
 * merge when both inputs walk them as one (contiguous, or both broadcast), and size-1 axes drop.
 * Each input gets an element stride per remaining axis (0 where it is broadcast).
 * @example collapse([2, 3], [1, 3], [2, 3]) // dims [2, 3], a strides [3, 1], b strides [0, 1]
 */
export function collapse(
  aShape: readonly number[],
  bShape: readonly number[],
  outShape: readonly number[],
): { dims: number[]; sa: number[]; sb: number[] } {
  const rank = outShape.length;
  const sa = stridesIn(aShape, outShape),
    sb = stridesIn(bShape, outShape);
  const dims: number[] = [],
    ra: number[] = [],
    rb: number[] = [];
  for (let d = 0; d < rank; d++) {
    const n = outShape[d];
    if (n === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && ra[last] === sa[d] * n && rb[last] === sb[d] * n) {
      dims[last] *= n;
      ra[last] = sa[d];
      rb[last] = sb[d];
    } else {
      dims.push(n);
      ra.push(sa[d]);
      rb.push(sb[d]);
    }
  }
  return { dims, sa: ra, sb: rb };
}

/** Element stride of each output axis in an input broadcast to `outShape` (0 where broadcast). */
export function stridesIn(inShape: readonly number[], outShape: readonly number[]): number[] {
  const rank = outShape.length;
  const st = new Array<number>(rank).fill(0);
  let s = 1;
  for (let i = inShape.length - 1; i >= 0; i--) {
    const o = rank - inShape.length + i;
    st[o] = inShape[i] === 1 ? 0 : s;
    s *= inShape[i];
  }
  return st;
}

/** Splits 0..total into at most `parts` ranges whose starts are multiples of `align`. */
export function splitRange(total: number, parts: number, align = 1): [number, number][] {
  const chunk = Math.ceil(total / parts / align) * align;
  const out: [number, number][] = [];
  for (let s = 0; s < total; s += chunk) out.push([s, Math.min(total, s + chunk)]);
  return out;
}

/**
 * A transpose as at most four outer axes walked in output order (sizes, and the input stride of
 * each) and a run of contiguous elements copied at each position: the trailing axes the
 * permutation keeps in place form the run, size-1 axes drop, and neighbouring axes that stay
 * neighbours merge. Null when more than four outer axes remain.
 * @example transposePlan([12, 64, 4, 32], [0, 2, 1, 3]) // dims [1, 12, 4, 64], strides [0, 8192, 32, 128], run 32
 */
export function transposePlan(
  shape: readonly number[],
  perm: readonly number[],
): { dims: number[]; strides: number[]; run: number } | null {
  const inStrides = new Array<number>(shape.length);
  for (let d = shape.length - 1, s = 1; d >= 0; d--) {
    inStrides[d] = s;
    s *= shape[d];
  }
  let kept = perm.length;
  while (kept > 0 && perm[kept - 1] === kept - 1) kept--;
  let run = 1;
  for (let d = kept; d < shape.length; d++) run *= shape[d];
  const dims: number[] = [],
    strides: number[] = [];
  for (let i = 0; i < kept; i++) {
    const n = shape[perm[i]],
      s = inStrides[perm[i]];
    if (n === 1) continue;
    const last = dims.length - 1;
    // The previous output axis steps over this one exactly: one axis of their product.
    if (last >= 0 && strides[last] === s * n) {
      dims[last] *= n;
      strides[last] = s;
    } else {
      dims.push(n);
      strides.push(s);
    }
  }
  if (dims.length > 4) return null;
  while (dims.length < 4) {
    dims.unshift(1);
    strides.unshift(0);
  }
  return { dims, strides, run };
}
