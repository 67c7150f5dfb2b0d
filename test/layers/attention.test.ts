import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Tensor } from '../../src/core/tensor.js';
import {
  deserializeLayer,
  input,
  layers,
  model as functionalModel,
  reshape,
  serializeLayer,
  slice,
  tensor,
  transpose,
  type SymbolicTensor,
} from '../../src/index.js';
import { loadFromBuffers, saveToBuffers } from '../../src/io/native.js';
import type { MultiHeadAttention } from '../../src/layers/multi_head_attention.js';
import { assertClose, rand64 } from '../helpers/gradcheck.js';
import { reader, referenceAttention, type MhaWeights } from './attention_reference.js';

/** Gives every weight seeded random values (biases too, so they are exercised). */
function randomizeWeights(
  layer: { weights: { shape: readonly number[] }[]; setWeights(v: Tensor[]): void },
  seed = 50,
) {
  layer.setWeights(layer.weights.map((w, i) => rand64([...w.shape], seed + i, -0.8, 0.8)));
}

function mhaWeights(mha: MultiHeadAttention): MhaWeights {
  const [wq, bq, wk, bk, wv, bv, wo, bo] = mha.getWeights();
  return { wq, bq, wk, bk, wv, bv, wo, bo };
}

const all = () => true;

describe('MultiHeadAttention', () => {
  it("has Keras 3's weights: names, shapes and order", () => {
    const mha = layers.multiHeadAttention({ numHeads: 3, keyDim: 4, valueDim: 5, name: 'mha' });
    mha.apply(rand64([2, 6, 7]), { value: rand64([2, 4, 9]) });
    assert.deepEqual(
      mha.weights.map((w) => `${w.name} ${w.shape.join('x')}`),
      [
        'mha/query/kernel 7x3x4',
        'mha/query/bias 3x4',
        'mha/key/kernel 9x3x4',
        'mha/key/bias 3x4',
        'mha/value/kernel 9x3x5',
        'mha/value/bias 3x5',
        'mha/attention_output/kernel 3x5x7',
        'mha/attention_output/bias 7',
      ],
    );
    const noBias = layers.multiHeadAttention({ numHeads: 2, keyDim: 2, useBias: false });
    noBias.apply(rand64([1, 3, 4]));
    assert.deepEqual(
      noBias.weights.map((w) => w.shape),
      [
        [4, 2, 2],
        [4, 2, 2],
        [4, 2, 2],
        [2, 2, 4],
      ],
    );
  });

  it('self-attention equals the loop definition, scores included', () => {
    const mha = layers.multiHeadAttention({ numHeads: 2, keyDim: 3, dtype: 'float64' });
    const x = rand64([2, 4, 5], 1);
    mha.apply(x);
    randomizeWeights(mha);
    const [y, scores] = mha.apply(x, { returnAttentionScores: true }) as Tensor[];
    const want = referenceAttention(x, x, x, mhaWeights(mha), all);
    assert.deepEqual(y.shape, [2, 4, 5]);
    assert.deepEqual(scores.shape, [2, 2, 4, 4]);
    assertClose(y, want.output, 1e-12);
    assertClose(scores, want.scores, 1e-12);
  });

  it('cross-attention with its own key, valueDim and outputShape', () => {
    const mha = layers.multiHeadAttention({ numHeads: 2, keyDim: 3, valueDim: 2, outputShape: 6, dtype: 'float64' });
    const q = rand64([2, 3, 4], 1),
      v = rand64([2, 5, 3], 2),
      k = rand64([2, 5, 7], 3);
    mha.apply(q, { value: v, key: k });
    randomizeWeights(mha, 7);
    const y = mha.apply(q, { value: v, key: k }) as Tensor;
    assert.deepEqual(y.shape, [2, 3, 6]);
    assertClose(y, referenceAttention(q, v, k, mhaWeights(mha), all).output, 1e-12);
  });

  it('the causal mask and an attention mask exclude positions from the softmax', () => {
    const mha = layers.multiHeadAttention({ numHeads: 2, keyDim: 2, dtype: 'float64' });
    const x = rand64([2, 4, 3], 4);
    mha.apply(x);
    randomizeWeights(mha, 9);
    const [causal, causalScores] = mha.apply(x, { useCausalMask: true, returnAttentionScores: true }) as Tensor[];
    const want = referenceAttention(x, x, x, mhaWeights(mha), (_b, t, s) => s <= t);
    assertClose(causal, want.output, 1e-12);
    assertClose(causalScores, want.scores, 1e-12);
    // An explicit [batch, T, S] mask is and-ed with the causal one.
    const keep = [
      [1, 1, 0, 1],
      [1, 0, 1, 1],
    ];
    const m = tensor(
      keep.flatMap((row) => [row, row, row, row].flat()),
      [2, 4, 4],
      'bool',
    );
    const both = mha.apply(x, { attentionMask: m, useCausalMask: true }) as Tensor;
    assertClose(
      both,
      referenceAttention(x, x, x, mhaWeights(mha), (b, t, s) => s <= t && keep[b][s] === 1).output,
      1e-12,
    );
    // A numeric mask counts as true above 0.5, as in Keras.
    const numeric = mha.apply(x, { attentionMask: tensor(m.dataSync(), [2, 4, 4], 'float64') }) as Tensor;
    assertClose(numeric, referenceAttention(x, x, x, mhaWeights(mha), (b, _t, s) => keep[b][s] === 1).output, 1e-12);
  });

  it('a fully masked row gives zero probabilities (no NaN), so its output is the output bias', () => {
    const mha = layers.multiHeadAttention({ numHeads: 2, keyDim: 2, dtype: 'float64' });
    const x = rand64([1, 3, 4], 5);
    mha.apply(x);
    randomizeWeights(mha, 11);
    const mask = tensor([1, 1, 1, 0, 0, 0, 1, 0, 1], [1, 3, 3], 'bool');
    const [y, scores] = mha.apply(x, { attentionMask: mask, returnAttentionScores: true }) as Tensor[];
    for (const v of [...y.dataSync(), ...scores.dataSync()]) assert.ok(Number.isFinite(v));
    const s = reader(scores);
    for (let n = 0; n < 2; n++) for (let j = 0; j < 3; j++) assert.equal(s(0, n, 1, j), 0);
    const bias = mha.getWeights()[7].dataSync();
    const row = [...y.dataSync()].slice(4, 8);
    assertClose(row, bias, 1e-12);
    assertClose(
      y,
      referenceAttention(x, x, x, mhaWeights(mha), (_b, t, j) => mask.dataSync()[t * 3 + j] === 1).output,
      1e-12,
    );
  });

  it('useGate and slidingWindow (Keras 3): gated heads, attention within a band', () => {
    const mha = layers.multiHeadAttention({
      numHeads: 2,
      keyDim: 2,
      valueDim: 3,
      useGate: true,
      slidingWindow: 2,
      dtype: 'float64',
    });
    const x = rand64([2, 5, 4], 12);
    mha.apply(x);
    randomizeWeights(mha, 13);
    assert.deepEqual(
      mha.weights.map((w) => w.name.split('/').slice(1).join('/')),
      [
        'query/kernel',
        'query/bias',
        'key/kernel',
        'key/bias',
        'gate/kernel',
        'gate/bias',
        'value/kernel',
        'value/bias',
        'attention_output/kernel',
        'attention_output/bias',
      ],
    );
    const [wq, bq, wk, bk, wg, bg, wv, bv, wo, bo] = mha.getWeights();
    const w = { wq, bq, wk, bk, wv, bv, wo, bo, wg, bg };
    assertClose(
      mha.apply(x) as Tensor,
      referenceAttention(x, x, x, w, (_b, t, s) => Math.abs(t - s) < 2).output,
      1e-12,
    );
    const causal = mha.apply(x, { useCausalMask: true }) as Tensor;
    assertClose(causal, referenceAttention(x, x, x, w, (_b, t, s) => s <= t && t - s < 2).output, 1e-12);
    // The cached call applies the band from each step's true position.
    let step = mha.cachedCall(slice(x, [0, 0, 0], [2, 3, 4]), null);
    step = mha.cachedCall(slice(x, [0, 3, 0], [2, 2, 4]), step.cache);
    assertClose(
      step.output,
      [0, 1].flatMap((b) => [...slice(causal, [b, 3, 0], [1, 2, 4]).dataSync()]),
      1e-12,
    );
    assert.deepEqual([mha.getConfig().useGate, mha.getConfig().slidingWindow], [true, 2]);
    assert.deepEqual(serializeLayer(deserializeLayer(serializeLayer(mha))), serializeLayer(mha));
  });

  it('attentionAxes: attending over axis 2 of a 4-D input is attention per slice of axis 1', () => {
    const mha = layers.multiHeadAttention({ numHeads: 2, keyDim: 2, attentionAxes: [2], dtype: 'float64' });
    const x = rand64([2, 3, 4, 5], 6);
    const [y, scores] = mha.apply(x, { returnAttentionScores: true }) as Tensor[];
    assert.deepEqual(y.shape, [2, 3, 4, 5]);
    assert.deepEqual(scores.shape, [2, 3, 2, 4, 4]);
    const w = mhaWeights(mha);
    const flat = reshape(x, [6, 4, 5]);
    assertClose(reshape(y, [6, 4, 5]), referenceAttention(flat, flat, flat, w, all).output, 1e-12);
    // Over axes 1 and 2 together: the same as attention over the flattened 12 positions.
    const both = layers.multiHeadAttention({ numHeads: 2, keyDim: 2, attentionAxes: [1, 2], dtype: 'float64' });
    both.apply(x);
    both.setWeights(mha.getWeights());
    const flat12 = reshape(x, [2, 12, 5]);
    assertClose(
      reshape(both.apply(x) as Tensor, [2, 12, 5]),
      referenceAttention(flat12, flat12, flat12, w, all).output,
      1e-12,
    );
  });

  it('dropout applies to the probabilities while training only', () => {
    const mha = layers.multiHeadAttention({ numHeads: 2, keyDim: 2, dropout: 0.5, seed: 3, dtype: 'float64' });
    const x = rand64([2, 5, 4], 7);
    const [inference, s0] = mha.apply(x, { returnAttentionScores: true }) as Tensor[];
    const plain = referenceAttention(x, x, x, mhaWeights(mha), all).output;
    assertClose(inference, plain, 1e-12);
    const [training, s1] = mha.apply(x, { training: true, returnAttentionScores: true }) as Tensor[];
    // The returned scores are the probabilities before dropout, as in Keras.
    assertClose(s1, s0, 1e-12);
    assert.ok([...training.dataSync()].some((v, i) => Math.abs(v - plain[i]) > 1e-6));
  });

  it('cachedCall over a prompt then one token at a time equals one causal call', () => {
    const mha = layers.multiHeadAttention({ numHeads: 2, keyDim: 3, dtype: 'float64' });
    const x = rand64([2, 5, 4], 8);
    const full = mha.apply(x, { useCausalMask: true }) as Tensor;
    let step = mha.cachedCall(slice(x, [0, 0, 0], [2, 3, 4]), null);
    const outs = [step.output];
    for (let t = 3; t < 5; t++) {
      step = mha.cachedCall(slice(x, [0, t, 0], [2, 1, 4]), step.cache);
      outs.push(step.output);
    }
    assert.deepEqual(step.cache.key.shape, [2, 5, 2, 3]);
    const got = outs.map((o) => transpose(o, [1, 0, 2]).dataSync());
    const want = transpose(full, [1, 0, 2]).dataSync();
    assertClose(
      got.flatMap((a) => [...a]),
      want,
      1e-12,
    );
  });

  it('padding masks from embedding({maskZero}) reach the attention in a functional model', () => {
    const ids = input({ shape: [4], dtype: 'int32' });
    const emb = layers.embedding({ inputDim: 6, outputDim: 3, maskZero: true, dtype: 'float64' });
    const mha = layers.multiHeadAttention({ numHeads: 2, keyDim: 2, dtype: 'float64' });
    const h = emb.apply(ids) as SymbolicTensor;
    const m = functionalModel({ inputs: ids, outputs: mha.apply(h, { useCausalMask: true }) as SymbolicTensor });
    const tokens = tensor(
      [
        [3, 1, 0, 0],
        [2, 5, 4, 0],
      ],
      undefined,
      'int32',
    );
    const y = m.predict(tokens) as Tensor;
    const x = emb.apply(tokens) as Tensor;
    const real = (b: number, s: number) => tokens.dataSync()[b * 4 + s] !== 0;
    // Keras: query mask [B, T, 1] & value mask [B, 1, S] & causal.
    const want = referenceAttention(x, x, x, mhaWeights(mha), (b, t, s) => real(b, t) && real(b, s) && s <= t);
    assertClose(y, want.output, 1e-12);
    // The output carries the query's mask on.
    assert.deepEqual([...(mha.computeMask(x, emb.computeMask(tokens)) as Tensor).dataSync()], [1, 1, 0, 0, 1, 1, 1, 0]);
  });

  it('getConfig/fromConfig and a save/load round trip keep the layer and its call flags', () => {
    const mha = layers.multiHeadAttention({
      numHeads: 2,
      keyDim: 3,
      valueDim: 4,
      dropout: 0.1,
      outputShape: [5],
      kernelInitializer: 'heNormal',
      name: 'att',
    });
    const copy = deserializeLayer(serializeLayer(mha));
    assert.deepEqual(serializeLayer(copy), serializeLayer(mha));
    const x = input({ shape: [4, 6] });
    const y = mha.apply(x, { useCausalMask: true }) as SymbolicTensor;
    const m = functionalModel({ inputs: x, outputs: y });
    const data = rand64([2, 4, 6], 3);
    const loaded = loadFromBuffers(saveToBuffers(m));
    assertClose(loaded.predict(data) as Tensor, m.predict(data) as Tensor, 0);
    assert.deepEqual(
      loaded.weights.map((w) => w.name),
      m.weights.map((w) => w.name),
    );
    // The causal flag survived: the first position sees only itself.
    const sym = input({ shape: [4, 6] });
    const noCausal = functionalModel({ inputs: sym, outputs: copy.apply(sym) as SymbolicTensor });
    noCausal.setWeights(m.getWeights());
    assert.ok(
      [...(noCausal.predict(data) as Tensor).dataSync()].some(
        (v, i) => Math.abs(v - (loaded.predict(data) as Tensor).dataSync()[i]) > 1e-6,
      ),
    );
  });

  it('returnAttentionScores gives a second symbolic output with the scores shape', () => {
    const x = input({ shape: [5, 8] });
    const out = layers.multiHeadAttention({ numHeads: 4, keyDim: 2 }).apply(x, { returnAttentionScores: true });
    assert.ok(Array.isArray(out));
    assert.deepEqual(
      (out as SymbolicTensor[]).map((t) => t.shape),
      [
        [null, 5, 8],
        [null, 4, 5, 5],
      ],
    );
  });
});

