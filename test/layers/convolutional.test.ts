import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Tensor } from '../../src/core/tensor.js';
import { conv2d, getFloatX, layers, setFloatX, tensor, type Layer } from '../../src/index.js';
import { deserializeLayer, serializeLayer } from '../../src/layers/registry.js';
import '../../src/layers/index.js';
import { input } from '../../src/layers/input_layer.js';
import type { SymbolicTensor } from '../../src/layers/symbolic.js';
import { assertClose, checkGradients, rand64 } from '../helpers/gradcheck.js';

/**
 * Gradient-checks a layer's output with respect to its input and every trainable weight, in
 * float64. The weights enter as extra inputs: the analytic pass hands over the variables
 * themselves, the finite-difference passes perturbed copies, which are assigned for one call.
 */
function checkLayer(layer: Layer, x: Tensor, training = false): void {
  const saved = getFloatX();
  setFloatX('float64');
  try {
    layer.apply(x, { training });
    const vars = layer.trainableWeights;
    assert.ok(vars.length > 0 || layer.weights.length === 0, 'trainable weights');
    checkGradients(
      (xi, ...ws) => {
        const originals = vars.map((v) => tensorCopy(v));
        ws.forEach((w, i) => {
          if (w !== vars[i]) vars[i].assign(w);
        });
        try {
          return layer.apply(xi, { training }) as Tensor;
        } finally {
          ws.forEach((w, i) => {
            if (w !== vars[i]) vars[i].assign(originals[i]);
          });
        }
      },
      [x, ...vars],
    );
  } finally {
    setFloatX(saved);
  }
}

function tensorCopy(t: Tensor): Tensor {
  return tensor(t.dataSync(), t.shape, t.dtype);
}

function withFloat64<T>(fn: () => T): T {
  const saved = getFloatX();
  setFloatX('float64');
  try {
    return fn();
  } finally {
    setFloatX(saved);
  }
}

