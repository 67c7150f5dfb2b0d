import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { layers, sequential, setSeed, tensor, type LayersModel, type Tensor } from '../../src/index.js';
import { FileFormatError } from '../../src/io/format_error.js';
import { loadKerasModel, loadKerasWeights } from '../../src/io/keras_format.js';
import {
  k3,
  k3Dense,
  k3Input,
  k3Sequential,
  kerasArchive,
  k3WeightsH5,
  kt,
  legacyH5,
  type Json,
} from './keras_fixtures.js';

const W1 = tensor([
  [0.1, -0.2, 0.3],
  [0.4, 0.5, -0.6],
  [-0.7, 0.8, 0.9],
  [1.0, -1.1, 0.2],
]);
const B1 = tensor([0.05, -0.05, 0.1]);
const W2 = tensor([
  [0.3, -0.1],
  [0.2, 0.4],
  [-0.5, 0.6],
]);
const B2 = tensor([0.01, -0.02]);
const X = [
  [1, 2, 3, 4],
  [-1, 0.5, 0, 2],
];

/** relu(x·W1 + b1)·W2 + b2 then softmax, by hand: the numbers Keras computes for this model. */
function expectedMlp(): number[] {
  const w1 = W1.arraySync() as number[][],
    b1 = B1.arraySync() as number[],
    w2 = W2.arraySync() as number[][],
    b2 = B2.arraySync() as number[];
  return X.flatMap((x) => {
    const h = b1.map((b, j) => Math.max(0, b + x.reduce((s, xi, i) => s + xi * w1[i][j], 0)));
    const z = b2.map((b, j) => b + h.reduce((s, hi, i) => s + hi * w2[i][j], 0));
    const m = Math.max(...z),
      e = z.map((v) => Math.exp(v - m)),
      sum = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / sum);
  });
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++)
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= tol * (1 + Math.abs(expected[i])),
      `index ${i}: ${actual[i]} vs ${expected[i]}`,
    );
}

const predict = (m: LayersModel, x: Tensor | number[][]) =>
  (m.predict(Array.isArray(x) ? tensor(x) : x) as Tensor).dataSync();

const mlpConfig = () =>
  k3Sequential('sequential', [
    k3Input('input_layer', [null, 4]),
    k3Dense('dense', 3, 'relu'),
    k3('Dropout', { name: 'dropout', rate: 0.5, seed: null, noise_shape: null }),
    k3Dense('dense_1', 2, 'softmax'),
  ]);
const mlpGroups = () => ({ 'layers/dense/vars': [W1, B1], 'layers/dropout/vars': [], 'layers/dense_1/vars': [W2, B2] });

async function rejects(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(
    p,
    (e: unknown) =>
      (e instanceof FileFormatError && pattern.test(e.message)) ||
      assert.fail(`unexpected error: ${(e as Error)?.message}`),
  );
}

