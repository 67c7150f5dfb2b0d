import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValueError } from '../../src/core/errors.js';
import { argMax, gather, matMul, mean, oneHot, reshape, sum, tensor, transpose, zeros } from '../../src/index.js';

describe('bad input gives messages that name the op, the argument and the values', () => {
  it('ragged nested arrays', () => {
    assert.throws(
      () => tensor([[1, 2], [3]]),
      (e: Error) =>
        e instanceof ValueError &&
        /tensor: ragged nested array: element at \[1\] has length 1 but length 2 was expected/.test(e.message),
    );
    assert.throws(() => tensor([[1, 2], 3] as never), /element at \[1\] has no length but length 2 was expected/);
    assert.throws(() => tensor([1, [2]] as never), /element at \[1\] is an array but a number was expected/);
    assert.throws(() => tensor(['a'] as never), /element at \[0\] is string \("a"\); expected a number or boolean/);
  });
  it('bad axes', () => {
    assert.throws(
      () => sum(zeros([2, 3]), 2),
      /sum: axis 2 is out of range for a tensor of rank 2 \(expected an integer in \[-2, 1\]\)/,
    );
    assert.throws(() => mean(zeros([2, 3]), -3), /mean: axis -3 is out of range/);
    assert.throws(() => argMax(zeros([2]), 1.5), /argMax: axis 1.5 is out of range/);
    assert.throws(
      () => transpose(zeros([2, 3]), [0, 0]),
      /transpose: perm \[0,0\] is not a permutation of the 2 axes of a tensor of shape \[2, 3\]/,
    );
  });
  it('out-of-range gather and oneHot', () => {
    assert.throws(
      () => gather(zeros([4, 2]), [1, 4]),
      /gather: index 4 \(at flat position 1\) is out of range for axis 0 of size 4/,
    );
    assert.throws(
      () => oneHot([1, 5], 3),
      /oneHot: index 5 \(at flat position 1\) is out of range for depth 3; expected indices in \[0, 2\]/,
    );
    assert.throws(() => oneHot([0], 0), /oneHot: depth must be a positive integer, got 0/);
  });
  it('bad reshape', () => {
    assert.throws(
      () => reshape(zeros([2, 3]), [4, 2]),
      /reshape: cannot reshape a tensor of shape \[2, 3\] \(6 elements\) to \[4, 2\] \(8 elements\)/,
    );
    assert.throws(
      () => reshape(zeros([2, 3]), [-1, 4]),
      /reshape: cannot reshape a tensor of shape \[2, 3\] \(6 elements\) to \[-1, 4\]/,
    );
    assert.throws(() => reshape(zeros([2, 3]), [-1, -1]), /at most one -1/);
  });
  it('bad matMul and disposed inputs', () => {
    assert.throws(() => matMul(zeros([2, 3]), zeros([2, 3])), /matMul: inner dimensions do not match/);
    const t = zeros([2]);
    t.dispose();
    assert.throws(() => sum(t), /sum: argument 'x' was disposed/);
  });
});
