import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  loadFromBuffers,
  model as functionalModel,
  mul,
  resizeImages,
  saveToBuffers,
  sequential,
  tensor,
  type Tensor,
} from '../../src/index.js';
import { input, layers, type SymbolicTensor } from '../../src/layers/index.js';
import { assertClose } from '../helpers/gradcheck.js';

const ints = (v: number[] | number[][]) => tensor(v, undefined, 'int32');
const out = (y: unknown) => (y as Tensor).arraySync();

describe('resizing images (TensorFlow half-pixel sampling, as Keras 3)', () => {
  it('bilinear and nearest, up and down', () => {
    const row = (v: number[]) => tensor(v, [1, 1, v.length, 1]);
    assertClose(resizeImages(row([0, 1]), [1, 4]), [0, 0.25, 0.75, 1]);
    assertClose(resizeImages(row([0, 1, 2, 3]), [1, 2]), [0.5, 2.5]);
    assertClose(resizeImages(row([0, 1, 2]), [1, 2], 'nearest'), [0, 2]);
    assertClose(resizeImages(row([5, 7]), [1, 4], 'nearest'), [5, 5, 7, 7]);
  });
  it('antialiased shrinking averages every pixel under a widened triangle, as tf.image.resize', () => {
    const row = (v: number[]) => tensor(v, [1, 1, v.length, 1]);
    // 4 -> 2: each output's triangle spans three inputs, weights 3/7, 3/7, 1/7 (by hand).
    assertClose(resizeImages(row([1, 2, 3, 4]), [1, 2], 'bilinear', true), [12 / 7, 23 / 7]);
    // Growing, or nearest, antialiasing changes nothing.
    assertClose(resizeImages(row([0, 1]), [1, 4], 'bilinear', true), [0, 0.25, 0.75, 1]);
    assertClose(resizeImages(row([0, 1, 2]), [1, 2], 'nearest', true), [0, 2]);
    // Both axes, through the layer, and its config.
    const images = tensor(
      Array.from({ length: 2 * 6 * 5 * 3 }, (_, i) => Math.sin(i)),
      [2, 6, 5, 3],
    );
    const layer = layers.resizing({ height: 3, width: 2, antialias: true });
    const y = layer.apply(images) as Tensor;
    assert.deepEqual(y.shape, [2, 3, 2, 3]);
    const want = resizeImages(resizeImages(images, [3, 5], 'bilinear', true), [3, 2], 'bilinear', true);
    assertClose(y, want, 1e-6);
    assert.equal((layer.getConfig() as { antialias: boolean }).antialias, true);
    assert.throws(
      () => layers.resizing({ height: 2, width: 2, antialias: 'yes' as never }),
      /'antialias' must be true or false/,
    );
  });
  it("UpSampling2D's bilinear mode blends neighbours", () => {
    const y = layers.upSampling2d({ size: [1, 2], interpolation: 'bilinear' }).apply(tensor([0, 1], [1, 1, 2, 1]));
    assertClose(y as Tensor, [0, 0.25, 0.75, 1]);
  });
  it('Resizing, with the aspect ratio kept by cropping or padding', () => {
    const img = tensor(
      Array.from({ length: 8 }, (_, i) => i),
      [1, 4, 2, 1],
    );
    assertClose(layers.resizing({ height: 2, width: 2, cropToAspectRatio: true }).apply(img) as Tensor, [2, 3, 4, 5]);
    const padded = layers.resizing({
      height: 4,
      width: 4,
      padToAspectRatio: true,
      fillValue: -1,
      interpolation: 'nearest',
    });
    assert.deepEqual(out(padded.apply(img)), [
      [
        [[-1], [0], [1], [-1]],
        [[-1], [2], [3], [-1]],
        [[-1], [4], [5], [-1]],
        [[-1], [6], [7], [-1]],
      ],
    ]);
    assert.throws(
      () => layers.resizing({ height: 2, width: 2, interpolation: 'bicubic' as 'nearest' }),
      /'interpolation' must be 'bilinear' or 'nearest'/,
    );
  });
  it('CenterCrop crops the centre, or resizes an image smaller than the target', () => {
    const img = tensor(
      Array.from({ length: 16 }, (_, i) => i),
      [1, 4, 4, 1],
    );
    assertClose(layers.centerCrop({ height: 2, width: 2 }).apply(img) as Tensor, [5, 6, 9, 10]);
    assert.deepEqual((layers.centerCrop({ height: 6, width: 2 }).apply(img) as Tensor).shape, [1, 6, 2, 1]);
  });
  it('Rescaling maps integer pixels to floats, per channel if asked', () => {
    assertClose(layers.rescaling({ scale: 1 / 127.5, offset: -1 }).apply(ints([0, 255])) as Tensor, [-1, 1]);
    assertClose(layers.rescaling({ scale: [1, 2], offset: [0, 1] }).apply(tensor([[3, 3]])) as Tensor, [3, 7]);
  });
});

