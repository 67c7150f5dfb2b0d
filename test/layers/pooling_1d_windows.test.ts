import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { getFloatX, sequential, setFloatX, tensor, type Tensor } from '../../src/index.js';
import { deserializeLayer, input, layers, serializeLayer, type SymbolicTensor } from '../../src/layers/index.js';
import { fromTfjsFiles, toTfjsFiles } from '../../src/io/tfjs_format.js';
import { assertClose, checkGradients, rand64 } from '../helpers/gradcheck.js';

await tf.setBackend('cpu');

function withFloat64<T>(f: () => T): T {
  const saved = getFloatX();
  setFloatX('float64');
  try {
    return f();
  } finally {
    setFloatX(saved);
  }
}

const seq = (shape: number[], seed: number) => rand64(shape, seed, -2, 2);
const toTf = (x: Tensor) => tf.tensor(Array.from(x.dataSync()), x.shape as number[]);

describe('MaxPooling1D and AveragePooling1D', () => {
  const settings = [
    { poolSize: 2 },
    { poolSize: 3, strides: 1 },
    { poolSize: 3, strides: 2, padding: 'same' as const },
    { poolSize: 4, strides: 3, padding: 'valid' as const },
    { poolSize: 2, strides: 3, padding: 'same' as const },
  ];

  it('match TF.js 4.22 for every window, stride and padding', () => {
    const x = seq([2, 7, 3], 1);
    for (const args of settings) {
      const want = {
        max: tf.layers.maxPooling1d(args).apply(toTf(x)) as tf.Tensor,
        avg: tf.layers.averagePooling1d(args).apply(toTf(x)) as tf.Tensor,
      };
      const max = layers.maxPooling1d(args).apply(x) as Tensor;
      const avg = layers.averagePooling1d(args).apply(x) as Tensor;
      assert.deepEqual(max.shape, want.max.shape, JSON.stringify(args));
      assertClose(max, want.max.dataSync(), 1e-6, `max ${JSON.stringify(args)}`);
      assert.deepEqual(avg.shape, want.avg.shape, JSON.stringify(args));
      assertClose(avg, want.avg.dataSync(), 1e-6, `avg ${JSON.stringify(args)}`);
    }
  });

  it('pool channels_first input over its last axis', () => {
    const x = seq([2, 3, 6], 2); // [batch, channels, steps]
    const first = layers.maxPooling1d({ poolSize: 2, dataFormat: 'channels_first' }).apply(x) as Tensor;
    const last = layers.maxPooling1d({ poolSize: 2 }).apply(x.transpose([0, 2, 1])) as Tensor;
    assert.deepEqual(first.shape, [2, 3, 3]);
    assertClose(first, last.transpose([0, 2, 1]), 0);
  });

  it('infer symbolic shapes and refuse windows that do not fit', () => {
    assert.deepEqual(
      (layers.averagePooling1d({ poolSize: 5 }).apply(input({ shape: [12, 4] })) as SymbolicTensor).shape,
      [null, 2, 4],
    );
    assert.deepEqual(
      (layers.maxPooling1d({ poolSize: 2 }).apply(input({ shape: [null, 4] })) as SymbolicTensor).shape,
      [null, null, 4],
    );
    assert.throws(
      () => layers.maxPooling1d({ poolSize: 5, name: 'p' }).apply(input({ shape: [3, 4] })),
      /MaxPooling1D 'p': a window of 5 does not fit input shape \[null, 3, 4\]/,
    );
    assert.throws(
      () => layers.maxPooling1d({ poolSize: 0, name: 'q' }),
      /MaxPooling1D 'q': 'poolSize' must be a positive integer, got 0/,
    );
    assert.throws(() => layers.averagePooling1d().apply(input({ shape: [4] })), /expected ndim 3|rank 3/);
  });

  it('have correct gradients (float64)', () => {
    withFloat64(() => {
      for (const args of settings) {
        checkGradients((x) => layers.maxPooling1d(args).apply(x) as Tensor, [seq([2, 7, 2], 3)]);
        checkGradients((x) => layers.averagePooling1d(args).apply(x) as Tensor, [seq([2, 7, 2], 4)]);
      }
    });
  });

  it('round-trip their configs in Keras form and load Keras 2 lists', () => {
    const layer = layers.averagePooling1d({ poolSize: 3, strides: 2, padding: 'same', name: 'avg' });
    const config = serializeLayer(layer);
    assert.deepEqual(config.config.poolSize, [3]);
    assert.deepEqual(config.config.strides, [2]);
    assert.deepEqual(deserializeLayer(config).getConfig(), layer.getConfig());
    const keras2 = deserializeLayer({
      className: 'MaxPooling1D',
      config: { poolSize: [5], strides: [5], padding: 'valid' },
    });
    assert.deepEqual((keras2.apply(input({ shape: [11, 2] })) as SymbolicTensor).shape, [null, 2, 2]);
  });
});

describe('RepeatVector', () => {
  it('repeats each sample as TF.js 4.22 does', () => {
    const x = tensor([
      [1, 2],
      [3, 4],
    ]);
    const got = layers.repeatVector({ n: 3 }).apply(x) as Tensor;
    assert.deepEqual(
      got.arraySync(),
      (
        tf.layers.repeatVector({ n: 3 }).apply(
          tf.tensor2d([
            [1, 2],
            [3, 4],
          ]),
        ) as tf.Tensor
      ).arraySync(),
    );
    assert.deepEqual((layers.repeatVector({ n: 4 }).apply(input({ shape: [5] })) as SymbolicTensor).shape, [
      null,
      4,
      5,
    ]);
  });

  it('checks its argument and input rank, sums gradients over the copies, round-trips its config', () => {
    assert.throws(
      () => layers.repeatVector({ n: -1, name: 'r' }),
      /RepeatVector 'r': 'n' must be a non-negative integer, got -1/,
    );
    assert.throws(() => layers.repeatVector({ n: 2 }).apply(input({ shape: [3, 4] })), /ndim|rank/);
    withFloat64(() => checkGradients((x) => layers.repeatVector({ n: 3 }).apply(x) as Tensor, [rand64([2, 4], 5)]));
    assert.equal((deserializeLayer(serializeLayer(layers.repeatVector({ n: 7 }))) as unknown as { n: number }).n, 7);
  });
});

describe('1-D pooling and RepeatVector in the TF.js format', () => {
  it('a model Myelin saves loads in TF.js 4.22 and back with the same numbers', async () => {
    const m = sequential({
      layers: [
        layers.dense({ units: 4, inputShape: [3] }),
        layers.repeatVector({ n: 6 }),
        layers.maxPooling1d({ poolSize: 2 }),
        layers.averagePooling1d({ poolSize: 2, strides: 1, padding: 'same' }),
        layers.flatten(),
      ],
    });
    const x = [
      [0.1, -0.4, 0.7],
      [1, 0.5, -0.3],
    ];
    const expected = (m.predict(tensor(x)) as Tensor).dataSync();
    const { modelJson, shards } = toTfjsFiles(m);
    const parsed = JSON.parse(JSON.stringify(modelJson));
    const loaded = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: parsed.modelTopology,
        weightSpecs: parsed.weightsManifest[0].weights,
        weightData: shards['weights.bin'].slice().buffer,
      }),
    );
    assertClose((loaded.predict(tf.tensor2d(x)) as tf.Tensor).dataSync(), expected, 1e-6);
    assertClose((fromTfjsFiles(parsed, shards).predict(tensor(x)) as Tensor).dataSync(), expected, 0);
  });
});
