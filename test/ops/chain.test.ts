import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grad, tensor, variable, zeros } from '../../src/index.js';
import { assertClose } from '../helpers/gradcheck.js';

describe('chainable tensor methods', () => {
  it('compute the same as the ops', () => {
    const x = tensor([
      [1, -2],
      [3, -4],
    ]);
    assert.deepEqual(x.abs().sum().item(), 10);
    assert.deepEqual(x.relu().mean(0).arraySync(), [2, 0]);
    assert.deepEqual(
      x
        .add(1)
        .mul(2)
        .sub(tensor([1, 1]))
        .div(2)
        .arraySync(),
      [
        [1.5, -1.5],
        [3.5, -3.5],
      ],
    );
    assert.deepEqual(x.matMul(x.transpose()).arraySync(), [
      [5, 11],
      [11, 25],
    ]);
    assert.deepEqual(x.reshape([4]).expandDims(0).squeeze().flatten().shape, [4]);
    assert.deepEqual(x.max(1).arraySync(), [1, 3]);
    assert.deepEqual(x.min().item(), -4);
    assert.deepEqual(x.argMax(1).arraySync(), [0, 0]);
    assert.deepEqual(x.argMin(0).arraySync(), [0, 1]);
    assert.deepEqual(x.greater(0).arraySync(), [
      [true, false],
      [true, false],
    ]);
    assert.deepEqual(x.equal(3).arraySync(), [
      [false, false],
      [true, false],
    ]);
    assert.deepEqual(x.clipByValue(-1, 1).arraySync(), [
      [1, -1],
      [1, -1],
    ]);
    assert.deepEqual(x.slice([1, 0], [1, 1]).arraySync(), [[3]]);
    assert.deepEqual(x.gather([1]).arraySync(), [[3, -4]]);
    assert.deepEqual(x.cast('int32').dtype, 'int32');
    assert.deepEqual(x.concat(x, 0).shape, [4, 2]);
    assert.deepEqual(x.concat([x, x], 1).shape, [2, 6]);
    assert.deepEqual(x.square().sqrt().arraySync(), [
      [1, 2],
      [3, 4],
    ]);
    assertClose(tensor([0, 1]).exp().log(), [0, 1], 1e-6);
    assert.deepEqual(tensor([2]).pow(3).neg().item(), -8);
    assertClose(tensor([0, 0]).softmax(), [0.5, 0.5]);
    assertClose(tensor([0]).sigmoid(), [0.5]);
    assertClose(tensor([0]).tanh(), [0]);
  });
  it('are recorded for gradients and work on variables', () => {
    const g = grad((t) => t.square().sum())(tensor([1, 2, 3], undefined, 'float64'));
    assert.deepEqual(g.arraySync(), [2, 4, 6]);
    const v = variable(zeros([2]));
    assert.deepEqual(v.add(1).arraySync(), [1, 1]);
  });
});
