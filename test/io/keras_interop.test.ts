/**
 * Keras files from other versions, as faithful minimal copies of what each Keras wrote (see
 * keras_fixtures.ts), and the real files in test/fixtures/interop where one shows the case.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import {
  input,
  layers,
  model as functionalModel,
  sequential,
  setSeed,
  tensor,
  type LayersModel,
  type SymbolicTensor,
  type Tensor,
} from '../../src/index.js';
import { FileFormatError } from '../../src/io/format_error.js';
import { loadKerasModel, loadKerasWeights } from '../../src/io/keras_format.js';
import { loadFromBuffers, saveToBuffers } from '../../src/io/native.js';
import { assertClose } from '../helpers/gradcheck.js';
import { FIXTURES, readNpy } from './interop_reference.js';
import { k3, k3Dense, k3Input, k3Sequential, kerasArchive, kt, legacyH5, type Json } from './keras_fixtures.js';

await tf.setBackend('cpu');

const init = (cls: string, config: Json = {}): Json => ({
  module: 'keras.initializers',
  class_name: cls,
  config,
  registered_name: null,
});

/** A Keras 3 LSTM entry. */
const k3Lstm = (name: string, units: number, extra: Json = {}) =>
  k3('LSTM', {
    name,
    units,
    activation: 'tanh',
    recurrent_activation: 'hard_sigmoid',
    use_bias: true,
    kernel_initializer: init('GlorotUniform', { seed: null }),
    recurrent_initializer: init('OrthogonalInitializer', { gain: 1.0, seed: null }),
    bias_initializer: init('Zeros'),
    unit_forget_bias: true,
    dropout: 0,
    recurrent_dropout: 0,
    seed: null,
    return_sequences: false,
    return_state: false,
    go_backwards: false,
    stateful: false,
    unroll: false,
    ...extra,
  });

const activationOf = (m: LayersModel, i: number, key = 'recurrentActivation') =>
  (m.layers[i] as unknown as Record<string, { name: string }>)[key].name;

/** Runs `f` with console.warn captured; returns what was warned. */
async function warnings(f: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => seen.push(args.join(' '));
  try {
    await f();
  } finally {
    console.warn = original;
  }
  return seen;
}

describe('Keras 2 weight files with weightless layers', () => {
  it('loadKerasWeights reads the real cnn_batch_norm.h5 (empty weight_names as float64 arrays) into a Myelin model', async () => {
    const m = sequential({
      layers: [
        layers.conv2d({ filters: 1, kernelSize: 3, inputShape: [10, 10, 3] }),
        layers.batchNormalization(),
        layers.activation({ activation: 'relu' }),
        layers.conv2d({ filters: 1, kernelSize: 3 }),
        layers.flatten(),
        layers.dense({ units: 1 }),
      ],
    });
    await loadKerasWeights(m, join(FIXTURES, 'keras', 'cnn_batch_norm.h5'));
    const x = readNpy(join(FIXTURES, 'keras', 'cnn_batch_norm_input.npy'));
    const want = readNpy(join(FIXTURES, 'keras', 'cnn_batch_norm_predictions.npy'));
    assertClose((m.predict(tensor(x.data, x.shape, 'float32')) as Tensor).dataSync(), want.data, 1e-5);
  });
});

