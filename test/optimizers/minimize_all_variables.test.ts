// optimizer.minimize(f) without a varList updates every live trainable variable f uses, as TF.js.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { optimizers, scalar, tensor, train, variable, variableGrads } from '../../src/index.js';

describe('minimize without varList', () => {
  it('fits y = 2x + 1 with the variables f uses, and leaves the others alone', () => {
    const a = variable(scalar(0.3));
    const b = variable(scalar(0.1));
    const unused = variable(scalar(5));
    const frozen = variable(scalar(1), false);
    const xs = tensor([0, 1, 2, 3]);
    const ys = tensor([1, 3, 5, 7]);
    const opt = train.sgd(0.05);
    for (let i = 0; i < 300; i++) opt.minimize(() => a.mul(xs).add(b).add(frozen.mul(0)).sub(ys).square().mean());
    assert.ok(Math.abs(a.item() - 2) < 1e-3, `a = ${a.item()}`);
    assert.ok(Math.abs(b.item() - 1) < 1e-3, `b = ${b.item()}`);
    assert.equal(unused.item(), 5);
    assert.equal(frozen.item(), 1);
  });

  it('returns the cost when asked', () => {
    const w = variable(scalar(3));
    const cost = optimizers.sgd({ learningRate: 0.1 }).minimize(() => w.square(), true);
    assert.equal(cost?.item(), 9);
    assert.ok(Math.abs(w.item() - 2.4) < 1e-6);
  });

  it('variableGrads(f) names the variables f uses', () => {
    const w = variable(tensor([1, 2]), true, 'vg_all_w');
    variable(tensor([7]), true, 'vg_all_other');
    const { grads } = variableGrads(() => w.square().sum());
    assert.deepEqual(Object.keys(grads), ['vg_all_w']);
    assert.deepEqual(grads.vg_all_w.arraySync(), [2, 4]);
  });

  it('is an error when f uses no trainable variable', () => {
    assert.throws(
      () => optimizers.adam().minimize(() => scalar(2).square()),
      /minimize: the function uses no trainable variable/,
    );
  });
});
