// History keys: Keras 3 logs `accuracy` for metrics: ['accuracy'], TF.js `acc`. Myelin logs
// Keras 3's name and answers TF.js' as an alias, so programs written for either read their key.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { layers, sequential, tensor, type Logs } from '../../src/index.js';

describe('accuracy under Keras 3 and TF.js names', () => {
  it('history.history.acc / val_acc and logs.acc read the accuracy', async () => {
    const model = sequential({ layers: [layers.dense({ units: 2, activation: 'softmax', inputShape: [2] })] });
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const x = tensor([
      [1, 0],
      [0, 1],
      [1, 1],
      [0, 0],
    ]);
    const y = tensor([
      [1, 0],
      [0, 1],
      [1, 0],
      [0, 1],
    ]);
    const seen: Logs[] = [];
    const batchAcc: number[] = [];
    const history = await model.fit(x, y, {
      epochs: 2,
      batchSize: 2,
      verbose: 0,
      validationData: [x, y],
      callbacks: {
        onEpochEnd: async (_epoch, logs) => void seen.push(logs as Logs),
        onBatchEnd: async (_batch, logs) => void batchAcc.push((logs as Logs).acc),
      },
    });
    const h = history.history;
    assert.deepEqual(h.acc, h.accuracy);
    assert.deepEqual(h.val_acc, h.val_accuracy);
    assert.deepEqual(Object.keys(h).sort(), ['accuracy', 'loss', 'val_accuracy', 'val_loss'], 'each value listed once');
    assert.equal(seen[1].acc, seen[1].accuracy);
    assert.equal(seen[1].val_acc, seen[1].val_accuracy);
    assert.ok(batchAcc.every((v) => typeof v === 'number'));
    assert.equal(JSON.stringify(seen[0]).includes('"acc"'), false);
  });
  it("metrics: ['acc'] logs acc, as both TF.js and Keras do", async () => {
    const model = sequential({ layers: [layers.dense({ units: 1, activation: 'sigmoid', inputShape: [1] })] });
    model.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['acc'] });
    const history = await model.fit(tensor([[1], [0]]), tensor([[1], [0]]), { epochs: 1, verbose: 0 });
    assert.deepEqual(Object.keys(history.history).sort(), ['acc', 'loss']);
  });
});
