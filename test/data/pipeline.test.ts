// tf.data on Myelin: sources, chainable transforms and batching with TF.js' semantics (checked
// against TF.js 4.22 where it is deterministic), CSV columns and labels, and fitDataset on them.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { data, layers, sequential, setSeed, train, type Tensor } from '../../src/index.js';

await tf.setBackend('cpu');

const plain = (v: unknown): unknown => {
  if (v instanceof tf.Tensor) return { shape: v.shape, values: Array.from(v.dataSync()) };
  if (v && typeof v === 'object' && 'dataSync' in v)
    return { shape: (v as Tensor).shape, values: Array.from((v as Tensor).dataSync()) };
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
};

describe('tf.data datasets', () => {
  it('array, map, filter, skip, take, repeat, concatenate and batch yield what TF.js yields', async () => {
    const items = [1, 2, 3, 4, 5, 6, 7];
    const mine = data
      .array(items)
      .map((x) => x * 10)
      .filter((x) => x !== 30)
      .skip(1)
      .take(4)
      .repeat(2)
      .concatenate(data.array([99]))
      .batch(3);
    const theirs = tf.data
      .array(items)
      .map((x) => (x as number) * 10)
      .filter((x) => x !== 30)
      .skip(1)
      .take(4)
      .repeat(2)
      .concatenate(tf.data.array([99]))
      .batch(3);
    assert.deepEqual(plain(await mine.toArray()), plain(await theirs.toArray()));
  });

  it('zip of an object batches to an object of tensors, as fitDataset wants', async () => {
    const xs = [
      [1, 2],
      [3, 4],
      [5, 6],
    ];
    const ys = [[1], [0], [1]];
    const mine = await data
      .zip({ xs: data.array(xs), ys: data.array(ys) })
      .batch(2)
      .toArray();
    const theirs = await tf.data
      .zip({ xs: tf.data.array(xs), ys: tf.data.array(ys) })
      .batch(2)
      .toArray();
    assert.deepEqual(plain(mine), plain(theirs));
    const arrays = await data.zip([data.array([1, 2]), data.array([3, 4, 5])]).toArray();
    assert.deepEqual(
      arrays,
      [
        [1, 3],
        [2, 4],
      ],
      'an array of datasets zips to arrays, stopping with the shortest',
    );
  });

  it('generator and func restart on every pass; mapAsync, forEachAsync, iterator()', async () => {
    let calls = 0;
    const ds = data.generator(function* () {
      calls++;
      for (let i = 0; i < 3; i++) yield { xs: [i, i], ys: [i % 2] };
    });
    assert.equal((await ds.toArray()).length, 3);
    assert.equal((await ds.toArray()).length, 3);
    assert.equal(calls, 2);
    let n = 0;
    const counted = data.func(() => ({ value: n, done: n++ >= 4 }));
    assert.deepEqual(await counted.toArray(), [0, 1, 2, 3]);
    const doubled = await data
      .array([1, 2])
      .mapAsync(async (x) => x * 2)
      .toArray();
    assert.deepEqual(doubled, [2, 4]);
    const seen: number[] = [];
    await data.array([5, 6]).forEachAsync((x) => void seen.push(x));
    assert.deepEqual(seen, [5, 6]);
    const it = await data.array(['a']).iterator();
    assert.deepEqual(await it.next(), { value: 'a', done: false });
    assert.equal((await it.next()).done, true);
  });

  it('shuffle: a permutation, fixed by a seed, new each pass unless told otherwise', async () => {
    const items = Array.from({ length: 20 }, (_, i) => i);
    const a = data.array(items).shuffle(20, 5);
    const first = await a.toArray();
    const second = await a.toArray();
    assert.deepEqual(
      [...first].sort((x, y) => x - y),
      items,
    );
    assert.notDeepEqual(first, items);
    assert.notDeepEqual(first, second, 'reshuffled each pass');
    assert.deepEqual(await data.array(items).shuffle(20, 5).toArray(), first, 'the same seed, the same order');
    const fixed = data.array(items).shuffle(20, 5, false);
    assert.deepEqual(await fixed.toArray(), await fixed.toArray());
    const small = await data.array(items).shuffle(3, 1).toArray();
    assert.deepEqual(
      [...small].sort((x, y) => x - y),
      items,
      'a small buffer still yields every element',
    );
  });

  it('prefetch keeps order; sizes are tracked as TF.js does', async () => {
    assert.deepEqual(await data.array([1, 2, 3, 4]).prefetch(2).toArray(), [1, 2, 3, 4]);
    assert.equal(data.array([1, 2, 3, 4, 5]).batch(2).size, 3);
    assert.equal(data.array([1, 2, 3]).repeat().size, Number.POSITIVE_INFINITY);
    assert.equal(data.array([1, 2, 3]).take(2).size, 2);
    await assert.rejects(data.array([1]).repeat().toArray(), /the dataset is infinite/);
  });

  it('batch errors name what cannot be batched', async () => {
    await assert.rejects(data.array(['a', 'b']).batch(2).toArray(), /cannot batch strings \('a'\)/);
    assert.throws(() => data.array([1]).batch(0), /'batchSize' must be a positive integer, got 0/);
  });
});

