import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matMul, setSeed, transpose } from '../../src/index.js';
import {
  computeFans,
  getInitializer,
  initializerNames,
  initializers,
  serializeInitializer,
  type Initializer,
} from '../../src/initializers/index.js';
import { assertClose } from '../helpers/gradcheck.js';

function stats(values: ArrayLike<number>): { mean: number; std: number; min: number; max: number } {
  let sum = 0,
    sq = 0,
    min = Infinity,
    max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    sum += v;
    sq += v * v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = sum / values.length;
  return { mean, std: Math.sqrt(sq / values.length - mean * mean), min, max };
}

describe('computeFans', () => {
  it('follows Keras for vectors, matrices and convolution kernels', () => {
    assert.deepEqual(computeFans([]), { fanIn: 1, fanOut: 1 });
    assert.deepEqual(computeFans([7]), { fanIn: 7, fanOut: 7 });
    assert.deepEqual(computeFans([4, 3]), { fanIn: 4, fanOut: 3 });
    assert.deepEqual(computeFans([3, 3, 16, 32]), { fanIn: 144, fanOut: 288 });
    assert.deepEqual(computeFans([5, 2, 8]), { fanIn: 10, fanOut: 40 });
  });
});

describe('constant initializers', () => {
  it('fill with zeros, ones and a value in the requested dtype', () => {
    assert.deepEqual(initializers.zeros().call([2]).arraySync(), [0, 0]);
    assert.deepEqual(initializers.ones().call([2, 1]).arraySync(), [[1], [1]]);
    const c = initializers.constant({ value: 0.5 }).call([3], 'float64');
    assert.equal(c.dtype, 'float64');
    assert.deepEqual(c.arraySync(), [0.5, 0.5, 0.5]);
  });
  it('rejects integer dtypes', () => {
    assert.throws(() => initializers.ones().call([2], 'int32'), /Ones: expected a float dtype/);
  });
});

describe('random initializers', () => {
  const n = [200, 200];
  it('randomNormal has Keras defaults (mean 0, stddev 0.05)', () => {
    const s = stats(initializers.randomNormal({ seed: 1 }).call(n).dataSync());
    assert.ok(Math.abs(s.mean) < 0.002, `mean ${s.mean}`);
    assert.ok(Math.abs(s.std - 0.05) < 0.002, `std ${s.std}`);
  });
  it('randomUniform stays in [-0.05, 0.05) and is flat', () => {
    const s = stats(initializers.randomUniform({ seed: 2 }).call(n).dataSync());
    assert.ok(s.min >= -0.05 && s.max < 0.05, `range ${s.min}..${s.max}`);
    assert.ok(Math.abs(s.std - 0.1 / Math.sqrt(12)) < 0.001, `std ${s.std}`);
  });
  it('truncatedNormal cuts at two standard deviations', () => {
    const s = stats(initializers.truncatedNormal({ stddev: 1, seed: 3 }).call(n).dataSync());
    assert.ok(s.min >= -2 && s.max <= 2, `range ${s.min}..${s.max}`);
    assert.ok(Math.abs(s.std - 0.87962566) < 0.01, `std ${s.std}`);
  });
  it('a seeded initializer repeats itself; unseeded ones follow setSeed', () => {
    const init = initializers.glorotNormal({ seed: 42 });
    assert.deepEqual(init.call([3, 3]).arraySync(), init.call([3, 3]).arraySync());
    const unseeded = initializers.heUniform();
    setSeed(7);
    const a = unseeded.call([4, 4]).arraySync();
    const b = unseeded.call([4, 4]).arraySync();
    setSeed(7);
    assert.deepEqual(unseeded.call([4, 4]).arraySync(), a);
    assert.notDeepEqual(a, b);
  });
});

