import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  eye,
  getFloatX,
  linspace,
  oneHot,
  randomNormal,
  randomUniform,
  range,
  setFloatX,
  setSeed,
  tensor,
  truncatedNormal,
} from '../../src/index.js';

function stats(v: ArrayLike<number>): { mean: number; std: number } {
  let m = 0;
  for (let i = 0; i < v.length; i++) m += v[i];
  m /= v.length;
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] - m) ** 2;
  return { mean: m, std: Math.sqrt(s / v.length) };
}

describe('random ops', () => {
  it('are reproducible after setSeed and differ without it', () => {
    for (const f of [() => randomNormal([5]), () => randomUniform([5]), () => truncatedNormal([5])]) {
      setSeed(7);
      const a = Array.from(f().dataSync());
      setSeed(7);
      assert.deepEqual(Array.from(f().dataSync()), a);
      assert.notDeepEqual(Array.from(f().dataSync()), a);
    }
  });
  it('use a private generator when given a seed, leaving the global stream alone', () => {
    setSeed(3);
    const expected = Array.from(randomNormal([4]).dataSync());
    setSeed(3);
    const seeded = Array.from(randomNormal([4], 0, 1, 'float32', 11).dataSync());
    assert.deepEqual(Array.from(randomNormal([4], 0, 1, 'float32', 11).dataSync()), seeded);
    assert.deepEqual(Array.from(randomNormal([4]).dataSync()), expected);
  });
  it('have the requested moments, bounds and dtypes', () => {
    setSeed(1);
    const n = randomNormal([20000], 2, 3, 'float64');
    assert.equal(n.dtype, 'float64');
    const sn = stats(n.dataSync());
    assert.ok(Math.abs(sn.mean - 2) < 0.1 && Math.abs(sn.std - 3) < 0.1, JSON.stringify(sn));
    const u = randomUniform([20000], -2, 4);
    const uv = u.dataSync();
    assert.ok(uv.every((x) => x >= -2 && x < 4));
    assert.ok(Math.abs(stats(uv).mean - 1) < 0.1);
    const ints = randomUniform([1000], 0, 3, 'int32');
    assert.equal(ints.dtype, 'int32');
    assert.deepEqual([...new Set(ints.dataSync())].sort(), [0, 1, 2]);
    const t = truncatedNormal([20000], 1, 0.5).dataSync();
    assert.ok(
      t.every((x) => Math.abs(x - 1) <= 1.0000001),
      'no value beyond two standard deviations',
    );
    // A normal truncated at ±2σ has standard deviation 0.8796σ.
    assert.ok(Math.abs(stats(t).std - 0.8796 * 0.5) < 0.01, String(stats(t).std));
  });
  it('follow floatX and reject bad arguments', () => {
    const saved = getFloatX();
    setFloatX('float64');
    try {
      assert.equal(randomNormal([2]).dtype, 'float64');
      assert.equal(truncatedNormal([2]).dtype, 'float64');
    } finally {
      setFloatX(saved);
    }
    assert.throws(
      () => randomNormal([2], 0, 1, 'int32'),
      /randomNormal: dtype must be 'float32' or 'float64', got 'int32'/,
    );
    assert.throws(() => randomUniform([2], 1, 0), /randomUniform: maxval \(0\) must be >= minval \(1\)/);
    assert.throws(() => randomUniform([2, -1]), /randomUniform\(shape\): expected a list of non-negative integers/);
  });
});

