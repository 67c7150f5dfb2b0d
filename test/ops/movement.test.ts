import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  concat,
  cumsum,
  expandDims,
  flatten,
  gather,
  grad,
  pad,
  reshape,
  reverse,
  slice,
  split,
  squeeze,
  stack,
  sum,
  mul,
  tensor,
  tile,
  unstack,
  zeros,
  square,
} from '../../src/index.js';
import { assertClose, checkGradients, rand64 } from '../helpers/gradcheck.js';

describe('expandDims, squeeze, flatten', () => {
  it('insert and remove size-1 axes', () => {
    const x = zeros([2, 3]);
    assert.deepEqual(expandDims(x).shape, [1, 2, 3]);
    assert.deepEqual(expandDims(x, 1).shape, [2, 1, 3]);
    assert.deepEqual(expandDims(x, -1).shape, [2, 3, 1]);
    assert.deepEqual(squeeze(zeros([1, 3, 1])).shape, [3]);
    assert.deepEqual(squeeze(zeros([1, 3, 1]), -1).shape, [1, 3]);
    assert.deepEqual(squeeze(zeros([1, 3, 1]), [0, 2]).shape, [3]);
    assert.deepEqual(flatten(zeros([2, 0, 3])).shape, [0]);
    assert.deepEqual(
      flatten(
        tensor([
          [1, 2],
          [3, 4],
        ]),
      ).arraySync(),
      [1, 2, 3, 4],
    );
  });
  it('name the axis that cannot be squeezed or inserted', () => {
    assert.throws(
      () => squeeze(zeros([1, 3]), 1),
      /squeeze: cannot squeeze axis 1 of shape \[1, 3\]: its size is 3, not 1/,
    );
    assert.throws(() => expandDims(zeros([2]), 3), /expandDims: axis 3 is out of range for a tensor of rank 2/);
  });
  it('gradient-check', () => {
    checkGradients((x) => expandDims(x, 1), [rand64([2, 3], 1)]);
    checkGradients((x) => squeeze(x), [rand64([2, 1, 3], 2)]);
    checkGradients((x) => flatten(x), [rand64([2, 3], 3)]);
  });
});

describe('slice and split', () => {
  const x = tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  it('follow TF.js semantics for begin, size and -1', () => {
    assert.deepEqual(slice(x, [0, 1], [-1, 2]).arraySync(), [
      [2, 3],
      [5, 6],
    ]);
    assert.deepEqual(slice(x, [1]).arraySync(), [[4, 5, 6]]);
    assert.deepEqual(slice(x, 1, 1).arraySync(), [[4, 5, 6]]);
    assert.deepEqual(slice(x, [0, 2], [2, 0]).shape, [2, 0]);
    assert.deepEqual(slice(tensor([1, 2, 3, 4]), 1, 2).arraySync(), [2, 3]);
  });
  it('split evenly or by sizes with one -1', () => {
    assert.deepEqual(
      split(x, 3, 1).map((t) => t.arraySync()),
      [
        [[1], [4]],
        [[2], [5]],
        [[3], [6]],
      ],
    );
    assert.deepEqual(
      split(x, [1, -1], 1).map((t) => t.arraySync()),
      [
        [[1], [4]],
        [
          [2, 3],
          [5, 6],
        ],
      ],
    );
    assert.deepEqual(
      split(x, [2, 0], 0).map((t) => t.shape),
      [
        [2, 3],
        [0, 3],
      ],
    );
  });
  it('reject out-of-range begins and sizes, and uneven splits', () => {
    assert.throws(() => slice(x, [0, 4]), /slice: begin 4 on axis 1 is out of range for shape \[2, 3\]/);
    assert.throws(
      () => slice(x, [1, 1], [2, 1]),
      /slice: size 2 on axis 0 with begin 1 runs past the end of shape \[2, 3\]/,
    );
    assert.throws(() => slice(x, [0, 0, 0]), /more entries than the rank 2/);
    assert.throws(
      () => split(x, 2, 1),
      /split: axis 1 of shape \[2, 3\] \(size 3\) cannot be split into 2 equal parts/,
    );
    assert.throws(() => split(x, [1, 1], 1), /split: sizes \[1,1\] sum to 2, but axis 1 of shape \[2, 3\] has size 3/);
    assert.throws(() => split(x, [-1, -1], 1), /at most one -1/);
  });
  it('gradient-check (the gradient is a zero pad)', () => {
    checkGradients((t) => slice(t, [1, 0, 2], [1, -1, 2]), [rand64([3, 2, 5], 4)]);
    checkGradients((t) => mul(split(t, [1, 3], 1)[1], split(t, [2, 2], 1)[0].sum()), [rand64([2, 4], 5)]);
  });
});

