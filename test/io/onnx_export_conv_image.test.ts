import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { input, layers, model, sequential, setSeed, tensor, type SymbolicTensor } from '../../src/index.js';
import { exportOnnx, onnxSupportedLayers } from '../../src/io/onnx_export.js';
import { checkAgainstOrt } from '../helpers/onnx_runtime.js';

const spread = (shape: number[], seed: number) =>
  tensor(
    Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 1.7 + seed) * 2),
    shape,
  );

describe('ONNX export of convolutions beside Conv2D and of image padding, cropping and resizing, run in ONNX Runtime', () => {
  it('lists the new translations', () => {
    const listed = onnxSupportedLayers();
    for (const c of [
      'Conv1D',
      'DepthwiseConv2D',
      'SeparableConv2D',
      'Conv2DTranspose',
      'ZeroPadding2D',
      'Cropping2D',
      'UpSampling2D',
      'Resizing',
      'CenterCrop',
    ])
      assert.ok(listed.includes(c), c);
  });

  it("a 1-D CNN text classifier (the sentiment example's shape): embedding, Conv1D, pooling, dense", async () => {
    setSeed(11);
    const m = sequential({
      layers: [
        layers.embedding({ inputDim: 30, outputDim: 8, inputShape: [20] }),
        layers.conv1d({ filters: 6, kernelSize: 5, activation: 'relu' }),
        layers.maxPooling1d({ poolSize: 2 }),
        layers.conv1d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh' }),
        layers.conv1d({ filters: 4, kernelSize: 3, padding: 'causal', dilationRate: 2, useBias: false }),
        layers.globalMaxPooling1d(),
        layers.dense({ units: 1, activation: 'sigmoid' }),
      ],
    });
    const ids = tensor(
      Array.from({ length: 3 * 20 }, (_, i) => (i * 7) % 30),
      [3, 20],
    );
    await checkAgainstOrt(m, ids);
  });

  it("Conv2DTranspose: 'same' and 'valid' with kernels smaller and larger than the stride, dilation, outputPadding", async () => {
    setSeed(12);
    const cases = [
      { filters: 2, kernelSize: 3, strides: 2, padding: 'same' },
      { filters: 2, kernelSize: 1, strides: 3, padding: 'same' },
      { filters: 2, kernelSize: 2, strides: 3, padding: 'valid' },
      { filters: 3, kernelSize: [4, 3], strides: [2, 3], padding: 'same', activation: 'relu' },
      { filters: 1, kernelSize: 3, dilationRate: 2, padding: 'same' },
      { filters: 2, kernelSize: 4, strides: 2, padding: 'same', outputPadding: 1 },
      { filters: 2, kernelSize: 3, strides: 3, padding: 'valid', outputPadding: [2, 1] },
    ] as const;
    for (const args of cases) {
      const m = sequential({ layers: [layers.conv2dTranspose({ ...args, inputShape: [3, 4, 2] })] });
      await checkAgainstOrt(m, spread([2, 3, 4, 2], 1));
    }
  });

  it("DepthwiseConv2D and SeparableConv2D with strides, 'same' padding, dilation and activations", async () => {
    setSeed(13);
    const m = sequential({
      layers: [
        layers.depthwiseConv2d({
          kernelSize: 3,
          strides: 2,
          padding: 'same',
          depthMultiplier: 3,
          inputShape: [7, 6, 2],
        }),
        layers.separableConv2d({ filters: 4, kernelSize: 2, dilationRate: 2, padding: 'same', activation: 'relu' }),
        layers.depthwiseConv2d({ kernelSize: [2, 1], useBias: false, activation: 'tanh' }),
      ],
    });
    await checkAgainstOrt(m, spread([2, 7, 6, 2], 2));
  });

  it("dilated 'same' convolutions get explicit pads (ONNX Runtime will not pad them itself)", async () => {
    setSeed(15);
    const images = sequential({
      layers: [
        layers.conv2d({ filters: 2, kernelSize: 3, dilationRate: 2, padding: 'same', inputShape: [6, 5, 2] }),
        layers.conv2d({ filters: 1, kernelSize: [2, 3], dilationRate: [3, 1], padding: 'same' }),
      ],
    });
    await checkAgainstOrt(images, spread([2, 6, 5, 2], 6));
    const steps = sequential({
      layers: [layers.conv1d({ filters: 2, kernelSize: 2, dilationRate: 3, padding: 'same', inputShape: [7, 2] })],
    });
    await checkAgainstOrt(steps, spread([2, 7, 2], 7));
    const volumes = sequential({
      layers: [
        layers.conv3d({
          filters: 2,
          kernelSize: 2,
          dilationRate: [2, 1, 2],
          padding: 'same',
          inputShape: [3, 4, 5, 1],
        }),
      ],
    });
    await checkAgainstOrt(volumes, spread([1, 3, 4, 5, 1], 8));
    const groupedVolumes = sequential({
      layers: [layers.conv3d({ filters: 4, kernelSize: 2, groups: 2, padding: 'same', inputShape: [3, 4, 3, 4] })],
    });
    await checkAgainstOrt(groupedVolumes, spread([2, 3, 4, 3, 4], 9));
    const open = sequential({
      layers: [
        layers.conv1d({
          filters: 2,
          kernelSize: 2,
          dilationRate: 3,
          padding: 'same',
          inputShape: [null, 2],
          name: 'c',
        }),
      ],
    });
    assert.throws(
      () => exportOnnx(open),
      /exportOnnx: Conv1D 'c' is a dilated 'same' convolution, which needs known input sizes/,
    );
  });

  it('bilinear resizing down and up with half-pixel centres, nearest on odd ratios, smart-resize CenterCrop', async () => {
    setSeed(14);
    const m = sequential({
      layers: [
        layers.resizing({ height: 5, width: 3, inputShape: [9, 7, 2] }),
        layers.resizing({ height: 4, width: 2, antialias: true, padToAspectRatio: true }),
        layers.resizing({ height: 5, width: 3 }),
        layers.upSampling2d({ size: [3, 2], interpolation: 'bilinear' }),
        layers.resizing({ height: 4, width: 5, interpolation: 'nearest' }),
        layers.resizing({ height: 7, width: 2, interpolation: 'nearest', cropToAspectRatio: true }),
        layers.centerCrop({ height: 9, width: 4 }),
      ],
    });
    await checkAgainstOrt(m, spread([2, 9, 7, 2], 3));
  });

  it('Cropping2D and ZeroPadding2D keep an unknown image size dynamic', async () => {
    const m = sequential({
      layers: [
        layers.zeroPadding2d({
          padding: [
            [1, 0],
            [2, 3],
          ],
          inputShape: [null, null, 2],
        }),
        layers.cropping2d({
          cropping: [
            [0, 2],
            [1, 0],
          ],
        }),
      ],
    });
    await checkAgainstOrt(m, spread([1, 4, 5, 2], 4));
    await checkAgainstOrt(m, spread([2, 6, 3, 2], 5));
  });

  it('refuses resizing an image of unknown size, naming the layer', () => {
    const m = sequential({ layers: [layers.upSampling2d({ size: 2, inputShape: [null, null, 1], name: 'up' })] });
    assert.throws(() => exportOnnx(m), /exportOnnx: UpSampling2D 'up' needs a known input height and width/);
  });
});

