import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StateError, ValueError, tensor } from '../../src/index.js';
import { datasets, minMaxScaler, standardScaler } from '../../src/data/index.js';
import { assertClose } from '../helpers/gradcheck.js';

describe('standardScaler', () => {
  const x = tensor([
    [1, 10],
    [3, 10],
    [5, 10],
  ]);
  it('uses the per-feature mean and population std; constant features are only centred', () => {
    const scaler = standardScaler().fit(x);
    assertClose(tensor(scaler.mean), [3, 10], 1e-12);
    assertClose(tensor(scaler.std), [Math.sqrt(8 / 3), 1], 1e-7);
    const s = Math.sqrt(3 / 2);
    assertClose(
      scaler.transform(x),
      [
        [-s, 0],
        [0, 0],
        [s, 0],
      ].flat(),
      1e-6,
    );
  });
  it('transforms new data with the training statistics, and inverts', () => {
    const scaler = standardScaler().fit(x);
    const z = scaler.transform(tensor([[7, 12]]));
    assertClose(z, [[4 / Math.sqrt(8 / 3), 2]].flat(), 1e-6);
    assertClose(scaler.inverseTransform(z), [[7, 12]].flat(), 1e-5);
  });
  it('standardizes the Boston training set to mean 0 and std 1 per column', () => {
    const { xTrain } = datasets.bostonHousing.load();
    const z = standardScaler().fitTransform(xTrain).arraySync() as number[][];
    for (let f = 0; f < 13; f++) {
      const col = z.map((row) => row[f]);
      const mean = col.reduce((a, b) => a + b, 0) / col.length;
      const variance = col.reduce((a, b) => a + (b - mean) ** 2, 0) / col.length;
      assert.ok(
        Math.abs(mean) < 1e-5 && Math.abs(variance - 1) < 1e-4,
        `column ${f}: mean ${mean}, variance ${variance}`,
      );
    }
  });
  it('keeps float64 and turns int32 into floatX', () => {
    assert.equal(standardScaler().fitTransform(tensor([1, 2, 4], [3], 'float64')).dtype, 'float64');
    assert.equal(standardScaler().fitTransform(tensor([1, 2, 4], [3], 'int32')).dtype, 'float32');
  });
  it('is rebuilt from its config', () => {
    const fitted = standardScaler().fit(x);
    const rebuilt = standardScaler(fitted.getConfig());
    assert.deepEqual(rebuilt.transform(x).arraySync(), fitted.transform(x).arraySync());
  });
  it('explains misuse', () => {
    assert.throws(
      () => standardScaler().transform(x),
      (e: Error) =>
        e instanceof StateError && /StandardScaler.transform: the scaler has not been fitted/.test(e.message),
    );
    assert.throws(
      () =>
        standardScaler()
          .fit(x)
          .transform(tensor([[1, 2, 3]])),
      (e: Error) =>
        e instanceof ValueError && /fitted on 2 features \(the last axis\) but x has shape \[1, 3\]/.test(e.message),
    );
    assert.throws(() => standardScaler({ center: [0], scale: [0] }), /non-zero scales/);
  });
});

describe('minMaxScaler', () => {
  const x = tensor([
    [0, 5, 2],
    [10, 5, 4],
  ]);
  it('maps the training range to [0, 1], constant features to the low end', () => {
    const scaler = minMaxScaler().fit(x);
    assertClose(
      scaler.transform(x),
      [
        [0, 0, 0],
        [1, 0, 1],
      ].flat(),
      1e-7,
    );
    assertClose(scaler.transform(tensor([[5, 6, 3]])), [[0.5, 1, 0.5]].flat(), 1e-7);
  });
  it('supports another featureRange and is rebuilt from its config', () => {
    const scaler = minMaxScaler({ featureRange: [-1, 1] }).fit(x);
    assertClose(
      scaler.transform(x),
      [
        [-1, -1, -1],
        [1, -1, 1],
      ].flat(),
      1e-7,
    );
    assertClose(
      scaler.inverseTransform(scaler.transform(x)),
      [
        [0, 5, 2],
        [10, 5, 4],
      ].flat(),
      1e-6,
    );
    assert.deepEqual(minMaxScaler(scaler.getConfig()).transform(x).arraySync(), scaler.transform(x).arraySync());
    assert.throws(
      () => minMaxScaler({ featureRange: [1, 1] }),
      /featureRange must be \[low, high\] with low < high, got \[1, 1\]/,
    );
  });
});