describe('Keras 3 .keras archives', () => {
  it('loads a Sequential MLP and predicts what Keras computes', async () => {
    const model = await loadKerasModel(await kerasArchive(mlpConfig(), mlpGroups()));
    assert.equal(model.getClassName(), 'Sequential');
    assert.deepEqual(
      model.layers.map((l) => l.name),
      ['dense', 'dropout', 'dense_1'],
    );
    assertClose(predict(model, X), expectedMlp());
  });

  it('loads from a file path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'myelin-keras-'));
    writeFileSync(join(dir, 'mlp.keras'), await kerasArchive(mlpConfig(), mlpGroups()));
    assertClose(predict(await loadKerasModel(join(dir, 'mlp.keras')), X), expectedMlp());
  });

  it('loads a functional CNN (Conv2D, BatchNormalization, pooling, Flatten, Dense) with Keras 3 inbound nodes', async () => {
    setSeed(3);
    const reference = sequential({
      layers: [
        layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [6, 6, 1] }),
        layers.batchNormalization(),
        layers.maxPooling2d({ poolSize: 2 }),
        layers.averagePooling2d({ poolSize: 1 }),
        layers.flatten(),
        layers.dense({ units: 3 }),
      ],
    });
    // Non-trivial moving statistics, so inference-mode batch norm is really exercised.
    const w = reference.getWeights();
    w[4] = tensor([0.3, -0.2]);
    w[5] = tensor([1.5, 0.5]);
    reference.setWeights(w);
    const [ck, cb, g, b, mm, mv, dk, db] = reference.getWeights();
    const node = (src: string, shape: (number | null)[]) => [{ args: [kt(src, shape)], kwargs: {} }];
    const entry = (e: Json, inbound: unknown[]) => ({ ...e, name: (e.config as Json).name, inbound_nodes: inbound });
    const config = {
      module: 'keras.src.models.functional',
      class_name: 'Functional',
      registered_name: 'Functional',
      config: {
        name: 'cnn',
        trainable: true,
        layers: [
          { ...k3Input('image', [null, 6, 6, 1]), name: 'image', inbound_nodes: [] },
          entry(
            k3('Conv2D', {
              name: 'conv',
              filters: 2,
              kernel_size: [3, 3],
              strides: [1, 1],
              padding: 'same',
              data_format: 'channels_last',
              dilation_rate: [1, 1],
              groups: 1,
              activation: 'relu',
              use_bias: true,
              kernel_initializer: {
                module: 'keras.initializers',
                class_name: 'GlorotUniform',
                config: { seed: null },
                registered_name: null,
              },
              bias_initializer: {
                module: 'keras.initializers',
                class_name: 'Zeros',
                config: {},
                registered_name: null,
              },
              kernel_regularizer: null,
              bias_regularizer: null,
              activity_regularizer: null,
              kernel_constraint: null,
              bias_constraint: null,
            }),
            node('image', [null, 6, 6, 1]),
          ),
          entry(
            k3('BatchNormalization', {
              name: 'bn',
              axis: -1,
              momentum: 0.99,
              epsilon: 0.001,
              center: true,
              scale: true,
              synchronized: false,
            }),
            node('conv', [null, 6, 6, 2]),
          ),
          entry(
            k3('MaxPooling2D', {
              name: 'pool',
              pool_size: [2, 2],
              padding: 'valid',
              strides: [2, 2],
              data_format: 'channels_last',
            }),
            node('bn', [null, 6, 6, 2]),
          ),
          entry(
            k3('AveragePooling2D', {
              name: 'avg',
              pool_size: [1, 1],
              padding: 'valid',
              strides: [1, 1],
              data_format: 'channels_last',
            }),
            node('pool', [null, 3, 3, 2]),
          ),
          entry(k3('Flatten', { name: 'flat', data_format: 'channels_last' }), node('avg', [null, 3, 3, 2])),
          entry(k3Dense('out', 3), node('flat', [null, 18])),
        ],
        input_layers: [['image', 0, 0]],
        output_layers: [['out', 0, 0]],
      },
    };
    const groups = {
      'layers/input_layer/vars': [],
      'layers/conv2d/vars': [ck, cb],
      'layers/batch_normalization/vars': [g, b, mm, mv],
      'layers/max_pooling2d/vars': [],
      'layers/average_pooling2d/vars': [],
      'layers/flatten/vars': [],
      'layers/dense/vars': [dk, db],
    };
    const model = await loadKerasModel(await kerasArchive(config, groups));
    assert.equal(model.getClassName(), 'Functional');
    const x = tensor(
      Array.from({ length: 2 * 36 }, (_, i) => Math.sin(i)),
      [2, 6, 6, 1],
    );
    assertClose(predict(model, x), predict(reference, x));
  });

  it('loads recurrent layers: LSTM, GRU inside Bidirectional, Embedding, LayerNormalization', async () => {
    setSeed(4);
    const reference = sequential({
      layers: [
        layers.embedding({ inputDim: 7, outputDim: 3, inputShape: [5] }),
        layers.lstm({ units: 4, returnSequences: true }),
        layers.bidirectional({ layer: layers.gru({ units: 2 }) }),
        layers.layerNormalization(),
      ],
    });
    const [emb, lk, lrk, lb, fk, frk, fb, bk, brk, bb, lg, lbeta] = reference.getWeights();
    const rnn = (cls: string, name: string, units: number, extra: Json = {}) => ({
      module: 'keras.layers',
      class_name: cls,
      registered_name: null,
      config: {
        name,
        trainable: true,
        dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null },
        units,
        activation: 'tanh',
        recurrent_activation: 'sigmoid',
        use_bias: true,
        dropout: 0,
        recurrent_dropout: 0,
        seed: null,
        return_sequences: false,
        return_state: false,
        go_backwards: false,
        stateful: false,
        unroll: false,
        zero_output_for_mask: false,
        ...extra,
      },
    });
    const config = k3Sequential('seq', [
      k3Input('input_layer', [null, 5]),
      k3('Embedding', {
        name: 'embedding',
        input_dim: 7,
        output_dim: 3,
        embeddings_initializer: {
          module: 'keras.initializers',
          class_name: 'RandomUniform',
          config: { minval: -0.05, maxval: 0.05, seed: null },
          registered_name: null,
        },
        mask_zero: false,
      }),
      rnn('LSTM', 'lstm', 4, { return_sequences: true, unit_forget_bias: true }),
      k3('Bidirectional', {
        name: 'bidirectional',
        merge_mode: 'concat',
        layer: rnn('GRU', 'forward_gru', 2, { reset_after: true }),
        backward_layer: rnn('GRU', 'backward_gru', 2, { reset_after: true, go_backwards: true }),
      }),
      k3('LayerNormalization', {
        name: 'layer_normalization',
        axis: [-1],
        epsilon: 0.001,
        center: true,
        scale: true,
        rms_scaling: false,
      }),
    ]);
    const groups = {
      'layers/embedding/vars': [emb],
      'layers/lstm/vars': [],
      'layers/lstm/cell/vars': [lk, lrk, lb],
      'layers/bidirectional/forward_layer/cell/vars': [fk, frk, fb],
      'layers/bidirectional/backward_layer/cell/vars': [bk, brk, bb],
      'layers/layer_normalization/vars': [lg, lbeta],
    };
    const model = await loadKerasModel(await kerasArchive(config, groups));
    const ids = tensor([
      [1, 2, 3, 4, 5],
      [6, 0, 2, 2, 1],
    ]);
    assertClose(predict(model, ids), predict(reference, ids));
  });

  it('loads weights only: from a .keras archive and from a Keras 3 .weights.h5 file', async () => {
    for (const bytes of [await kerasArchive(mlpConfig(), mlpGroups()), await k3WeightsH5(mlpGroups())]) {
      const model = sequential({
        layers: [
          layers.dense({ units: 3, activation: 'relu', inputShape: [4] }),
          layers.dropout({ rate: 0.5 }),
          layers.dense({ units: 2, activation: 'softmax' }),
        ],
      });
      await loadKerasWeights(model, bytes);
      assertClose(predict(model, X), expectedMlp());
    }
  });
});

