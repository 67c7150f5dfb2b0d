// tf.util and tf.nextFrame as TF.js programs use them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextFrame, setSeed, util } from '../../src/index.js';

describe('util', () => {
  it('shuffle permutes in place and follows setSeed', () => {
    setSeed(4);
    const a = Array.from({ length: 50 }, (_, i) => i);
    util.shuffle(a);
    assert.notDeepEqual(
      a,
      [...a].sort((x, y) => x - y),
    );
    assert.deepEqual(
      [...a].sort((x, y) => x - y),
      Array.from({ length: 50 }, (_, i) => i),
    );
    setSeed(4);
    const b = Array.from({ length: 50 }, (_, i) => i);
    util.shuffle(b);
    assert.deepEqual(a, b);
  });
  it('shuffleCombo keeps pairs together; createShuffledIndices is a permutation', () => {
    const xs = [1, 2, 3, 4, 5];
    const ys = ['1', '2', '3', '4', '5'];
    util.shuffleCombo(xs, ys);
    xs.forEach((x, i) => assert.equal(String(x), ys[i]));
    assert.throws(() => util.shuffleCombo([1], [1, 2]), /same length, got 1 and 2/);
    const idx = util.createShuffledIndices(10);
    assert.ok(idx instanceof Uint32Array);
    assert.deepEqual(
      [...idx].sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
  });
  it('assert, sizeFromShape, flatten, arraysEqual, now', () => {
    const check: (c: boolean, m: string | (() => string)) => void = util.assert;
    assert.throws(() => check(false, 'boom'), /^Error: boom$/);
    assert.throws(() => check(1 > 2, () => 'lazy'), /lazy/);
    check(true, 'never');
    assert.equal(util.sizeFromShape([2, 3, 4]), 24);
    assert.equal(util.sizeFromShape([]), 1);
    assert.deepEqual(util.flatten([[1, [2, 3]], 4, new Float32Array([5, 6])]), [1, 2, 3, 4, 5, 6]);
    assert.ok(util.arraysEqual([1, 2], [1, 2]) && !util.arraysEqual([1, 2], [2, 1]));
    assert.ok(util.now() > 0);
    assert.throws(
      () => util.assertShapesMatch([2, 3], [3, 2], 'add: '),
      /add: Shapes \[2, 3\] and \[3, 2\] must match/,
    );
  });
  it('nextFrame yields to the event loop', async () => {
    let ran = false;
    setTimeout(() => (ran = true), 0);
    await nextFrame();
    await nextFrame();
    assert.ok(ran);
  });
});