describe('hard_sigmoid means what the writing Keras meant', () => {
  const W = () => {
    setSeed(8);
    return sequential({ layers: [layers.lstm({ units: 2, inputShape: [3, 2] })] }).getWeights();
  };
  const groups = (w: Tensor[]) => ({ 'layers/lstm/vars': [], 'layers/lstm/cell/vars': w });

  it("a Keras 3 file keeps Keras 3's relu6(x + 3) / 6; a Keras 2.13 .keras file gets clip(0.2x + 0.5, 0, 1)", async () => {
    const config = k3Sequential('s', [k3Input('input_layer', [null, 3, 2]), k3Lstm('lstm', 2)]);
    const keras3 = await loadKerasModel(await kerasArchive(config, groups(W())));
    assert.equal(activationOf(keras3, 0), 'hard_sigmoid');
    const keras2 = await loadKerasModel(await kerasArchive(config, groups(W()), '2.13.1'));
    assert.equal(activationOf(keras2, 0), 'hard_sigmoid_tfjs');
    // The two really compute different numbers (large inputs reach both slopes).
    const x = tensor(
      Array.from({ length: 12 }, (_, i) => Math.sin(i) * 6),
      [2, 3, 2],
    );
    const a = (keras3.predict(x) as Tensor).dataSync(),
      b = (keras2.predict(x) as Tensor).dataSync();
    assert.ok(a.some((v, i) => Math.abs(v - b[i]) > 1e-3));
    // Keras 2's numbers are TF.js' (whose hardSigmoid is the 0.2 form) for the same weights.
    const ref = tf.sequential({
      layers: [tf.layers.lstm({ units: 2, inputShape: [3, 2], recurrentActivation: 'hardSigmoid' })],
    });
    ref.setWeights(W().map((t) => tf.tensor(t.arraySync() as number[][])));
    assertClose(b, (ref.predict(tf.tensor(x.arraySync() as number[][][])) as tf.Tensor).dataSync(), 1e-6);
  });

  it("saving keeps each model's choice: both survive Myelin's own format", () => {
    const m = sequential({
      layers: [
        layers.lstm({ units: 2, recurrentActivation: 'hard_sigmoid_tfjs', returnSequences: true, inputShape: [3, 2] }),
        layers.gru({ units: 2, recurrentActivation: 'hard_sigmoid' }),
        layers.dense({ units: 1, activation: 'hard_sigmoid_tfjs' }),
      ],
    });
    const copy = loadFromBuffers(saveToBuffers(m));
    assert.equal(activationOf(copy, 0), 'hard_sigmoid_tfjs');
    assert.equal(activationOf(copy, 1), 'hard_sigmoid');
    assert.equal(activationOf(copy, 2, 'activation'), 'hard_sigmoid_tfjs');
  });
});