describe('variance scaling family', () => {
  const shape = [300, 100]; // fanIn 300, fanOut 100
  const cases: [string, Initializer, 'uniform' | 'normal', number][] = [
    ['glorotUniform', initializers.glorotUniform({ seed: 1 }), 'uniform', 1 / 200],
    ['glorotNormal', initializers.glorotNormal({ seed: 1 }), 'normal', 1 / 200],
    ['heNormal', initializers.heNormal({ seed: 1 }), 'normal', 2 / 300],
    ['heUniform', initializers.heUniform({ seed: 1 }), 'uniform', 2 / 300],
    ['lecunNormal', initializers.lecunNormal({ seed: 1 }), 'normal', 1 / 300],
    ['lecunUniform', initializers.lecunUniform({ seed: 1 }), 'uniform', 1 / 300],
    [
      'fan_out untruncated',
      initializers.varianceScaling({ scale: 3, mode: 'fan_out', distribution: 'untruncated_normal', seed: 1 }),
      'normal',
      3 / 100,
    ],
  ];
  for (const [name, init, kind, variance] of cases) {
    it(`${name} has variance ${variance.toPrecision(3)}`, () => {
      const s = stats(init.call(shape).dataSync());
      assert.ok(Math.abs(s.mean) < 0.05 * Math.sqrt(variance), `mean ${s.mean}`);
      assert.ok(
        Math.abs(s.std - Math.sqrt(variance)) < 0.02 * Math.sqrt(variance),
        `std ${s.std} vs ${Math.sqrt(variance)}`,
      );
      if (kind === 'uniform') assert.ok(Math.max(-s.min, s.max) <= Math.sqrt(3 * variance), 'uniform limit');
      else if (name !== 'fan_out untruncated')
        assert.ok(Math.max(-s.min, s.max) <= (2 * Math.sqrt(variance)) / 0.87962566103423978 + 1e-6, 'truncation');
    });
  }
  it('uses the receptive field for convolution kernels', () => {
    // fanIn = 3*3*8 = 72, so heUniform's limit is sqrt(6/72).
    const s = stats(initializers.heUniform({ seed: 5 }).call([3, 3, 8, 64]).dataSync());
    assert.ok(s.max <= Math.sqrt(6 / 72) && s.max > 0.95 * Math.sqrt(6 / 72), `max ${s.max}`);
  });
  it('rejects unknown modes and distributions, listing the valid ones', () => {
    assert.throws(
      () => initializers.varianceScaling({ mode: 'fan' as never }),
      /unknown mode "fan"; expected one of fan_in/,
    );
    assert.throws(
      () => initializers.varianceScaling({ distribution: 'cauchy' as never }),
      /unknown distribution "cauchy"; expected one of truncated_normal/,
    );
  });
});

describe('orthogonal and identity', () => {
  it('orthogonal gives orthonormal columns for tall and rows for wide shapes', () => {
    const tall = initializers.orthogonal({ seed: 1 }).call([6, 4], 'float64');
    assertClose(matMul(transpose(tall), tall), identity(4), 1e-10);
    const wide = initializers.orthogonal({ seed: 2, gain: 2 }).call([3, 5], 'float64');
    assertClose(
      matMul(wide, transpose(wide)),
      identity(3).map((v) => 4 * v),
      1e-10,
    );
  });
  it('orthogonal flattens leading dims of higher-rank shapes', () => {
    const k = initializers.orthogonal({ seed: 3 }).call([2, 3, 4], 'float64');
    assert.deepEqual(k.shape, [2, 3, 4]);
    const flat = k.dataSync();
    for (let a = 0; a < 4; a++) {
      for (let b = 0; b < 4; b++) {
        let dot = 0;
        for (let r = 0; r < 6; r++) dot += flat[r * 4 + a] * flat[r * 4 + b];
        assert.ok(Math.abs(dot - (a === b ? 1 : 0)) < 1e-10, `columns ${a}, ${b}: ${dot}`);
      }
    }
    assert.throws(() => initializers.orthogonal().call([5]), /rank >= 2/);
  });
  it('identity is rectangular-friendly and 2-D only', () => {
    assert.deepEqual(initializers.identity({ gain: 3 }).call([2, 3]).arraySync(), [
      [3, 0, 0],
      [0, 3, 0],
    ]);
    assert.throws(() => initializers.identity().call([2, 2, 2]), /only 2-D shapes/);
  });
});

describe('initializer registry', () => {
  it('resolves camelCase, snake_case, class names and aliases', () => {
    assert.equal(getInitializer('glorotUniform').getClassName(), 'GlorotUniform');
    assert.equal(getInitializer('glorot_uniform').getClassName(), 'GlorotUniform');
    assert.equal(getInitializer('HeNormal').getClassName(), 'HeNormal');
    assert.equal(getInitializer('leCunNormal').getClassName(), 'LecunNormal');
    assert.equal(getInitializer('normal').getClassName(), 'RandomNormal');
  });
  it('lists the valid names for an unknown one', () => {
    assert.throws(
      () => getInitializer('xavier'),
      /Unknown initializer 'xavier'; expected one of 'zeros', 'ones', 'constant', 'randomNormal'/,
    );
    assert.ok(initializerNames().includes('orthogonal'));
  });
  it('round-trips every initializer through its config', () => {
    for (const init of [
      initializers.constant({ value: 2 }),
      initializers.randomNormal({ mean: 1, stddev: 2, seed: 3 }),
      initializers.randomUniform({ minval: 0, maxval: 1, seed: 4 }),
      initializers.truncatedNormal({ seed: 5 }),
      initializers.varianceScaling({ scale: 2, mode: 'fanAvg', distribution: 'uniform', seed: 6 }),
      initializers.heNormal({ seed: 7 }),
      initializers.orthogonal({ gain: 2, seed: 8 }),
      initializers.identity({ gain: 3 }),
    ]) {
      const json = JSON.parse(JSON.stringify(serializeInitializer(init)));
      const copy = getInitializer(json);
      assert.deepEqual(serializeInitializer(copy), serializeInitializer(init));
      assert.deepEqual(copy.call([3, 3]).arraySync(), init.call([3, 3]).arraySync(), json.className);
    }
  });
});

function identity(n: number): number[] {
  return Array.from({ length: n * n }, (_, i) => (Math.floor(i / n) === i % n ? 1 : 0));
}
