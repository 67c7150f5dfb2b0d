import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { avgPool2d, maxPool2d, tensor } from '../../src/index.js';
import { grads } from '../../src/autograd/gradients.js';
import { sum } from '../../src/ops/prims/reduce.js';
import { assertClose, checkGradients, rand64 } from '../helpers/gradcheck.js';

const img4x4 = () => tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], [1, 4, 4, 1]);

describe('maxPool2d', () => {
  it('matches hand computation, valid and same', () => {
    assert.deepEqual(maxPool2d(img4x4(), 2).dataSync(), new Float32Array([6, 8, 14, 16]));
    // 3x3 windows, stride 2, 'same': output 2x2, padding (0 before, 1 after) on each axis.
    assert.deepEqual(
      maxPool2d(img4x4(), 3, { strides: 2, padding: 'same' }).dataSync(),
      new Float32Array([11, 12, 15, 16]),
    );
  });
  it('never picks padding, even for negative inputs', () => {
    const x = tensor([-5, -4, -3, -2, -1, -6, -7, -8, -9], [1, 3, 3, 1]);
    // Windows (stride 2, one padded row/column after): {-5,-4,-2,-1}, {-3,-6}, {-7,-8}, {-9}.
    assert.deepEqual(maxPool2d(x, 2, { padding: 'same' }).dataSync(), new Float32Array([-1, -3, -7, -9]));
  });
  it('splits the gradient evenly between tied maxima', () => {
    const x = tensor(
      [
        [
          [[1], [3]],
          [[3], [2]],
        ],
      ],
      undefined,
      'float64',
    );
    const [dx] = grads((t) => sum(maxPool2d(t, 2)))([x]);
    assert.deepEqual(dx.dataSync(), new Float64Array([0, 0.5, 0.5, 0]));
  });
  it('gradient-checks with odd sizes, strides and padding', () => {
    checkGradients((x) => maxPool2d(x, [3, 2], { strides: [2, 1], padding: 'same' }), [rand64([2, 5, 4, 2], 1)]);
    checkGradients((x) => maxPool2d(x, 2), [rand64([1, 5, 5, 3], 2)]);
  });
  it('names the sizes when the window leaves no output', () => {
    assert.throws(
      () => maxPool2d(rand64([1, 1, 4, 1]), 2),
      /maxPool2d: the window of 2x2 is larger than the valid-padded input of 1x4 .*output of 0x2/,
    );
  });
});

describe('avgPool2d', () => {
  it('matches hand computation and leaves padding out of the count', () => {
    assert.deepEqual(avgPool2d(img4x4(), 2).dataSync(), new Float32Array([3.5, 5.5, 11.5, 13.5]));
    // Bottom-right window of a 3x3 'same' pool with stride 2 sees 2x2 real pixels: 11, 12, 15, 16.
    assertClose(avgPool2d(img4x4(), 3, { strides: 2, padding: 'same' }), [6, 7.5, 12, 13.5]);
  });
  it('gradient-checks with odd sizes, strides and padding', () => {
    checkGradients((x) => avgPool2d(x, [2, 3], { strides: [1, 2], padding: 'same' }), [rand64([2, 5, 5, 2], 3)]);
    checkGradients((x) => avgPool2d(x, 3, { strides: 2 }), [rand64([1, 7, 6, 1], 4)]);
  });
});