describe('names and defaults of other Keras versions', () => {
  it("Keras 3.4's OrthogonalInitializer and IdentityInitializer class names", async () => {
    const config = k3Sequential('s', [
      k3Input('input_layer', [null, 3, 2]),
      k3Lstm('lstm', 2, { recurrent_activation: 'sigmoid' }),
      k3('Dense', {
        name: 'dense',
        units: 2,
        activation: 'linear',
        use_bias: false,
        kernel_initializer: init('IdentityInitializer', { gain: 1.0 }),
        bias_initializer: init('Zeros'),
        kernel_regularizer: null,
        bias_regularizer: null,
        kernel_constraint: null,
        bias_constraint: null,
      }),
    ]);
    const w = W2();
    const model = await loadKerasModel(
      await kerasArchive(config, { 'layers/lstm/cell/vars': w.slice(0, 3), 'layers/dense/vars': [w[3]] }),
    );
    assert.equal(model.layers.length, 2);
  });

  function W2(): Tensor[] {
    setSeed(9);
    return sequential({
      layers: [layers.lstm({ units: 2, inputShape: [3, 2] }), layers.dense({ units: 2, useBias: false })],
    }).getWeights();
  }

  it('a Keras 2.0 GRU config without reset_after is a GRU with resetAfter false (TF.js computes the same)', async () => {
    setSeed(10);
    const ref = tf.sequential({
      layers: [tf.layers.gru({ units: 3, inputShape: [4, 2], recurrentActivation: 'hardSigmoid' })],
    });
    const [k, rk, b] = ref.getWeights().map((t) => tensor(t.arraySync() as number[][]));
    const config = {
      class_name: 'Sequential',
      config: [
        {
          class_name: 'GRU',
          config: {
            name: 'gru_1',
            trainable: true,
            batch_input_shape: [null, 4, 2],
            dtype: 'float32',
            units: 3,
            activation: 'tanh',
            recurrent_activation: 'hard_sigmoid',
            use_bias: true,
            kernel_initializer: {
              class_name: 'VarianceScaling',
              config: { scale: 1.0, mode: 'fan_avg', distribution: 'uniform', seed: null },
            },
            recurrent_initializer: { class_name: 'Orthogonal', config: { gain: 1.0, seed: null } },
            bias_initializer: { class_name: 'Zeros', config: {} },
            dropout: 0.0,
            recurrent_dropout: 0.0,
            implementation: 0,
            return_sequences: false,
            go_backwards: false,
            stateful: false,
            unroll: false,
          },
        },
      ],
    };
    const file = await legacyH5(
      [
        {
          name: 'gru_1',
          weights: [
            ['gru_1/kernel:0', k],
            ['gru_1/recurrent_kernel:0', rk],
            ['gru_1/bias:0', b],
          ],
        },
      ],
      config,
      { kerasVersion: '2.0.6' },
    );
    const model = await loadKerasModel(file);
    assert.equal((model.layers[0] as unknown as { resetAfter: boolean }).resetAfter, false);
    const x = Array.from({ length: 2 }, (_, n) =>
      Array.from({ length: 4 }, (_, t) => [Math.sin(n + t) * 3, Math.cos(t) * 2]),
    );
    assertClose(
      (model.predict(tensor(x)) as Tensor).dataSync(),
      (ref.predict(tf.tensor(x)) as tf.Tensor).dataSync(),
      1e-6,
    );
  });

  it('every layer class Myelin lacks is named at once, inside wrappers and nested models too', async () => {
    const unknown = (cls: string, name: string) => k3(cls, { name });
    const config = k3Sequential('s', [
      k3Input('input_layer', [null, 4]),
      unknown('Transmogrifier', 't1'),
      k3('TimeDistributed', { name: 'td', layer: unknown('Frobnicator', 'f') }),
      unknown('Transmogrifier', 't2'),
      k3Sequential('inner', [unknown('Quux', 'q')]),
      k3Dense('dense', 2),
    ]);
    await assert.rejects(
      loadKerasModel(await kerasArchive(config, {})),
      (e: unknown) =>
        e instanceof FileFormatError &&
        /Unknown layer classes 'Transmogrifier' \('t1', 't2'\), 'Frobnicator' \('f'\), 'Quux' \('q'\); nothing was built/.test(
          (e as Error).message,
        ),
    );
  });
});

