import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  input,
  layers,
  memory,
  model as functionalModel,
  sequential,
  setSeed,
  tensor,
  type Tensor,
  TrainingError,
  type History,
} from '../../src/index.js';

function xorData(): { x: Tensor; y: Tensor } {
  return {
    x: tensor([
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ]),
    y: tensor([[0], [1], [1], [0]]),
  };
}

function regressionData(n = 64, seed = 3): { x: Tensor; y: Tensor } {
  // y = 2 x0 - 3 x1 + 1, exactly linear.
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const xs: number[][] = [],
    ys: number[][] = [];
  for (let i = 0; i < n; i++) {
    const a = rand(),
      b = rand();
    xs.push([a, b]);
    ys.push([2 * a - 3 * b + 1]);
  }
  return { x: tensor(xs), y: tensor(ys) };
}

function smallRegressor() {
  const m = sequential({ layers: [layers.dense({ units: 1, inputShape: [2] })] });
  m.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['mae'] });
  return m;
}

describe('fit', () => {
  it('learns XOR with a hidden layer', async () => {
    setSeed(1);
    const m = sequential({
      layers: [
        layers.dense({ units: 8, activation: 'tanh', inputShape: [2] }),
        layers.dense({ units: 1, activation: 'sigmoid' }),
      ],
    });
    m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    m.optimizer!.learningRate = 0.05;
    const { x, y } = xorData();
    const h = await m.fit(x, y, { epochs: 300, batchSize: 4, verbose: 0 });
    assert.ok(h.history.loss.at(-1)! < 0.1, `final loss ${h.history.loss.at(-1)}`);
    assert.equal(h.history.accuracy.at(-1), 1);
    const p = (m.predict(x) as Tensor).dataSync();
    assert.deepEqual(
      Array.from(p, (v) => (v > 0.5 ? 1 : 0)),
      [0, 1, 1, 0],
    );
  });

  it('records loss, metrics and validation metrics per epoch, and the loss falls', async () => {
    setSeed(2);
    const m = smallRegressor();
    const { x, y } = regressionData();
    const h: History = await m.fit(x, y, { epochs: 5, batchSize: 8, validationSplit: 0.25, verbose: 0 });
    assert.deepEqual(h.epoch, [0, 1, 2, 3, 4]);
    assert.deepEqual(Object.keys(h.history).sort(), ['loss', 'mae', 'val_loss', 'val_mae']);
    assert.ok(h.history.loss[4] < h.history.loss[0]);
    assert.equal(h.params.steps, 6); // 48 training samples in batches of 8
  });

  it('is reproducible under setSeed', async () => {
    const run = async () => {
      setSeed(7);
      const m = smallRegressor();
      const { x, y } = regressionData();
      await m.fit(x, y, { epochs: 2, batchSize: 5, verbose: 0 });
      return m.getWeights().map((w: Tensor) => Array.from(w.dataSync()));
    };
    assert.deepEqual(await run(), await run());
  });

  it('evaluate returns the loss and metrics computed on the data', async () => {
    setSeed(4);
    const m = smallRegressor();
    const { x, y } = regressionData(10);
    const [loss, mae] = m.evaluate(x, y, { batchSize: 3 }) as Tensor[];
    const pred = (m.predict(x) as Tensor).dataSync();
    const target = y.dataSync();
    let se = 0,
      ae = 0;
    for (let i = 0; i < 10; i++) {
      se += (pred[i] - target[i]) ** 2;
      ae += Math.abs(pred[i] - target[i]);
    }
    assert.ok(Math.abs(loss.dataSync()[0] - se / 10) < 1e-4);
    assert.ok(Math.abs(mae.dataSync()[0] - ae / 10) < 1e-4);
    assert.deepEqual(m.metricsNames, ['loss', 'mae']);
  });

  it('predict gives the same result in one batch or many', () => {
    setSeed(5);
    const m = smallRegressor();
    const { x } = regressionData(50);
    const a = (m.predict(x, { batchSize: 7 }) as Tensor).dataSync();
    const b = (m.predict(x, { batchSize: 64 }) as Tensor).dataSync();
    assert.deepEqual(Array.from(a), Array.from(b));
  });

  it('accepts targets of shape [n] for an output of shape [n, 1], as Keras does', async () => {
    const m = smallRegressor();
    const { x, y } = regressionData(16);
    const h = await m.fit(x, y.reshape([16]), { epochs: 1, verbose: 0 });
    assert.ok(Number.isFinite(h.history.loss[0]));
  });

  it('trainOnBatch returns the batch loss and metrics', async () => {
    const m = smallRegressor();
    const { x, y } = regressionData(8);
    const r = await m.trainOnBatch(x, y);
    assert.ok(Array.isArray(r) && r.length === 2 && r.every(Number.isFinite));
  });

  it('fitDataset trains over an iterable of batches', async () => {
    setSeed(6);
    const m = smallRegressor();
    const { x, y } = regressionData(32);
    const batches = [0, 8, 16, 24].map((s) => ({ xs: x.slice([s, 0], [8, 2]), ys: y.slice([s, 0], [8, 1]) }));
    const h = await m.fitDataset(batches, { epochs: 3, verbose: 0 });
    assert.equal(h.history.loss.length, 3);
    assert.ok(h.history.loss[2] < h.history.loss[0]);
  });

  it('trains a multi-output functional model with a loss per output', async () => {
    setSeed(8);
    const inp = input({ shape: [2] });
    const hidden = layers.dense({ units: 4, activation: 'relu' }).apply(inp);
    const out1 = layers.dense({ units: 1, name: 'reg' }).apply(hidden);
    const out2 = layers.dense({ units: 1, activation: 'sigmoid', name: 'cls' }).apply(hidden);
    const m = functionalModel({ inputs: inp, outputs: [out1, out2] as never });
    m.compile({ optimizer: 'adam', loss: { reg: 'mse', cls: 'binaryCrossentropy' }, metrics: { cls: ['accuracy'] } });
    const { x, y } = regressionData(16);
    const yc = tensor(
      Array.from(x.dataSync())
        .filter((_, i) => i % 2 === 0)
        .map((v) => [v > 0 ? 1 : 0]),
    );
    const h = await m.fit(x, [y, yc], { epochs: 2, verbose: 0 });
    assert.deepEqual(m.metricsNames, ['loss', 'reg_loss', 'cls_loss', 'cls_accuracy']);
    assert.ok(Math.abs(h.history.loss[0] - (h.history.reg_loss[0] + h.history.cls_loss[0])) < 1e-4);
  });
});

