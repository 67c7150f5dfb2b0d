import { ValueError, fmtShape } from '../core/errors.js';
import type { Shape } from './symbolic.js';

/**
 * What a built layer accepts on one input (Keras `InputSpec`): an exact or minimum rank, and
 * fixed sizes on some axes (negative axes count from the end).
 *
 * @example { minNdim: 2, axes: { [-1]: 4 } } // Dense built for 4 features
 */
export interface InputSpec {
  ndim?: number;
  minNdim?: number;
  axes?: Record<number, number>;
}

/**
 * Throws when `shape` violates `spec`, naming the layer, the expected shape (as built) and the
 * received one: `Input 0 of layer 'dense' is incompatible: expected shape [null, 4], got [32, 13]`.
 */
export function assertCompatible(
  layerName: string,
  index: number,
  spec: InputSpec,
  shape: Shape,
  expected: Shape | undefined,
): void {
  const problem = violation(spec, shape);
  if (!problem) return;
  const want = expected ? fmtShape(expected) : describe(spec);
  throw new ValueError(
    `Input ${index} of layer '${layerName}' is incompatible: expected shape ${want}, got ${fmtShape(shape)} (${problem})`,
  );
}

function violation(spec: InputSpec, shape: Shape): string | null {
  const rank = shape.length;
  if (spec.ndim !== undefined && rank !== spec.ndim) return `expected rank ${spec.ndim}, got rank ${rank}`;
  if (spec.minNdim !== undefined && rank < spec.minNdim) return `expected rank >= ${spec.minNdim}, got rank ${rank}`;
  for (const [key, size] of Object.entries(spec.axes ?? {})) {
    const axis = Number(key);
    const dim = shape[axis < 0 ? rank + axis : axis];
    if (dim !== null && dim !== undefined && dim !== size) return `axis ${axis} must be ${size}, got ${dim}`;
  }
  return null;
}

function describe(spec: InputSpec): string {
  const rank = spec.ndim ?? spec.minNdim ?? 1;
  const shape: Shape = new Array(rank).fill(null);
  for (const [key, size] of Object.entries(spec.axes ?? {})) {
    const axis = Number(key);
    shape[axis < 0 ? rank + axis : axis] = size;
  }
  return fmtShape(shape);
}
