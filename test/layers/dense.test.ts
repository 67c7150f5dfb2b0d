import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getFloatX, matMul, setFloatX, tensor, zeros, type Tensor } from '../../src/index.js';
import {
  Dense,
  collectLosses,
  deserializeLayer,
  input,
  layers,
  serializeLayer,
  type SymbolicTensor,
} from '../../src/layers/index.js';
import { regularizers } from '../../src/regularizers/index.js';
import { constraints } from '../../src/constraints/index.js';
import { initializers } from '../../src/initializers/index.js';
import { assertClose, checkGradients, rand64 } from '../helpers/gradcheck.js';
import { checkVariableGradients } from './weight_gradcheck.js';

describe('Dense', () => {
  it('stores the kernel as [inputDim, units] and computes x·W + b', () => {
    const d = layers.dense({ units: 2, inputShape: [3], name: 'layout' });
    d.apply(zeros([1, 3]));
    assert.deepEqual(
      d.weights.map((w) => [w.name, w.shape]),
      [
        ['layout/kernel', [3, 2]],
        ['layout/bias', [2]],
      ],
    );
    d.setWeights([
      tensor([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
      tensor([10, 20]),
    ]);
    assert.deepEqual(
      (
        d.apply(
          tensor([
            [1, 1, 1],
            [1, 0, -1],
          ]),
        ) as Tensor
      ).arraySync(),
      [
        [19, 32],
        [6, 16],
      ],
    );
    assert.equal(d.countParams(), 8);
  });

  it('names layers like Keras: dense, dense_1, ...', () => {
    const a = new Dense({ units: 1 });
    const b = new Dense({ units: 1 });
    const [, n] = /^dense(?:_(\d+))?$/.exec(a.name) ?? [];
    assert.match(a.name, /^dense(_\d+)?$/);
    assert.equal(b.name, `dense_${Number(n ?? 0) + 1}`);
  });

  it('transforms rank > 2 inputs along the last axis', () => {
    const d = layers.dense({ units: 2 });
    const x = tensor([
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      [
        [7, 8, 9],
        [0, 1, 0],
      ],
    ]);
    const y = d.apply(x) as Tensor;
    assert.deepEqual(y.shape, [2, 2, 2]);
    const [kernel, bias] = d.getWeights();
    const flat = matMul(
      tensor([
        [1, 2, 3],
        [4, 5, 6],
        [7, 8, 9],
        [0, 1, 0],
      ]),
      kernel,
    );
    const expected = Array.from(flat.dataSync()).map((v, i) => v + bias.dataSync()[i % 2]);
    assertClose(y, expected, 1e-6);
  });

  it('applies its activation and the identity without one', () => {
    const d = layers.dense({
      units: 2,
      activation: 'relu',
      kernelInitializer: 'ones',
      biasInitializer: initializers.constant({ value: -3 }),
    });
    assert.deepEqual(
      (
        d.apply(
          tensor([
            [1, 1],
            [2, 3],
          ]),
        ) as Tensor
      ).arraySync(),
      [
        [0, 0],
        [2, 2],
      ],
    );
    const lin = layers.dense({ units: 1, useBias: false, kernelInitializer: 'ones' });
    assert.deepEqual((lin.apply(tensor([[-1, -2]])) as Tensor).arraySync(), [[-3]]);
    assert.equal(lin.weights.length, 1);
  });

  describe('gradients (float64)', () => {
    let saved: 'float32' | 'float64';
    before(() => {
      saved = getFloatX();
      setFloatX('float64');
    });
    after(() => setFloatX(saved));
    for (const activation of ['linear', 'tanh', 'sigmoid', 'softmax'] as const) {
      it(`are right for kernel, bias and input with activation ${activation}`, () => {
        const d = layers.dense({
          units: 3,
          activation,
          biasInitializer: initializers.randomNormal({ stddev: 0.5, seed: 4 }),
        });
        const x = rand64([4, 5], 1);
        d.apply(x);
        checkGradients((xi) => d.apply(xi) as Tensor, [x]);
        checkVariableGradients(() => d.apply(x) as Tensor, d.trainableWeights);
      });
    }
    it('are right on a rank-3 input', () => {
      const d = layers.dense({ units: 2, activation: 'tanh' });
      const x = rand64([2, 3, 4], 2);
      d.apply(x);
      checkGradients((xi) => d.apply(xi) as Tensor, [x]);
      checkVariableGradients(() => d.apply(x) as Tensor, d.trainableWeights);
    });
  });

  it('builds on symbolic inputs and infers the output shape', () => {
    const x = input({ shape: [5, 7] });
    const y = layers.dense({ units: 4 }).apply(x) as SymbolicTensor;
    assert.deepEqual(y.shape, [null, 5, 4]);
  });

  it('rejects an input whose last dimension differs from the one it was built for', () => {
    const d = layers.dense({ units: 3, inputShape: [4], name: 'picky' });
    d.apply(zeros([2, 4]));
    assert.throws(
      () => d.apply(zeros([32, 13])),
      /Input 0 of layer 'picky' is incompatible: expected shape \[null, 4\], got \[32, 13\]/,
    );
    assert.throws(
      () => d.apply(zeros([4])),
      /Input 0 of layer 'picky' is incompatible: expected shape \[null, 4\], got \[4\] \(expected rank >= 2, got rank 1\)/,
    );
  });

  it('rejects an unknown last dimension and bad units', () => {
    assert.throws(
      () => layers.dense({ units: 2 }).apply(input({ shape: [null] })),
      /the last dimension of the input must be known, got input shape \[null, null\]/,
    );
    assert.throws(() => layers.dense({ units: 0 }), /'units' must be a positive integer, got 0/);
    assert.throws(
      () => layers.dense({ units: 2, activation: 'relux' }),
      /Unknown activation 'relux'.*Did you mean 'relu'\?/,
    );
  });

  it('setWeights checks the count and each shape, naming the layer and weight', () => {
    const d = layers.dense({ units: 3, inputDim: 4, name: 'sw' });
    d.apply(zeros([1, 4]));
    assert.throws(
      () => d.setWeights([zeros([4, 3])]),
      /Layer 'sw': setWeights expected 2 weights \(sw\/kernel \[4, 3\], sw\/bias \[3\]\), got 1/,
    );
    assert.throws(
      () => d.setWeights([zeros([3, 4]), zeros([3])]),
      /Layer 'sw': weight 'sw\/kernel' expects shape \[4, 3\], got \[3, 4\]/,
    );
  });

  it('adds weight regularization penalties with Keras formulas', () => {
    const d = layers.dense({
      units: 2,
      kernelRegularizer: regularizers.l2({ l2: 0.1 }),
      biasRegularizer: 'l1',
      kernelInitializer: 'ones',
      biasInitializer: initializers.constant({ value: -2 }),
    });
    d.apply(zeros([1, 3]));
    const [k, b] = d.weightRegularizationLosses().map((t) => t.item());
    assert.ok(Math.abs(k - 0.1 * 6) < 1e-6, `kernel penalty ${k}`);
    assert.ok(Math.abs(b - 0.01 * 4) < 1e-6, `bias penalty ${b}`);
  });

  it('adds the activity penalty divided by the batch size (Keras 3)', () => {
    const d = layers.dense({
      units: 1,
      kernelInitializer: 'ones',
      useBias: false,
      activityRegularizer: regularizers.l1({ l1: 0.5 }),
    });
    const { losses } = collectLosses(() =>
      d.apply(
        tensor([
          [1, 2],
          [3, -4],
        ]),
      ),
    );
    assert.equal(losses.length, 1);
    assert.ok(Math.abs(losses[0].item() - (0.5 * (3 + 1)) / 2) < 1e-6);
  });

  it('installs constraints on its variables', () => {
    const d = layers.dense({ units: 1, kernelConstraint: constraints.nonNeg(), kernelInitializer: 'ones' });
    d.apply(zeros([1, 2]));
    const kernel = d.trainableWeights[0];
    assert.ok(kernel.constraint);
    assert.deepEqual(kernel.constraint(tensor([[-1], [2]])).arraySync(), [[0], [2]]);
    assert.equal(d.trainableWeights[1].constraint, undefined);
  });

  it('round-trips through its config', () => {
    const d = layers.dense({
      units: 3,
      activation: 'leakyRelu',
      inputShape: [2],
      kernelInitializer: initializers.heNormal({ seed: 3 }),
      kernelRegularizer: regularizers.l1l2({ l1: 0.1, l2: 0.2 }),
      biasConstraint: constraints.maxNorm({ maxValue: 3 }),
      name: 'cfg',
    });
    const json = JSON.parse(JSON.stringify(serializeLayer(d)));
    assert.equal(json.config.activation, 'leaky_relu');
    assert.deepEqual(json.config.kernelInitializer, { className: 'HeNormal', config: { seed: 3 } });
    const copy = deserializeLayer(json);
    assert.ok(copy instanceof Dense);
    assert.deepEqual(copy.getConfig(), d.getConfig());
  });

  it('freezes its weights when trainable is false', () => {
    const d = layers.dense({ units: 1 });
    d.apply(zeros([1, 2]));
    d.trainable = false;
    assert.deepEqual(d.trainableWeights, []);
    assert.equal(d.nonTrainableWeights.length, 2);
    assert.ok(d.weights.every((w) => !w.trainable));
    d.trainable = true;
    assert.ok(d.weights.every((w) => w.trainable));
  });
});