describe('convolution layers', () => {
  it('Conv2D has Keras weight layouts and output shapes for every padding and stride', () => {
    for (const [padding, strides, want] of [
      ['valid', 1, [null, 5, 4, 6]],
      ['same', 1, [null, 7, 6, 6]],
      ['valid', 2, [null, 3, 2, 6]],
      ['same', 2, [null, 4, 3, 6]],
    ] as const) {
      const conv = layers.conv2d({ filters: 6, kernelSize: [3, 3], padding, strides });
      const y = conv.apply(input({ shape: [7, 6, 2] })) as SymbolicTensor;
      assert.deepEqual(y.shape, want, `${padding} stride ${strides}`);
      assert.deepEqual(
        conv.getWeights().map((w) => w.shape),
        [[3, 3, 2, 6], [6]],
      );
      const real = conv.apply(rand64([2, 7, 6, 2])) as Tensor;
      assert.deepEqual(real.shape, [2, ...want.slice(1)]);
    }
  });
  it('computes conv + bias + activation', () => {
    const conv = layers.conv2d({ filters: 1, kernelSize: 2, activation: 'relu' });
    conv.apply(tensor(new Float32Array(9), [1, 3, 3, 1]));
    conv.setWeights([tensor([1, 0, 0, -1], [2, 2, 1, 1]), tensor([3.5])]);
    assert.deepEqual(
      (conv.apply(tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1])) as Tensor).dataSync(),
      new Float32Array([0, 0, 0, 0]).fill(0).map(() => 0),
    );
    conv.setWeights([tensor([1, 0, 0, -1], [2, 2, 1, 1]), tensor([5])]);
    assert.deepEqual(
      (conv.apply(tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1])) as Tensor).dataSync(),
      new Float32Array([1, 1, 1, 1]),
    );
  });
  it('gradient-checks every convolution layer with odd sizes, strides, dilation and padding', () => {
    withFloat64(() => {
      checkLayer(
        layers.conv2d({ filters: 2, kernelSize: [3, 2], strides: 2, padding: 'same', activation: 'tanh' }),
        rand64([2, 5, 3, 2], 1),
      );
      checkLayer(layers.conv2d({ filters: 4, kernelSize: 2, dilationRate: 2, groups: 2 }), rand64([1, 5, 4, 2], 2));
      checkLayer(
        layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', strides: [2, 1] }),
        rand64([1, 5, 3, 2], 3),
      );
      checkLayer(layers.separableConv2d({ filters: 3, kernelSize: 2 }), rand64([1, 4, 3, 2], 4));
      checkLayer(
        layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'same' }),
        rand64([1, 2, 3, 2], 5),
      );
    });
  });
  it('Conv2DTranspose, DepthwiseConv2D and SeparableConv2D have Keras shapes', () => {
    const t = layers.conv2dTranspose({ filters: 8, kernelSize: 3, strides: 2 });
    assert.deepEqual((t.apply(input({ shape: [7, 7, 16] })) as SymbolicTensor).shape, [null, 15, 15, 8]);
    assert.deepEqual(
      t.getWeights().map((w) => w.shape),
      [[3, 3, 8, 16], [8]],
    );
    const d = layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 3 });
    assert.deepEqual((d.apply(input({ shape: [8, 8, 4] })) as SymbolicTensor).shape, [null, 6, 6, 12]);
    assert.deepEqual(
      d.getWeights().map((w) => w.shape),
      [[3, 3, 4, 3], [12]],
    );
    const s = layers.separableConv2d({ filters: 5, kernelSize: 3, padding: 'same' });
    assert.deepEqual((s.apply(input({ shape: [8, 8, 4] })) as SymbolicTensor).shape, [null, 8, 8, 5]);
    assert.deepEqual(
      s.getWeights().map((w) => w.shape),
      [[3, 3, 4, 1], [1, 1, 4, 5], [5]],
    );
  });
  it('names the layer and the shapes on bad input', () => {
    const conv = layers.conv2d({ filters: 2, kernelSize: 3, name: 'c1' });
    assert.throws(
      () => conv.apply(rand64([4, 4, 1])),
      /Conv2D 'c1' expects a rank-4 batch of images \[batch, height, width, channels\], got input shape \[4, 4, 1\]/,
    );
    assert.throws(
      () => conv.apply(rand64([1, 2, 5, 1])),
      /Conv2D 'c1' with input shape \[1, 2, 5, 1\]: the window of 3x3 is larger than the valid-padded input of 2x5/,
    );
    conv.apply(rand64([1, 5, 5, 1]));
    assert.throws(
      () => conv.apply(rand64([1, 5, 5, 3])),
      /Input 0 of layer 'c1' is incompatible: expected shape \[null, 5, 5, 1\], got \[1, 5, 5, 3\]/,
    );
    assert.throws(
      () => layers.conv2d({ filters: 0, kernelSize: 3, name: 'c2' }),
      /Conv2D 'c2': 'filters' must be a positive integer, got 0/,
    );
    assert.throws(
      () => layers.conv2d({ filters: 2, kernelSize: 3, padding: 'full' as 'same', name: 'c3' }),
      /Conv2D 'c3': 'padding' must be 'valid' or 'same', got "full"/,
    );
    assert.throws(
      () => layers.maxPooling2d({ poolSize: 3, name: 'p' }).apply(input({ shape: [2, 8, 1] })),
      /MaxPooling2D 'p' with input shape \[null, 2, 8, 1\]: the window of 3x3 is larger than the valid-padded input of 2x8 .*output of 0x2/,
    );
  });
});

