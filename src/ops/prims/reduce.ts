import { record } from '../../autograd/tape.js';
import { ValueError, fmtShape } from '../../core/errors.js';
import { normAxes, normAxis, reducedShape } from '../../core/shape.js';
import type { Tensor } from '../../core/tensor.js';
import { cast, reshape } from './shape_ops.js';
import { toTensor, wrap, type TensorLike } from '../convert.js';
import { mul, div, equal, broadcastTo, logicalAnd, where } from './binary.js';

type Axis = number | readonly number[] | null;

function reduceWith(
  op: 'sum' | 'prod' | 'max' | 'min',
  t: Tensor,
  axis: Axis | undefined,
  keepDims: boolean,
): { y: Tensor; axes: number[]; kept: number[] } {
  const axes = normAxes(axis ?? undefined, t.rank, op);
  const kept = reducedShape(t.shape, axes, true);
  // With nothing to reduce the result is a fresh view: recording an op whose output is its own
  // input would count that tensor's gradient twice.
  const y =
    axes.length === 0
      ? wrap(t.handle, t.shape, t.dtype)
      : wrap(t.backend.reduce(op, t, axes), reducedShape(t.shape, axes, false), t.dtype);
  return { y: keepDims ? reshape(y, kept) : y, axes, kept };
}

/**
 * Sum over `axis` (all axes when omitted).
 * @example sum(x, 1, true) // row sums, shape [n, 1]
 */
export function sum(x: TensorLike, axis?: Axis, keepDims = false): Tensor {
  let t = toTensor(x, 'x', 'sum');
  if (t.dtype === 'bool') t = cast(t, 'int32');
  const { y, kept } = reduceWith('sum', t, axis, keepDims);
  return record('sum', [t], y, (dy) => [broadcastTo(reshape(dy, kept), t.shape)]);
}

/**
 * Product over `axis`. The gradient is the product of the other elements, exact also where
 * the group holds zeros (y / x would give NaN there).
 * @example prod(tensor([[1, 2], [3, 4]]), 1) // [2, 12]
 */
export function prod(x: TensorLike, axis?: Axis, keepDims = false): Tensor {
  let t = toTensor(x, 'x', 'prod');
  if (t.dtype === 'bool') t = cast(t, 'int32');
  const { y, axes, kept } = reduceWith('prod', t, axis, keepDims);
  return record('prod', [t], y, (dy) => {
    const isZero = equal(t, 0);
    const zeros = reshape(sum(cast(isZero, t.dtype), axes), kept);
    const safe = where(isZero, 1, t);
    const prodNonZero = reshape(
      wrap(t.backend.reduce('prod', safe, axes), reducedShape(t.shape, axes, false), t.dtype),
      kept,
    );
    // No zero: y / x. One zero: the product of the rest at the zero, 0 elsewhere. More: all 0.
    const others = where(
      equal(zeros, 0),
      div(prodNonZero, safe),
      where(logicalAnd(equal(zeros, 1), isZero), prodNonZero, 0),
    );
    return [mul(broadcastTo(reshape(dy, kept), t.shape), others)];
  });
}

function extremum(op: 'max' | 'min', x: TensorLike, axis: Axis | undefined, keepDims: boolean): Tensor {
  const t = toTensor(x, 'x', op);
  const { y, kept } = reduceWith(op, t, axis, keepDims);
  // The gradient is split evenly between tied extrema, so finite differences agree at ties.
  return record(op, [t], y, (dy) => {
    const mask = cast(equal(t, reshape(y, kept)), t.dtype);
    const count = sum(mask, normAxes(axis ?? undefined, t.rank, op), true);
    return [div(mul(mask, reshape(dy, kept)), count)];
  });
}

/** Maximum over `axis`. */
export function max(x: TensorLike, axis?: Axis, keepDims = false): Tensor {
  return extremum('max', x, axis, keepDims);
}

/** Minimum over `axis`. */
export function min(x: TensorLike, axis?: Axis, keepDims = false): Tensor {
  return extremum('min', x, axis, keepDims);
}

function argReduce(op: 'argMax' | 'argMin', x: TensorLike, axis = 0): Tensor {
  const t = toTensor(x, 'x', op);
  if (t.rank === 0) throw new ValueError(`${op}: expected a tensor of rank >= 1, got a scalar`);
  const a = normAxis(axis, t.rank, op);
  if (t.shape[a] === 0) throw new ValueError(`${op}: axis ${axis} of shape ${fmtShape(t.shape)} is empty`);
  return wrap(
    t.backend.argReduce(op, t, a),
    t.shape.filter((_, i) => i !== a),
    'int32',
  );
}

/** Index of the largest value along `axis` (default 0), as int32. */
export function argMax(x: TensorLike, axis = 0): Tensor {
  return argReduce('argMax', x, axis);
}

/** Index of the smallest value along `axis` (default 0), as int32. */
export function argMin(x: TensorLike, axis = 0): Tensor {
  return argReduce('argMin', x, axis);
}

/** True where any element along `axis` is truthy (bool result). */
export function any(x: TensorLike, axis?: Axis, keepDims = false): Tensor {
  const t = toTensor(x, 'x', 'any');
  const axes = normAxes(axis ?? undefined, t.rank, 'any');
  const y = wrap(t.backend.reduce('any', t, axes), reducedShape(t.shape, axes, false), 'bool');
  return keepDims ? reshape(y, reducedShape(t.shape, axes, true)) : y;
}

/** True where all elements along `axis` are truthy (bool result). */
export function all(x: TensorLike, axis?: Axis, keepDims = false): Tensor {
  const t = toTensor(x, 'x', 'all');
  const axes = normAxes(axis ?? undefined, t.rank, 'all');
  const y = wrap(t.backend.reduce('all', t, axes), reducedShape(t.shape, axes, false), 'bool');
  return keepDims ? reshape(y, reducedShape(t.shape, axes, true)) : y;
}
