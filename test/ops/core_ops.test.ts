import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { add, div, exp, grad, logSumExp, matMul, max, mean, mul, sub, sum, tensor } from '../../src/index.js';
import { assertClose, checkGradients, rand64 } from '../helpers/gradcheck.js';

describe('binary arithmetic', () => {
  it('broadcasts like NumPy', () => {
    const y = add(tensor([[1], [2]]), tensor([10, 20, 30]));
    assert.deepEqual(y.shape, [2, 3]);
    assert.deepEqual(y.arraySync(), [
      [11, 21, 31],
      [12, 22, 32],
    ]);
  });
  it('names both shapes when broadcasting fails', () => {
    assert.throws(() => add(tensor([1, 2]), tensor([1, 2, 3])), /add: shapes \[2\] and \[3\] cannot be broadcast/);
  });
  it('reduces gradients over broadcast axes', () => {
    checkGradients((a, b) => mul(a, b), [rand64([3, 4], 1), rand64([4], 2)]);
    checkGradients((a, b) => div(a, b), [rand64([2, 1, 3], 3), rand64([4, 1], 4, 1, 2)]);
    checkGradients((a, b) => sub(a, b), [rand64([1], 5), rand64([2, 3], 6)]);
  });
});

describe('matMul', () => {
  it('matches a hand-computed product', () => {
    assert.deepEqual(
      matMul(
        tensor([
          [1, 2],
          [3, 4],
        ]),
        tensor([[5], [6]]),
      ).arraySync(),
      [[17], [39]],
    );
  });
  for (const [ta, tb] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const) {
    it(`gradient-checks with transposeA=${ta} transposeB=${tb} and batch broadcasting`, () => {
      const a = rand64(ta ? [2, 3, 4, 2] : [2, 3, 2, 4], 7);
      const b = rand64(tb ? [3, 5, 4] : [3, 4, 5], 8);
      checkGradients((x, y) => matMul(x, y, ta, tb), [a, b]);
    });
  }
  it('computes only the gradients that are used (none for a data batch)', () => {
    const x = tensor([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
      w = tensor([[1], [-1]]);
    const be = x.backend,
      original = be.matmul;
    let products = 0;
    be.matmul = function (...args) {
      products++;
      return original.apply(this, args);
    };
    try {
      const dw = grad((v) => sum(matMul(x, v)))(w);
      assert.deepEqual(dw.arraySync(), [[9], [12]]);
      assert.equal(products, 2, 'the forward product and dW, not dX');
    } finally {
      be.matmul = original;
    }
  });
  it('rejects mismatched inner dimensions with both shapes', () => {
    assert.throws(
      () => matMul(tensor([[1, 2, 3]]), tensor([[1, 2]])),
      /matMul: inner dimensions do not match: a \[1, 3\] has 3 columns but b \[1, 2\] has 1 rows/,
    );
  });
});

describe('reductions', () => {
  it('sum, mean and max over axes with keepDims', () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    assert.deepEqual(sum(x, 0).arraySync(), [5, 7, 9]);
    assert.deepEqual(mean(x, 1, true).arraySync(), [[2], [5]]);
    assert.deepEqual(max(x, -1).arraySync(), [3, 6]);
  });
  it('logSumExp does not overflow', () => {
    assertClose(logSumExp(tensor([1000, 1000])), [1000 + Math.log(2)], 1e-6);
  });
  it('gradient-checks sum, mean, max and logSumExp', () => {
    checkGradients((x) => sum(x, [0, 2], true), [rand64([2, 3, 4], 9)]);
    checkGradients((x) => mean(x, 1), [rand64([2, 3, 4], 10)]);
    checkGradients((x) => max(x, 1), [rand64([3, 5], 11)]);
    checkGradients((x) => logSumExp(x, -1), [rand64([3, 5], 12)]);
    checkGradients((x) => exp(x), [rand64([4], 13)]);
  });
  it('splits the max gradient evenly between ties', () => {
    assert.deepEqual(grad((x) => max(x))(tensor([1, 3, 3])).arraySync(), [0, 0.5, 0.5]);
  });
});
