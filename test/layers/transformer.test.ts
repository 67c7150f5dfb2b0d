import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Tensor } from '../../src/core/tensor.js';
import {
  deserializeLayer,
  input,
  layers,
  model as functionalModel,
  serializeLayer,
  slice,
  tensor,
  type SymbolicTensor,
} from '../../src/index.js';
import { loadFromBuffers, saveToBuffers } from '../../src/io/native.js';
import type { TransformerDecoder } from '../../src/layers/transformer_decoder.js';
import type { TransformerEncoder } from '../../src/layers/transformer_encoder.js';
import { assertClose, rand64 } from '../helpers/gradcheck.js';
import { referenceAttention } from './attention_reference.js';

type Allowed = (b: number, t: number, s: number) => boolean;

function randomize(layer: { weights: { shape: readonly number[] }[]; setWeights(v: Tensor[]): void }, seed = 30) {
  layer.setWeights(layer.weights.map((w, i) => rand64([...w.shape], seed + i, -0.7, 0.7)));
}

/** Plain-array helpers: rows of [batch·length][features]. */
const rowsOf = (values: ArrayLike<number>, d: number) =>
  Array.from({ length: values.length / d }, (_, r) => Array.from(values).slice(r * d, r * d + d));
const flat = (rows: number[][]) => rows.flat();
const toTensor3 = (rows: number[][], b: number, t: number) => tensor(flat(rows), [b, t, rows[0].length], 'float64');

function layerNorm(rows: number[][], gamma: Tensor, beta: Tensor, eps: number): number[][] {
  const g = gamma.dataSync(),
    be = beta.dataSync();
  return rows.map((r) => {
    const m = r.reduce((a, c) => a + c) / r.length;
    const v = r.reduce((a, c) => a + (c - m) ** 2, 0) / r.length;
    return r.map((x, i) => ((x - m) / Math.sqrt(v + eps)) * g[i] + be[i]);
  });
}

function dense(rows: number[][], kernel: Tensor, bias: Tensor, act: (x: number) => number = (x) => x): number[][] {
  const [n, u] = kernel.shape;
  const k = kernel.dataSync(),
    b = bias.dataSync();
  return rows.map((r) =>
    Array.from({ length: u }, (_, j) => {
      let s = b[j];
      for (let i = 0; i < n; i++) s += r[i] * k[i * u + j];
      return act(s);
    }),
  );
}

const addRows = (a: number[][], b: number[][]) => a.map((r, i) => r.map((x, j) => x + b[i][j]));
const relu = (x: number) => Math.max(0, x);

/** One attention sublayer by loops, from the layer's 8 weights in Keras order. */
function attend(
  w: Tensor[],
  q: number[][],
  kv: number[][],
  shape: [number, number, number],
  kvLength: number,
  allowed: Allowed,
) {
  const [B, T] = shape;
  const [wq, bq, wk, bk, wv, bv, wo, bo] = w;
  const qt = toTensor3(q, B, T),
    kt = toTensor3(kv, B, kvLength);
  return rowsOf(referenceAttention(qt, kt, kt, { wq, bq, wk, bk, wv, bv, wo, bo }, allowed).output, q[0].length);
}

/** KerasHub's encoder block by loops: attention, then the feedforward, each residual + norm. */
function referenceEncoder(enc: TransformerEncoder, x: Tensor, allowed: Allowed): number[] {
  const w = enc.getWeights();
  const [B, T, D] = x.shape;
  const [g1, b1, g2, b2, k1, c1, k2, c2] = w.slice(8);
  const eps = enc.layerNormEpsilon;
  const pre = enc.normalizeFirst;
  let h = rowsOf(x.dataSync(), D);
  const a = attend(
    w.slice(0, 8),
    pre ? layerNorm(h, g1, b1, eps) : h,
    pre ? layerNorm(h, g1, b1, eps) : h,
    [B, T, D],
    T,
    allowed,
  );
  h = pre ? addRows(h, a) : layerNorm(addRows(h, a), g1, b1, eps);
  const f = dense(dense(pre ? layerNorm(h, g2, b2, eps) : h, k1, c1, relu), k2, c2);
  h = pre ? addRows(h, f) : layerNorm(addRows(h, f), g2, b2, eps);
  return flat(h);
}