describe('legacy Keras .h5 files', () => {
  const legacyConfig = {
    class_name: 'Sequential',
    config: {
      name: 'sequential',
      layers: [
        {
          class_name: 'InputLayer',
          config: { batch_input_shape: [null, 4], dtype: 'float32', sparse: false, ragged: false, name: 'dense_input' },
        },
        {
          class_name: 'Dense',
          config: {
            name: 'dense',
            trainable: true,
            dtype: 'float32',
            batch_input_shape: [null, 4],
            units: 3,
            activation: 'relu',
            use_bias: true,
            kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
            bias_initializer: { class_name: 'Zeros', config: {} },
            kernel_regularizer: null,
            bias_regularizer: null,
            activity_regularizer: null,
            kernel_constraint: null,
            bias_constraint: null,
          },
        },
        {
          class_name: 'Dropout',
          config: { name: 'dropout', trainable: true, dtype: 'float32', rate: 0.5, noise_shape: null, seed: null },
        },
        {
          class_name: 'Dense',
          config: {
            name: 'dense_1',
            trainable: true,
            dtype: 'float32',
            units: 2,
            activation: 'softmax',
            use_bias: true,
            kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
            bias_initializer: { class_name: 'Zeros', config: {} },
          },
        },
      ],
    },
  };
  const weights = () => [
    {
      name: 'dense',
      weights: [
        ['dense/kernel:0', W1],
        ['dense/bias:0', B1],
      ] as [string, Tensor][],
    },
    { name: 'dropout', weights: [] as [string, Tensor][] },
    {
      name: 'dense_1',
      weights: [
        ['dense_1/kernel:0', W2],
        ['dense_1/bias:0', B2],
      ] as [string, Tensor][],
    },
  ];

  it('loads a whole model (model_config + model_weights) written by tf.keras 2', async () => {
    const model = await loadKerasModel(await legacyH5(weights(), legacyConfig));
    assertClose(predict(model, X), expectedMlp());
  });

  it('loads a weights-only .h5 into a Myelin model, matching layers by position', async () => {
    const model = sequential({
      layers: [
        layers.dense({ units: 3, activation: 'relu', inputShape: [4], name: 'a' }),
        layers.dense({ units: 2, activation: 'softmax', name: 'b' }),
      ],
    });
    await loadKerasWeights(model, await legacyH5(weights()));
    assertClose(predict(model, X), expectedMlp());
  });

  it('a weights-only file is not a model', async () => {
    await rejects(loadKerasModel(await legacyH5(weights())), /no 'model_config'.*loadKerasWeights/);
  });
});