describe('pooling and resizing layers', () => {
  it('pool with Keras defaults and shapes', () => {
    const x = rand64([2, 7, 5, 3], 6);
    assert.deepEqual((layers.maxPooling2d().apply(x) as Tensor).shape, [2, 3, 2, 3]);
    assert.deepEqual(
      (layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(x) as Tensor).shape,
      [2, 4, 3, 3],
    );
    assert.deepEqual((layers.globalAveragePooling2d().apply(x) as Tensor).shape, [2, 3]);
    assert.deepEqual((layers.globalMaxPooling2d({ keepdims: true }).apply(x) as Tensor).shape, [2, 1, 1, 3]);
    assert.deepEqual(
      (layers.maxPooling2d({ poolSize: [2, 3], strides: 1 }).apply(input({ shape: [7, 5, 3] })) as SymbolicTensor)
        .shape,
      [null, 6, 3, 3],
    );
  });
  it('gradient-checks pooling and resizing layers', () => {
    withFloat64(() => {
      checkLayer(layers.maxPooling2d({ poolSize: [3, 2], strides: [2, 1], padding: 'same' }), rand64([1, 5, 4, 2], 7));
      checkLayer(layers.averagePooling2d({ poolSize: 2, padding: 'same' }), rand64([1, 5, 3, 2], 8));
      checkLayer(layers.globalAveragePooling2d(), rand64([2, 3, 3, 2], 9));
      checkLayer(layers.globalMaxPooling2d(), rand64([2, 3, 3, 2], 10));
      checkLayer(
        layers.zeroPadding2d({
          padding: [
            [1, 0],
            [2, 1],
          ],
        }),
        rand64([1, 2, 3, 2], 11),
      );
      checkLayer(
        layers.cropping2d({
          cropping: [
            [1, 0],
            [0, 2],
          ],
        }),
        rand64([1, 4, 5, 2], 12),
      );
      checkLayer(layers.upSampling2d({ size: [2, 3] }), rand64([1, 2, 2, 2], 13));
    });
  });
  it('zero-pads, crops and upsamples by hand', () => {
    const x = tensor([1, 2, 3, 4], [1, 2, 2, 1]);
    assert.deepEqual(
      (layers.zeroPadding2d({ padding: [1, 0] }).apply(x) as Tensor).dataSync(),
      new Float32Array([0, 0, 1, 2, 3, 4, 0, 0]),
    );
    assert.deepEqual(
      (
        layers
          .cropping2d({
            cropping: [
              [1, 0],
              [0, 1],
            ],
          })
          .apply(x) as Tensor
      ).dataSync(),
      new Float32Array([3]),
    );
    assert.deepEqual(
      (layers.upSampling2d().apply(x) as Tensor).dataSync(),
      new Float32Array([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]),
    );
    assert.throws(
      () => layers.cropping2d({ cropping: 1, name: 'cr' }).apply(x),
      /Cropping2D 'cr': cropping \[\[1, 1\], \[1, 1\]\] removes everything from input shape \[1, 2, 2, 1\]/,
    );
  });
});

