import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-web';
import {
  input,
  layers,
  model as functionalModel,
  setSeed,
  tensor,
  type LayersModel,
  type SymbolicTensor,
  type Tensor,
} from '../../src/index.js';
import { exportOnnx, onnxSupportedLayers } from '../../src/io/onnx_export.js';
import { checkAgainstOrt as checkMany } from '../helpers/onnx_runtime.js';

ort.env.wasm.numThreads = 1;

/** Runs the exported model in ONNX Runtime and compares its output with Myelin's predict. */
async function checkAgainstOrt(m: LayersModel, x: Tensor, tol = 1e-4): Promise<void> {
  const session = await ort.InferenceSession.create(exportOnnx(m));
  const feed = new ort.Tensor('float32', Float32Array.from(x.dataSync() as ArrayLike<number>), [...x.shape]);
  const results = await session.run({ [session.inputNames[0]]: feed });
  const want = (m.predict(x) as Tensor).dataSync();
  const got = results[session.outputNames[0]];
  assert.deepEqual([...got.dims], [...(m.predict(x) as Tensor).shape]);
  const have = got.data as Float32Array;
  for (let i = 0; i < want.length; i++)
    assert.ok(
      Math.abs(have[i] - want[i]) <= tol * (1 + Math.abs(want[i])),
      `index ${i}: onnx ${have[i]} vs myelin ${want[i]}`,
    );
}

const randn = (shape: number[], seed: number) =>
  tensor(
    Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 1.7 + seed) * 1.5),
    shape,
  );
/** Non-zero biases, so the export of each is exercised. */
function perturb(m: LayersModel): void {
  m.setWeights(m.getWeights().map((w, i) => w.add(randn([...w.shape], i).mul(0.05))));
}