describe('data.csv', () => {
  const text = 'sex,length,diameter,rings\nM,0.455,0.365,15\nF,0.53,,9\nI,0.44,0.365,10\n';
  it('reads columns, labels (isLabel), defaults and configuredColumnsOnly, as TF.js', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'myelin-csv-'));
    const path = join(dir, 'abalone.csv');
    await writeFile(path, text);
    const ds = data.csv(`file://${path}`, {
      columnConfigs: { rings: { isLabel: true }, diameter: { default: 0.4 } },
    });
    assert.deepEqual(await ds.columnNames(), ['sex', 'length', 'diameter', 'rings']);
    const rows = await ds.toArray();
    assert.deepEqual(rows[0], { xs: { sex: 'M', length: 0.455, diameter: 0.365 }, ys: { rings: 15 } });
    assert.deepEqual(rows[1], { xs: { sex: 'F', length: 0.53, diameter: 0.4 }, ys: { rings: 9 } });
    const only = data.csv(path, {
      columnConfigs: { length: {}, rings: { dtype: 'int32' } },
      configuredColumnsOnly: true,
    });
    assert.deepEqual(await only.columnNames(), ['length', 'rings']);
    assert.deepEqual((await only.toArray())[2], { length: 0.44, rings: 10 });
    const noHeader = data.csv(path, { hasHeader: false, columnNames: ['a', 'b', 'c', 'd'] });
    assert.deepEqual((await noHeader.toArray())[0], { a: 'sex', b: 'length', c: 'diameter', d: 'rings' });
  });
  it('quoted fields with line breaks, CRLF lines and multi-byte text survive the chunk boundaries', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'myelin-csv-'));
    const path = join(dir, 'notes.csv');
    // About 300 KB, so several 64 KiB reads split lines, quotes and characters anywhere.
    const rows = Array.from({ length: 3000 }, (_, i) => ({
      id: i,
      note: i % 7 === 0 ? `line one\nline "two", ${'é'.repeat(i % 13)}!` : `plain ${'ß'.repeat(i % 5)} ${i}`,
    }));
    const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
    await writeFile(path, `id,note\r\n${rows.map((r) => `${r.id},${quote(r.note)}\r\n`).join('')}`);
    const read = (await data.csv(path).toArray()) as { id: number; note: string }[];
    assert.equal(read.length, rows.length);
    for (const [i, r] of read.entries()) assert.deepEqual(r, rows[i], `row ${i}`);
  });
  it('errors name the column and the line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'myelin-csv-'));
    const path = join(dir, 'a.csv');
    await writeFile(path, text);
    await assert.rejects(
      data.csv(path, { columnConfigs: { ringz: { isLabel: true } } }).toArray(),
      /columnConfigs names 'ringz', which is not a column of .*\(columns: sex, length, diameter, rings\)/,
    );
    await assert.rejects(
      data.csv(path, { columnConfigs: { diameter: { required: true } } }).toArray(),
      /line 3 of .* has no value for the required column 'diameter'/,
    );
    await assert.rejects(data.csv(join(dir, 'missing.csv')).toArray(), /cannot read/);
    assert.throws(() => data.csv(path, { hasHeader: false }), /needs 'columnNames'/);
    assert.throws(
      () => data.csv(path, { delimeter: ';' } as never),
      /unknown option 'delimeter' \(did you mean 'delimiter'\?\)/,
    );
  });
  it('feeds fitDataset and evaluateDataset through map and batch', async () => {
    setSeed(2);
    const ds = data
      .csv(new URL('../../../data/boston_housing/train.csv', import.meta.url).pathname, {
        columnConfigs: { MEDV: { isLabel: true } },
      })
      .map((row) => {
        const { xs, ys } = row as { xs: Record<string, number>; ys: Record<string, number> };
        return { xs: [xs.RM, xs.LSTAT / 10], ys: [ys.MEDV / 10] };
      })
      .shuffle(100, 1)
      .batch(32);
    const model = sequential({ layers: [layers.dense({ units: 1, inputShape: [2] })] });
    model.compile({ optimizer: train.adam(0.05), loss: 'meanSquaredError' });
    const history = await model.fitDataset(ds, { epochs: 30, verbose: 0, validationData: ds.take(3) });
    const loss = history.history.loss;
    assert.ok(loss.at(-1)! < loss[0] / 3, `loss ${loss[0]} -> ${loss.at(-1)}`);
    const result = (await model.evaluateDataset(ds)) as Tensor;
    assert.ok(Math.abs(result.item() - loss.at(-1)!) < 0.5 * loss.at(-1)! + 0.2);
  });
});

