// TF.js' op surface on Myelin: TensorBuffer, the chainable methods TF.js has, the positional
// convolution and pooling signatures, and the composite ops TF.js programs call. Values are
// checked against TF.js 4.22 on the same inputs; composites are gradient-checked in float64.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import * as my from '../../src/index.js';
import { assertClose, checkGradients, rand64 } from '../helpers/gradcheck.js';

await tf.setBackend('cpu');

const seq = (n: number, scale = 0.1) => Array.from({ length: n }, (_, i) => Math.sin(i * 1.3) * scale * 10);
const both = (shape: number[], values = seq(shape.reduce((a, b) => a * b, 1))) => ({
  m: my.tensor(values, shape),
  t: tf.tensor(values, shape),
});

describe('TensorBuffer and bufferSync', () => {
  it('set, get, toTensor and the strides, as TF.js', () => {
    const b = my.buffer([2, 3]);
    b.set(5, 1, 2);
    b.set(-1, 0, 0);
    assert.equal(b.get(1, 2), 5);
    assert.deepEqual(b.strides, [3]);
    assert.deepEqual(b.toTensor().arraySync(), [
      [-1, 0, 0],
      [0, 0, 5],
    ]);
    assert.deepEqual(b.indexToLoc(5), [1, 2]);
    const t = new my.TensorBuffer([2], 'int32', [3, 4]);
    assert.equal(t.toTensor().dtype, 'int32');
    assert.equal(
      my
        .tensor([[1, 2]])
        .bufferSync()
        .get(0, 1),
      2,
    );
  });
  it('names the bad index', () => {
    assert.throws(() => my.buffer([2, 2]).set(1, 2, 0), /index 2 on axis 0 is out of range for shape \[2, 2\]/);
    assert.throws(() => my.buffer([2, 2]).get(1), /expected 2 indices for shape \[2, 2\], got 1/);
  });
  it('buffer() resolves to the same values', async () => {
    assert.deepEqual(Array.from((await my.tensor([1, 2, 3]).buffer()).values), [1, 2, 3]);
  });
});

