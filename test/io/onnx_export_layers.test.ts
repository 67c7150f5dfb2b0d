import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  input,
  layers,
  model as functionalModel,
  sequential,
  setSeed,
  tensor,
  type SymbolicTensor,
} from '../../src/index.js';
import { exportOnnx, onnxSupportedLayers } from '../../src/io/onnx_export.js';
import { checkAgainstOrt } from '../helpers/onnx_runtime.js';

/** Values spread over [-4, 4], so hard sigmoids are seen on both flat parts and the slope. */
const spread = (shape: number[], seed: number) =>
  tensor(
    Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 1.3 + seed) * 4),
    shape,
  );

describe('ONNX export of hard sigmoids, recurrent layers run backwards, 1-D pooling and merges, run in ONNX Runtime', () => {
  it("both hard sigmoids: Keras 3's relu6(x + 3) / 6 and TF.js' clip(0.2x + 0.5, 0, 1)", async () => {
    setSeed(1);
    const m = sequential({
      layers: [
        layers.dense({ units: 6, activation: 'linear', inputShape: [3], kernelInitializer: 'ones' }),
        layers.activation({ activation: 'hard_sigmoid' }),
      ],
    });
    const t = sequential({
      layers: [layers.dense({ units: 6, activation: 'hard_sigmoid_tfjs', inputShape: [3], kernelInitializer: 'ones' })],
    });
    await checkAgainstOrt(m, spread([5, 3], 1), 1e-6);
    await checkAgainstOrt(t, spread([5, 3], 2), 1e-6);
  });

  it('LSTM and GRU gates with either hard sigmoid (HardSigmoid with its alpha and beta)', async () => {
    setSeed(2);
    const m = sequential({
      layers: [
        layers.lstm({ units: 4, recurrentActivation: 'hard_sigmoid_tfjs', returnSequences: true, inputShape: [5, 3] }),
        layers.gru({ units: 3, recurrentActivation: 'hard_sigmoid', returnSequences: true }),
        layers.gru({ units: 3, recurrentActivation: 'hard_sigmoid_tfjs', resetAfter: false, returnSequences: true }),
        layers.bidirectional({ layer: layers.lstm({ units: 2, recurrentActivation: 'hard_sigmoid_tfjs' }) }),
      ],
    });
    await checkAgainstOrt(m, spread([2, 5, 3], 3));
  });

  it('goBackwards: GRU, LSTM and SimpleRNN, returning sequences in processing order or the last state', async () => {
    setSeed(3);
    for (const returnSequences of [true, false]) {
      const m = sequential({
        layers: [
          layers.gru({ units: 3, goBackwards: true, returnSequences: true, inputShape: [6, 2] }),
          layers.lstm({ units: 3, goBackwards: true, returnSequences: true }),
          layers.simpleRNN({ units: 2, goBackwards: true, returnSequences }),
        ],
      });
      await checkAgainstOrt(m, spread([2, 6, 2], 4));
    }
  });

  it('GlobalAveragePooling1D and GlobalMaxPooling1D (both data formats, keepdims)', async () => {
    setSeed(4);
    const x = input({ shape: [5, 3] });
    const h = layers.lstm({ units: 4, returnSequences: true }).apply(x) as SymbolicTensor;
    const outs = [
      layers.globalAveragePooling1d().apply(h),
      layers.globalMaxPooling1d({ keepdims: true }).apply(h),
      layers.globalAveragePooling1d({ dataFormat: 'channels_first' }).apply(h),
    ] as SymbolicTensor[];
    await checkAgainstOrt(functionalModel({ inputs: x, outputs: outs }), spread([3, 5, 3], 5));
  });

  it('MaxPooling1D, AveragePooling1D and RepeatVector', async () => {
    setSeed(5);
    const m = sequential({
      layers: [
        layers.dense({ units: 4, inputShape: [3] }),
        layers.repeatVector({ n: 7 }),
        layers.lstm({ units: 3, returnSequences: true }),
        layers.maxPooling1d({ poolSize: 2 }),
        layers.averagePooling1d({ poolSize: 2, strides: 1, padding: 'same' }),
        layers.maxPooling1d({ poolSize: 2, strides: 1, padding: 'same', dataFormat: 'channels_first' }),
        layers.averagePooling1d({ poolSize: 2, dataFormat: 'channels_first' }),
      ],
    });
    await checkAgainstOrt(m, spread([2, 3], 6));
  });

  it('every merge layer, with rank alignment, three inputs, and Dot over several axes with normalize', async () => {
    setSeed(6);
    const a = input({ shape: [4, 3] }),
      b = input({ shape: [4, 3] }),
      v = input({ shape: [3] });
    const outs = [
      layers.add().apply([a, b, v]),
      layers.subtract().apply([a, b]),
      layers.multiply().apply([a, b, v]),
      layers.average().apply([a, b]),
      layers.maximum().apply([a, b, v]),
      layers.minimum().apply([a, b]),
      layers.concatenate({ axis: 1 }).apply([a, b]),
      layers.concatenate().apply([a, b]),
      layers.dot({ axes: 2 }).apply([a, b]),
      layers.dot({ axes: [1, 1], normalize: true }).apply([a, b]),
      layers.dot({ axes: [2, 1] }).apply([a, v]),
      layers.dot({ axes: -1, normalize: true }).apply([v, v]),
    ] as SymbolicTensor[];
    const m = functionalModel({ inputs: [a, b, v], outputs: outs });
    await checkAgainstOrt(m, [spread([2, 4, 3], 7), spread([2, 4, 3], 8), spread([2, 3], 9)]);
    for (const cls of [
      'Add',
      'Subtract',
      'Multiply',
      'Average',
      'Maximum',
      'Minimum',
      'Concatenate',
      'Dot',
      'RepeatVector',
    ])
      assert.ok(onnxSupportedLayers().includes(cls), cls);
  });

  it('a Dot over inputs of unknown length is an error naming the layer', () => {
    const a = input({ shape: [null, 3] });
    const m = functionalModel({
      inputs: a,
      outputs: layers.dot({ axes: 2, name: 'sim' }).apply([a, a]) as SymbolicTensor,
    });
    assert.throws(() => exportOnnx(m), /Dot 'sim' has inputs with unknown dimensions/);
  });
});