describe('ONNX export of categorical preprocessing, run in ONNX Runtime', () => {
  it('IntegerLookup: floormod OOV indices for negative values, one-hot and counts padded to maxTokens', async () => {
    const ids = tensor([5, -3, 7, 0, 2, -8, 9, 11], [2, 4]);
    const lookups = [
      layers.integerLookup({ vocabulary: [7, 2, 9], numOovIndices: 3 }),
      layers.integerLookup({ vocabulary: [7, 2], maskToken: 0 }),
      layers.integerLookup({ vocabulary: [7, 2], outputMode: 'count', maxTokens: 6, padToMaxTokens: true }),
    ];
    for (const l of lookups)
      await checkAgainstOrt(sequential({ layers: [layers.inputLayer({ inputShape: [4] }), l] }), ids);
    const oneHot = sequential({
      layers: [
        layers.inputLayer({ inputShape: [4, 1] }),
        layers.integerLookup({ vocabulary: [7, 2], outputMode: 'one_hot' }),
      ],
    });
    await checkAgainstOrt(oneHot, tensor([5, -3, 7, 0, 2, -8, 9, 2], [2, 4, 1]));
  });

  it('Discretization counts and CategoryEncoding multi-hot after it', async () => {
    const m = sequential({
      layers: [
        layers.inputLayer({ inputShape: [5] }),
        layers.discretization({ binBoundaries: [-1, 0, 0.5, 2] }),
        layers.categoryEncoding({ numTokens: 5, outputMode: 'multi_hot' }),
      ],
    });
    await checkAgainstOrt(m, tensor([-2, -1, 0.25, 0.5, 3, 0, 0, 0, 2, 1.999], [2, 5]));
    const counts = sequential({
      layers: [
        layers.inputLayer({ inputShape: [5] }),
        layers.discretization({ binBoundaries: [0], outputMode: 'count' }),
      ],
    });
    await checkAgainstOrt(counts, tensor([-2, -1, 0.25, 0.5, 3, 0, 0, 0, 2, 1.999], [2, 5]));
  });

  it('refuses what ONNX cannot express, naming the layer and the option', () => {
    const model = (l: ReturnType<typeof layers.integerLookup>) =>
      sequential({ layers: [layers.inputLayer({ inputShape: [3] }), l] });
    assert.throws(
      () => exportOnnx(model(layers.integerLookup({ vocabulary: [1, 2], invert: true, name: 'inv' }))),
      /exportOnnx: IntegerLookup 'inv': 'invert'/,
    );
    assert.throws(
      () =>
        exportOnnx(
          model(layers.integerLookup({ vocabulary: [1, 2], numOovIndices: 2, oovMethod: 'farmhash', name: 'h' })),
        ),
      /exportOnnx: IntegerLookup 'h': oovMethod 'farmhash'/,
    );
    assert.throws(
      () => exportOnnx(model(layers.integerLookup({ vocabulary: [1, 2 ** 25], name: 'big' }))),
      /exportOnnx: IntegerLookup 'big': the value 33554432 is beyond/,
    );
  });
});

