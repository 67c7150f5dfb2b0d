import { ValueError, fmtShape } from './errors.js';

export type Shape = number[];

/** Number of elements in a tensor of this shape (1 for a scalar). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** NumPy broadcasting of two shapes; throws naming the op when they are incompatible. */
export function broadcastShapes(a: readonly number[], b: readonly number[], op = 'broadcast'): Shape {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ValueError(
        `${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast together (dimension ${i} of the result: ${da} vs ${db})`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * The axes of `to` along which a tensor of shape `from` was broadcast (its leading axes and
 * those where `from` has size 1), or null when `from` does not broadcast to `to`. Summing over
 * them undoes the broadcast.
 */
export function broadcastAxes(from: readonly number[], to: readonly number[]): number[] | null {
  const lead = to.length - from.length;
  if (lead < 0) return null;
  const axes: number[] = [];
  for (let i = 0; i < to.length; i++) {
    if (i < lead || (from[i - lead] === 1 && to[i] !== 1)) axes.push(i);
    else if (from[i - lead] !== to[i]) return null;
  }
  return axes;
}

/** Resolves a possibly negative axis against `rank`; throws naming the op when out of range. */
export function normAxis(axis: number, rank: number, op = 'axis'): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= Math.max(rank, 1)) {
    throw new ValueError(
      `${op}: axis ${axis} is out of range for a tensor of rank ${rank} (expected an integer in [${-rank}, ${Math.max(rank - 1, 0)}])`,
    );
  }
  return axis < 0 ? axis + rank : axis;
}

/** Resolves `axis` (undefined = all axes) to a sorted list of distinct non-negative axes. */
export function normAxes(axis: number | readonly number[] | undefined | null, rank: number, op = 'axis'): number[] {
  if (axis === undefined || axis === null) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axis === 'number' ? [axis] : [...axis];
  const out = [...new Set(list.map((a) => normAxis(a, rank, op)))];
  return out.sort((x, y) => x - y);
}

/** The shape after reducing `axes` (kept as 1s when `keepDims`). */
export function reducedShape(shape: readonly number[], axes: readonly number[], keepDims: boolean): Shape {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (axes.includes(i)) {
      if (keepDims) out.push(1);
    } else out.push(shape[i]);
  }
  return out;
}

/** Checks that a user-supplied shape is a list of non-negative integers. */
export function validateShape(shape: readonly number[], what = 'shape'): void {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ValueError(`${what}: expected a list of non-negative integers, got ${JSON.stringify(shape)}`);
  }
}