describe('normalization layers', () => {
  it('BatchNormalization: Keras weights, training statistics and moving averages', () => {
    const bn = layers.batchNormalization();
    const x = tensor([
      [1, 10],
      [3, 20],
      [5, 60],
    ]);
    const y = bn.apply(x, { training: true }) as Tensor;
    assert.deepEqual(
      bn.weights.map((w) => w.name.split('/')[1]),
      ['gamma', 'beta', 'moving_mean', 'moving_variance'],
    );
    assert.deepEqual(bn.trainableWeights.length, 2);
    // Column 0: mean 3, biased variance 8/3; normalized with epsilon 1e-3.
    const s0 = Math.sqrt(8 / 3 + 1e-3);
    assertClose(
      (y.arraySync() as number[][]).map((r) => r[0]),
      [-2 / s0, 0, 2 / s0],
      1e-5,
    );
    const [, , movingMean, movingVar] = bn.getWeights();
    assertClose(movingMean, [0.01 * 3, 0.01 * 30], 1e-6);
    assertClose(movingVar, [0.99 + 0.01 * (8 / 3), 0.99 + 0.01 * (1400 / 3)], 1e-5);
    // Inference uses the moving statistics, and does not change them.
    const inf = bn.apply(x) as Tensor;
    assertClose(
      (inf.arraySync() as number[][]).map((r) => r[0]),
      [1, 3, 5].map((v) => (v - 0.03) / Math.sqrt(0.99 + 0.08 / 3 + 1e-3)),
      1e-5,
    );
    assertClose(bn.getWeights()[2], [0.03, 0.3], 1e-6);
  });
  it('BatchNormalization normalizes each channel of images and gradient-checks in training and inference', () => {
    withFloat64(() => {
      const bn = layers.batchNormalization({ momentum: 0.5 });
      const y = bn.apply(rand64([3, 2, 2, 2], 14, 0, 5), { training: true }) as Tensor;
      const v = y.arraySync() as number[][][][];
      const ch0 = v.flat(2).map((p) => p[0]);
      assert.ok(Math.abs(ch0.reduce((a, b) => a + b, 0) / ch0.length) < 1e-9);
      checkLayer(layers.batchNormalization(), rand64([3, 2, 3, 2], 15), true);
      checkLayer(layers.batchNormalization({ axis: 1 }), rand64([2, 3, 2], 16), false);
    });
  });
  it('LayerNormalization normalizes each sample and gradient-checks', () => {
    const ln = layers.layerNormalization();
    const y = ln.apply(
      tensor([
        [1, 2, 3],
        [10, 10, 40],
      ]),
    ) as Tensor;
    const r = (y.arraySync() as number[][])[0];
    const s = Math.sqrt(2 / 3 + 1e-3);
    assertClose(r, [-1 / s, 0, 1 / s], 1e-5);
    withFloat64(() => {
      checkLayer(layers.layerNormalization(), rand64([2, 3, 4], 17));
      checkLayer(layers.layerNormalization({ axis: [1, 2] }), rand64([2, 2, 3], 18));
    });
  });
});

describe('noise and augmentation layers', () => {
  it('are active only in training', () => {
    const x = tensor(Float32Array.from(rand64([4, 3, 3, 2], 19).dataSync()), [4, 3, 3, 2]);
    for (const layer of [
      layers.gaussianNoise({ stddev: 0.5, seed: 1 }),
      layers.spatialDropout2d({ rate: 0.5, seed: 1 }),
      layers.randomFlip({ seed: 3 }),
    ]) {
      assert.deepEqual((layer.apply(x) as Tensor).dataSync(), x.dataSync(), `${layer.getClassName()} in inference`);
      assert.notDeepEqual(
        (layer.apply(x, { training: true }) as Tensor).dataSync(),
        x.dataSync(),
        `${layer.getClassName()} in training`,
      );
    }
  });
  it('SpatialDropout2D drops whole channels; RandomFlip mirrors whole images', () => {
    const x = tensor(new Float32Array(2 * 3 * 3 * 8).fill(1), [2, 3, 3, 8]);
    const y = (
      layers.spatialDropout2d({ rate: 0.5, seed: 2 }).apply(x, { training: true }) as Tensor
    ).arraySync() as number[][][][];
    for (const img of y)
      for (let c = 0; c < 8; c++) {
        const values = new Set(img.flat().map((p) => p[c]));
        assert.equal(values.size, 1);
        assert.ok([0, 2].includes([...values][0]));
      }
    const img = tensor([1, 2, 3, 4, 5, 6], [1, 2, 3, 1]);
    const flips = new Set<string>();
    const flip = layers.randomFlip({ mode: 'horizontal', seed: 4 });
    for (let i = 0; i < 20; i++)
      flips.add(JSON.stringify(Array.from((flip.apply(img, { training: true }) as Tensor).dataSync())));
    assert.deepEqual([...flips].sort(), ['[1,2,3,4,5,6]', '[3,2,1,6,5,4]']);
  });
});

