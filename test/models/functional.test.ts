import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { add, tensor, zeros, type Tensor } from '../../src/index.js';
import { Layer, input, layers, type SymbolicTensor } from '../../src/layers/index.js';
import { LayersModel, model, modelFromConfig, sequential } from '../../src/models/index.js';
import { regularizers } from '../../src/regularizers/index.js';
import { assertClose } from '../helpers/gradcheck.js';

/** A two-input merge, as a test-local custom layer. */
class Sum2 extends Layer {
  static override readonly className = 'Sum2';
  call(inputs: Tensor | Tensor[]): Tensor {
    const [a, b] = inputs as Tensor[];
    return add(a, b);
  }
  override computeOutputShape(shapes: (number | null)[] | (number | null)[][]): (number | null)[] {
    return (shapes as (number | null)[][])[0];
  }
}

const sym = (x: unknown) => x as SymbolicTensor;

/** Two inputs, a shared layer, two outputs: out1 = relu(shared(a) + shared(b)), out2 = head(a). */
function buildDag(prefix: string) {
  const a = input({ shape: [2], name: `${prefix}_a` });
  const b = input({ shape: [2], name: `${prefix}_b` });
  const shared = layers.dense({
    units: 2,
    name: `${prefix}_shared`,
    kernelInitializer: 'ones',
    biasInitializer: 'zeros',
  });
  const head = layers.dense({ units: 1, name: `${prefix}_head`, kernelInitializer: 'ones', useBias: false });
  const sa = sym(shared.apply(a));
  const sb = sym(shared.apply(b));
  const merged = sym(new Sum2({ name: `${prefix}_sum` }).apply([sa, sb]));
  const out1 = sym(layers.activation({ activation: 'relu', name: `${prefix}_relu` }).apply(merged));
  const out2 = sym(head.apply(a));
  return { m: model({ inputs: [a, b], outputs: [out1, out2], name: `${prefix}_model` }), shared, head };
}

