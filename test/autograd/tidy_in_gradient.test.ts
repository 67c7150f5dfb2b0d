// tidy inside a gradient function, as TF.js programs write it: the tensors the backward pass
// needs survive the inner tidy until the gradients are computed, and are freed after.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grad, memory, optimizers, tensor, tidy, variable, variableGrads } from '../../src/index.js';

describe('tidy inside a gradient function', () => {
  it('grad: d/dy sum(tidy(2y²)) = 4y, and nothing is left behind', () => {
    const x = tensor([1, 2, 3], [3], 'float64');
    const df = grad((y) => tidy(() => y.square().mul(2)).sum());
    df(x); // warm-up: lazily created constants
    const before = memory().numTensors;
    const g = df(x);
    assert.deepEqual(g.arraySync(), [4, 8, 12]);
    assert.equal(memory().numTensors, before + 1, 'only the gradient survives the call');
  });
  it('nested tidies and a tidy returning several tensors', () => {
    const x = tensor([1, -2], [2], 'float64');
    const g = grad((y) =>
      tidy(() => {
        const { a, b } = tidy(() => ({ a: tidy(() => y.exp()), b: y.mul(3) }));
        return a.add(b.square());
      }).sum(),
    )(x);
    const want = [1, -2].map((v) => Math.exp(v) + 18 * v);
    (g.arraySync() as number[]).forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-12, `${v} vs ${want[i]}`));
  });
  it('variableGrads', () => {
    const w = variable(tensor([1, 2], [2], 'float64'), true, 'tidy_grad_w');
    const f = () => tidy(() => w.square().mul(2)).sum();
    variableGrads(f, [w]);
    const before = memory().numTensors;
    const { value, grads } = variableGrads(f, [w]);
    assert.equal(value.item(), 10);
    assert.deepEqual(grads.tidy_grad_w.arraySync(), [4, 8]);
    assert.equal(memory().numTensors, before + 2, 'only the value and the gradient survive');
  });
  it('optimizer.minimize', () => {
    const w = variable(tensor([1, 2], [2], 'float64'), true, 'tidy_min_w');
    const opt = optimizers.sgd({ learningRate: 0.1 });
    const cost = opt.minimize(() => tidy(() => w.square().mul(2)).sum(), true, [w]);
    assert.equal(cost?.item(), 10);
    // w - 0.1 * 4w = 0.6w
    (w.arraySync() as number[]).forEach((v, i) => assert.ok(Math.abs(v - 0.6 * (i + 1)) < 1e-12));
  });
  it('a tidy around the whole gradient call still frees everything but its result', () => {
    const x = tensor([1, 2], [2], 'float64');
    const before = memory().numTensors;
    const g = tidy(() => grad((y) => tidy(() => y.square()).sum())(x));
    assert.deepEqual(g.arraySync(), [2, 4]);
    assert.equal(memory().numTensors, before + 1);
  });
});
