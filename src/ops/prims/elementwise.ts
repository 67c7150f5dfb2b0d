// What the element-wise binary primitives (binary.ts, pow.ts) share: operand conversion, the
// kernel call with broadcasting, and the definition of a differentiable arithmetic op.
import { record } from '../../autograd/tape.js';
import type { BinaryOp } from '../../backend/backend.js';
import { isFloat, upcast, type DType } from '../../core/dtype.js';
import { broadcastShapes, shapesEqual } from '../../core/shape.js';
import type { Tensor } from '../../core/tensor.js';
import { toTensor, wrap, type TensorLike } from '../convert.js';
import { cast } from './shape_ops.js';

/** Converts both operands; a plain number adopts the other operand's dtype. */
export function operands(a: TensorLike, b: TensorLike, op: string): [Tensor, Tensor] {
  const ta = typeof a === 'number' && typeof b !== 'number' ? null : toTensor(a, 'a', op);
  const tb = toTensor(b, 'b', op, ta?.dtype);
  return [ta ?? toTensor(a, 'a', op, tb.dtype), tb];
}

/** Runs the backend's binary kernel `op` on `a` and `b`, broadcast together. */
export function run(op: BinaryOp, a: Tensor, b: Tensor, outDtype: DType): Tensor {
  const shape = shapesEqual(a.shape, b.shape) ? a.shape : broadcastShapes(a.shape, b.shape, op);
  return wrap(a.backend.binary(op, a, b, shape, outDtype), shape, outDtype);
}

/**
 * d/da and d/db from dy, at the output's (broadcast) shape: the tape sums each back to its
 * input's shape. Null where the op has no gradient.
 */
export type BinaryGradient = (dy: Tensor, a: Tensor, b: Tensor, y: Tensor) => [Tensor | null, Tensor | null];

/**
 * Defines a differentiable arithmetic op from its kernel and its gradient. Operands are promoted
 * to a common dtype (bool counts as int32; `floatOnly` ops promote integers to float32).
 * @example const add = arithmetic('add', (dy) => [dy, dy]);
 */
export function arithmetic(op: BinaryOp, gradient: BinaryGradient, floatOnly = false) {
  return (x: TensorLike, y: TensorLike): Tensor => {
    let [a, b] = operands(x, y, op);
    let dt = upcast(a.dtype, b.dtype);
    if (dt === 'bool') dt = 'int32';
    if (floatOnly && !isFloat(dt)) dt = 'float32';
    if (a.dtype !== dt) a = cast(a, dt);
    if (b.dtype !== dt) b = cast(b, dt);
    const out = run(op, a, b, dt);
    if (!isFloat(dt)) return out;
    return record(op, [a, b], out, (dy) => gradient(dy, a, b, out));
  };
}
