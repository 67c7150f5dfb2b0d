import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  input,
  layers,
  model as functionalModel,
  sequential,
  setSeed,
  tensor,
  type SymbolicTensor,
} from '../../src/index.js';
import { exportOnnx, onnxSupportedLayers, saveOnnx } from '../../src/io/onnx_export.js';
import { checkAgainstOrt } from '../helpers/onnx_runtime.js';

const randn = (shape: number[], seed: number) =>
  tensor(
    Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 1.7 + seed) * 1.5),
    shape,
  );

describe('ONNX export, run in ONNX Runtime', () => {
  it('Dense with every activation, Dropout and Activation layers, at two batch sizes', async () => {
    setSeed(1);
    const acts = [
      'relu',
      'sigmoid',
      'tanh',
      'elu',
      'selu',
      'leaky_relu',
      'softplus',
      'softsign',
      'gelu',
      'silu',
      'relu6',
      'hard_sigmoid',
      'hard_silu',
      'exponential',
      'mish',
      'linear',
    ];
    const m = sequential({
      layers: [
        layers.dense({ units: 6, inputShape: [5] }),
        ...acts.map((a) => layers.dense({ units: 6, activation: a })),
        layers.dropout({ rate: 0.3 }),
        layers.activation({ activation: 'log_softmax' }),
        layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    await checkAgainstOrt(m, randn([4, 5], 1));
    await checkAgainstOrt(m, randn([1, 5], 2)); // the batch dimension is dynamic
  });

  it('a CNN: Conv2D (same and valid, strided, grouped), BatchNormalization, pooling, Flatten, Reshape', async () => {
    setSeed(2);
    const m = sequential({
      layers: [
        layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [7, 7, 2] }),
        layers.batchNormalization(),
        layers.conv2d({ filters: 4, kernelSize: [2, 3], strides: 2, groups: 2 }),
        layers.maxPooling2d({ poolSize: 2, strides: 1, padding: 'same' }),
        layers.averagePooling2d({ poolSize: 2, padding: 'same' }),
        layers.flatten(),
        layers.reshape({ targetShape: [2, -1] }),
        layers.flatten(),
        layers.dense({ units: 3 }),
      ],
    });
    const bn = m.layers[1];
    const w = bn.getWeights();
    bn.setWeights([w[0], w[1], tensor([0.2, -0.1, 0.3, 0]), tensor([1.5, 0.7, 2, 1])]);
    await checkAgainstOrt(m, randn([3, 7, 7, 2], 3));
  });

  it('global pooling and LayerNormalization in a functional model with two outputs', async () => {
    setSeed(3);
    const x = input({ shape: [5, 5, 3] });
    const c = layers.conv2d({ filters: 4, kernelSize: 3, activation: 'tanh' }).apply(x) as SymbolicTensor;
    const a = layers.globalAveragePooling2d().apply(c) as SymbolicTensor;
    const b = layers
      .layerNormalization()
      .apply(layers.globalMaxPooling2d().apply(c) as SymbolicTensor) as SymbolicTensor;
    const m = functionalModel({ inputs: x, outputs: [layers.dense({ units: 2 }).apply(a) as SymbolicTensor, b] });
    await checkAgainstOrt(m, randn([2, 5, 5, 3], 4));
  });

  it('recurrent layers: LSTM (gate order i,o,f,c), GRU (reset after and before), SimpleRNN, Bidirectional, Embedding', async () => {
    setSeed(4);
    const seq = sequential({
      layers: [
        layers.lstm({ units: 4, returnSequences: true, inputShape: [6, 3] }),
        layers.gru({ units: 3, returnSequences: true }),
        layers.gru({ units: 3, resetAfter: false, returnSequences: true }),
        layers.bidirectional({ layer: layers.lstm({ units: 2, returnSequences: true }) }),
        layers.bidirectional({ layer: layers.gru({ units: 2 }) }),
        layers.dense({ units: 2 }),
      ],
    });
    await checkAgainstOrt(seq, randn([2, 6, 3], 5));
    const text = sequential({
      layers: [
        layers.embedding({ inputDim: 9, outputDim: 4, inputShape: [5] }),
        layers.simpleRNN({ units: 3, activation: 'relu' }),
        layers.dense({ units: 1, activation: 'sigmoid' }),
      ],
    });
    await checkAgainstOrt(
      text,
      tensor([
        [1, 2, 3, 4, 5],
        [8, 0, 0, 7, 1],
      ]),
    );
  });

  it('an unsupported layer is an error naming it and listing the supported layers', () => {
    const m = sequential({ layers: [layers.hashing({ numBins: 4, inputShape: [5] })] });
    assert.throws(
      () => exportOnnx(m),
      /layer 'hashing\w*' \(Hashing\) has no ONNX translation; supported layers: Dense, Activation.*LSTM/,
    );
    assert.ok(onnxSupportedLayers().includes('Conv2D'));
    const masked = sequential({
      layers: [
        layers.embedding({ inputDim: 5, outputDim: 2, maskZero: true, inputShape: [3] }),
        layers.lstm({ units: 2 }),
      ],
    });
    assert.throws(() => exportOnnx(masked), /LSTM 'lstm\w*' receives a padding mask \(from maskZero or Masking\)/);
  });

  it('saveOnnx writes the same bytes to a file', async () => {
    const m = sequential({ layers: [layers.dense({ units: 2, inputShape: [3] })] });
    const path = join(mkdtempSync(join(tmpdir(), 'myelin-onnx-')), 'm.onnx');
    await saveOnnx(m, path);
    assert.deepEqual(new Uint8Array(readFileSync(path)), exportOnnx(m));
  });
});
