import { ValueError, fmtShape } from '../core/errors.js';
import { shapesEqual } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { maximum, minimum } from '../ops/prims/binary.js';
import { toFloat, toTensor, type TensorLike } from '../ops/convert.js';
import { cast, reshape } from '../ops/prims/shape_ops.js';

/** Keras' `backend.epsilon()`: the fuzz factor of clipped logs and divisions. */
export const EPSILON = 1e-7;

/**
 * Keras' `squeeze_or_expand_to_same_rank`: when the ranks differ by one and the longer tensor
 * ends in a dimension of 1, that dimension is dropped, except that a rank-1 partner is expanded
 * instead (so yTrue [batch] meets yPred [batch, 1] as [batch, 1]).
 */
export function squeezeOrExpand(a: Tensor, b: Tensor): [Tensor, Tensor] {
  if (a.rank === b.rank + 1 && a.shape[a.rank - 1] === 1) {
    return b.rank === 1 ? [a, reshape(b, [...b.shape, 1])] : [reshape(a, a.shape.slice(0, -1)), b];
  }
  if (b.rank === a.rank + 1 && b.shape[b.rank - 1] === 1) {
    return a.rank === 1 ? [reshape(a, [...a.shape, 1]), b] : [a, reshape(b, b.shape.slice(0, -1))];
  }
  return [a, b];
}

/**
 * Converts a loss's arguments: yPred to float, yTrue to yPred's dtype, ranks matched as Keras
 * does, and equal shapes required (broadcasting a target silently is almost always a bug).
 */
export function prepare(yTrue: TensorLike, yPred: TensorLike, loss: string): [Tensor, Tensor] {
  const p = toFloat(yPred, 'yPred', loss);
  const t0 = toTensor(yTrue, 'yTrue', loss);
  const t = t0.dtype === p.dtype ? t0 : cast(t0, p.dtype);
  const [tt, pp] = squeezeOrExpand(t, p);
  if (!shapesEqual(tt.shape, pp.shape)) {
    throw new ValueError(
      `${loss}: yTrue and yPred must have the same shape, got yTrue ${fmtShape(t0.shape)} and yPred ${fmtShape(p.shape)}`,
    );
  }
  return [tt, pp];
}

/** Element-wise clip to [lo, hi]; the gradient passes where lo <= x <= hi, as TF's clip. */
export function clip(x: Tensor, lo: number, hi: number): Tensor {
  return minimum(maximum(x, lo), hi);
}

/** The last axis resolved against `x`'s rank, with an error naming the loss. */
export function lastAxis(x: Tensor, axis: number, loss: string): number {
  if (x.rank === 0) throw new ValueError(`${loss}: expected yPred of rank >= 1, got a scalar`);
  const a = axis < 0 ? axis + x.rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= x.rank)
    throw new ValueError(`${loss}: axis ${axis} is out of range for yPred of shape ${fmtShape(x.shape)}`);
  return a;
}