describe('TransformerEncoder', () => {
  const tokens = [
    [4, 2, 7, 0],
    [1, 3, 0, 0],
  ];
  const real = (b: number, t: number) => tokens[b][t] !== 0;
  const pad = tensor(
    tokens.flat().map((t) => (t !== 0 ? 1 : 0)),
    [2, 4],
    'bool',
  );

  for (const normalizeFirst of [false, true])
    it(`equals the loop definition with a padding mask (normalizeFirst ${normalizeFirst})`, () => {
      const enc = layers.transformerEncoder({ intermediateDim: 5, numHeads: 2, normalizeFirst, dtype: 'float64' });
      const x = rand64([2, 4, 4], 3);
      enc.apply(x);
      randomize(enc);
      // As in Keras the attention sees the padding mask as its attention mask [B, 1, S] and, coming
      // with the input, as query and value masks.
      const want = referenceEncoder(enc, x, (b, t, s) => real(b, s) && real(b, t));
      assertClose(enc.apply(x, { mask: pad }) as Tensor, want, 1e-12);
      // An explicit paddingMask (no input mask) masks the keys only.
      assertClose(
        enc.apply(x, { paddingMask: pad }) as Tensor,
        referenceEncoder(enc, x, (b, _t, s) => real(b, s)),
        1e-12,
      );
    });

  it("has KerasHub's sublayers and weight order, and returns the attention scores when asked", () => {
    const enc = layers.transformerEncoder({ intermediateDim: 6, numHeads: 2, name: 'enc' });
    const [y, scores] = enc.apply(rand64([2, 3, 4]), { returnAttentionScores: true }) as Tensor[];
    assert.deepEqual(y.shape, [2, 3, 4]);
    assert.deepEqual(scores.shape, [2, 2, 3, 3]);
    assert.deepEqual(
      enc.weights.map((w) => w.name.replace('enc/', '')),
      [
        'self_attention_layer/query/kernel',
        'self_attention_layer/query/bias',
        'self_attention_layer/key/kernel',
        'self_attention_layer/key/bias',
        'self_attention_layer/value/kernel',
        'self_attention_layer/value/bias',
        'self_attention_layer/attention_output/kernel',
        'self_attention_layer/attention_output/bias',
        'self_attention_layer_norm/gamma',
        'self_attention_layer_norm/beta',
        'feedforward_layer_norm/gamma',
        'feedforward_layer_norm/beta',
        'feedforward_intermediate_dense/kernel',
        'feedforward_intermediate_dense/bias',
        'feedforward_output_dense/kernel',
        'feedforward_output_dense/bias',
      ],
    );
    assert.deepEqual(enc.weights[0].shape, [4, 2, 2]);
  });

  it('passes the padding mask on: outputs at real tokens ignore what the padding holds', () => {
    const ids = input({ shape: [4], dtype: 'int32' });
    const emb = layers.tokenAndPositionEmbedding({
      vocabularySize: 9,
      sequenceLength: 4,
      embeddingDim: 4,
      maskZero: true,
    });
    const enc1 = layers.transformerEncoder({ intermediateDim: 8, numHeads: 2 });
    const enc2 = layers.transformerEncoder({ intermediateDim: 8, numHeads: 2 });
    const out = enc2.apply(enc1.apply(emb.apply(ids) as SymbolicTensor) as SymbolicTensor) as SymbolicTensor;
    const m = functionalModel({ inputs: ids, outputs: out });
    const a = m.predict(tensor(tokens, undefined, 'int32')) as Tensor;
    // Different embeddings at the last position, padding in both sequences (a different position row).
    const emb2 = emb.getWeights();
    emb2[1] = tensor(
      [...emb2[1].dataSync()].map((v, i) => (i >= 12 ? v + 3 * (i % 4) : v)),
      [4, 4],
    );
    emb.setWeights(emb2);
    const b = m.predict(tensor(tokens, undefined, 'int32')) as Tensor;
    const A = a.dataSync(),
      Bv = b.dataSync();
    for (let bi = 0; bi < 2; bi++)
      for (let t = 0; t < 4; t++)
        for (let d = 0; d < 4; d++) {
          const i = (bi * 4 + t) * 4 + d;
          if (real(bi, t)) assert.ok(Math.abs(A[i] - Bv[i]) < 1e-5, `position ${bi},${t}`);
          else if (t === 3) assert.ok(Math.abs(A[i] - Bv[i]) > 1e-6, `padding ${bi},${t} changed`);
        }
  });
});