describe('Normalization, Discretization and CategoryEncoding (Keras documented examples)', () => {
  it('Normalization.adapt computes the mean and variance per feature, in one batch or several', () => {
    const norm = layers.normalization();
    norm.adapt(
      tensor([
        [1, 10],
        [3, 30],
      ]),
    );
    assertClose(
      norm.apply(
        tensor([
          [1, 10],
          [5, 50],
        ]),
      ) as Tensor,
      [-1, -1, 3, 3],
    );
    const batched = layers.normalization();
    batched.adapt([tensor([[1, 10]]), tensor([[3, 30]])]);
    assertClose(batched.getWeights()[0], [2, 20]);
    assertClose(batched.getWeights()[1], [1, 100]);
    assertClose(batched.getWeights()[2], [2]);
    const inverse = layers.normalization({ mean: 2, variance: 4, invert: true, axis: null });
    assertClose(inverse.apply(tensor([[0, 1]])) as Tensor, [2, 4]);
  });
  it('an adapted Normalization is saved and loaded with its statistics', () => {
    const norm = layers.normalization({ inputShape: [2] });
    norm.adapt([
      [0, 0],
      [4, 8],
    ]);
    const m = sequential({ layers: [norm, layers.dense({ units: 1, kernelInitializer: 'ones' })] });
    const x = tensor([[2, 4]]);
    assert.deepEqual(out(loadFromBuffers(saveToBuffers(m)).predict(x)), out(m.predict(x)));
  });
  it('Discretization by boundaries and by adapted bins', () => {
    const x = tensor([
      [-1.5, 1.0, 3.4, 0.5],
      [0.0, 3.0, 1.3, 0.0],
    ]);
    assert.deepEqual(out(layers.discretization({ binBoundaries: [0, 1, 2] }).apply(x)), [
      [0, 2, 3, 1],
      [1, 3, 2, 1],
    ]);
    const adapted = layers.discretization({ numBins: 4, epsilon: 0.01 });
    adapted.adapt(x);
    assert.deepEqual(out(adapted.apply(x)), [
      [0, 2, 3, 2],
      [1, 3, 3, 1],
    ]);
    assert.deepEqual(
      out(layers.discretization({ binBoundaries: [0], outputMode: 'count' }).apply(tensor([[-1, 2, 3]]))),
      [[1, 2]],
    );
  });
  it('CategoryEncoding: one-hot, multi-hot and weighted counts', () => {
    assert.deepEqual(out(layers.categoryEncoding({ numTokens: 4, outputMode: 'one_hot' }).apply(ints([3, 2, 0, 1]))), [
      [0, 0, 0, 1],
      [0, 0, 1, 0],
      [1, 0, 0, 0],
      [0, 1, 0, 0],
    ]);
    const ids = ints([
      [0, 1],
      [0, 0],
      [1, 2],
      [3, 1],
    ]);
    assert.deepEqual(out(layers.categoryEncoding({ numTokens: 4 }).apply(ids)), [
      [1, 1, 0, 0],
      [1, 0, 0, 0],
      [0, 1, 1, 0],
      [0, 1, 0, 1],
    ]);
    const counted = layers.categoryEncoding({ numTokens: 4, outputMode: 'count' }).apply(ids, {
      countWeights: tensor([
        [0.1, 0.2],
        [0.1, 0.1],
        [0.2, 0.3],
        [0.4, 0.2],
      ]),
    } as object);
    assertClose(counted as Tensor, [0.1, 0.2, 0, 0, 0.2, 0, 0, 0, 0, 0.2, 0.3, 0, 0, 0.2, 0, 0.4]);
    assert.throws(
      () => layers.categoryEncoding({ numTokens: 4 }).apply(ints([4])),
      /input values must be in the range 0 <= values < 4 \(numTokens\), got 4/,
    );
  });
});