describe('TF.js tensor methods', () => {
  it('dtype conversions, rank views and clone', () => {
    const x = my.tensor([1.7, -2.2, 0]);
    assert.deepEqual(x.toInt().arraySync(), [1, -2, 0]);
    assert.equal(x.toInt().dtype, 'int32');
    assert.deepEqual(x.toBool().arraySync(), [true, true, false]);
    assert.equal(x.toInt().toFloat().dtype, 'float32');
    assert.equal(x.asType('int32').dtype, 'int32');
    assert.deepEqual(my.tensor([1, 2, 3, 4, 5, 6]).as2D(2, 3).shape, [2, 3]);
    assert.deepEqual(my.tensor([[1, 2, 3, 4]]).as1D().shape, [4]);
    assert.deepEqual(my.ones([24]).as4D(1, 2, 3, 4).shape, [1, 2, 3, 4]);
    assert.deepEqual(my.tensor([[7]]).asScalar().shape, []);
    assert.throws(
      () => my.tensor([1, 2, 3]).as2D(2, 2),
      /as2D: cannot view a tensor of shape \[3\] \(3 values\) as \[2, 2\]/,
    );
    const c = x.clone();
    c.dispose();
    assert.deepEqual(Array.from(x.dataSync()), Array.from(my.tensor([1.7, -2.2, 0]).dataSync()));
  });
  it('element-wise methods match TF.js', () => {
    const { m, t } = both([6], [-2, -0.5, 0, 0.3, 1, 2]);
    const pairs: [my.Tensor, tf.Tensor][] = [
      [m.logSigmoid(), t.logSigmoid()],
      [m.step(0.1), t.step(0.1)],
      [m.tan(), t.tan()],
      [m.sinh(), t.sinh()],
      [m.cosh(), t.cosh()],
      [m.atan(), t.atan()],
      [m.zerosLike(), t.zerosLike()],
      [m.onesLike(), t.onesLike()],
      [m.divNoNan(my.tensor([1, 0, 2, 0, 4, 1])), t.divNoNan(tf.tensor([1, 0, 2, 0, 4, 1]))],
    ];
    for (const [a, b] of pairs) assertClose(a.dataSync(), b.dataSync() as Float32Array, 1e-5);
    assert.deepEqual(
      my
        .tensor([true, true, false])
        .logicalXor(my.tensor([true, false, false]))
        .arraySync(),
      [false, true, false],
    );
    assert.deepEqual(m.where(m.greater(0), my.zerosLike(m)).arraySync(), [0, 0, 0, 0.30000001192092896, 1, 2]);
  });
  it('dot and topk match TF.js', () => {
    const a = both([2, 3]);
    const b = both([3], [1, -1, 2]);
    assertClose(a.m.dot(b.m).dataSync(), a.t.dot(b.t).dataSync() as Float32Array);
    assertClose(my.dot(b.m, b.m).dataSync(), tf.dot(b.t, b.t).dataSync() as Float32Array);
    const x = both([2, 5]);
    const mine = my.topk(x.m, 3);
    const theirs = tf.topk(x.t, 3);
    assertClose(mine.values.dataSync(), theirs.values.dataSync() as Float32Array);
    assert.deepEqual(Array.from(mine.indices.dataSync()), Array.from(theirs.indices.dataSync()));
  });
  it('composites have gradients (float64 finite differences)', () => {
    checkGradients((x) => my.logSigmoid(x), [rand64([5], 3, -3, 3)]);
    checkGradients((x, y) => my.divNoNan(x, y), [rand64([4], 4), rand64([4], 5, 0.5, 2)]);
    checkGradients((x, y) => my.dot(x, y), [rand64([2, 3], 6), rand64([3], 7)]);
    checkGradients((x) => my.topk(x, 2).values, [rand64([3, 4], 8)]);
    checkGradients((x) => x.clone().mul(x), [rand64([3], 9)]);
  });
});