describe('GroupedQueryAttention', () => {
  it('shares each key/value head among its group of query heads (loop definition)', () => {
    const gqa = layers.groupedQueryAttention({ headDim: 2, numQueryHeads: 4, numKeyValueHeads: 2, dtype: 'float64' });
    const x = rand64([2, 3, 5], 1),
      v = rand64([2, 4, 5], 2);
    gqa.apply(x, { value: v });
    randomizeWeights(gqa, 20);
    assert.deepEqual(
      gqa.weights.map((w) => w.shape),
      [[5, 4, 2], [4, 2], [5, 2, 2], [2, 2], [5, 2, 2], [2, 2], [4, 2, 5], [5]],
    );
    const [wq, bq, wk, bk, wv, bv, wo, bo] = gqa.getWeights();
    const [y, scores] = gqa.apply(x, { value: v, useCausalMask: true, returnAttentionScores: true }) as Tensor[];
    const want = referenceAttention(x, v, v, { wq, bq, wk, bk, wv, bv, wo, bo }, (_b, t, s) => s <= t, 2);
    assertClose(y, want.output, 1e-12);
    assertClose(scores, want.scores, 1e-12);
    assert.deepEqual(scores.shape, [2, 4, 3, 4]);
  });
});

describe('Attention and AdditiveAttention', () => {
  /** Luong or Bahdanau attention by loops, with Keras' "-1e9" masking and zeroed masked queries. */
  function reference(
    q: Tensor,
    v: Tensor,
    score: (b: number, t: number, s: number) => number,
    valueMask: (b: number, s: number) => boolean,
    queryMask: (b: number, t: number) => boolean,
  ): number[] {
    const [B, T] = q.shape;
    const [, S, D] = v.shape;
    const V = reader(v);
    const out: number[] = [];
    for (let b = 0; b < B; b++)
      for (let t = 0; t < T; t++) {
        const logits = Array.from({ length: S }, (_, s) => score(b, t, s) - (valueMask(b, s) ? 0 : 1e9));
        const m = Math.max(...logits);
        const e = logits.map((l) => Math.exp(l - m));
        const z = e.reduce((a, c) => a + c, 0);
        for (let d = 0; d < D; d++) {
          let acc = 0;
          for (let s = 0; s < S; s++) acc += (e[s] / z) * V(b, s, d);
          out.push(queryMask(b, t) ? acc : 0);
        }
      }
    return out;
  }
  const q = rand64([2, 3, 4], 1),
    v = rand64([2, 5, 4], 2),
    k = rand64([2, 5, 4], 3);
  const Q = reader(q),
    K = reader(k);
  const qm = tensor([1, 1, 0, 1, 0, 1], [2, 3], 'bool'),
    vm = tensor([1, 0, 1, 1, 0, 0, 0, 0, 0, 0], [2, 5], 'bool');
  const inQ = (b: number, t: number) => qm.dataSync()[b * 3 + t] === 1;
  const inV = (b: number, s: number) => vm.dataSync()[b * 5 + s] === 1;

  it("'dot' with a learned scale, padding masks and a fully masked value row", () => {
    const att = layers.attention({ useScale: true, dtype: 'float64' });
    att.apply([q, v, k]);
    att.setWeights([tensor(1.7, [], 'float64')]);
    const y = att.apply([q, v, k], { mask: [qm, vm] }) as Tensor;
    const dot = (b: number, t: number, s: number) => {
      let a = 0;
      for (let d = 0; d < 4; d++) a += Q(b, t, d) * K(b, s, d);
      return 1.7 * a;
    };
    assertClose(y, reference(q, v, dot, inV, inQ), 1e-12);
    for (const x of y.dataSync()) assert.ok(Number.isFinite(x));
  });

  it("'concat' scores and the causal mask", () => {
    const att = layers.attention({ scoreMode: 'concat', useScale: true, dtype: 'float64' });
    att.apply([q, v, k]);
    att.setWeights([tensor(0.6, [], 'float64'), tensor(1.3, [], 'float64')]);
    const y = att.apply([q, v, k], { useCausalMask: true }) as Tensor;
    const concat = (b: number, t: number, s: number) => {
      let a = 0;
      for (let d = 0; d < 4; d++) a += Math.tanh(0.6 * (Q(b, t, d) + K(b, s, d)));
      return 1.3 * a - (s <= t ? 0 : 1e9);
    };
    assertClose(y, reference(q, v, concat, all, all), 1e-12);
  });

  it('AdditiveAttention: sum(scale * tanh(q + k)), weights [dim]', () => {
    const att = layers.additiveAttention({ dtype: 'float64' });
    att.apply([q, v, k]);
    const scale = rand64([4], 9);
    att.setWeights([scale]);
    const S = scale.dataSync();
    const [y, w] = att.apply([q, v, k], { mask: [qm, vm], returnAttentionScores: true }) as Tensor[];
    const additive = (b: number, t: number, s: number) => {
      let a = 0;
      for (let d = 0; d < 4; d++) a += S[d] * Math.tanh(Q(b, t, d) + K(b, s, d));
      return a;
    };
    assertClose(y, reference(q, v, additive, inV, inQ), 1e-12);
    assert.deepEqual(w.shape, [2, 3, 5]);
    assert.deepEqual(serializeLayer(deserializeLayer(serializeLayer(att))), serializeLayer(att));
    assert.equal('scoreMode' in att.getConfig(), false);
  });
});