describe('ONNX export of Attention and AdditiveAttention, run in ONNX Runtime', () => {
  it('[query, value, key] with a learned scale, self-attention on one tensor with a causal mask, additive without scale', async () => {
    setSeed(16);
    const q = input({ shape: [4, 3] }),
      v = input({ shape: [5, 2] }),
      k = input({ shape: [5, 3] });
    const scaled = layers.attention({ useScale: true });
    const cross = scaled.apply([q, v, k]) as SymbolicTensor;
    scaled.setWeights([tensor(0.7)]);
    const concat = layers.attention({ scoreMode: 'concat', useScale: true });
    const concatOut = concat.apply([q, k]) as SymbolicTensor;
    concat.setWeights([tensor(1.3), tensor(-0.4)]);
    const self = layers.attention().apply([q, q], { useCausalMask: true }) as SymbolicTensor;
    const additive = layers.additiveAttention({ useScale: false }).apply([q, k, k]) as SymbolicTensor;
    const m = model({ inputs: [q, v, k], outputs: [cross, concatOut, self, additive] });
    await checkAgainstOrt(m, [spread([2, 4, 3], 1), spread([2, 5, 2], 2), spread([2, 5, 3], 3)]);
  });

  it('a causal mask between a query and a value of different lengths, fixed or free', async () => {
    const q = input({ shape: [4, 3] }),
      v = input({ shape: [5, 3] });
    const causal = layers.attention().apply([q, v], { useCausalMask: true }) as SymbolicTensor;
    await checkAgainstOrt(model({ inputs: [q, v], outputs: causal }), [spread([2, 4, 3], 4), spread([2, 5, 3], 5)]);
    const qFree = input({ shape: [null, 3] }),
      vFree = input({ shape: [null, 3] });
    const free = layers.attention().apply([qFree, vFree], { useCausalMask: true }) as SymbolicTensor;
    const m = model({ inputs: [qFree, vFree], outputs: free });
    // One graph for every pair of lengths: the mask is built from the inputs' shapes.
    await checkAgainstOrt(m, [spread([2, 3, 3], 6), spread([2, 5, 3], 7)]);
    await checkAgainstOrt(m, [spread([1, 6, 3], 8), spread([1, 2, 3], 9)]);
  });

  it('refuses attention scores as an output', () => {
    const q = input({ shape: [4, 3] }),
      v = input({ shape: [5, 3] });
    const scores = layers.attention({ name: 'a' }).apply([q, v], { returnAttentionScores: true }) as SymbolicTensor[];
    assert.throws(
      () => exportOnnx(model({ inputs: [q, v], outputs: scores })),
      /exportOnnx: Attention 'a': returnAttentionScores/,
    );
  });
});

describe('ONNX export of TimeDistributed, run in ONNX Runtime', () => {
  it('a Conv2D and pooling over frames, and a Dense over a sequence of any length', async () => {
    setSeed(17);
    const video = sequential({
      layers: [
        layers.timeDistributed({
          layer: layers.conv2d({ filters: 2, kernelSize: 2, activation: 'relu' }),
          inputShape: [3, 5, 4, 2],
        }),
        layers.timeDistributed({ layer: layers.globalAveragePooling2d() }),
        layers.timeDistributed({ layer: layers.dense({ units: 3 }) }),
      ],
    });
    await checkAgainstOrt(video, spread([2, 3, 5, 4, 2], 9));
    const steps = sequential({
      layers: [layers.timeDistributed({ layer: layers.dense({ units: 2 }), inputShape: [null, 4] })],
    });
    await checkAgainstOrt(steps, spread([2, 3, 4], 10));
    await checkAgainstOrt(steps, spread([1, 6, 4], 11));
  });

  it('refuses a wrapped layer without a translation, naming it', () => {
    const m = sequential({
      layers: [layers.timeDistributed({ layer: layers.hashing({ numBins: 4, name: 'hash' }), inputShape: [3, 4] })],
    });
    assert.throws(() => exportOnnx(m), /exportOnnx: layer 'hash' \(Hashing\) has no ONNX translation/);
  });
});