describe('fit: memory', () => {
  it("frees every batch's tensors itself: thousands of steps, no dispose, no garbage collection", async () => {
    setSeed(11);
    const m = sequential({
      layers: [
        layers.dense({ units: 8, activation: 'relu', inputShape: [2] }),
        layers.dropout({ rate: 0.1 }),
        layers.dense({ units: 1 }),
      ],
    });
    m.compile({ optimizer: 'adam', loss: 'mse', metrics: ['mae'] });
    const { x, y } = regressionData(64);
    await m.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 }); // creates the optimizer's slots
    const before = memory();
    await m.fit(x, y, { epochs: 40, batchSize: 2, validationSplit: 0.25, verbose: 0 }); // 960 steps
    m.evaluate(x, y, { batchSize: 3 });
    const after = memory();
    // Without the per-batch scopes each step would leave hundreds of tensors to the collector.
    assert.ok(after.numTensors - before.numTensors < 50, `live tensors ${before.numTensors} -> ${after.numTensors}`);
    assert.ok(after.numBytes - before.numBytes < 64 * 1024, `live bytes ${before.numBytes} -> ${after.numBytes}`);
  });
});

describe('fit: bad input', () => {
  it('names the input and both shapes when inputShape disagrees with the data', async () => {
    const m = sequential({
      layers: [layers.dense({ units: 10, activation: 'relu', inputShape: [4] }), layers.dense({ units: 1 })],
    });
    m.compile({ optimizer: 'adam', loss: 'mse' });
    const x = tensor(new Float32Array(5 * 13), [5, 13]);
    await assert.rejects(
      m.fit(x, tensor(new Float32Array(5), [5, 1])),
      /expects data of shape \[null, 4\] but 'x' has shape \[5, 13\] \(dimension 1: expected 4, got 13\)/,
    );
  });
  it('requires compile first', async () => {
    const m = sequential({ layers: [layers.dense({ units: 1, inputShape: [2] })] });
    await assert.rejects(m.fit(tensor([[1, 2]]), tensor([[1]])), /must be compiled first/);
  });
  it('rejects mismatched sample counts', async () => {
    const m = smallRegressor();
    await assert.rejects(
      m.fit(
        tensor([
          [1, 2],
          [3, 4],
        ]),
        tensor([[1]]),
        { verbose: 0 },
      ),
      /'x' has 2 samples but 'y' has 1/,
    );
  });
  it('rejects an empty dataset', async () => {
    const m = smallRegressor();
    await assert.rejects(
      m.fit(tensor(new Float32Array(0), [0, 2]), tensor(new Float32Array(0), [0, 1]), { verbose: 0 }),
      /dataset is empty/,
    );
  });
  it('rejects non-positive batchSize and epochs', async () => {
    const m = smallRegressor();
    const { x, y } = regressionData(4);
    await assert.rejects(m.fit(x, y, { batchSize: 0 }), /'batchSize' must be a positive integer, got 0/);
    await assert.rejects(m.fit(x, y, { epochs: -1 }), /'epochs' must be a positive integer, got -1/);
    await assert.rejects(m.fit(x, y, { epochs: 1.5 }), /'epochs' must be a positive integer, got 1.5/);
  });
  it('rejects NaN and infinite values in the data, naming the sample', async () => {
    const m = smallRegressor();
    await assert.rejects(
      m.fit(
        tensor([
          [1, 2],
          [NaN, 1],
        ]),
        tensor([[1], [2]]),
        { verbose: 0 },
      ),
      /'x' contains NaN at sample 1/,
    );
    await assert.rejects(
      m.fit(
        tensor([
          [1, 2],
          [0, 1],
        ]),
        tensor([[1], [Infinity]]),
        { verbose: 0 },
      ),
      /'y' contains Infinity at sample 1/,
    );
  });
  it('lists valid names for an unknown optimizer, loss or metric', () => {
    const m = sequential({ layers: [layers.dense({ units: 1, inputShape: [2] })] });
    // The compiler already refuses these names; JavaScript callers get the run-time errors.
    // @ts-expect-error 'adamm' is not an optimizer name
    assert.throws(() => m.compile({ optimizer: 'adamm', loss: 'mse' }), /adamm[\s\S]*adam/);
    // @ts-expect-error 'msee' is not a loss name
    assert.throws(() => m.compile({ optimizer: 'adam', loss: 'msee' }), /msee[\s\S]*mse/);
    // @ts-expect-error 'maee' is not a metric name
    assert.throws(() => m.compile({ optimizer: 'adam', loss: 'mse', metrics: ['maee'] }), /maee[\s\S]*mae/);
  });
  it('checks sparse labels on the whole dataset before training, naming the sample', async () => {
    const m = sequential({ layers: [layers.dense({ units: 3, inputShape: [2] })] });
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const x = tensor([
      [0, 1],
      [1, 0],
      [1, 1],
      [0, 0],
    ]);
    await assert.rejects(
      m.fit(x, tensor([0, 1, 2, 3]), { verbose: 0 }),
      /integer class ids in \[0, 2\] \(the output has 3 units\), got 3 at sample 3/,
    );
    await assert.rejects(m.fit(x, tensor([0, 1.5, 2, 1]), { verbose: 0 }), /got 1.5 at sample 1/);
    await assert.rejects(
      m.fit(
        x,
        tensor([
          [1, 0, 0],
          [0, 1, 0],
          [0, 0, 1],
          [1, 0, 0],
        ]),
        { verbose: 0 },
      ),
      /one integer class id per prediction \(shape \[null\] or \[null, 1\]\), got shape \[4, 3\]; for one-hot targets use categoricalCrossentropy/,
    );
  });
  it('stops with an error naming the epoch and batch when the loss becomes NaN', async () => {
    setSeed(9);
    const m = sequential({ layers: [layers.dense({ units: 1, inputShape: [2] })] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    m.optimizer!.learningRate = 1e6; // diverges
    const { x, y } = regressionData(64);
    await assert.rejects(m.fit(x, y.mul(1e3), { epochs: 50, batchSize: 8, verbose: 0 }), (e: unknown) => {
      assert.ok(e instanceof TrainingError);
      assert.match(
        e.message,
        /(the loss became (NaN|Infinity) at|the update at) epoch \d+, batch \d+.*training stopped with the weights from before that batch/,
      );
      return true;
    });
  });
});
