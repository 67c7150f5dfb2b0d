// The tape undoes broadcasting once: a gradient rule returns gradients at its output's shape and
// backprop sums each back to its input's shape.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { noGrad, record } from '../../src/autograd/tape.js';
import { grad, grads } from '../../src/autograd/gradients.js';
import { add, broadcastTo, mul, ones, reduceTo, sum, tensor, type Tensor } from '../../src/index.js';

/** y = x broadcast to `shape`, recorded as one node whose rule returns dy unreduced. */
function spread(x: Tensor, shape: number[]): Tensor {
  return record(
    'spread',
    [x],
    noGrad(() => broadcastTo(x, shape)),
    (dy) => [mul(dy, 1)],
  );
}

describe('the tape sums gradients back over broadcast axes', () => {
  it('over leading and size-1 axes', () => {
    const x = tensor([[1], [2]], [2, 1], 'float64');
    const g = grad((t) => mul(spread(t, [3, 2, 4]), 2))(x);
    assert.deepEqual(g.shape, [2, 1]);
    assert.deepEqual(g.arraySync(), [[24], [24]]);
  });
  it('with both operands broadcast, and through a second derivative', () => {
    const [ga, gb] = grads((a, b) => sum(mul(add(a, b), add(a, b))))([
      tensor([1, 2, 3], [3], 'float64'),
      tensor([[1], [-1]], [2, 1], 'float64'),
    ]);
    // d/da sum((a+b)^2) = sum over rows of 2(a+b); d/db = sum over columns.
    assert.deepEqual(ga.arraySync(), [4, 8, 12]);
    assert.deepEqual(gb.arraySync(), [[18], [6]]);
    const second = grad((a) => grad((t) => sum(mul(add(t, tensor([[1], [2]], [2, 1], 'float64')), t)))(a))(
      tensor([1, 2], [2], 'float64'),
    );
    assert.deepEqual(second.arraySync(), [4, 4]);
  });
  it('a rule whose gradient does not broadcast from its input is an internal error naming the op', () => {
    const x = tensor([1, 2, 3], [3], 'float64');
    const bad = (t: Tensor) => record('badRule', [t], mul(t, 1), () => [tensor([1, 2], [2], 'float64')]);
    assert.throws(
      () => grad(bad)(x),
      /internal: gradient of 'badRule' input 0 has shape \[2\], which does not broadcast from \[3\]/,
    );
  });
});

describe('reduceTo', () => {
  it('sums over leading and size-1 axes, and names both shapes when they do not broadcast', () => {
    assert.deepEqual(reduceTo(ones([4, 2, 3]), [2, 1]).arraySync(), [[12], [12]]);
    assert.throws(
      () => reduceTo(ones([2, 3]), [3, 1]),
      /reduceTo: shape \[3, 1\] does not broadcast to x's shape \[2, 3\]/,
    );
  });
});
