// GELU on the backend's fused kernels, with its gradient beside it. ops/activation_ops.ts calls
// it when the backend has the kernels and builds the same function from erf (or tanh) otherwise.
import { isRecording, record } from '../../autograd/tape.js';
import type { Tensor } from '../../core/tensor.js';
import { wrap } from '../convert.js';
import { add, mul, sub } from './binary.js';
import { erf, exp, tanh } from './unary.js';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const CUBIC = 0.044715;

/**
 * gelu'(x) built from primitives (so it can itself be differentiated): Φ(x) + x·φ(x), or for the
 * tanh form with t = tanh(u): 0.5(1 + t) + 0.5x(1 - t²)·√(2/π)(1 + 3·0.044715x²).
 */
function geluDerivative(x: Tensor, approximate: boolean): Tensor {
  if (approximate) {
    const t = tanh(mul(add(x, mul(mul(mul(x, x), x), CUBIC)), SQRT_2_OVER_PI));
    const du = mul(add(mul(mul(x, x), 3 * CUBIC), 1), SQRT_2_OVER_PI);
    return add(mul(add(t, 1), 0.5), mul(mul(mul(x, 0.5), sub(1, mul(t, t))), du));
  }
  const cdf = mul(add(erf(mul(x, Math.SQRT1_2)), 1), 0.5);
  const pdf = mul(exp(mul(mul(x, x), -0.5)), 1 / Math.sqrt(2 * Math.PI));
  return add(cdf, mul(x, pdf));
}

/**
 * gelu of a float tensor on the backend's fused kernels; null when the backend has none. While a
 * gradient records, the forward kernel also returns the slope gelu'(x), so the backward pass is
 * one product with dy; where an outer gradient records that backward pass too (a second
 * derivative), the slope is built from primitives instead.
 * @example const y = fusedGelu(x, false) ?? composite(x);
 */
export function fusedGelu(x: Tensor, approximate: boolean): Tensor | null {
  const be = x.backend;
  if (!be.gelu || !be.geluWithDerivative) return null;
  if (!isRecording()) return wrap(be.gelu(x, approximate), x.shape, x.dtype);
  const [yH, dH] = be.geluWithDerivative(x, approximate);
  const slope = wrap(dH, x.shape, x.dtype);
  return record('gelu', [x], wrap(yH, x.shape, x.dtype), (dy) => [
    mul(dy, isRecording() ? geluDerivative(x, approximate) : slope),
  ]);
}
