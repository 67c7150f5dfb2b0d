import type { Tensor } from '../core/tensor.js';
import { add, div, greater, mul, where } from './prims/binary.js';
import { toFloat, toTensor, type TensorLike } from './convert.js';
import { clipByValue } from './clip.js';
import { abs, erf, relu6, sigmoid, softplus, tanh } from './prims/unary.js';
import { fusedGelu } from './prims/gelu.js';

/**
 * x for x > 0, alpha * x otherwise (Keras' `negative_slope`, default 0.2 as in TF.js). The
 * gradient at 0 is alpha, as in TensorFlow.
 * @example leakyRelu(tensor([-1, 2])) // [-0.2, 2]
 */
export function leakyRelu(x: TensorLike, alpha = 0.2): Tensor {
  const t = toFloat(x, 'x', 'leakyRelu');
  return where(greater(t, 0), t, mul(t, alpha));
}

/**
 * Parametric ReLU: x for x > 0, alpha * x otherwise, with a learnable `alpha` that broadcasts
 * against x.
 * @example prelu(x, alphaVariable)
 */
export function prelu(x: TensorLike, alpha: TensorLike): Tensor {
  const t = toFloat(x, 'x', 'prelu');
  return where(greater(t, 0), t, mul(toTensor(alpha, 'alpha', 'prelu', t.dtype), t));
}

/**
 * Gaussian error linear unit (Keras 3): x * Φ(x) = 0.5x(1 + erf(x/√2)), or with
 * `approximate` the tanh form 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))).
 * @example gelu(x) // exact
 */
export function gelu(x: TensorLike, approximate = false): Tensor {
  const t = toFloat(x, 'x', 'gelu');
  const fused = fusedGelu(t, approximate);
  if (fused) return fused;
  if (approximate) {
    const inner = mul(add(t, mul(mul(mul(t, t), t), 0.044715)), Math.sqrt(2 / Math.PI));
    return mul(mul(t, 0.5), add(tanh(inner), 1));
  }
  return mul(mul(t, 0.5), add(erf(mul(t, Math.SQRT1_2)), 1));
}

/**
 * x * sigmoid(x), also called SiLU.
 * @example swish(x)
 */
export function swish(x: TensorLike): Tensor {
  const t = toFloat(x, 'x', 'swish');
  return mul(t, sigmoid(t));
}

/** x * sigmoid(x) (the same function as `swish`). @example silu(x) */
export function silu(x: TensorLike): Tensor {
  return swish(x);
}

/**
 * Keras 3's piecewise-linear sigmoid: relu6(x + 3) / 6 (0 below -3, 1 above 3).
 * @example hardSigmoid(tensor([-4, 0, 4])) // [0, 0.5, 1]
 */
export function hardSigmoid(x: TensorLike): Tensor {
  const t = toFloat(x, 'x', 'hardSigmoid');
  return div(relu6(add(t, 3)), 6);
}

/**
 * The piecewise-linear sigmoid of TF.js and of Keras up to 2.x: clip(0.2x + 0.5, 0, 1) (0 below
 * -2.5, 1 above 2.5). Keras 3 changed `hard_sigmoid` to relu6(x + 3) / 6 (`hardSigmoid`); models
 * trained with TF.js or Keras 2 need this one to compute what they computed there.
 * @example hardSigmoidTfjs(tensor([-3, 0, 1, 3])) // [0, 0.5, 0.7, 1]
 */
export function hardSigmoidTfjs(x: TensorLike): Tensor {
  const t = toFloat(x, 'x', 'hardSigmoidTfjs');
  return clipByValue(add(mul(t, 0.2), 0.5), 0, 1);
}

/** x * hardSigmoid(x) (Keras' `hard_silu`, also `hard_swish`). @example hardSilu(x) */
export function hardSilu(x: TensorLike): Tensor {
  const t = toFloat(x, 'x', 'hardSilu');
  return mul(t, hardSigmoid(t));
}

/** x / (1 + |x|). @example softsign(tensor([1])) // [0.5] */
export function softsign(x: TensorLike): Tensor {
  const t = toFloat(x, 'x', 'softsign');
  return div(t, add(abs(t), 1));
}

/** x * tanh(softplus(x)) (Misra 2019). @example mish(x) */
export function mish(x: TensorLike): Tensor {
  const t = toFloat(x, 'x', 'mish');
  return mul(t, tanh(softplus(t)));
}