describe('a loaded Keras model comes back compiled', () => {
  const W1 = tensor([
    [0.5, -1],
    [0.25, 2],
  ]);
  const B1 = tensor([0.1, -0.2]);
  const x = tensor([
    [1, 2],
    [-1, 0.5],
    [0, 3],
  ]);
  const y = tensor([
    [1, 0],
    [0, 1],
    [2, 2],
  ]);
  const config = (compile: Json | null) => ({
    ...k3Sequential('s', [k3Input('input_layer', [null, 2]), k3Dense('dense', 2)]),
    compile_config: compile,
  });
  const adam = {
    module: 'keras.optimizers',
    class_name: 'Adam',
    config: {
      name: 'adam',
      learning_rate: 0.01,
      weight_decay: null,
      clipnorm: null,
      global_clipnorm: null,
      clipvalue: null,
      use_ema: false,
      ema_momentum: 0.99,
      ema_overwrite_frequency: null,
      loss_scale_factor: null,
      gradient_accumulation_steps: null,
      beta_1: 0.8,
      beta_2: 0.99,
      epsilon: 1e-7,
      amsgrad: false,
    },
    registered_name: null,
  };
  const keras3Compile = {
    optimizer: adam,
    loss: {
      module: 'keras.losses',
      class_name: 'MeanSquaredError',
      config: { name: 'mean_squared_error', reduction: 'sum_over_batch_size' },
      registered_name: null,
    },
    loss_weights: null,
    metrics: ['mae'],
    weighted_metrics: null,
    run_eagerly: false,
    steps_per_execution: 1,
    jit_compile: false,
  };

  it('from a Keras 3 compile_config: optimizer with its settings, loss object, metrics; evaluate and fit work at once', async () => {
    const model = await loadKerasModel(await kerasArchive(config(keras3Compile), { 'layers/dense/vars': [W1, B1] }));
    const opt = model.compiled?.optimizer as unknown as {
      className: string;
      learningRate: number;
      beta1: number;
      beta2: number;
    };
    assert.deepEqual([opt.className, opt.learningRate, opt.beta1, opt.beta2], ['Adam', 0.01, 0.8, 0.99]);
    const pred = Array.from((model.predict(x) as Tensor).dataSync());
    const target = y.dataSync();
    const mse = pred.reduce((s, p, i) => s + (p - target[i]) ** 2, 0) / pred.length;
    const mae = pred.reduce((s, p, i) => s + Math.abs(p - target[i]), 0) / pred.length;
    const [loss, metric] = (model.evaluate(x, y) as Tensor[]).map((t) => t.dataSync()[0]);
    assertClose([loss, metric], [mse, mae], 1e-6);
    await model.fit(x, y, { epochs: 1, verbose: 0 });
    assert.equal(model.compiled?.optimizer.iterations, 1);
  });

  it("Keras 2's training_config: 'lr' and a nonzero 'decay' (an inverse-time schedule)", async () => {
    const file = await legacyH5(
      [
        {
          name: 'dense_1',
          weights: [
            ['dense_1/kernel:0', W1],
            ['dense_1/bias:0', B1],
          ],
        },
      ],
      {
        class_name: 'Sequential',
        config: [
          {
            class_name: 'Dense',
            config: { name: 'dense_1', units: 2, activation: 'linear', use_bias: true, batch_input_shape: [null, 2] },
          },
        ],
      },
      {
        kerasVersion: '2.1.3',
        trainingConfig: {
          metrics: ['mae'],
          loss: 'mse',
          optimizer_config: { class_name: 'SGD', config: { lr: 0.1, momentum: 0.5, decay: 0.25, nesterov: false } },
          loss_weights: null,
          sample_weight_mode: null,
        },
      },
    );
    const model = await loadKerasModel(file);
    const opt = model.compiled?.optimizer as unknown as {
      learningRateOrSchedule: { className: string; call(step: number): number };
      momentum: number;
    };
    assert.equal(opt.learningRateOrSchedule.className, 'InverseTimeDecay');
    assertClose([opt.learningRateOrSchedule.call(4), opt.momentum], [0.1 / (1 + 0.25 * 4), 0.5], 1e-7);
    assert.deepEqual(model.metricsNames, ['loss', 'mae']);
  });

  it('a custom loss leaves the model uncompiled with a warning saying why; compile: false skips it', async () => {
    const custom = {
      ...keras3Compile,
      loss: {
        module: 'my_project.losses',
        class_name: 'FancyLoss',
        config: {},
        registered_name: 'my_project>FancyLoss',
      },
    };
    const bytes = await kerasArchive(config(custom), { 'layers/dense/vars': [W1, B1] });
    let model: LayersModel | undefined;
    const seen = await warnings(async () => {
      model = await loadKerasModel(bytes);
    });
    assert.equal(model?.compiled, undefined);
    assert.equal(seen.length, 1);
    assert.match(
      seen[0],
      /loaded uncompiled; its training settings cannot be restored \(.*FancyLoss.*\); call model\.compile\(\)/,
    );
    const plain = await loadKerasModel(await kerasArchive(config(keras3Compile), { 'layers/dense/vars': [W1, B1] }), {
      compile: false,
    });
    assert.equal(plain.compiled, undefined);
  });
});

