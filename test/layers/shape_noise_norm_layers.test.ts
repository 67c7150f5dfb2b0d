import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { model as functionalModel, ones, sequential, setSeed, tensor, type Tensor } from '../../src/index.js';
import { input, layers, type SymbolicTensor } from '../../src/layers/index.js';
import { assertClose, rand64 } from '../helpers/gradcheck.js';

const values = (t: Tensor) => Array.from(t.dataSync());
const meanOf = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const varianceOf = (v: number[]) => {
  const m = meanOf(v);
  return meanOf(v.map((x) => (x - m) ** 2));
};

describe('1-D shape layers and Permute', () => {
  const x = tensor([[[1], [2]]]); // [batch 1, steps 2, features 1]
  it('UpSampling1D repeats every step', () => {
    assert.deepEqual((layers.upSampling1d({ size: 3 }).apply(x) as Tensor).arraySync(), [
      [[1], [1], [1], [2], [2], [2]],
    ]);
  });
  it('ZeroPadding1D pads the steps (or, channels first, the last axis)', () => {
    assert.deepEqual((layers.zeroPadding1d({ padding: [1, 2] }).apply(x) as Tensor).arraySync(), [
      [[0], [1], [2], [0], [0]],
    ]);
    assert.deepEqual((layers.zeroPadding1d({ dataFormat: 'channels_first' }).apply(x) as Tensor).arraySync(), [
      [
        [0, 1, 0],
        [0, 2, 0],
      ],
    ]);
  });
  it('Cropping1D removes steps and refuses to remove them all', () => {
    const seq = tensor([[[1], [2], [3], [4]]]);
    assert.deepEqual((layers.cropping1d({ cropping: [1, 2] }).apply(seq) as Tensor).arraySync(), [[[2]]]);
    assert.throws(
      () => layers.cropping1d({ cropping: 2 }).apply(seq),
      /Cropping1D 'cropping1d(_\d+)?': cropping \[2, 2\] must leave at least one step of an input of shape \[1, 4, 1\]/,
    );
  });
  it('Permute reorders the axes after the batch', () => {
    const y = layers.permute({ dims: [2, 1] }).apply(
      tensor([
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
      ]),
    ) as Tensor;
    assert.deepEqual(y.arraySync(), [
      [
        [1, 4],
        [2, 5],
        [3, 6],
      ],
    ]);
    assert.throws(() => layers.permute({ dims: [0, 1] }), /'dims' must be a permutation of 1..n/);
  });
  it('Flatten drops a mask it receives, as in Keras 3, so the layers after it see every value', () => {
    setSeed(4);
    const build = (maskZero: boolean) =>
      sequential({
        layers: [
          layers.embedding({ inputDim: 5, outputDim: 2, maskZero, inputShape: [3], embeddingsInitializer: 'ones' }),
          layers.flatten(),
          layers.dense({ units: 1, kernelInitializer: 'ones' }),
        ],
      });
    const ids = tensor([[1, 0, 2]], undefined, 'int32');
    assert.deepEqual(values(build(true).predict(ids) as Tensor), values(build(false).predict(ids) as Tensor));
    const flat = layers.flatten();
    assert.equal(flat.computeMask(ones([1, 3, 2]), tensor([[true, false, true]], undefined, 'bool')), null);
  });
});