describe('Keras files Myelin refuses', () => {
  it('a Lambda layer (serialized Python bytecode) is refused without running anything', async () => {
    const config = k3Sequential('s', [
      k3Input('input_layer', [null, 4]),
      {
        class_name: 'Lambda',
        config: {
          name: 'lambda',
          function: { class_name: '__lambda__', config: { code: '4wEAAAAAAAAA', defaults: null, closure: null } },
        },
      },
    ]);
    await rejects(loadKerasModel(await kerasArchive(config, {})), /Lambda layer stores serialized Python code/);
  });

  it('an unknown class is an error that lists the known classes', async () => {
    const config = k3Sequential('s', [k3Input('input_layer', [null, 4]), k3('Transmogrifier', { name: 't' })]);
    await rejects(loadKerasModel(await kerasArchive(config, {})), /Unknown layer class 'Transmogrifier'.*Dense/);
  });

  it('a class from a custom module is refused', async () => {
    const config = k3Sequential('s', [
      k3Input('input_layer', [null, 4]),
      { ...k3Dense('dense', 3), module: 'evil.layers' },
    ]);
    await rejects(loadKerasModel(await kerasArchive(config, {})), /module 'evil.layers', not from Keras/);
  });

  it('weights of the wrong shape name the layer and both shapes, and leave the model untouched', async () => {
    const groups = { ...mlpGroups(), 'layers/dense_1/vars': [tensor([[1, 2, 3]]), B2] };
    await rejects(
      loadKerasModel(await kerasArchive(mlpConfig(), groups)),
      /layers\/dense_1\/vars\/0' has shape \[1, 3\] but weight 'dense_1\/kernel' of layer 'dense_1' needs \[3, 2\]/,
    );
    const model = sequential({
      layers: [layers.dense({ units: 3, inputShape: [4] }), layers.dropout({ rate: 0.5 }), layers.dense({ units: 2 })],
    });
    const before = model.getWeights().map((t) => [...t.dataSync()]);
    await rejects(loadKerasWeights(model, await k3WeightsH5(groups)), /needs \[3, 2\]/);
    assert.deepEqual(
      model.getWeights().map((t) => [...t.dataSync()]),
      before,
    );
  });

  it('missing weights and malformed archives are clear errors', async () => {
    const missing = { 'layers/dense/vars': [W1, B1], 'layers/dense_1/vars': [W2] };
    await rejects(
      loadKerasModel(await kerasArchive(mlpConfig(), missing)),
      /layer 'dense_1' \(Dense\) has 2 weights.*the file has 1/,
    );
    const noWeights = zipSync({ 'config.json': new TextEncoder().encode(JSON.stringify(mlpConfig())) });
    await rejects(loadKerasModel(noWeights), /no 'model.weights.h5'/);
    const good = await kerasArchive(mlpConfig(), mlpGroups());
    await rejects(loadKerasModel(good.slice(0, good.length - 30)), /zip|HDF5|archive/);
    await rejects(loadKerasModel(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9])), /not an HDF5 file/);
    await rejects(loadKerasModel('/nonexistent/model.keras'), /cannot read/);
  });
});
