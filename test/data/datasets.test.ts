import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import '../../src/index.js';
import { datasets } from '../../src/data/index.js';
import { shippedDataPath } from '../../src/data/datasets.js';

const sha256 = (relative: string) =>
  createHash('sha256')
    .update(readFileSync(shippedDataPath(relative)))
    .digest('hex');
const rounded = (values: ArrayLike<number>) => Array.from(values, (v) => Math.round(v * 1e5) / 1e5);

describe('shipped data files', () => {
  it('are byte-identical to the documented sources', () => {
    assert.equal(
      sha256('boston_housing/train.csv'),
      '37195b1a93c31fbfe43d0fab62c485288f2ed636e198fb9ee67fdf3b59c12be9',
    );
    assert.equal(sha256('boston_housing/test.csv'), 'a085d5ea6ab85fd38fd32608d5eb8b6b397d1329810bd1aaf1e58f5aa77877b0');
    assert.equal(sha256('iris/iris.csv'), 'df702546eb7583fcec129532baf320371da5cf0466448cda6c6e7959bf8a9f92');
  });
});

describe('datasets.bostonHousing.load', () => {
  const { xTrain, yTrain, xTest, yTest, featureNames } = datasets.bostonHousing.load();
  it("has Keras' shapes and float32 dtype", () => {
    assert.deepEqual([xTrain.shape, yTrain.shape, xTest.shape, yTest.shape], [[404, 13], [404], [102, 13], [102]]);
    assert.deepEqual([xTrain.dtype, yTrain.dtype], ['float32', 'float32']);
    assert.deepEqual(featureNames, [
      'CRIM',
      'ZN',
      'INDUS',
      'CHAS',
      'NOX',
      'RM',
      'AGE',
      'DIS',
      'RAD',
      'TAX',
      'PTRATIO',
      'B',
      'LSTAT',
    ]);
  });
  it("keeps Keras' row order (targets printed in Deep Learning with Python)", () => {
    const y = yTrain.dataSync();
    assert.deepEqual(rounded(y.slice(0, 10)), [15.2, 42.3, 50, 21.1, 17.7, 18.5, 11.3, 15.6, 15.6, 14.4]);
    assert.deepEqual(rounded(y.slice(-3)), [19.4, 19.4, 29.1]);
    assert.deepEqual(rounded(yTest.dataSync().slice(0, 10)), [7.2, 18.8, 19, 27, 22.2, 24.5, 31.2, 22.9, 20.5, 23.2]);
    assert.deepEqual(
      rounded(xTrain.dataSync().slice(0, 13)),
      rounded(Float32Array.from([1.23247, 0, 8.14, 0, 0.538, 6.142, 91.7, 3.9769, 4, 307, 21, 396.9, 18.72])),
    );
  });
  it('has the documented target means', () => {
    const mean = (t: typeof yTrain) => Array.from(t.dataSync()).reduce((a, b) => a + b, 0) / t.size;
    assert.ok(Math.abs(mean(yTrain) - 22.395) < 1e-3);
    assert.ok(Math.abs(mean(yTest) - 23.078) < 1e-3);
  });
  it('loads float64 on request', () => {
    assert.equal(datasets.bostonHousing.load({ dtype: 'float64' }).xTest.dtype, 'float64');
  });
  it('refuses a misspelt option, naming the one meant', () => {
    assert.throws(
      () => datasets.bostonHousing.load({ dtyp: 'float64' } as never),
      /datasets\.bostonHousing\.load: unknown option 'dtyp' \(did you mean 'dtype'\?\)/,
    );
    assert.throws(
      () => datasets.iris.load({ dtyp: 'float64' } as never),
      /datasets\.iris\.load: unknown option 'dtyp' \(did you mean 'dtype'\?\)/,
    );
  });
});

describe('datasets.iris.load', () => {
  const { features, labels, classNames, featureNames } = datasets.iris.load();
  it('has 150 rows of 4 features, int32 labels sorted by class', () => {
    assert.deepEqual(features.shape, [150, 4]);
    assert.equal(labels.dtype, 'int32');
    const l = Array.from(labels.dataSync());
    assert.deepEqual(
      [l.filter((c) => c === 0).length, l.filter((c) => c === 1).length, l.filter((c) => c === 2).length],
      [50, 50, 50],
    );
    assert.deepEqual([l[0], l[50], l[149]], [0, 1, 2]);
    assert.deepEqual(classNames, ['setosa', 'versicolor', 'virginica']);
    assert.deepEqual(featureNames, ['sepal_length_cm', 'sepal_width_cm', 'petal_length_cm', 'petal_width_cm']);
  });
  it("has Fisher's values (rows 35 and 38 as in R, not UCI)", () => {
    const x = features.dataSync();
    assert.deepEqual(rounded(x.slice(0, 4)), rounded(Float32Array.from([5.1, 3.5, 1.4, 0.2])));
    assert.deepEqual(rounded(x.slice(34 * 4, 35 * 4)), rounded(Float32Array.from([4.9, 3.1, 1.5, 0.2])));
    assert.deepEqual(rounded(x.slice(37 * 4, 38 * 4)), rounded(Float32Array.from([4.9, 3.6, 1.4, 0.1])));
  });
});
