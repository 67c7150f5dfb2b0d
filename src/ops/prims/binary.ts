import { record } from '../../autograd/tape.js';
import type { BinaryOp } from '../../backend/backend.js';
import { isFloat, upcast } from '../../core/dtype.js';
import { ValueError } from '../../core/errors.js';
import { broadcastShapes, shapesEqual } from '../../core/shape.js';
import type { Tensor } from '../../core/tensor.js';
import { toTensor, wrap, type TensorLike } from '../convert.js';
import { arithmetic, operands, run } from './elementwise.js';
import { cast } from './shape_ops.js';

/** a + b with broadcasting. @example add(x, 1) */
export const add = arithmetic('add', (dy) => [dy, dy]);
/** a - b with broadcasting. */
export const sub = arithmetic('sub', (dy) => [dy, mul(dy, -1)]);
/** a * b element-wise with broadcasting. */
export const mul = arithmetic('mul', (dy, a, b) => [mul(dy, b), mul(dy, a)]);
/** a / b; integers are promoted to float (use floorDiv for integer division). */
export const div = arithmetic('div', (dy, a, b) => [div(dy, b), mul(div(mul(dy, a), mul(b, b)), -1)], true);
/** Element-wise maximum; on ties the gradient goes to `a`. */
export const maximum = arithmetic('maximum', (dy, a, b) => {
  const m = cast(greaterEqual(a, b), dy.dtype);
  return [mul(dy, m), mul(dy, sub(1, m))];
});
/** Element-wise minimum; on ties the gradient goes to `a`. */
export const minimum = arithmetic('minimum', (dy, a, b) => {
  const m = cast(lessEqual(a, b), dy.dtype);
  return [mul(dy, m), mul(dy, sub(1, m))];
});
/** Remainder with the sign of the divisor (Python/TF semantics). */
export const mod = arithmetic('mod', (dy, a, b) => [dy, mul(dy, mul(floorDiv(a, b), -1))]);
/** floor(a / b). Not differentiable (zero gradient). */
export const floorDiv = arithmetic('floorDiv', () => [null, null]);
/** (a - b)². */
export const squaredDifference = arithmetic('squaredDifference', (dy, a, b) => {
  const d = mul(mul(dy, sub(a, b)), 2);
  return [d, mul(d, -1)];
});
/** atan2(a, b), the angle of the point (b, a). */
export const atan2 = arithmetic(
  'atan2',
  (dy, a, b) => {
    const r = add(mul(a, a), mul(b, b));
    return [div(mul(dy, b), r), mul(div(mul(dy, a), r), -1)];
  },
  true,
);

function comparison(op: BinaryOp) {
  return (x: TensorLike, y: TensorLike): Tensor => {
    let [a, b] = operands(x, y, op);
    const dt = upcast(a.dtype, b.dtype);
    if (a.dtype !== dt) a = cast(a, dt);
    if (b.dtype !== dt) b = cast(b, dt);
    return run(op, a, b, 'bool');
  };
}

/** a == b element-wise (bool). */
export const equal = comparison('equal');
/** a != b element-wise (bool). */
export const notEqual = comparison('notEqual');
/** a < b element-wise (bool). */
export const less = comparison('less');
/** a <= b element-wise (bool). */
export const lessEqual = comparison('lessEqual');
/** a > b element-wise (bool). */
export const greater = comparison('greater');
/** a >= b element-wise (bool). */
export const greaterEqual = comparison('greaterEqual');
/** Logical and of two bool tensors. */
export const logicalAnd = comparison('logicalAnd');
/** Logical or of two bool tensors. */
export const logicalOr = comparison('logicalOr');

/**
 * Picks `a` where `condition` is true and `b` elsewhere; all three broadcast together.
 * @example where(greater(x, 0), x, 0) // relu
 */
export function where(condition: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  const c = toTensor(condition, 'condition', 'where');
  let [ta, tb] = operands(a, b, 'where');
  const dt = upcast(ta.dtype, tb.dtype);
  if (ta.dtype !== dt) ta = cast(ta, dt);
  if (tb.dtype !== dt) tb = cast(tb, dt);
  if (c.dtype !== 'bool' && c.dtype !== 'int32') {
    throw new ValueError(`where: 'condition' must be a bool tensor, got dtype ${c.dtype}`);
  }
  const shape = broadcastShapes(broadcastShapes(c.shape, ta.shape, 'where'), tb.shape, 'where');
  const y = wrap(c.backend.where(c, ta, tb, shape), shape, dt);
  if (!isFloat(dt)) return y;
  return record('where', [ta, tb], y, (dy) => {
    const zero = wrap(dy.backend.fill(1, 0, dy.dtype), [], dy.dtype);
    return [where(c, dy, zero), where(c, zero, dy)];
  });
}

/**
 * Repeats `x` along broadcast dimensions to `shape` (NumPy rules). The gradient sums back.
 * @example broadcastTo(tensor([1, 2]), [3, 2])
 */
export function broadcastTo(x: TensorLike, shape: readonly number[]): Tensor {
  const t = toTensor(x, 'x', 'broadcastTo');
  if (shapesEqual(t.shape, shape)) return t;
  const target = broadcastShapes(t.shape, shape, 'broadcastTo');
  if (!shapesEqual(target, shape)) {
    throw new ValueError(
      `broadcastTo: a tensor of shape [${t.shape.join(', ')}] cannot be broadcast to [${shape.join(', ')}]`,
    );
  }
  const zero = t.backend.fill(1, 0, t.dtype);
  const y = wrap(
    t.backend.binary('add', t, { handle: zero, shape: shape.map(() => 1), dtype: t.dtype }, shape, t.dtype),
    shape,
    t.dtype,
  );
  t.backend.dispose(zero); // no tensor owns it, so nothing else would free it
  if (!isFloat(t.dtype)) return y;
  // The tape sums dy back to t's shape.
  return record('broadcastTo', [t], y, (dy) => [dy]);
}
