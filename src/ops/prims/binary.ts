import { record } from '../../autograd/tape.js';
import type { BinaryOp } from '../../backend/backend.js';
import { isFloat, upcast, type DType } from '../../core/dtype.js';
import { ValueError } from '../../core/errors.js';
import { broadcastShapes, shapesEqual } from '../../core/shape.js';
import type { Tensor } from '../../core/tensor.js';
import { toTensor, wrap, type TensorLike } from '../convert.js';
import { reduceTo } from './reduce.js';
import { cast } from './shape_ops.js';

/** Converts both operands; a plain number adopts the other operand's dtype. */
function operands(a: TensorLike, b: TensorLike, op: string): [Tensor, Tensor] {
  const ta = typeof a === 'number' && typeof b !== 'number' ? null : toTensor(a, 'a', op);
  const tb = toTensor(b, 'b', op, ta?.dtype);
  return [ta ?? toTensor(a, 'a', op, tb.dtype), tb];
}

function run(op: BinaryOp, a: Tensor, b: Tensor, outDtype: DType): Tensor {
  const shape = shapesEqual(a.shape, b.shape) ? a.shape : broadcastShapes(a.shape, b.shape, op);
  return wrap(a.backend.binary(op, a, b, shape, outDtype), shape, outDtype);
}

/**
 * Defines a differentiable arithmetic op: forward kernel plus d/da and d/db, each reduced back
 * over broadcast axes.
 */
function arithmetic(
  op: BinaryOp,
  grads: (dy: Tensor, a: Tensor, b: Tensor, y: Tensor) => [Tensor | null, Tensor | null],
  floatOnly = false,
) {
  return (x: TensorLike, y: TensorLike): Tensor => {
    let [a, b] = operands(x, y, op);
    let dt = upcast(a.dtype, b.dtype);
    if (dt === 'bool') dt = 'int32';
    if (floatOnly && !isFloat(dt)) dt = 'float32';
    if (a.dtype !== dt) a = cast(a, dt);
    if (b.dtype !== dt) b = cast(b, dt);
    const out = run(op, a, b, dt);
    if (!isFloat(dt)) return out;
    return record(op, [a, b], out, (dy) => {
      const [ga, gb] = grads(dy, a, b, out);
      return [ga && reduceTo(ga, a.shape), gb && reduceTo(gb, b.shape)];
    });
  };
}

/** a + b with broadcasting. @example add(x, 1) */
export const add = arithmetic('add', (dy) => [dy, dy]);
/** a - b with broadcasting. */
export const sub = arithmetic('sub', (dy) => [dy, neg(dy)]);
/** a * b element-wise with broadcasting. */
export const mul = arithmetic('mul', (dy, a, b) => [mul(dy, b), mul(dy, a)]);
/** a / b; integers are promoted to float (use floorDiv for integer division). */
export const div = arithmetic('div', (dy, a, b) => [div(dy, b), neg(div(mul(dy, a), mul(b, b)))], true);
/** a ** b. The gradient with respect to b is taken where a > 0 and is 0 elsewhere. */
export const pow = arithmetic('pow', (dy, a, b, y) => {
  const da = mul(dy, mul(b, pow(a, sub(b, 1))));
  const safeA = where(greater(a, 0), a, 1);
  const db = mul(dy, where(greater(a, 0), mul(y, logOf(safeA)), 0));
  return [da, db];
});
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
export const mod = arithmetic('mod', (dy, a, b) => [dy, mul(dy, neg(floorDiv(a, b)))]);
/** floor(a / b). Not differentiable (zero gradient). */
export const floorDiv = arithmetic('floorDiv', () => [null, null]);
/** (a - b)². */
export const squaredDifference = arithmetic('squaredDifference', (dy, a, b) => {
  const d = mul(mul(dy, sub(a, b)), 2);
  return [d, neg(d)];
});
/** atan2(a, b), the angle of the point (b, a). */
export const atan2 = arithmetic(
  'atan2',
  (dy, a, b) => {
    const r = add(mul(a, a), mul(b, b));
    return [div(mul(dy, b), r), neg(div(mul(dy, a), r))];
  },
  true,
);

function neg(x: Tensor): Tensor {
  return mul(x, -1);
}

function logOf(x: Tensor): Tensor {
  const y = wrap(x.backend.unary('log', x), x.shape, x.dtype);
  return record('log', [x], y, (dy) => [div(dy, x)]);
}

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
    return [reduceTo(where(c, dy, zero), ta.shape), reduceTo(where(c, zero, dy), tb.shape)];
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
  return record('broadcastTo', [t], y, (dy) => [reduceTo(dy, t.shape)]);
}
