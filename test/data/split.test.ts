import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setSeed, tensor } from '../../src/index.js';
import { datasets, trainTestSplit } from '../../src/data/index.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const column = (x: { dataSync(): ArrayLike<number> }) => Array.from(x.dataSync());

describe('trainTestSplit', () => {
  const x = tensor(range(20).map((i) => [i, 100 + i]));
  const y = tensor(range(20));
  it('keeps rows of x and y together and covers every row exactly once', () => {
    const { xTrain, xTest, yTrain, yTest } = trainTestSplit(x, y, { testSize: 0.25, seed: 3 });
    assert.deepEqual([xTrain.shape, xTest.shape, yTrain.shape, yTest.shape], [[15, 2], [5, 2], [15], [5]]);
    const trainRows = xTrain.arraySync() as number[][];
    column(yTrain).forEach((label, i) => assert.deepEqual(trainRows[i], [label, 100 + label]));
    assert.deepEqual(
      [...column(yTrain), ...column(yTest)].sort((a, b) => a - b),
      range(20),
    );
    assert.notDeepEqual(column(yTest), [15, 16, 17, 18, 19]);
  });
  it('is reproducible with a seed and follows setSeed without one', () => {
    assert.deepEqual(column(trainTestSplit(x, y, { seed: 7 }).yTest), column(trainTestSplit(x, y, { seed: 7 }).yTest));
    setSeed(1);
    const a = column(trainTestSplit(x, y).yTest);
    setSeed(1);
    assert.deepEqual(column(trainTestSplit(x, y).yTest), a);
  });
  it('rounds a fraction up and accepts a count; without shuffling the test set is the last rows', () => {
    assert.equal(trainTestSplit(x, y, { testSize: 0.11, seed: 0 }).yTest.size, 3);
    assert.deepEqual(column(trainTestSplit(x, y, { testSize: 4, shuffle: false }).yTest), [16, 17, 18, 19]);
  });
  it('stratifies: each iris class keeps its share', () => {
    const { features, labels } = datasets.iris.load();
    const { yTest, xTrain } = trainTestSplit(features, labels, { testSize: 0.2, seed: 0, stratify: true });
    const counts = [0, 1, 2].map((c) => column(yTest).filter((v) => v === c).length);
    assert.deepEqual(counts, [10, 10, 10]);
    assert.deepEqual(xTrain.shape, [120, 4]);
    assert.equal(yTest.dtype, 'int32');
  });
  it('explains bad arguments', () => {
    assert.throws(
      () => trainTestSplit(x, tensor(range(19))),
      /trainTestSplit: 'x' has 20 rows \(shape \[20, 2\]\) but 'y' has 19 \(shape \[19\]\)/,
    );
    assert.throws(
      () => trainTestSplit(x, y, { testSize: 20 }),
      /testSize must be a fraction in \(0, 1\) or a row count in \[1, 19\].*got 20 for 20 rows/,
    );
    assert.throws(() => trainTestSplit(x, y, { testSize: 0 }), /testSize/);
    assert.throws(() => trainTestSplit(x, x, { stratify: true }), /stratify needs one class per row.*got \[20, 2\]/);
  });
});