describe('merge layers, RepeatVector and 1-D pooling in a Keras 3 .keras file', () => {
  it('a functional model as Keras 3 writes it (lists of keras tensors as arguments) predicts what the same model does', async () => {
    setSeed(12);
    const a = input({ shape: [6, 2], name: 'a' });
    const v = input({ shape: [3], name: 'v' });
    const pooled = layers.maxPooling1d({ poolSize: 2, name: 'max_pooling1d' }).apply(a) as SymbolicTensor; // [3, 2]
    const avg = layers.averagePooling1d({ poolSize: 2, name: 'average_pooling1d' }).apply(a) as SymbolicTensor;
    const dense = layers.dense({ units: 2, name: 'dense' }).apply(v) as SymbolicTensor;
    const rep = layers.repeatVector({ n: 3, name: 'repeat_vector' }).apply(dense) as SymbolicTensor; // [3, 2]
    const sum = layers.add({ name: 'add' }).apply([pooled, avg, rep]) as SymbolicTensor;
    const prod = layers.multiply({ name: 'multiply' }).apply([pooled, rep]) as SymbolicTensor;
    const cat = layers.concatenate({ axis: -1, name: 'concatenate' }).apply([sum, prod]) as SymbolicTensor; // [3, 4]
    const sim = layers.dot({ axes: [1, 1], normalize: true, name: 'dot' }).apply([sum, prod]) as SymbolicTensor;
    const reference = functionalModel({ inputs: [a, v], outputs: [cat, sim] });
    const [kernel, bias] = reference.getLayer('dense').getWeights();
    const node = (...refs: [string, (number | null)[]][]) => [
      { args: [refs.length === 1 ? kt(...refs[0]) : refs.map((r) => kt(...r))], kwargs: {} },
    ];
    const entry = (e: Json, inbound: unknown[]) => ({ ...e, name: (e.config as Json).name, inbound_nodes: inbound });
    const pool = (cls: string, name: string) =>
      k3(cls, { name, pool_size: [2], strides: [2], padding: 'valid', data_format: 'channels_last' });
    const config = {
      module: 'keras.src.models.functional',
      class_name: 'Functional',
      registered_name: 'Functional',
      config: {
        name: 'merges',
        trainable: true,
        layers: [
          { ...k3Input('a', [null, 6, 2]), name: 'a', inbound_nodes: [] },
          { ...k3Input('v', [null, 3]), name: 'v', inbound_nodes: [] },
          entry(pool('MaxPooling1D', 'max_pooling1d'), node(['a', [null, 6, 2]])),
          entry(pool('AveragePooling1D', 'average_pooling1d'), node(['a', [null, 6, 2]])),
          entry(k3Dense('dense', 2), node(['v', [null, 3]])),
          entry(k3('RepeatVector', { name: 'repeat_vector', n: 3 }), node(['dense', [null, 2]])),
          entry(
            k3('Add', { name: 'add' }),
            node(['max_pooling1d', [null, 3, 2]], ['average_pooling1d', [null, 3, 2]], ['repeat_vector', [null, 3, 2]]),
          ),
          entry(
            k3('Multiply', { name: 'multiply' }),
            node(['max_pooling1d', [null, 3, 2]], ['repeat_vector', [null, 3, 2]]),
          ),
          entry(
            k3('Concatenate', { name: 'concatenate', axis: -1 }),
            node(['add', [null, 3, 2]], ['multiply', [null, 3, 2]]),
          ),
          entry(
            k3('Dot', { name: 'dot', axes: [1, 1], normalize: true }),
            node(['add', [null, 3, 2]], ['multiply', [null, 3, 2]]),
          ),
        ],
        input_layers: [
          ['a', 0, 0],
          ['v', 0, 0],
        ],
        output_layers: [
          ['concatenate', 0, 0],
          ['dot', 0, 0],
        ],
      },
    };
    const model = await loadKerasModel(await kerasArchive(config, { 'layers/dense/vars': [kernel, bias] }));
    const xs = [
      tensor(
        Array.from({ length: 2 * 6 * 2 }, (_, i) => Math.sin(i)),
        [2, 6, 2],
      ),
      tensor(
        Array.from({ length: 6 }, (_, i) => Math.cos(i)),
        [2, 3],
      ),
    ];
    const got = model.predict(xs) as Tensor[];
    const want = reference.predict(xs) as Tensor[];
    got.forEach((t, i) => assertClose(t.dataSync(), want[i].dataSync(), 0));
  });
});