describe('noise layers while training (the identity in inference)', () => {
  it('GaussianDropout multiplies by noise of mean 1 and variance rate / (1 - rate)', () => {
    const y = values(
      layers.gaussianDropout({ rate: 0.2, seed: 1 }).apply(ones([1, 20000]), { training: true }) as Tensor,
    );
    assert.ok(Math.abs(meanOf(y) - 1) < 0.02, `mean ${meanOf(y)}`);
    assert.ok(Math.abs(varianceOf(y) - 0.25) < 0.02, `variance ${varianceOf(y)}`);
  });
  it('AlphaDropout keeps the mean and variance of standard normal inputs', () => {
    const x = tensor(
      Array.from({ length: 20000 }, (_, i) => Math.sqrt(-2 * Math.log((i + 0.5) / 20000)) * Math.cos(i * 2.39996)),
      [1, 20000],
    );
    const y = values(layers.alphaDropout({ rate: 0.3, seed: 2 }).apply(x, { training: true }) as Tensor);
    assert.ok(Math.abs(meanOf(y)) < 0.05, `mean ${meanOf(y)}`);
    assert.ok(Math.abs(varianceOf(y) - varianceOf(values(x))) < 0.06, `variance ${varianceOf(y)}`);
    // Dropped entries all take the same value, a·(−alpha·scale) + b.
    const alphaP = -1.6732632423543772 * 1.0507009873554805;
    const a = (0.7 * (1 + 0.3 * alphaP ** 2)) ** -0.5;
    const dropped = a * alphaP - a * alphaP * 0.3;
    const share = y.filter((v) => Math.abs(v - dropped) < 1e-5).length / y.length;
    assert.ok(Math.abs(share - 0.3) < 0.02, `dropped share ${share}`);
  });
  it('SpatialDropout1D and 3D drop whole channels of each sample', () => {
    const check = (y: Tensor, channels: number) => {
      const v = values(y);
      const perSample = v.length / y.shape[0];
      for (let b = 0; b < y.shape[0]; b++)
        for (let c = 0; c < channels; c++) {
          const column = v.slice(b * perSample, (b + 1) * perSample).filter((_, i) => i % channels === c);
          assert.ok(column.every((u) => u === column[0]) && (column[0] === 0 || column[0] === 2), `${column}`);
        }
    };
    check(layers.spatialDropout1d({ rate: 0.5, seed: 3 }).apply(ones([4, 5, 6]), { training: true }) as Tensor, 6);
    check(
      layers.spatialDropout3d({ rate: 0.5, seed: 3 }).apply(ones([2, 2, 3, 2, 4]), { training: true }) as Tensor,
      4,
    );
    const x = ones([2, 3, 4]);
    assert.ok(layers.spatialDropout1d({ rate: 0.5 }).apply(x) === x, 'the identity in inference');
  });
});

describe('GroupNormalization and UnitNormalization', () => {
  it('GroupNormalization normalizes each group of channels per sample', () => {
    const y = layers.groupNormalization({ groups: 2 }).apply(tensor([[1, 3, 2, 6]])) as Tensor;
    // Groups [1, 3] (mean 2, variance 1) and [2, 6] (mean 4, variance 4), epsilon 1e-3.
    const s1 = 1 / Math.sqrt(1 + 1e-3),
      s2 = 2 / Math.sqrt(4 + 1e-3);
    assertClose(y, [-s1, s1, -s2, s2], 1e-6);
  });
  it('groups 1 is layer normalization over every axis; groups -1 normalizes each channel', () => {
    const x = rand64([2, 3, 4], 5);
    const one = layers.groupNormalization({ groups: 1 }).apply(x) as Tensor;
    const ln = layers.layerNormalization({ axis: [1, 2] }).apply(x) as Tensor;
    assertClose(one, ln, 1e-6);
    const inst = values(layers.groupNormalization({ groups: -1 }).apply(x) as Tensor);
    const channel0 = inst.filter((_, i) => i % 4 === 0 && i < 12);
    assert.ok(Math.abs(meanOf(channel0)) < 1e-6);
    assert.throws(
      () => layers.groupNormalization({ groups: 3 }).apply(x),
      /4 channels cannot be split into 3 equal groups \(input shape \[2, 3, 4\]\)/,
    );
  });
  it('UnitNormalization scales vectors to unit length and keeps zeros', () => {
    assertClose(
      layers.unitNormalization().apply(
        tensor([
          [3, 4],
          [0, 0],
        ]),
      ) as Tensor,
      [0.6, 0.8, 0, 0],
    );
    const x = input({ shape: [2, 2] });
    const m = functionalModel({
      inputs: x,
      outputs: layers.unitNormalization({ axis: [1, 2] }).apply(x) as SymbolicTensor,
    });
    assertClose(
      m.predict(
        tensor([
          [
            [1, 1],
            [1, 1],
          ],
        ]),
      ) as Tensor,
      [0.5, 0.5, 0.5, 0.5],
    );
  });
});