describe('ONNX export of the Transformer layers, run in ONNX Runtime', () => {
  it('a small GPT-style stack: token and position embedding, decoder, encoder, attention layers', async () => {
    setSeed(3);
    const ids = input({ shape: [6], dtype: 'int32' });
    let h = layers
      .tokenAndPositionEmbedding({ vocabularySize: 11, sequenceLength: 6, embeddingDim: 8 })
      .apply(ids) as SymbolicTensor;
    h = layers
      .transformerDecoder({ intermediateDim: 16, numHeads: 2, normalizeFirst: true, activation: 'gelu_approximate' })
      .apply(h) as SymbolicTensor;
    h = layers.transformerEncoder({ intermediateDim: 12, numHeads: 4, activation: 'gelu' }).apply(h) as SymbolicTensor;
    h = layers
      .multiHeadAttention({ numHeads: 2, keyDim: 3, valueDim: 5 })
      .apply(h, { useCausalMask: true }) as SymbolicTensor;
    h = layers
      .groupedQueryAttention({ headDim: 2, numQueryHeads: 4, numKeyValueHeads: 2 })
      .apply(h, { useCausalMask: true }) as SymbolicTensor;
    h = layers
      .multiHeadAttention({ numHeads: 2, keyDim: 2, useGate: true, slidingWindow: 3 })
      .apply(h, { useCausalMask: true }) as SymbolicTensor;
    h = layers
      .groupedQueryAttention({ headDim: 2, numQueryHeads: 2, numKeyValueHeads: 1, useGate: true, slidingWindow: 2 })
      .apply(h) as SymbolicTensor;
    h = layers
      .einsumDense({ equation: 'abc,cd->abd', outputShape: [null, 6], biasAxes: 'd', activation: 'relu' })
      .apply(h) as SymbolicTensor;
    h = layers.layerNormalization({ rmsScaling: true }).apply(h) as SymbolicTensor;
    const m = functionalModel({ inputs: ids, outputs: layers.dense({ units: 11 }).apply(h) as SymbolicTensor });
    perturb(m);
    await checkAgainstOrt(
      m,
      tensor([
        [1, 5, 2, 9, 10, 3],
        [4, 4, 0, 7, 1, 2],
      ]),
    );
  });

  it('position layers, rotary embedding and attention over two axes', async () => {
    const x = input({ shape: [5, 4] });
    for (const layer of [
      layers.positionEmbedding({ sequenceLength: 7 }),
      layers.sinePositionEncoding(),
      layers.rotaryEmbedding(),
    ])
      await checkAgainstOrt(
        functionalModel({ inputs: x, outputs: layer.apply(x) as SymbolicTensor }),
        randn([2, 5, 4], 1),
      );
    const heads = input({ shape: [4, 3, 6] });
    await checkAgainstOrt(
      functionalModel({
        inputs: heads,
        outputs: layers.rotaryEmbedding({ sequenceAxis: 2, featureAxis: 3 }).apply(heads) as SymbolicTensor,
      }),
      randn([2, 4, 3, 6], 2),
    );
    const grid = input({ shape: [3, 4, 5] });
    const mha = layers.multiHeadAttention({ numHeads: 2, keyDim: 2, attentionAxes: [1, 2] });
    const m = functionalModel({ inputs: grid, outputs: mha.apply(grid) as SymbolicTensor });
    perturb(m);
    await checkAgainstOrt(m, randn([2, 3, 4, 5], 3));
    assert.ok(onnxSupportedLayers().includes('MultiHeadAttention'));
  });

  it('refuses what it cannot translate, naming the layer', () => {
    const ids = input({ shape: [4], dtype: 'int32' });
    const masked = layers.embedding({ inputDim: 5, outputDim: 4, maskZero: true }).apply(ids) as SymbolicTensor;
    const recurrent = layers.lstm({ units: 2, name: 'lstm' }).apply(masked) as SymbolicTensor;
    assert.throws(
      () => exportOnnx(functionalModel({ inputs: ids, outputs: recurrent })),
      /LSTM 'lstm' receives a padding mask \(from maskZero or Masking\); masks are exported into MultiHeadAttention, .*GlobalAveragePooling1D/,
    );
    const merged = layers.add({ name: 'sum' }).apply([masked, masked]) as SymbolicTensor;
    assert.throws(
      () => exportOnnx(functionalModel({ inputs: ids, outputs: merged })),
      /Add 'sum' receives a padding mask .* not exported into layers with several inputs/,
    );
    const x = input({ shape: [4, 4] });
    const scores = layers
      .multiHeadAttention({ numHeads: 1, keyDim: 2, name: 'mha' })
      .apply(x, { returnAttentionScores: true }) as SymbolicTensor[];
    assert.throws(
      () => exportOnnx(functionalModel({ inputs: x, outputs: scores[0] })),
      /'mha' \(MultiHeadAttention\) takes 1 inputs and gives 2 outputs/,
    );
    const y = input({ shape: [3, 4] });
    const crossScores = layers
      .multiHeadAttention({ numHeads: 1, keyDim: 2, name: 'cross' })
      .apply(x, { value: y, returnAttentionScores: true }) as SymbolicTensor[];
    assert.throws(
      () => exportOnnx(functionalModel({ inputs: [x, y], outputs: crossScores[0] })),
      /MultiHeadAttention 'cross': returnAttentionScores is not exported/,
    );
  });

  it('cross-attention: attention layers on [query, value(, key)] and an encoder-decoder Transformer', async () => {
    setSeed(5);
    const q = input({ shape: [4, 6] }),
      v = input({ shape: [5, 6] }),
      k = input({ shape: [5, 3] }),
      k6 = input({ shape: [5, 6] });
    const outputs = [
      layers.multiHeadAttention({ numHeads: 2, keyDim: 3, valueDim: 2 }).apply(q, { value: v }),
      layers.multiHeadAttention({ numHeads: 2, keyDim: 2, useGate: true }).apply(q, { value: v, key: k }),
      layers
        .multiHeadAttention({ numHeads: 1, keyDim: 4, slidingWindow: 2 })
        .apply(q, { value: v, useCausalMask: true }),
      layers
        .groupedQueryAttention({ headDim: 2, numQueryHeads: 4, numKeyValueHeads: 2 })
        .apply(q, { value: v, key: k6 }),
      layers.groupedQueryAttention({ headDim: 3, numQueryHeads: 2, numKeyValueHeads: 1 }).apply(q, {
        value: v,
        useCausalMask: true,
      }),
    ] as SymbolicTensor[];
    const m = functionalModel({ inputs: [q, v, k, k6], outputs });
    perturb(m);
    await checkMany(m, [randn([2, 4, 6], 1), randn([2, 5, 6], 2), randn([2, 5, 3], 3), randn([2, 5, 6], 8)]);

    // A translation model's shape: the encoder reads the source, the decoder the target so far
    // (causal self-attention) and the encoder's output (cross-attention), lengths free.
    const source = input({ shape: [null, 8] }),
      target = input({ shape: [null, 8] });
    const encoded = layers.transformerEncoder({ intermediateDim: 12, numHeads: 2 }).apply(source) as SymbolicTensor;
    let h = layers
      .transformerDecoder({ intermediateDim: 16, numHeads: 2, activation: 'gelu' })
      .apply(target, { encoderSequence: encoded }) as SymbolicTensor;
    h = layers
      .transformerDecoder({ intermediateDim: 8, numHeads: 4, normalizeFirst: true })
      .apply(h, { encoderSequence: encoded }) as SymbolicTensor;
    const translation = functionalModel({ inputs: [source, target], outputs: h });
    perturb(translation);
    await checkMany(translation, [randn([2, 7, 8], 4), randn([2, 5, 8], 5)]);
    await checkMany(translation, [randn([1, 3, 8], 6), randn([1, 6, 8], 7)]);
  });
});

