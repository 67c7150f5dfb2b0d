import { record } from '../../autograd/tape.js';
import type { UnaryOp } from '../../backend/backend.js';
import { isFloat } from '../../core/dtype.js';
import type { Tensor } from '../../core/tensor.js';
import { add, div, greater, less, logicalAnd, minimum, mul, sub, where } from './binary.js';
import { toFloat, toTensor, wrap, type TensorLike } from '../convert.js';

/**
 * Defines a differentiable element-wise op from its kernel and its derivative, written with
 * other ops (so gradients run on every backend). `float` ops promote integer input to float.
 */
function unary(op: UnaryOp, derivative: ((dy: Tensor, x: Tensor, y: Tensor) => Tensor) | null, float = true) {
  const predicate = op === 'logicalNot' || op === 'isNaN' || op === 'isInf' || op === 'isFinite';
  return (x: TensorLike): Tensor => {
    const t = float ? toFloat(x, 'x', op) : toTensor(x, 'x', op);
    const y = wrap(t.backend.unary(op, t), t.shape, predicate ? 'bool' : t.dtype);
    if (!derivative || !isFloat(t.dtype)) return y;
    return record(op, [t], y, (dy) => [derivative(dy, t, y)]);
  };
}

const zeroGrad = (dy: Tensor) => mul(dy, 0);

/** -x */
export const neg = unary('neg', (dy) => neg(dy), false);
/** |x|; the gradient at 0 is 0. */
export const abs = unary('abs', (dy, x) => mul(dy, sign(x)), false);
/** -1, 0 or 1 by the sign of x. */
export const sign = unary('sign', zeroGrad, false);
/** e^x */
export const exp = unary('exp', (dy, _x, y) => mul(dy, y));
/** e^x - 1, accurate near 0. */
export const expm1 = unary('expm1', (dy, _x, y) => mul(dy, add(y, 1)));
/** Natural logarithm. */
export const log = unary('log', (dy, x) => div(dy, x));
/** log(1 + x), accurate near 0. */
export const log1p = unary('log1p', (dy, x) => div(dy, add(x, 1)));
/** Square root. */
export const sqrt = unary('sqrt', (dy, _x, y) => div(dy, mul(y, 2)));
/** 1 / sqrt(x). */
export const rsqrt = unary('rsqrt', (dy, x, y) => mul(dy, mul(div(y, x), -0.5)));
/** x² */
export const square = unary('square', (dy, x) => mul(dy, mul(x, 2)), false);
/** 1 / x */
export const reciprocal = unary('reciprocal', (dy, _x, y) => mul(dy, neg(mul(y, y))));
export const sin = unary('sin', (dy, x) => mul(dy, cos(x)));
export const cos = unary('cos', (dy, x) => mul(dy, neg(sin(x))));
export const tan = unary('tan', (dy, _x, y) => mul(dy, add(mul(y, y), 1)));
export const asin = unary('asin', (dy, x) => div(dy, sqrt(sub(1, mul(x, x)))));
export const acos = unary('acos', (dy, x) => neg(div(dy, sqrt(sub(1, mul(x, x))))));
export const atan = unary('atan', (dy, x) => div(dy, add(mul(x, x), 1)));
export const sinh = unary('sinh', (dy, x) => mul(dy, cosh(x)));
export const cosh = unary('cosh', (dy, x) => mul(dy, sinh(x)));
/** Hyperbolic tangent. */
export const tanh = unary('tanh', (dy, _x, y) => mul(dy, sub(1, mul(y, y))));
export const asinh = unary('asinh', (dy, x) => div(dy, sqrt(add(mul(x, x), 1))));
export const acosh = unary('acosh', (dy, x) => div(dy, sqrt(sub(mul(x, x), 1))));
export const atanh = unary('atanh', (dy, x) => div(dy, sub(1, mul(x, x))));
/** 1 / (1 + e^-x), stable for large |x|. */
export const sigmoid = unary('sigmoid', (dy, _x, y) => mul(dy, mul(y, sub(1, y))));
/** log(1 + e^x), stable for large |x|. */
export const softplus = unary('softplus', (dy, x) => mul(dy, sigmoid(x)));
/** max(x, 0); the gradient at 0 is 0. */
export const relu = unary('relu', (dy, x) => where(greater(x, 0), dy, 0), false);
/** min(max(x, 0), 6). */
export const relu6 = unary('relu6', (dy, x) => where(logicalAnd(greater(x, 0), less(x, 6)), dy, 0), false);
const eluKernel = unary('elu', (dy, x, y) => where(greater(x, 0), dy, mul(dy, add(y, 1))));

/**
 * x for x > 0, alpha * (e^x - 1) otherwise. alpha = 1 uses the fused kernel.
 * @example elu(x, 0.5)
 */
export function elu(x: TensorLike, alpha = 1): Tensor {
  if (alpha === 1) return eluKernel(x);
  const t = toFloat(x, 'x', 'elu');
  // expm1 of min(x, 0): the unused branch must not overflow, or its zero gradient becomes NaN.
  return where(greater(t, 0), t, mul(expm1(minimum(t, 0)), alpha));
}
/** Scaled ELU with the self-normalising constants of Klambauer et al. */
export const selu = unary('selu', (dy, x, y) =>
  where(greater(x, 0), mul(dy, 1.0507009873554805), mul(dy, add(y, 1.0507009873554805 * 1.6732632423543772))),
);
export const floor = unary('floor', zeroGrad, false);
export const ceil = unary('ceil', zeroGrad, false);
/** Rounds half to even, as TF.js and NumPy. */
export const round = unary('round', zeroGrad, false);
/** The error function. */
export const erf = unary('erf', (dy, x) => mul(dy, mul(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI))));
/** Logical not of a bool tensor. */
export const logicalNot = unary('logicalNot', null, false);
/** True where x is NaN. */
export const isNaN = unary('isNaN', null, false);
/** True where x is +-Infinity. */
export const isInf = unary('isInf', null, false);
/** True where x is neither NaN nor infinite. */
export const isFinite = unary('isFinite', null, false);

/**
 * The same values with no gradient: backprop treats the result as a constant.
 * @example const target = stopGradient(prediction);
 */
export function stopGradient(x: TensorLike): Tensor {
  const t = toTensor(x, 'x', 'stopGradient');
  return wrap(t.handle, t.shape, t.dtype);
}
