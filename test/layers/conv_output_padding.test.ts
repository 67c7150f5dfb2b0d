import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setSeed, type Tensor } from '../../src/index.js';
import { layers } from '../../src/layers/index.js';
import { assertClose, rand64 } from '../helpers/gradcheck.js';

await tf.setBackend('cpu');

describe("Conv2DTranspose outputPadding (Keras' output sizes; TensorFlow's transposed convolution)", () => {
  it('matches tf.conv2dTranspose given the same output shape', () => {
    setSeed(3);
    const cases = [
      {
        kernelSize: 3,
        strides: 2,
        padding: 'same' as const,
        outputPadding: [1, 0] as [number, number],
        input: [2, 3, 2, 2],
      },
      {
        kernelSize: 2,
        strides: 3,
        padding: 'valid' as const,
        outputPadding: [2, 1] as [number, number],
        input: [1, 2, 3, 1],
      },
      {
        kernelSize: 4,
        strides: 2,
        padding: 'same' as const,
        outputPadding: [1, 1] as [number, number],
        input: [1, 3, 3, 2],
      },
    ];
    for (const c of cases) {
      const layer = layers.conv2dTranspose({
        filters: 2,
        kernelSize: c.kernelSize,
        strides: c.strides,
        padding: c.padding,
        outputPadding: c.outputPadding,
        useBias: false,
      });
      const x = rand64(c.input, 5);
      const y = layer.apply(x) as Tensor;
      // Keras: (in - 1) * stride + kernel - 2 * pad + outputPadding, pad = kernel // 2 for 'same'.
      const pad = c.padding === 'same' ? Math.floor(c.kernelSize / 2) : 0;
      const size = (n: number, i: number) => (n - 1) * c.strides + c.kernelSize - 2 * pad + c.outputPadding[i];
      const shape: [number, number, number, number] = [c.input[0], size(c.input[1], 0), size(c.input[2], 1), 2];
      assert.deepEqual(y.shape, shape);
      const kernel = layer.getWeights()[0];
      const want = tf.conv2dTranspose(
        tf.tensor4d(Array.from(x.dataSync()), c.input as [number, number, number, number]),
        tf.tensor4d(Array.from(kernel.dataSync()), kernel.shape as [number, number, number, number]),
        shape,
        c.strides,
        c.padding,
      );
      assertClose(y, want.dataSync(), 1e-5, JSON.stringify(c));
    }
  });
  it('refuses an output padding not less than the stride', () => {
    assert.throws(
      () => layers.conv2dTranspose({ filters: 1, kernelSize: 3, strides: 2, outputPadding: 2 }),
      /'outputPadding' 2 must be less than the strides \[2, 2\] on each axis/,
    );
  });
});
