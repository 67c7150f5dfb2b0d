// applyGradients frees the gradients variableGrads made once it has applied them, and minimize
// frees everything but the cost it returns, so custom loops need no tidy or dispose.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keep, memory, optimizers, sum, tensor, variable, variableGrads } from '../../src/index.js';

const t64 = (v: number[]) => tensor(v, [v.length], 'float64');

describe('gradients are freed once applied', () => {
  it('applyGradients frees the gradients variableGrads returned, and nothing else', () => {
    const w = variable(t64([1, 2]), true, 'release_w');
    const b = variable(t64([3]), true, 'release_b');
    const opt = optimizers.sgd({ learningRate: 0.5 });
    const { value, grads } = variableGrads(() => sum(w.mul(w)).add(sum(b)), [w, b]);
    const mine = t64([1, 1]);
    opt.applyGradients(grads, [w, b]);
    assert.ok(grads.release_w.isDisposed && grads.release_b.isDisposed, 'applied gradients are freed');
    assert.ok(!value.isDisposed, 'the loss value stays the caller’s');
    assert.deepEqual(w.arraySync(), [0, 0]);
    opt.applyGradients([{ grad: mine, variable: w }]);
    assert.ok(!mine.isDisposed, 'a gradient the caller made is never freed');
  });
  it('a kept gradient survives, and applying a freed one again says why it is gone', () => {
    const w = variable(t64([1, 2]), true, 'release_keep_w');
    const opt = optimizers.sgd({ learningRate: 0.1 });
    const first = variableGrads(() => sum(w.mul(w)), [w]).grads;
    keep(first.release_keep_w);
    opt.applyGradients(first, [w]);
    assert.deepEqual(first.release_keep_w.arraySync(), [2, 4]);
    const second = variableGrads(() => sum(w.mul(w)), [w]).grads;
    opt.applyGradients(second, [w]);
    assert.throws(
      () => opt.applyGradients(second, [w]),
      /the gradient for variable 'release_keep_w' was disposed\. applyGradients frees the gradients variableGrads returned once it has applied them; keep\(grad\)/,
    );
  });
  it('a loop of variableGrads + applyGradients leaves only the loss values', () => {
    const w = variable(t64([1, 2, 3]), true, 'release_loop_w');
    const opt = optimizers.adam({ learningRate: 0.01 });
    const step = () => opt.applyGradients(variableGrads(() => sum(w.mul(w)), [w]).grads, [w]);
    step();
    const before = memory().numTensors;
    for (let i = 0; i < 100; i++) step();
    // Each step's value is the program's to drop; nothing else outlives its step.
    assert.ok(memory().numTensors - before <= 100, `${before} -> ${memory().numTensors}`);
  });
  it('minimize frees the gradients, and the cost unless it returns it', () => {
    const w = variable(t64([1, 2]), true, 'release_min_w');
    const opt = optimizers.sgd({ learningRate: 0.1 });
    opt.minimize(() => sum(w.mul(w)), false, [w]);
    const before = memory().numTensors;
    for (let i = 0; i < 50; i++) opt.minimize(() => sum(w.mul(w)), false, [w]);
    assert.equal(memory().numTensors, before);
    const cost = opt.minimize(() => sum(w.mul(w)), true, [w]);
    assert.ok(cost && !cost.isDisposed && cost.item() > 0);
    assert.equal(memory().numTensors, before + 1);
  });
});

describe('a gradient shared by two variables', () => {
  it('is freed for one without breaking the other', () => {
    const a = variable(t64([1, 2]), true, 'shared_a');
    const b = variable(t64([3, 4]), true, 'shared_b');
    const opt = optimizers.sgd({ learningRate: 1 });
    // d/da sum(a + b) and d/db are both the backward pass's one tensor of ones.
    const { grads } = variableGrads(() => sum(a.add(b)), [a, b]);
    opt.applyGradients({ shared_a: grads.shared_a }, [a]);
    opt.applyGradients({ shared_b: grads.shared_b }, [b]);
    assert.deepEqual(a.arraySync(), [0, 1]);
    assert.deepEqual(b.arraySync(), [2, 3]);
  });
});