describe('pad', () => {
  it('pads each axis with the constant', () => {
    assert.deepEqual(
      pad(
        tensor([[1, 2]]),
        [
          [1, 0],
          [0, 2],
        ],
        9,
      ).arraySync(),
      [
        [9, 9, 9, 9],
        [1, 2, 9, 9],
      ],
    );
  });
  it('rejects malformed paddings', () => {
    assert.throws(
      () =>
        pad(tensor([1, 2]), [
          [1, 1],
          [0, 0],
        ]),
      /pad: paddings must be 1 pairs \[before, after\]/,
    );
    assert.throws(() => pad(tensor([1, 2]), [[-1, 0]]), /non-negative integers/);
  });
  it('gradient-check (the gradient is a slice)', () => {
    checkGradients(
      (t) =>
        pad(
          t,
          [
            [0, 1],
            [2, 1],
          ],
          3,
        ),
      [rand64([2, 3], 6)],
    );
  });
});

describe('concat, stack, unstack', () => {
  it('join along an axis, promoting dtypes', () => {
    assert.deepEqual(
      concat(
        [
          tensor([[1], [2]]),
          tensor([
            [3, 4],
            [5, 6],
          ]),
        ],
        1,
      ).arraySync(),
      [
        [1, 3, 4],
        [2, 5, 6],
      ],
    );
    assert.deepEqual(concat([tensor([1]), tensor([2, 3])]).arraySync(), [1, 2, 3]);
    const mixed = concat([tensor([1], [1], 'int32'), tensor([2.5], [1], 'float64')]);
    assert.equal(mixed.dtype, 'float64');
    assert.deepEqual(mixed.arraySync(), [1, 2.5]);
    assert.deepEqual(stack([tensor([1, 2]), tensor([3, 4])], 1).arraySync(), [
      [1, 3],
      [2, 4],
    ]);
    assert.deepEqual(stack([tensor(1), tensor(2)]).arraySync(), [1, 2]);
    assert.deepEqual(
      unstack(
        tensor([
          [1, 2],
          [3, 4],
        ]),
        1,
      ).map((t) => t.arraySync()),
      [
        [1, 3],
        [2, 4],
      ],
    );
  });
  it('name the mismatching tensor', () => {
    assert.throws(
      () => concat([zeros([2, 3]), zeros([3, 2])], 0),
      /concat: tensors\[1\] has shape \[3, 2\], which does not match tensors\[0\] \[2, 3\] outside axis 0/,
    );
    assert.throws(() => concat([]), /concat: expected a non-empty list/);
    assert.throws(() => concat([tensor(1), tensor(2)]), /cannot concatenate scalars/);
    assert.throws(
      () => stack([zeros([2]), zeros([3])]),
      /stack: tensors\[1\] has shape \[3\] but tensors\[0\] has \[2\]/,
    );
    assert.throws(() => concat([zeros([2]), zeros([2])], 1), /concat: axis 1 is out of range for a tensor of rank 1/);
  });
  it('gradient-check', () => {
    checkGradients(
      (a, b, c) => concat([a, b, c], 1),
      [rand64([2, 1, 3], 7), rand64([2, 2, 3], 8), rand64([2, 3, 3], 9)],
    );
    checkGradients((a, b) => stack([a, b], -1), [rand64([2, 3], 10), rand64([2, 3], 11)]);
    checkGradients(
      (x) => {
        const [a, b] = unstack(x, 1);
        return mul(a, b);
      },
      [rand64([3, 2], 12)],
    );
  });
});