describe('IntegerLookup (Keras documented examples)', () => {
  const vocab = [12, 36, 1138, 42];
  const data = ints([
    [12, 1138, 42],
    [42, 1000, 36],
  ]);
  it('known and adapted vocabularies', () => {
    assert.deepEqual(out(layers.integerLookup({ vocabulary: vocab }).apply(data)), [
      [1, 3, 4],
      [4, 0, 2],
    ]);
    const adapted = layers.integerLookup();
    adapted.adapt(data);
    assert.deepEqual(adapted.getVocabulary(), [-1, 42, 1138, 1000, 36, 12]);
    assert.deepEqual(out(adapted.apply(data)), [
      [5, 2, 1],
      [1, 3, 4],
    ]);
  });
  it('several OOV indices, one-hot, multi-hot, counts and the inverse', () => {
    const twoOov = layers.integerLookup({ vocabulary: vocab, numOovIndices: 2 });
    assert.deepEqual(
      out(
        twoOov.apply(
          ints([
            [12, 1138, 42],
            [37, 1000, 36],
          ]),
        ),
      ),
      [
        [2, 4, 5],
        [1, 0, 3],
      ],
    );
    assert.deepEqual(out(layers.integerLookup({ vocabulary: vocab, outputMode: 'one_hot' }).apply(ints([12, 7]))), [
      [0, 1, 0, 0, 0],
      [1, 0, 0, 0, 0],
    ]);
    const rows = ints([
      [12, 1138, 42, 42],
      [42, 7, 36, 7],
    ]);
    assert.deepEqual(out(layers.integerLookup({ vocabulary: vocab, outputMode: 'multi_hot' }).apply(rows)), [
      [0, 1, 0, 1, 1],
      [1, 0, 1, 0, 1],
    ]);
    assert.deepEqual(out(layers.integerLookup({ vocabulary: vocab, outputMode: 'count' }).apply(rows)), [
      [0, 1, 0, 1, 2],
      [2, 0, 1, 0, 1],
    ]);
    const inverse = layers.integerLookup({ vocabulary: vocab, invert: true });
    assert.deepEqual(
      out(
        inverse.apply(
          ints([
            [1, 3, 4],
            [4, 0, 2],
          ]),
        ),
      ),
      [
        [12, 1138, 42],
        [42, -1, 36],
      ],
    );
    // A vocabulary given with its leading OOV token is the same vocabulary.
    assert.deepEqual(layers.integerLookup({ vocabulary: [-1, ...vocab] }).getVocabulary(), [-1, ...vocab]);
    assert.throws(
      () => layers.integerLookup({ vocabulary: vocab, numOovIndices: 0 }).apply(ints([7])),
      /with numOovIndices 0 every input must be in the vocabulary, got 7/,
    );
  });
});

describe('Lambda', () => {
  it('runs TypeScript code in a model, with gradients, and infers its output shape', () => {
    const x = input({ shape: [3] });
    const doubled = layers.lambda({ function: (t) => mul(t as Tensor, 2) }).apply(x) as SymbolicTensor;
    assert.deepEqual(doubled.shape, [null, 3]);
    const m = functionalModel({
      inputs: x,
      outputs: layers.dense({ units: 1, kernelInitializer: 'ones' }).apply(doubled) as SymbolicTensor,
    });
    assertClose(m.predict(tensor([[1, 2, 3]])) as Tensor, [12]);
    const shaped = layers.lambda({ function: (t) => t, outputShape: [7] });
    assert.deepEqual(shaped.computeOutputShape([null, 7]), [null, 7]);
  });
  it('saving explains that code cannot be stored; loading a Keras Lambda keeps refusing', () => {
    const x = input({ shape: [2] });
    const m = functionalModel({
      inputs: x,
      outputs: layers.lambda({ function: (t) => t, name: 'identity_code' }).apply(x) as SymbolicTensor,
    });
    assert.throws(
      () => saveToBuffers(m),
      /Lambda 'identity_code' holds TypeScript code, which cannot be stored in a model file .*registerLayerClass/,
    );
  });
});
