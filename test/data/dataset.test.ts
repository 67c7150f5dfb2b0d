import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { layers, optimizers, sequential, setSeed, tensor } from '../../src/index.js';
import { arrayDataset } from '../../src/data/index.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

async function collect(ds: AsyncIterable<{ xs: { arraySync(): unknown }; ys: { dataSync(): ArrayLike<number> } }>) {
  const ys: number[][] = [];
  for await (const batch of ds) ys.push(Array.from(batch.ys.dataSync()));
  return ys;
}

describe('arrayDataset', () => {
  const x = tensor(range(10).map((i) => [i, 100 + i]));
  const y = tensor(range(10));
  it('serves batches in order, with a smaller last batch', async () => {
    const ds = arrayDataset(x, y, { batchSize: 4 });
    assert.equal(ds.numBatches, 3);
    assert.deepEqual(await collect(ds), [
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    const first = ds[Symbol.iterator]().next().value!;
    assert.deepEqual(first.xs.arraySync(), [
      [0, 100],
      [1, 101],
      [2, 102],
      [3, 103],
    ]);
  });
  it('drops the remainder on request', async () => {
    assert.deepEqual(await collect(arrayDataset(x, y, { batchSize: 4, dropRemainder: true })), [
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
  });
  it('reshuffles on every pass, reproducibly with a seed, keeping xs and ys aligned', async () => {
    const a = arrayDataset(x, y, { batchSize: 10, shuffle: true, seed: 5 });
    const b = arrayDataset(x, y, { batchSize: 10, shuffle: true, seed: 5 });
    const [a1, a2] = [(await collect(a))[0], (await collect(a))[0]];
    assert.deepEqual((await collect(b))[0], a1);
    assert.notDeepEqual(a1, a2);
    assert.deepEqual(
      [...a1].sort((p, q) => p - q),
      range(10),
    );
    for (const { xs, ys } of a) {
      const rows = xs.arraySync() as number[][];
      Array.from(ys.dataSync()).forEach((label, i) => assert.deepEqual(rows[i], [label, 100 + label]));
    }
  });
  it('explains bad arguments', () => {
    assert.throws(
      () => arrayDataset(x, y, { batchSize: 0 }),
      /arrayDataset: batchSize must be a positive integer, got 0/,
    );
    assert.throws(() => arrayDataset(x, tensor([1, 2])), /arrayDataset: 'x' has 10 rows/);
  });
  it('feeds model.fitDataset: one pass is one epoch', async () => {
    setSeed(0);
    const xs = tensor(range(64).map((i) => [i / 64]));
    const ys = tensor(range(64).map((i) => [2 * (i / 64) + 1]));
    const model = sequential({ layers: [layers.dense({ units: 1, inputShape: [1] })] });
    model.compile({ optimizer: optimizers.sgd({ learningRate: 0.5 }), loss: 'mse' });
    const history = await model.fitDataset(arrayDataset(xs, ys, { batchSize: 16, shuffle: true, seed: 2 }), {
      epochs: 30,
      verbose: 0,
    });
    assert.equal(history.history.loss.length, 30);
    assert.ok(
      history.history.loss[29] < 1e-3 && history.history.loss[29] < history.history.loss[0] / 100,
      `losses ${history.history.loss[0]} -> ${history.history.loss[29]}`,
    );
  });
});