describe('fitDataset with batchesPerEpoch', () => {
  it('continues one pass across epochs and stops, with a warning, when the data runs out (as TF.js)', async (t) => {
    const warn = t.mock.method(console, 'warn', () => {});
    const xs = Array.from({ length: 10 }, (_, i) => [i]);
    const ds = data.zip({ xs: data.array(xs), ys: data.array(xs) }).batch(2);
    const model = sequential({ layers: [layers.dense({ units: 1, inputShape: [1] })] });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const perEpoch: number[] = [];
    const history = await model.fitDataset(ds, {
      epochs: 4,
      batchesPerEpoch: 2,
      verbose: 0,
      callbacks: {
        onEpochBegin: async () => void perEpoch.push(0),
        onBatchEnd: async () => void perEpoch[perEpoch.length - 1]++,
      },
    });
    assert.deepEqual(perEpoch, [2, 2, 1], 'five batches in all, then training stops');
    assert.equal(history.epoch.length, 3);
    assert.match(
      String(warn.mock.calls[0].arguments[0]),
      /ran out of data after 5 batches .*batchesPerEpoch is 2.*repeat\(\)/,
    );
  });
  it('an endless dataset (repeat) takes batchesPerEpoch batches every epoch', async () => {
    const xs = Array.from({ length: 6 }, (_, i) => [i]);
    const ds = data
      .zip({ xs: data.array(xs), ys: data.array(xs) })
      .batch(2)
      .repeat();
    const model = sequential({ layers: [layers.dense({ units: 1, inputShape: [1] })] });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    let batches = 0;
    const history = await model.fitDataset(ds, {
      epochs: 3,
      batchesPerEpoch: 5,
      verbose: 0,
      callbacks: { onBatchEnd: async () => void batches++ },
    });
    assert.equal(batches, 15);
    assert.equal(history.epoch.length, 3);
  });
});