describe('linspace, range, eye', () => {
  it('linspace includes both ends', () => {
    assert.deepEqual(linspace(0, 1, 5).arraySync(), [0, 0.25, 0.5, 0.75, 1]);
    assert.deepEqual(linspace(3, 3, 1).arraySync(), [3]);
    assert.throws(() => linspace(0, 1, 0), /linspace: num must be a positive integer, got 0/);
  });
  it('range has TF.js semantics', () => {
    assert.deepEqual(range(0, 5).arraySync(), [0, 1, 2, 3, 4]);
    assert.deepEqual(range(4).arraySync(), [0, 1, 2, 3]);
    assert.deepEqual(range(0, 1, 0.25).arraySync(), [0, 0.25, 0.5, 0.75]);
    assert.deepEqual(range(5, 0, -2).arraySync(), [5, 3, 1]);
    assert.deepEqual(range(0, 5, -1).shape, [0]);
    assert.equal(range(0, 3).dtype, 'float32');
    assert.equal(range(0, 3, 1, 'int32').dtype, 'int32');
    assert.throws(() => range(0, 3, 0), /range: step must not be 0/);
  });
  it('eye makes square and rectangular identities', () => {
    assert.deepEqual(eye(2).arraySync(), [
      [1, 0],
      [0, 1],
    ]);
    assert.deepEqual(eye(2, 3, 'int32').arraySync(), [
      [1, 0, 0],
      [0, 1, 0],
    ]);
    assert.deepEqual(eye(3, 1).arraySync(), [[1], [0], [0]]);
  });
});

describe('oneHot', () => {
  it('encodes indices of any rank with on and off values', () => {
    assert.deepEqual(oneHot(tensor([0, 2], [2], 'int32'), 3).arraySync(), [
      [1, 0, 0],
      [0, 0, 1],
    ]);
    assert.equal(oneHot([1], 2).dtype, 'int32');
    assert.deepEqual(oneHot([[1], [0]], 2, 5, -1).arraySync(), [[[-1, 5]], [[5, -1]]]);
    assert.deepEqual(oneHot([1], 3, 1, 0, 'float32').arraySync(), [[0, 1, 0]]);
  });
});

describe('int32 tensors refuse values they cannot hold', () => {
  it('3e9, -3e9, NaN and Infinity are errors naming the value and its position, not wrapped', async () => {
    const { tensor } = await import('../../src/index.js');
    assert.throws(
      () => tensor([1, 3e9], [2], 'int32'),
      /tensor: value 3000000000 at \[1\] does not fit dtype int32 \(integers from -2147483648 to 2147483647\)/,
    );
    assert.throws(
      () =>
        tensor(
          [
            [1, 2],
            [3, Number.NaN],
          ],
          undefined,
          'int32',
        ),
      /value NaN at \[1, 1\] does not fit dtype int32/,
    );
    assert.throws(() => tensor(Float32Array.from([-3e9]), [1], 'int32'), /value -3000000000 does not fit/);
    assert.throws(() => tensor(Number.POSITIVE_INFINITY, [3], 'int32'), /value Infinity does not fit/);
    // The ends of the range, and fractions dropped toward zero as before.
    assert.deepEqual(
      [...tensor([2147483647.9, -2147483648.5, -1.5], [3], 'int32').dataSync()],
      [2147483647, -2147483648, -1],
    );
  });

  it('fill (and so zeros, ones, full) refuses an int32 value it would wrap', async () => {
    const { fill } = await import('../../src/index.js');
    assert.throws(
      () => fill([2], 3e9, 'int32'),
      /fill: value 3000000000 does not fit dtype int32 \(integers from -2147483648 to 2147483647\)/,
    );
    assert.throws(() => fill([2], Number.NaN, 'int32'), /fill: value NaN does not fit dtype int32/);
    assert.deepEqual([...fill([2], -2147483648, 'int32').dataSync()], [-2147483648, -2147483648]);
    assert.deepEqual([...fill([1], 3e9).dataSync()], [3e9]);
  });
});

describe('tensor shape argument', () => {
  it('a shape that is not a list is a clear error, not a TypeError', async () => {
    const { tensor } = await import('../../src/index.js');
    assert.throws(
      () => tensor([1], { shape: [1] } as never),
      /tensor\(shape\): expected a list of non-negative integers, got \{"shape":\[1\]\}/,
    );
    assert.throws(() => tensor([1, 2], 2 as never), /tensor\(shape\): expected a list of non-negative integers, got 2/);
  });
});