describe('TransformerDecoder', () => {
  it('equals the loop definition: causal self-attention, cross-attention, feedforward', () => {
    const dec = layers.transformerDecoder({ intermediateDim: 5, numHeads: 2, dtype: 'float64', name: 'dec' });
    const x = rand64([2, 3, 4], 1),
      e = rand64([2, 5, 4], 2);
    const encPad = tensor([1, 1, 1, 0, 0, 1, 1, 1, 1, 1], [2, 5], 'bool');
    dec.apply(x, { encoderSequence: e });
    randomize(dec, 40);
    assert.deepEqual(
      dec.weights.map((w) => w.name.split('/').slice(1, -1).join('/')).filter((n, i, a) => a.indexOf(n) === i),
      [
        'self_attention/query',
        'self_attention/key',
        'self_attention/value',
        'self_attention/attention_output',
        'self_attention_layer_norm',
        'cross_attention/query',
        'cross_attention/key',
        'cross_attention/value',
        'cross_attention/attention_output',
        'cross_attention_layer_norm',
        'feedforward_intermediate_dense',
        'feedforward_output_dense',
        'feedforward_layer_norm',
      ],
    );
    const w = dec.getWeights();
    const eps = dec.layerNormEpsilon;
    let h = rowsOf(x.dataSync(), 4);
    const ev = rowsOf(e.dataSync(), 4);
    h = layerNorm(
      addRows(
        h,
        attend(w.slice(0, 8), h, h, [2, 3, 4], 3, (_b, t, s) => s <= t),
      ),
      w[8],
      w[9],
      eps,
    );
    const cross = attend(w.slice(10, 18), h, ev, [2, 3, 4], 5, (b, _t, s) => encPad.dataSync()[b * 5 + s] === 1);
    h = layerNorm(addRows(h, cross), w[18], w[19], eps);
    h = layerNorm(addRows(h, dense(dense(h, w[20], w[21], relu), w[22], w[23])), w[24], w[25], eps);
    assertClose(dec.apply(x, { encoderSequence: e, encoderPaddingMask: encPad }) as Tensor, flat(h), 1e-12);
  });

  it('cachedCall step by step equals one causal call (a GPT block)', () => {
    const dec = layers.transformerDecoder({
      intermediateDim: 8,
      numHeads: 2,
      normalizeFirst: true,
      activation: 'gelu_approximate',
      dtype: 'float64',
    });
    const x = rand64([2, 6, 4], 5);
    dec.apply(x);
    randomize(dec, 60);
    const full = (dec.apply(x) as Tensor).dataSync();
    let step = dec.cachedCall(slice(x, [0, 0, 0], [2, 4, 4]), null);
    const parts = [step.output];
    for (let t = 4; t < 6; t++) {
      step = dec.cachedCall(slice(x, [0, t, 0], [2, 1, 4]), step.cache);
      parts.push(step.output);
    }
    const got: number[] = [];
    for (let b = 0; b < 2; b++)
      for (const p of parts) {
        const n = p.shape[1];
        got.push(...[...p.dataSync()].slice(b * n * 4, (b + 1) * n * 4));
      }
    assertClose(got, full, 1e-12);
  });

  it('round-trips through config and a saved functional model (encoder-decoder)', () => {
    const enc = layers.transformerEncoder({ intermediateDim: 8, numHeads: 2, dropout: 0.1, activation: 'gelu' });
    const dec = layers.transformerDecoder({
      intermediateDim: 8,
      numHeads: 2,
      layerNormEpsilon: 1e-3,
      normalizeFirst: true,
    });
    const src = input({ shape: [5], dtype: 'int32' }),
      tgt = input({ shape: [3], dtype: 'int32' });
    const srcEmb = layers.tokenAndPositionEmbedding({
      vocabularySize: 7,
      sequenceLength: 5,
      embeddingDim: 4,
      maskZero: true,
    });
    const tgtEmb = layers.tokenAndPositionEmbedding({ vocabularySize: 7, sequenceLength: 3, embeddingDim: 4 });
    const encoded = enc.apply(srcEmb.apply(src) as SymbolicTensor) as SymbolicTensor;
    const decoded = dec.apply(tgtEmb.apply(tgt) as SymbolicTensor, { encoderSequence: encoded }) as SymbolicTensor;
    const m = functionalModel({
      inputs: [src, tgt],
      outputs: layers.dense({ units: 7 }).apply(decoded) as SymbolicTensor,
    });
    const data = [tensor([[1, 2, 3, 0, 0]], undefined, 'int32'), tensor([[4, 5, 6]], undefined, 'int32')];
    const loaded = loadFromBuffers(saveToBuffers(m));
    assertClose(loaded.predict(data) as Tensor, m.predict(data) as Tensor, 0);
    for (const layer of [enc, dec])
      assert.deepEqual(serializeLayer(deserializeLayer(serializeLayer(layer))), serializeLayer(layer));
    // KerasHub builds a restored decoder from its saved shapes at construction.
    const restored = deserializeLayer(serializeLayer(dec)) as TransformerDecoder;
    assert.equal(restored.built, true);
    assert.equal(restored.weights.length, dec.weights.length);
  });
});
