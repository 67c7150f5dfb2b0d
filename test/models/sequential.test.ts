import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setSeed, tensor, zeros, type Tensor } from '../../src/index.js';
import { InputLayer, layers } from '../../src/layers/index.js';
import { Sequential, modelFromConfig, sequential } from '../../src/models/index.js';
import { assertClose } from '../helpers/gradcheck.js';

describe('Sequential', () => {
  it('builds at once from the first layer inputShape', () => {
    const m = sequential({
      layers: [layers.dense({ units: 3, inputShape: [4], name: 's1_a' }), layers.dense({ units: 2, name: 's1_b' })],
    });
    assert.match(m.name, /^sequential(_\d+)?$/);
    assert.deepEqual(
      m.layers.map((l) => l.name),
      ['s1_a', 's1_b'],
      'no InputLayer in layers',
    );
    assert.deepEqual(m.inputShapes, [[null, 4]]);
    assert.deepEqual(m.outputShapes, [[null, 2]]);
    assert.equal(m.countParams(), 15 + 8);
    assert.deepEqual((m.predict(zeros([5, 4])) as Tensor).shape, [5, 2]);
  });

  it('defers building until it sees data when no inputShape is given', () => {
    const m = new Sequential({ name: 'deferred' });
    m.add(layers.dense({ units: 2, name: 'def_a' }));
    m.add(layers.flatten({ name: 'def_flat' }));
    assert.equal(m.built, false);
    assert.deepEqual(m.outputNames, ['def_flat']);
    assert.throws(() => m.inputShapes, /Model 'deferred' has not been built yet: give its first layer an inputShape/);
    assert.throws(() => m.summary(), /has not been built yet/);
    const y = m.predict(zeros([3, 5, 7])) as Tensor;
    assert.deepEqual(y.shape, [3, 10]);
    assert.deepEqual(m.inputShapes, [[null, 5, 7]]);
    assert.equal(m.built, true);
  });

  it('adds and pops layers, keeping the graph consistent', () => {
    const m = sequential({ layers: [layers.inputLayer({ inputShape: [2], name: 'pop_in' })] });
    m.add(layers.dense({ units: 3, name: 'pop_a' }));
    m.add(layers.dense({ units: 1, name: 'pop_b' }));
    assert.deepEqual(m.outputShapes, [[null, 1]]);
    m.pop();
    assert.deepEqual(m.outputShapes, [[null, 3]]);
    assert.deepEqual(
      m.layers.map((l) => l.name),
      ['pop_a'],
    );
    assert.deepEqual((m.predict(zeros([1, 2])) as Tensor).shape, [1, 3]);
    assert.throws(
      () => m.add(layers.dense({ units: 1, name: 'pop_a' })),
      /'pop_a' is already the name of a layer in this model/,
    );
    assert.throws(
      () => m.add(new InputLayer({ inputShape: [2] })),
      /an InputLayer \('input_layer(_\d+)?'\) can only be the first layer/,
    );
    m.pop();
    assert.throws(() => m.pop(), /there are no layers to pop/);
  });

  it('round-trips through its config, InputLayer first (Keras 3)', () => {
    const m = sequential({
      name: 'seq_cfg',
      layers: [
        layers.dense({ units: 3, inputShape: [4], activation: 'tanh', name: 'cfg_a' }),
        layers.dropout({ rate: 0.1, name: 'cfg_d' }),
        layers.dense({ units: 1, name: 'cfg_b' }),
      ],
    });
    const config = JSON.parse(JSON.stringify(m.getConfig()));
    assert.deepEqual(
      config.layers.map((l: { className: string }) => l.className),
      ['InputLayer', 'Dense', 'Dropout', 'Dense'],
    );
    const copy = modelFromConfig({ className: 'Sequential', config });
    assert.ok(copy instanceof Sequential);
    assert.deepEqual(copy.getConfig(), m.getConfig());
    copy.setWeights(m.getWeights());
    const x = tensor([
      [1, 2, 3, 4],
      [-1, 0, 1, 0],
    ]);
    assertClose(copy.predict(x) as Tensor, m.predict(x) as Tensor);
  });

  it('setWeights on a model checks every shape, naming the layer weight', () => {
    const m = sequential({ layers: [layers.dense({ units: 2, inputShape: [3], name: 'msw' })] });
    assert.throws(
      () => m.setWeights([zeros([2, 3]), zeros([2])]),
      /weight 'msw\/kernel' expects shape \[3, 2\], got \[2, 3\]/,
    );
  });

  it('delegates compile and fit to the trainer', async () => {
    setSeed(1);
    const m = sequential({ layers: [layers.dense({ units: 1, inputShape: [1] })] });
    assert.equal(m.optimizer, undefined);
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    assert.ok(m.optimizer);
    const x = tensor([[0], [1], [2], [3]]);
    const y = tensor([[1], [3], [5], [7]]);
    const history = await m.fit(x, y, { epochs: 30, verbose: 0 });
    const losses = history.history.loss;
    assert.ok(losses[losses.length - 1] < losses[0] / 2, `loss went from ${losses[0]} to ${losses[losses.length - 1]}`);
    assert.ok(Number.isFinite((m.evaluate(x, y) as Tensor).item()));
  });
});

describe('Sequential nested in a model', () => {
  it('builds a deferred Sequential on its first concrete call with a free batch size', () => {
    const inner = new Sequential({ layers: [layers.dense({ units: 2, name: 'nest_a' })] });
    assert.deepEqual((inner.apply(zeros([5, 3])) as Tensor).shape, [5, 2]);
    assert.deepEqual(inner.inputShapes, [[null, 3]]);
    assert.deepEqual((inner.apply(zeros([7, 3])) as Tensor).shape, [7, 2]);
  });
});
