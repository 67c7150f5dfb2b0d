import { record } from '../../autograd/tape.js';
import { checkDType, isFloat, type DType } from '../../core/dtype.js';
import { ValueError, fmtShape } from '../../core/errors.js';
import { shapesEqual, sizeOf } from '../../core/shape.js';
import type { Tensor } from '../../core/tensor.js';
import { toTensor, wrap, type TensorLike } from '../convert.js';

/**
 * Gives a tensor a new shape with the same elements (a view: no copy). One dimension may be -1.
 * @example reshape(x, [-1, 4])
 */
export function reshape(x: TensorLike, shape: readonly number[]): Tensor {
  const t = toTensor(x, 'x', 'reshape');
  const target = resolveShape(shape, t.size, t.shape);
  if (shapesEqual(target, t.shape)) return t;
  const y = wrap(t.handle, target, t.dtype);
  return record('reshape', [t], y, (dy) => [reshape(dy, t.shape)]);
}

/**
 * A new tensor with the same values (TF.js `clone`): a view of the same memory, since tensors
 * are immutable, with its own identity (disposing one leaves the other). Its gradient passes
 * straight through.
 * @example const y = clone(x); y.dispose(); x.dataSync(); // still readable
 */
export function clone(x: TensorLike): Tensor {
  const t = toTensor(x, 'x', 'clone');
  return record('clone', [t], wrap(t.handle, t.shape, t.dtype), (dy) => [dy]);
}

function resolveShape(shape: readonly number[], size: number, from: readonly number[]): number[] {
  const out = [...shape];
  const unknown = out.indexOf(-1);
  if (out.some((d, i) => !Number.isInteger(d) || d < -1 || (d === -1 && i !== unknown))) {
    throw new ValueError(
      `reshape: invalid target shape ${fmtShape(shape)}: dimensions must be non-negative integers, with at most one -1`,
    );
  }
  if (unknown >= 0) {
    const known = sizeOf(out.filter((d) => d !== -1));
    if (known === 0 || size % known !== 0)
      throw new ValueError(
        `reshape: cannot reshape a tensor of shape ${fmtShape(from)} (${size} elements) to ${fmtShape(shape)}`,
      );
    out[unknown] = size / known;
  }
  if (sizeOf(out) !== size)
    throw new ValueError(
      `reshape: cannot reshape a tensor of shape ${fmtShape(from)} (${size} elements) to ${fmtShape(shape)} (${sizeOf(out)} elements)`,
    );
  return out;
}

/**
 * Converts to another dtype. Gradients flow through float-to-float casts only.
 * @example cast(labels, 'int32')
 */
export function cast(x: TensorLike, dtype: DType): Tensor {
  const t = toTensor(x, 'x', 'cast');
  if (t.dtype === dtype) return t;
  checkDType(dtype, 'cast');
  const y = wrap(t.backend.cast(t, dtype), t.shape, dtype);
  if (!isFloat(dtype) || !isFloat(t.dtype)) return y;
  return record('cast', [t], y, (dy) => [cast(dy, t.dtype)]);
}

/**
 * Permutes the axes (default: reverses them).
 * @example transpose(x, [0, 2, 1])
 */
export function transpose(x: TensorLike, perm?: readonly number[]): Tensor {
  const t = toTensor(x, 'x', 'transpose');
  const p = perm ? [...perm] : t.shape.map((_, i) => t.rank - 1 - i);
  if (p.length !== t.rank || [...p].sort((a, b) => a - b).some((v, i) => v !== i)) {
    throw new ValueError(
      `transpose: perm ${JSON.stringify(perm)} is not a permutation of the ${t.rank} axes of a tensor of shape ${fmtShape(t.shape)}`,
    );
  }
  if (p.every((v, i) => v === i)) return t;
  const y = wrap(
    t.backend.transpose(t, p),
    p.map((i) => t.shape[i]),
    t.dtype,
  );
  const inverse = new Array<number>(p.length);
  p.forEach((v, i) => (inverse[v] = i));
  return record('transpose', [t], y, (dy) => [transpose(dy, inverse)]);
}