describe('functional models', () => {
  it('compute multi-input, multi-output DAGs with shared layers', () => {
    const { m, shared } = buildDag('dag');
    shared.setWeights([
      tensor([
        [1, 2],
        [3, -4],
      ]),
      tensor([0.5, -1]),
    ]);
    const a = tensor([
      [1, 1],
      [0, 2],
    ]);
    const b = tensor([
      [-1, 0],
      [1, 1],
    ]);
    const { outputs, regularizationLosses } = m.forward([a, b], false);
    // shared(x) = x·W + c; a rows: [4.5, -3], [6.5, -9]; b rows: [-0.5, -3], [4.5, -3]
    assertClose(outputs[0], [4, 0, 11, 0], 1e-6);
    assertClose(outputs[1], [2, 2], 1e-6);
    assert.deepEqual(regularizationLosses, []);
    const predicted = m.predict([a, b]) as Tensor[];
    assertClose(predicted[0], outputs[0]);
  });

  it('lists layers inputs-first and names inputs and outputs', () => {
    const { m } = buildDag('names');
    // Keras order: by decreasing depth from the outputs (head feeds an output directly: depth 0).
    assert.deepEqual(
      m.layers.map((l) => l.name),
      ['names_a', 'names_b', 'names_shared', 'names_sum', 'names_relu', 'names_head'],
    );
    assert.deepEqual(m.inputNames, ['names_a', 'names_b']);
    assert.deepEqual(m.outputNames, ['names_relu', 'names_head']);
    assert.deepEqual(m.outputShapes, [
      [null, 2],
      [null, 1],
    ]);
    assert.equal(m.getLayer('names_head').getClassName(), 'Dense');
    assert.equal(m.getLayer(2).name, 'names_shared');
    assert.throws(
      () => m.getLayer('nope'),
      /Model 'names_model' has no layer named 'nope'; its layers are names_a, names_b/,
    );
    assert.equal(m.countParams(), 6 + 2);
    assert.equal(m.weights.length, 3, 'the shared layer counts once');
  });

  it('reports weight and activity regularization in forward', () => {
    const x = input({ shape: [2] });
    const d = layers.dense({
      units: 1,
      kernelInitializer: 'ones',
      useBias: false,
      kernelRegularizer: regularizers.l2({ l2: 0.5 }),
      activityRegularizer: regularizers.l1({ l1: 0.1 }),
    });
    const m = model({ inputs: x, outputs: sym(d.apply(x)) });
    const { regularizationLosses } = m.forward(
      [
        tensor([
          [1, 2],
          [3, 4],
        ]),
      ],
      true,
    );
    assert.deepEqual(
      regularizationLosses.map((t) => Number(t.item().toFixed(6))),
      [0.5 * 2, Number(((0.1 * (3 + 7)) / 2).toFixed(6))],
    );
  });

  it('rejects graphs that are disconnected or start from non-inputs', () => {
    const a = input({ shape: [2], name: 'conn_a' });
    const b = input({ shape: [2], name: 'conn_b' });
    const y = sym(new Sum2({ name: 'conn_sum' }).apply([a, b]));
    assert.throws(
      () => model({ inputs: a, outputs: y, name: 'broken' }),
      /Model 'broken': graph disconnected: layer 'conn_sum' depends on 'conn_b'/,
    );
    const h = sym(layers.dense({ units: 2 }).apply(a));
    assert.throws(() => model({ inputs: h, outputs: y }), /inputs\[0\] must come from input\(\)/);
  });

  it('checks input shapes on forward, naming the model', () => {
    const x = input({ shape: [4] });
    const m = model({ inputs: x, outputs: sym(layers.dense({ units: 1 }).apply(x)), name: 'shape_check' });
    assert.throws(
      () => m.forward([zeros([32, 13])], false),
      /Input 0 of layer 'shape_check' is incompatible: expected shape \[null, 4\], got \[32, 13\]/,
    );
    assert.throws(() => m.forward([zeros([2, 4]), zeros([2, 4])], false), /Model 'shape_check' expects 1 input/);
  });

  it('replays call arguments fixed at construction (dropout with training: true)', () => {
    const x = input({ shape: [100] });
    const y = sym(layers.dropout({ rate: 0.5, seed: 1 }).apply(x, { training: true }));
    const m = model({ inputs: x, outputs: y });
    const out = m.forward([tensor(new Float32Array(100).fill(1), [1, 100])], false).outputs[0].dataSync();
    assert.ok(out.some((v) => v === 0) && out.some((v) => v === 2));
  });

  it('nests: a model is a layer', () => {
    const inner = sequential({
      layers: [layers.dense({ units: 2, inputShape: [3], kernelInitializer: 'ones', biasInitializer: 'ones' })],
      name: 'inner',
    });
    const x = input({ shape: [3] });
    const y = sym(inner.apply(x));
    assert.deepEqual(y.shape, [null, 2]);
    const outer = model({ inputs: x, outputs: sym(layers.activation({ activation: 'relu' }).apply(y)) });
    assert.deepEqual((outer.predict(tensor([[1, 2, 3]])) as Tensor).arraySync(), [[7, 7]]);
    assert.equal(outer.weights.length, 2);
    outer.trainable = false;
    assert.deepEqual(outer.trainableWeights, []);
    assert.deepEqual(inner.trainableWeights, []);
  });

  it('round-trips through its config (shared layers, multiple inputs and outputs)', () => {
    const { m } = buildDag('cfg');
    const config = JSON.parse(JSON.stringify(m.getConfig()));
    const shared = config.layers.find((l: { name: string }) => l.name === 'cfg_shared');
    assert.deepEqual(shared.inboundNodes, [[['cfg_a', 0, 0, {}]], [['cfg_b', 0, 0, {}]]]);
    assert.deepEqual(config.layers.find((l: { name: string }) => l.name === 'cfg_sum').inboundNodes, [
      [
        ['cfg_shared', 0, 0, {}],
        ['cfg_shared', 1, 0, {}],
      ],
    ]);
    assert.deepEqual(config.inputLayers, [
      ['cfg_a', 0, 0],
      ['cfg_b', 0, 0],
    ]);
    assert.deepEqual(config.outputLayers, [
      ['cfg_relu', 0, 0],
      ['cfg_head', 0, 0],
    ]);
    // Sum2 is test-local: the registry must know it to rebuild.
    assert.throws(() => modelFromConfig(config), /Unknown layer class 'Sum2'/);
  });

  it('rebuilds a registered graph with the same structure, then the same outputs once weights are copied', async () => {
    const { registerLayer } = await import('../../src/layers/index.js');
    registerLayer('Sum2', (c) => new Sum2(c));
    const { m } = buildDag('rt');
    const copy = modelFromConfig({ className: m.getClassName(), config: JSON.parse(JSON.stringify(m.getConfig())) });
    assert.ok(copy instanceof LayersModel);
    assert.deepEqual(copy.getConfig(), m.getConfig());
    copy.setWeights(m.getWeights());
    const xs = [tensor([[1, -2]]), tensor([[0.5, 3]])];
    const [a, b] = [m.predict(xs) as Tensor[], copy.predict(xs) as Tensor[]];
    a.forEach((t, i) => assertClose(b[i], t));
  });
});

describe('model shape accessors', () => {
  it('outputShape and output describe the whole model', () => {
    const x = input({ shape: [3] });
    const y1 = sym(layers.dense({ units: 2 }).apply(x));
    const single = model({ inputs: x, outputs: y1 });
    assert.deepEqual(single.outputShape, [null, 2]);
    assert.equal(single.output, y1);
    const y2 = sym(layers.dense({ units: 4 }).apply(x));
    assert.deepEqual(model({ inputs: x, outputs: [y1, y2] }).outputShape, [
      [null, 2],
      [null, 4],
    ]);
  });
});