describe('positional convolutions and pooling (TF.js signatures)', () => {
  const images = both([2, 5, 5, 3]);
  it('conv2d, depthwiseConv2d, separableConv2d and conv2dTranspose match TF.js', () => {
    const f = both([3, 3, 3, 4]);
    // Square strides with a numeric pad: TF.js sizes both axes from the height's stride there.
    for (const [strides, pad] of [
      [[2, 1], 'same'],
      [[2, 1], 'valid'],
      [2, 1],
    ] as const) {
      assertClose(
        my.conv2d(images.m, f.m, strides, pad).dataSync(),
        tf
          .conv2d(images.t as tf.Tensor4D, f.t as tf.Tensor4D, strides as [number, number], pad)
          .dataSync() as Float32Array,
        1e-4,
        `conv2d pad ${pad}`,
      );
    }
    assertClose(
      images.m.conv2d(f.m, 1, 'same', 'NHWC', 2).dataSync(),
      tf.conv2d(images.t as tf.Tensor4D, f.t as tf.Tensor4D, 1, 'same', 'NHWC', 2).dataSync() as Float32Array,
      1e-4,
    );
    const dw = both([3, 3, 3, 2]);
    assertClose(
      my.depthwiseConv2d(images.m, dw.m, 1, 'same').dataSync(),
      tf.depthwiseConv2d(images.t as tf.Tensor4D, dw.t as tf.Tensor4D, 1, 'same').dataSync() as Float32Array,
      1e-4,
    );
    const pw = both([1, 1, 6, 4]);
    assertClose(
      my.separableConv2d(images.m, dw.m, pw.m, 1, 'valid').dataSync(),
      tf
        .separableConv2d(images.t as tf.Tensor4D, dw.t as tf.Tensor4D, pw.t as tf.Tensor4D, 1, 'valid')
        .dataSync() as Float32Array,
      1e-4,
    );
    const up = both([3, 3, 4, 3]);
    assertClose(
      my.conv2dTranspose(images.m, up.m, [2, 10, 10, 4], 2, 'same').dataSync(),
      tf
        .conv2dTranspose(images.t as tf.Tensor4D, up.t as tf.Tensor4D, [2, 10, 10, 4], 2, 'same')
        .dataSync() as Float32Array,
      1e-4,
    );
  });
  it('conv1d, single images and the options form still work', () => {
    const x = both([2, 7, 3]);
    const f = both([3, 3, 5]);
    assertClose(
      my.conv1d(x.m, f.m, 2, 'same').dataSync(),
      tf.conv1d(x.t as tf.Tensor3D, f.t as tf.Tensor3D, 2, 'same').dataSync() as Float32Array,
      1e-4,
    );
    const one = both([5, 5, 3]);
    const k = both([2, 2, 3, 1]);
    const single = my.conv2d(one.m, k.m, 1, 'valid');
    assert.deepEqual(single.shape, [4, 4, 1]);
    assertClose(
      single.dataSync(),
      tf.conv2d(one.t as tf.Tensor3D, k.t as tf.Tensor4D, 1, 'valid').dataSync() as Float32Array,
      1e-4,
    );
    assert.deepEqual(my.conv2d(images.m, k.m, { strides: 2, padding: 'same' }).shape, [2, 3, 3, 1]);
  });
  it('maxPool and avgPool match TF.js, as functions and methods', () => {
    for (const pad of ['same', 'valid'] as const) {
      assertClose(
        my.maxPool(images.m, 3, 2, pad).dataSync(),
        tf.maxPool(images.t as tf.Tensor4D, 3, 2, pad).dataSync() as Float32Array,
      );
      assertClose(
        images.m.avgPool([2, 3], 1, pad).dataSync(),
        tf.avgPool(images.t as tf.Tensor4D, [2, 3], 1, pad).dataSync() as Float32Array,
        1e-5,
      );
    }
  });
  it('refuses channels-first data and names it', () => {
    const f = my.ones([1, 1, 3, 1]);
    assert.throws(() => my.conv2d(images.m, f, 1, 'same', 'NCHW'), /conv2d: dataFormat 'NCHW' is not supported/);
  });
});

describe('multinomial, dropout and the other TF.js ops', () => {
  it('multinomial draws in proportion to the probabilities and is reproducible with a seed', () => {
    const logits = my.tensor([[Math.log(0.1), Math.log(0.6), Math.log(0.3)]]);
    const draws = my.multinomial(logits, 6000, 7).dataSync();
    const counts = [0, 0, 0];
    for (const d of draws) counts[d]++;
    [0.1, 0.6, 0.3].forEach((p, k) => assert.ok(Math.abs(counts[k] / 6000 - p) < 0.03, `class ${k}: ${counts[k]}`));
    assert.deepEqual(my.multinomial(logits, 10, 3).arraySync(), my.multinomial(logits, 10, 3).arraySync());
    const normalized = my.multinomial(my.tensor([0, 1, 0]), 5, undefined, true);
    assert.deepEqual(normalized.arraySync(), [1, 1, 1, 1, 1]);
    assert.equal(normalized.dtype, 'int32');
  });
  it('dropout keeps the mean, outerProduct, tensor5d', () => {
    my.setSeed(1);
    const kept = my
      .dropout(my.ones([20000]), 0.25)
      .mean()
      .item();
    assert.ok(Math.abs(kept - 1) < 0.03, `mean ${kept}`);
    assert.deepEqual(my.outerProduct(my.tensor([1, 2]), my.tensor([3, 4, 5])).arraySync(), [
      [3, 4, 5],
      [6, 8, 10],
    ]);
    assert.deepEqual(my.tensor5d([1, 2], [1, 1, 1, 1, 2]).shape, [1, 1, 1, 1, 2]);
  });
});