describe('ONNX export of padding masks, run in ONNX Runtime', () => {
  /** Token ids with padding (0) at the end of some rows, at the start of others, and a row of padding only. */
  const paddedIds = (rows: number[][]) => tensor(rows.flat(), [rows.length, rows[0].length]);
  const ids6 = paddedIds([
    [3, 1, 4, 1, 5, 9],
    [2, 6, 5, 0, 0, 0],
    [0, 0, 7, 1, 8, 2],
    [8, 0, 3, 0, 9, 0],
    [0, 0, 0, 0, 0, 0],
  ]);

  it('an encoder classifier: maskZero embedding, encoder, masked mean, dense', async () => {
    setSeed(11);
    const ids = input({ shape: [6], dtype: 'int32' });
    let h = layers
      .tokenAndPositionEmbedding({ vocabularySize: 10, sequenceLength: 6, embeddingDim: 8, maskZero: true })
      .apply(ids) as SymbolicTensor;
    h = layers.transformerEncoder({ intermediateDim: 16, numHeads: 2 }).apply(h) as SymbolicTensor;
    h = layers.layerNormalization().apply(h) as SymbolicTensor;
    h = layers.globalAveragePooling1d().apply(h) as SymbolicTensor;
    const out = layers.dense({ units: 3, activation: 'softmax' }).apply(h) as SymbolicTensor;
    const m = functionalModel({ inputs: ids, outputs: out });
    perturb(m);
    // Not the all-padding row: its masked mean is 0/0 (NaN), in Keras as in Myelin.
    await checkAgainstOrt(m, ids6.slice([0, 0], [4, 6]));
  });

  it('a decoder and the attention layers over a maskZero embedding keep and read the mask', async () => {
    setSeed(12);
    const ids = input({ shape: [6], dtype: 'int32' });
    let h = layers.embedding({ inputDim: 10, outputDim: 8, maskZero: true }).apply(ids) as SymbolicTensor;
    h = layers
      .transformerDecoder({ intermediateDim: 12, numHeads: 2, normalizeFirst: true })
      .apply(h) as SymbolicTensor;
    const decoded = h;
    const encoded = layers.transformerEncoder({ intermediateDim: 12, numHeads: 2 }).apply(h) as SymbolicTensor;
    h = layers.dense({ units: 8, activation: 'gelu' }).apply(h) as SymbolicTensor;
    h = layers.dropout({ rate: 0.1 }).apply(h) as SymbolicTensor;
    h = layers.multiHeadAttention({ numHeads: 2, keyDim: 4 }).apply(h) as SymbolicTensor;
    h = layers
      .groupedQueryAttention({ headDim: 2, numQueryHeads: 4, numKeyValueHeads: 2 })
      .apply(h, { useCausalMask: true }) as SymbolicTensor;
    const m = functionalModel({ inputs: ids, outputs: h });
    perturb(m);
    await checkAgainstOrt(m, ids6);
    // The blocks' own outputs, where the padded positions show: the decoder's padded queries
    // still attend to earlier real tokens, the encoder's attend to nothing.
    await checkAgainstOrt(functionalModel({ inputs: ids, outputs: decoded }), ids6);
    await checkAgainstOrt(functionalModel({ inputs: ids, outputs: encoded }), ids6);
  });

  it('Masking: masked steps zeroed, their mask read by the attention and the mean', async () => {
    setSeed(13);
    const x = input({ shape: [5, 3] });
    let h = layers.masking({ maskValue: -1 }).apply(x) as SymbolicTensor;
    h = layers.transformerEncoder({ intermediateDim: 6, numHeads: 1 }).apply(h) as SymbolicTensor;
    const pooled = layers.globalAveragePooling1d().apply(h) as SymbolicTensor;
    const m = functionalModel({ inputs: x, outputs: pooled });
    perturb(m);
    const rows = randn([3, 5, 3], 4).arraySync() as number[][][];
    rows[0][4] = [-1, -1, -1];
    rows[0][3] = [-1, -1, -1];
    rows[1][0] = [-1, -1, -1];
    rows[2][2] = [-1, 0.5, -1]; // not every feature equals maskValue: kept
    await checkAgainstOrt(m, tensor(rows.flat(2), [3, 5, 3]));
    const zeroed = functionalModel({
      inputs: x,
      outputs: layers.masking({ maskValue: -1 }).apply(x) as SymbolicTensor,
    });
    await checkAgainstOrt(zeroed, tensor(rows.flat(2), [3, 5, 3]));
  });
});
