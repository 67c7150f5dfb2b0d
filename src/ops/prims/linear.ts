import { record } from '../../autograd/tape.js';
import type { FusedActivation } from '../../backend/backend.js';
import { isFloat } from '../../core/dtype.js';
import type { Tensor } from '../../core/tensor.js';
import { wrap } from '../convert.js';
import { greater, where } from './binary.js';
import { matMul } from './matmul.js';
import { sum } from './reduce.js';

/**
 * A dense layer's forward in one backend kernel: activation(x·w + bias) for x [m, k], w [k, n]
 * and bias [n] (or null), where the backend has it (the same values as matMul, add and relu).
 * The gradient passes dy through the activation in one pass, then: dx = dz·wᵀ, dw = xᵀ·dz,
 * dbias = Σ dz over rows. Null when the backend has no such kernel or the operands do not fit
 * it (the layer then composes the ops).
 * @example const y = linearFused(x, kernel, bias, 'relu') ?? relu(add(matMul(x, kernel), bias));
 */
export function linearFused(x: Tensor, w: Tensor, bias: Tensor | null, activation: FusedActivation): Tensor | null {
  const be = x.backend;
  if (!be.linear || !fits(x, [w, ...(bias ? [bias] : [])]) || x.rank !== 2 || w.rank !== 2) return null;
  if (x.shape[1] !== w.shape[0] || (bias && (bias.rank !== 1 || bias.shape[0] !== w.shape[1]))) return null;
  const y = wrap(be.linear(x, w, bias, activation), [x.shape[0], w.shape[1]], x.dtype);
  return record('linear', bias ? [x, w, bias] : [x, w], y, (dy, needs) => {
    const dz = activationGradient(activation, y, dy);
    return [
      needs[0] ? matMul(dz, w, false, true) : null,
      needs[1] ? matMul(x, dz, true, false) : null,
      ...(bias ? [needs[2] ? sum(dz, 0) : null] : []),
    ];
  });
}

/**
 * activation(x + bias) with bias [n] (or null) along the last axis, in one backend kernel where
 * it has it: a convolution's epilogue. The gradient: dz = dy through the activation in one
 * pass; dx = dz, dbias = Σ dz over every other axis. Null when the backend has no such kernel.
 * @example const y = biasActivationFused(conv, bias, 'relu') ?? relu(add(conv, bias));
 */
export function biasActivationFused(x: Tensor, bias: Tensor | null, activation: FusedActivation): Tensor | null {
  const be = x.backend;
  if (!be.biasActivation || !fits(x, bias ? [bias] : []) || x.rank === 0) return null;
  if (bias && (bias.rank !== 1 || bias.shape[0] !== x.shape[x.rank - 1])) return null;
  const y = wrap(be.biasActivation(x, bias, activation), x.shape, x.dtype);
  return record('biasActivation', bias ? [x, bias] : [x], y, (dy) => {
    const dz = activationGradient(activation, y, dy);
    return bias ? [dz, sum(dz, [...Array(x.rank - 1).keys()])] : [dz];
  });
}

/** Same backend, same float dtype. */
function fits(x: Tensor, others: readonly Tensor[]): boolean {
  return isFloat(x.dtype) && others.every((t) => t.backend === x.backend && t.dtype === x.dtype);
}

/**
 * dy through the activation, from its output y: ReLU passes dy where y > 0 (one kernel where the
 * backend has it, itself differentiable in dy), linear passes it unchanged.
 */
function activationGradient(activation: FusedActivation, y: Tensor, dy: Tensor): Tensor {
  if (activation === 'linear') return dy;
  const be = dy.backend;
  if (!be.activationGrad || y.backend !== be) return where(greater(y, 0), dy, 0);
  const dz = wrap(be.activationGrad('relu', y, dy), dy.shape, dy.dtype);
  return record('reluGrad', [dy], dz, (ddz) => [activationGradient('relu', y, ddz)]);
}