describe('gather', () => {
  const x = tensor([
    [1, 2],
    [3, 4],
    [5, 6],
  ]);
  it('picks rows or columns, with index tensors of any rank', () => {
    assert.deepEqual(gather(x, [2, 0]).arraySync(), [
      [5, 6],
      [1, 2],
    ]);
    assert.deepEqual(gather(x, [1, 1, 0], 1).arraySync(), [
      [2, 2, 1],
      [4, 4, 3],
      [6, 6, 5],
    ]);
    assert.deepEqual(gather(x, tensor([[0, 2]], undefined, 'int32')).shape, [1, 2, 2]);
    assert.deepEqual(gather(x, tensor(1, [], 'int32')).arraySync(), [3, 4]);
    assert.deepEqual(
      gather(x, tensor([2, 0])).arraySync(),
      [
        [5, 6],
        [1, 2],
      ],
      'whole-number float indices are accepted',
    );
  });
  it('names the index, axis and size when an index is out of range', () => {
    assert.throws(
      () => gather(x, [0, 3]),
      /gather: index 3 \(at flat position 1\) is out of range for axis 0 of size 3 \(x shape \[3, 2\]\); expected indices in \[0, 2\]/,
    );
    assert.throws(() => gather(x, [-1], 1), /gather: index -1 .* axis 1 of size 2/);
    assert.throws(() => gather(x, [0.5]), /gather: 'indices' must hold whole numbers, got 0.5/);
    assert.throws(() => gather(x, tensor([true])), /must be an int32 tensor, got dtype bool/);
  });
  it('refuses whole-number indices past the int32 range rather than wrapping them to valid ones', async () => {
    const { oneHot } = await import('../../src/index.js');
    // 2^32 + 1 would wrap to 1 (row 1, class 1) in an int32 cast.
    assert.throws(
      () => gather(x, [4294967297]),
      /gather: 'indices' holds 4294967297 at flat position 0, outside the int32 range of indices/,
    );
    assert.throws(
      () => gather(x, tensor([0, 2 ** 32], [2], 'float64')),
      /gather: 'indices' holds 4294967296 at flat position 1, outside the int32 range/,
    );
    assert.throws(() => oneHot([4294967297], 3), /oneHot: 'indices' holds 4294967297 at flat position 0/);
  });
  it('gradient-checks with repeated indices (gradients add up, via scatterAdd)', () => {
    checkGradients((t) => gather(t, [2, 0, 2, 2]), [rand64([3, 2], 13)]);
    checkGradients(
      (t) =>
        gather(
          t,
          tensor(
            [
              [1, 0],
              [1, 1],
            ],
            undefined,
            'int32',
          ),
          1,
        ),
      [rand64([2, 3, 2], 14)],
    );
    assert.deepEqual(grad((t) => gather(t, [1, 1, 0]))(tensor([5, 6, 7])).arraySync(), [1, 2, 0]);
  });
  it('has a second derivative (scatterAdd differentiates back into gather)', () => {
    const idx = [0, 0, 2];
    const d1 = (t: ReturnType<typeof tensor>) => grad((u) => sum(square(gather(square(u), idx))))(t);
    // f = sum_k u[idx_k]^4, so f' = 4 c u^3 and f'' = 12 c u^2, with c the index counts (2, 0, 1).
    assertClose(grad(d1)(tensor([1, 2, 3], undefined, 'float64')), [24, 0, 108], 1e-12);
  });
});

describe('tile, reverse, cumsum', () => {
  it('forward values', () => {
    assert.deepEqual(tile(tensor([[1, 2]]), [2, 2]).arraySync(), [
      [1, 2, 1, 2],
      [1, 2, 1, 2],
    ]);
    assert.deepEqual(tile(tensor([1, 2], [2], 'int32'), [0]).shape, [0]);
    assert.deepEqual(
      reverse(
        tensor([
          [1, 2],
          [3, 4],
        ]),
      ).arraySync(),
      [
        [4, 3],
        [2, 1],
      ],
    );
    assert.deepEqual(
      reverse(
        tensor([
          [1, 2],
          [3, 4],
        ]),
        1,
      ).arraySync(),
      [
        [2, 1],
        [4, 3],
      ],
    );
    assert.deepEqual(cumsum(tensor([1, 2, 3])).arraySync(), [1, 3, 6]);
    assert.deepEqual(cumsum(tensor([1, 2, 3]), 0, true).arraySync(), [0, 1, 3]);
    assert.deepEqual(cumsum(tensor([1, 2, 3]), 0, false, true).arraySync(), [6, 5, 3]);
    assert.deepEqual(cumsum(tensor([1, 2, 3]), 0, true, true).arraySync(), [5, 3, 0]);
    assert.deepEqual(
      cumsum(
        tensor([
          [1, 2],
          [3, 4],
        ]),
        0,
      ).arraySync(),
      [
        [1, 2],
        [4, 6],
      ],
    );
    const ints = cumsum(tensor([1, 2], [2], 'int32'));
    assert.equal(ints.dtype, 'int32');
  });
  it('reject bad reps', () => {
    assert.throws(
      () => tile(zeros([2, 2]), [2]),
      /tile: reps must list 2 non-negative integers \(one per axis of shape \[2, 2\]\), got \[2\]/,
    );
  });
  it('gradient-check', () => {
    checkGradients((t) => tile(t, [2, 1, 3]), [rand64([2, 3, 1], 15)]);
    checkGradients((t) => reverse(t, [0, 2]), [rand64([2, 3, 2], 16)]);
    for (const [ex, rev] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ]) {
      checkGradients((t) => cumsum(t, 1, ex, rev), [rand64([2, 4, 3], 17)]);
    }
  });
});

describe('round trips', () => {
  it('split undoes concat and unstack undoes stack', () => {
    const parts = [rand64([2, 1, 3], 18), rand64([2, 4, 3], 19), rand64([2, 2, 3], 20)];
    const back = split(concat(parts, 1), [1, 4, 2], 1);
    back.forEach((b, i) => assert.deepEqual(b.arraySync(), parts[i].arraySync()));
    const rows = unstack(stack(parts.slice(0, 1).concat([parts[0]]), 2), 2);
    rows.forEach((r) => assert.deepEqual(r.arraySync(), parts[0].arraySync()));
    assert.deepEqual(
      reshape(reverse(reverse(parts[1], [0, 1]), [0, 1]), [-1]).arraySync(),
      reshape(parts[1], [-1]).arraySync(),
    );
  });
});