describe('configs', () => {
  it('every layer rebuilds from its config', () => {
    const all: Layer[] = [
      layers.conv2d({
        filters: 3,
        kernelSize: [3, 2],
        strides: 2,
        padding: 'same',
        dilationRate: 1,
        groups: 1,
        activation: 'relu',
        useBias: false,
      }),
      layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2 }),
      layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2 }),
      layers.separableConv2d({ filters: 4, kernelSize: 3 }),
      layers.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same' }),
      layers.averagePooling2d(),
      layers.globalAveragePooling2d({ keepdims: true }),
      layers.globalMaxPooling2d(),
      layers.zeroPadding2d({ padding: 2 }),
      layers.cropping2d({ cropping: [1, 2] }),
      layers.upSampling2d({ size: 3 }),
      layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5, center: false }),
      layers.layerNormalization({ axis: [1, 2] }),
      layers.spatialDropout2d({ rate: 0.3, seed: 1 }),
      layers.gaussianNoise({ stddev: 0.2 }),
      layers.randomFlip({ mode: 'vertical' }),
    ];
    for (const layer of all) {
      const config = JSON.parse(JSON.stringify(serializeLayer(layer)));
      const rebuilt = deserializeLayer(config);
      assert.equal(rebuilt.getClassName(), layer.getClassName());
      assert.deepEqual(serializeLayer(rebuilt), config);
    }
    assert.equal(
      (
        deserializeLayer({ className: 'Conv2D', config: { filters: 2, kernelSize: 3 } }).apply(
          rand64([1, 4, 4, 1]),
        ) as Tensor
      ).shape[3],
      2,
    );
    void conv2d;
  });
});

describe('Conv3D with groups', () => {
  it('each group of filters convolves its own slice of the channels, as separate convolutions would', () => {
    const x = rand64([2, 3, 4, 3, 4], 21);
    const grouped = layers.conv3d({ filters: 6, kernelSize: [2, 2, 1], groups: 2, padding: 'same' });
    const y = grouped.apply(x) as Tensor;
    const [kernel, bias] = grouped.getWeights(); // kernel [2, 2, 1, 2, 6]: 2 channels per group
    assert.deepEqual(kernel.shape, [2, 2, 1, 2, 6]);
    for (let g = 0; g < 2; g++) {
      const single = layers.conv3d({ filters: 3, kernelSize: [2, 2, 1], padding: 'same' });
      single.apply(x.slice([0, 0, 0, 0, 2 * g], [2, 3, 4, 3, 2]));
      single.setWeights([kernel.slice([0, 0, 0, 0, 3 * g], [2, 2, 1, 2, 3]), bias.slice([3 * g], [3])]);
      const want = single.apply(x.slice([0, 0, 0, 0, 2 * g], [2, 3, 4, 3, 2])) as Tensor;
      assertClose(y.slice([0, 0, 0, 0, 3 * g], [2, 3, 4, 3, 3]), want, 1e-5);
    }
    const back = deserializeLayer(serializeLayer(grouped));
    assert.equal((back.getConfig() as { groups: number }).groups, 2);
  });
  it('gradient-checks in float64 and refuses channels or filters that do not divide', () => {
    withFloat64(() =>
      checkLayer(
        layers.conv3d({ filters: 4, kernelSize: 2, strides: [1, 2, 1], groups: 2 }),
        rand64([1, 3, 4, 3, 4], 22),
      ),
    );
    assert.throws(
      () => layers.conv3d({ filters: 3, kernelSize: 2, groups: 2 }),
      /'filters' \(3\) must be divisible by 'groups' \(2\)/,
    );
    assert.throws(
      () => layers.conv3d({ filters: 4, kernelSize: 1, groups: 2, name: 'c3' }).apply(rand64([1, 2, 2, 2, 3], 23)),
      /Conv3D 'c3': the input's 3 channels are not divisible by 'groups' \(2\)/,
    );
  });
});
