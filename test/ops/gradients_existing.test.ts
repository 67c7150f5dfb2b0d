import { describe, it } from 'node:test';
import type { Tensor } from '../../src/core/tensor.js';
import * as ops from '../../src/index.js';
import { checkGradients, rand64 } from '../helpers/gradcheck.js';

/** Unary ops and an input range on which each is smooth. */
const UNARY: [string, (x: Tensor) => Tensor, number, number][] = [
  ['neg', ops.neg, -1, 1],
  ['abs', ops.abs, 0.1, 1],
  ['abs (negative)', ops.abs, -1, -0.1],
  ['exp', ops.exp, -2, 2],
  ['expm1', ops.expm1, -2, 2],
  ['log', ops.log, 0.5, 2],
  ['log1p', ops.log1p, -0.5, 1],
  ['sqrt', ops.sqrt, 0.5, 2],
  ['rsqrt', ops.rsqrt, 0.5, 2],
  ['square', ops.square, -2, 2],
  ['reciprocal', ops.reciprocal, 0.5, 2],
  ['sin', ops.sin, -3, 3],
  ['cos', ops.cos, -3, 3],
  ['tan', ops.tan, -1, 1],
  ['asin', ops.asin, -0.9, 0.9],
  ['acos', ops.acos, -0.9, 0.9],
  ['atan', ops.atan, -3, 3],
  ['sinh', ops.sinh, -2, 2],
  ['cosh', ops.cosh, -2, 2],
  ['tanh', ops.tanh, -2, 2],
  ['asinh', ops.asinh, -2, 2],
  ['acosh', ops.acosh, 1.5, 3],
  ['atanh', ops.atanh, -0.9, 0.9],
  ['sigmoid', ops.sigmoid, -4, 4],
  ['softplus', ops.softplus, -4, 4],
  ['relu (positive)', ops.relu, 0.1, 2],
  ['relu (negative)', ops.relu, -2, -0.1],
  ['relu6 (inside)', ops.relu6, 0.1, 5.9],
  ['relu6 (above)', ops.relu6, 6.1, 8],
  ['elu', (x) => ops.elu(x), -2, 2],
  ['selu', ops.selu, -2, 2],
  ['erf', ops.erf, -2, 2],
  ['sign', ops.sign, -1, 1],
  ['floor', ops.floor, 0.1, 0.9],
  ['ceil', ops.ceil, 0.1, 0.9],
  ['round', ops.round, 0.1, 0.4],
];

describe('gradients of unary ops (float64 central differences)', () => {
  UNARY.forEach(([name, f, lo, hi], k) => {
    it(name, () => checkGradients(f, [rand64([2, 3], 100 + k, lo, hi)]));
  });
});

/** Binary ops with operand ranges where each is smooth; every pair of shapes broadcasts. */
const BINARY: [string, (a: Tensor, b: Tensor) => Tensor, [number, number], [number, number]][] = [
  ['add', ops.add, [-1, 1], [-1, 1]],
  ['sub', ops.sub, [-1, 1], [-1, 1]],
  ['mul', ops.mul, [-1, 1], [-1, 1]],
  ['div', ops.div, [-1, 1], [0.5, 2]],
  ['pow', ops.pow, [0.5, 2], [-2, 2]],
  ['maximum', ops.maximum, [-1, 1], [-1, 1]],
  ['minimum', ops.minimum, [-1, 1], [-1, 1]],
  ['mod', ops.mod, [0.1, 0.9], [1.5, 2]],
  ['squaredDifference', ops.squaredDifference, [-1, 1], [-1, 1]],
  ['atan2', ops.atan2, [-1, 1], [0.5, 2]],
];
const SHAPE_PAIRS: [number[], number[]][] = [
  [
    [2, 3],
    [2, 3],
  ],
  [[2, 3], [3]],
  [
    [2, 1, 3],
    [4, 1],
  ],
  [[1], [2, 2]],
  [[], [3]],
];

describe('gradients of binary ops with broadcasting', () => {
  BINARY.forEach(([name, f, ra, rb], k) => {
    it(name, () => {
      SHAPE_PAIRS.forEach(([sa, sb], j) =>
        checkGradients(f, [rand64(sa, 200 + 10 * k + j, ...ra), rand64(sb, 300 + 10 * k + j, ...rb)]),
      );
    });
  });
  it('where routes the gradient by the condition, with broadcasting', () => {
    const cond = ops.greater(rand64([2, 3], 7), 0);
    checkGradients((a, b) => ops.where(cond, a, b), [rand64([2, 3], 8), rand64([3], 9)]);
  });
  it('broadcastTo sums back', () => {
    checkGradients((x) => ops.broadcastTo(x, [2, 3, 4]), [rand64([3, 1], 10)]);
  });
});

describe('gradients of reductions', () => {
  const x = rand64([2, 3, 4], 11, 0.5, 1.5);
  for (const axis of [undefined, 0, 1, -1, [0, 2]] as const) {
    const label = JSON.stringify(axis ?? 'all');
    it(`sum, mean, prod, max, min over ${label}`, () => {
      for (const keep of [false, true]) {
        checkGradients((t) => ops.sum(t, axis, keep), [x]);
        checkGradients((t) => ops.mean(t, axis, keep), [x]);
        checkGradients((t) => ops.prod(t, axis, keep), [x]);
        checkGradients((t) => ops.max(t, axis, keep), [rand64([2, 3, 4], 12)]);
        checkGradients((t) => ops.min(t, axis, keep), [rand64([2, 3, 4], 13)]);
      }
    });
  }
  it('norm for every ord, and logSumExp', () => {
    const v = rand64([3, 4], 14);
    for (const ord of ['euclidean', 'fro', 2, 1, Infinity, -Infinity] as const) {
      checkGradients((t) => ops.norm(t, ord), [v]);
      checkGradients((t) => ops.norm(t, ord, 1, true), [v]);
    }
    checkGradients((t) => ops.logSumExp(t, [0, 1]), [v]);
    checkGradients((t) => ops.logSumExp(t, 0, true), [v]);
  });
});

describe('gradients of shape ops', () => {
  it('reshape, transpose and float casts', () => {
    checkGradients((t) => ops.reshape(t, [4, -1]), [rand64([2, 3, 2], 15)]);
    checkGradients((t) => ops.transpose(t, [2, 0, 1]), [rand64([2, 3, 4], 16)]);
    checkGradients((t) => ops.transpose(t), [rand64([3, 5], 17)]);
    checkGradients((t) => ops.cast(ops.mul(t, 2), 'float64'), [rand64([3], 18)]);
  });
});
