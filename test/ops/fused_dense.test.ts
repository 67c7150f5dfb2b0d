import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grads } from '../../src/autograd/gradients.js';
import { backend } from '../../src/backend/registry.js';
import type { Tensor } from '../../src/core/tensor.js';
import { add, matMul, relu, sum, tensor, withBackend } from '../../src/index.js';
import { biasActivationFused, linearFused } from '../../src/ops/prims/linear.js';
import { assertClose, checkGradients, rand64 } from '../helpers/gradcheck.js';

const fused = (t: Tensor | null): Tensor => {
  assert.ok(t, 'the backend runs the fused kernel');
  return t;
};

describe('linearFused: a dense layer in one kernel', () => {
  for (const activation of ['relu', 'linear'] as const) {
    it(`${activation}, with and without bias: float64 gradients against finite differences`, () => {
      const x = rand64([3, 4], 1),
        w = rand64([4, 5], 2),
        b = rand64([5], 3);
      checkGradients((xx, ww, bb) => fused(linearFused(xx, ww, bb, activation)), [x, w, b]);
      checkGradients((xx, ww) => fused(linearFused(xx, ww, null, activation)), [x, w]);
    });
  }

  it('ReLU at its kink passes no gradient (relu(0) = 0, gradient 0 there, as relu has it)', () => {
    const x = tensor([[1, -1]], [1, 2], 'float64'),
      w = tensor([[1], [1]], [2, 1], 'float64'),
      b = tensor([0], [1], 'float64');
    const [dx, dw, db] = grads((xx: Tensor, ww: Tensor, bb: Tensor) => sum(fused(linearFused(xx, ww, bb, 'relu'))))([
      x,
      w,
      b,
    ]);
    assertClose(dx, [0, 0]);
    assertClose(dw, [0, 0]);
    assertClose(db, [0]);
  });

  for (const name of ['ref', 'wasm'])
    it(`on ${name}: the values of matMul, add and relu, one row (the thin product) and many`, () =>
      withBackend(name, () => {
        assert.ok(backend().linear, `${name} has the fused dense kernel`);
        for (const rows of [1, 70]) {
          const x = tensor(rand64([rows, 40], 4).dataSync(), [rows, 40], 'float32'),
            w = tensor(rand64([40, 37], 5).dataSync(), [40, 37], 'float32'),
            b = tensor(rand64([37], 6).dataSync(), [37], 'float32');
          assertClose(fused(linearFused(x, w, b, 'relu')), relu(add(matMul(x, w), b)), 1e-6);
        }
      }));
});

describe('biasActivationFused: a convolution epilogue in one kernel', () => {
  it('float64 gradients against finite differences, images [n, h, w, c]', () => {
    const x = rand64([2, 3, 2, 4], 7),
      b = rand64([4], 8);
    checkGradients((xx, bb) => fused(biasActivationFused(xx, bb, 'relu')), [x, b]);
    checkGradients((xx) => fused(biasActivationFused(xx, null, 'relu')), [x]);
    checkGradients((xx, bb) => fused(biasActivationFused(xx, bb, 'linear')), [x, b]);
  });

  it('the one-pass ReLU gradient is itself differentiable (second derivatives through a dense layer)', () => {
    const x = rand64([2, 3], 9),
      w = rand64([3, 4], 10);
    // d/dw of Σ (d/dx Σ relu(x·w))²: the inner gradient goes through the activation-gradient kernel.
    const inner = (xx: Tensor, ww: Tensor) =>
      grads((a: Tensor) => sum(fused(linearFused(a, ww, null, 'relu'))))([xx])[0];
    checkGradients((ww) => inner(x, ww), [w]);
  });
});
