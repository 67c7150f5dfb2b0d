import { describe, it } from 'node:test';
import type { Tensor } from '../../src/core/tensor.js';
import { layers, tensor } from '../../src/index.js';
import type { PositionCallArgs } from '../../src/layers/position.js';
import { rand64 } from '../helpers/gradcheck.js';
import { checkVariableGradients, inputVariable } from './layer_gradcheck.js';

const f64 = { dtype: 'float64' as const };
/** Biases start at zero; random values make their gradients (and the others') less special. */
function randomize(layer: { weights: { shape: readonly number[] }[]; setWeights(v: Tensor[]): void }, seed = 30) {
  layer.setWeights(layer.weights.map((w, i) => rand64([...w.shape], seed + i, -0.7, 0.7)));
}
const padding = tensor([1, 1, 1, 0, 1, 1, 0, 0], [2, 4], 'bool');

describe('gradient checks (float64 finite differences): attention', () => {
  it('EinsumDense with per-head bias and an activation', () => {
    const layer = layers.einsumDense({
      equation: 'abc,cde->abde',
      outputShape: [null, 2, 3],
      biasAxes: 'de',
      activation: 'tanh',
      ...f64,
    });
    const x = inputVariable([2, 3, 4]);
    layer.apply(x);
    randomize(layer);
    checkVariableGradients(() => layer.apply(x) as Tensor, [...layer.weights, x]);
  });

  it('MultiHeadAttention: padding and causal masks, scores too', () => {
    const mha = layers.multiHeadAttention({ numHeads: 2, keyDim: 2, ...f64 });
    const x = inputVariable([2, 4, 3]);
    mha.apply(x);
    randomize(mha);
    checkVariableGradients(
      () => mha.apply(x, { mask: padding, useCausalMask: true, returnAttentionScores: true }) as Tensor[],
      [...mha.weights, x],
    );
  });

  it('MultiHeadAttention: cross-attention with a key, an attention mask and a fully masked row', () => {
    const mha = layers.multiHeadAttention({ numHeads: 2, keyDim: 2, valueDim: 3, outputShape: 2, ...f64 });
    const q = inputVariable([1, 3, 4], 1, 'query'),
      v = inputVariable([1, 4, 2], 2, 'value'),
      k = inputVariable([1, 4, 3], 3, 'key');
    const mask = tensor([1, 0, 1, 1, 0, 0, 0, 0, 0, 1, 1, 0], [1, 3, 4], 'bool');
    mha.apply(q, { value: v, key: k });
    randomize(mha, 40);
    checkVariableGradients(
      () => mha.apply(q, { value: v, key: k, attentionMask: mask }) as Tensor,
      [...mha.weights, q, v, k],
    );
  });

  it('MultiHeadAttention with a gate and a sliding window', () => {
    const mha = layers.multiHeadAttention({ numHeads: 2, keyDim: 2, useGate: true, slidingWindow: 2, ...f64 });
    const x = inputVariable([1, 4, 3]);
    mha.apply(x);
    randomize(mha, 42);
    checkVariableGradients(() => mha.apply(x, { useCausalMask: true }) as Tensor, [...mha.weights, x]);
  });

  it('MultiHeadAttention over two attention axes', () => {
    const mha = layers.multiHeadAttention({ numHeads: 1, keyDim: 2, attentionAxes: [1, 2], ...f64 });
    const x = inputVariable([1, 2, 3, 2]);
    mha.apply(x);
    randomize(mha, 45);
    checkVariableGradients(() => mha.apply(x) as Tensor, [...mha.weights, x]);
  });

  it('GroupedQueryAttention with the causal mask', () => {
    const gqa = layers.groupedQueryAttention({ headDim: 2, numQueryHeads: 4, numKeyValueHeads: 2, ...f64 });
    const x = inputVariable([2, 3, 3]);
    gqa.apply(x);
    randomize(gqa, 50);
    checkVariableGradients(
      () => gqa.apply(x, { useCausalMask: true, mask: padding.slice([0, 0], [2, 3]) }) as Tensor,
      [...gqa.weights, x],
    );
  });

  for (const [name, make] of [
    ['Attention dot, scaled', () => layers.attention({ useScale: true, ...f64 })],
    ['Attention concat', () => layers.attention({ scoreMode: 'concat', useScale: true, ...f64 })],
    ['AdditiveAttention', () => layers.additiveAttention(f64)],
  ] as const)
    it(`${name} with query and value masks`, () => {
      const att = make();
      const q = inputVariable([2, 3, 2], 1, 'query'),
        v = inputVariable([2, 4, 2], 2, 'value');
      att.apply([q, v]);
      randomize(att, 60);
      const qm = tensor([1, 1, 0, 1, 0, 1], [2, 3], 'bool');
      checkVariableGradients(() => att.apply([q, v], { mask: [qm, padding] }) as Tensor, [...att.weights, q, v]);
    });
});

describe('gradient checks (float64 finite differences): positions, norms, blocks', () => {
  it('PositionEmbedding from a start index', () => {
    const pos = layers.positionEmbedding({ sequenceLength: 6, ...f64 });
    const x = inputVariable([2, 3, 2]);
    const args: PositionCallArgs = { startIndex: 2 };
    pos.apply(x, args);
    checkVariableGradients(() => pos.apply(x, args) as Tensor, [...pos.weights, x]);
  });

  it('TokenAndPositionEmbedding, tied and untied reverse projections', () => {
    for (const tieWeights of [true, false]) {
      const emb = layers.tokenAndPositionEmbedding({
        vocabularySize: 5,
        sequenceLength: 4,
        embeddingDim: 3,
        tieWeights,
        ...f64,
      });
      const ids = tensor(
        [
          [1, 4, 0],
          [2, 2, 3],
        ],
        undefined,
        'int32',
      );
      emb.apply(ids);
      checkVariableGradients(() => emb.reverse(emb.apply(ids) as Tensor), emb.weights);
    }
  });

  it('RotaryEmbedding on [batch, time, heads, size] and the sine encoding', () => {
    const x = inputVariable([1, 3, 2, 4]);
    const rope = layers.rotaryEmbedding(f64);
    checkVariableGradients(() => rope.apply(x, { startIndex: 1 } as PositionCallArgs) as Tensor, [x]);
    const sine = layers.sinePositionEncoding(f64);
    const y = inputVariable([1, 3, 4], 2);
    checkVariableGradients(() => y.add(sine.apply(y) as Tensor), [y]);
  });

  it('LayerNormalization with rmsScaling', () => {
    const ln = layers.layerNormalization({ rmsScaling: true, ...f64 });
    const x = inputVariable([2, 5]);
    ln.apply(x);
    randomize(ln, 70);
    checkVariableGradients(() => ln.apply(x) as Tensor, [...ln.weights, x]);
  });

  for (const normalizeFirst of [false, true])
    it(`TransformerEncoder (normalizeFirst ${normalizeFirst}) with a padding mask`, () => {
      const enc = layers.transformerEncoder({
        intermediateDim: 3,
        numHeads: 2,
        activation: 'gelu',
        normalizeFirst,
        ...f64,
      });
      const x = inputVariable([2, 4, 4]);
      enc.apply(x);
      randomize(enc, 80);
      checkVariableGradients(() => enc.apply(x, { mask: padding }) as Tensor, [...enc.weights, x]);
    });

  it('TransformerDecoder: causal self-attention, cross-attention, both padding masks', () => {
    const dec = layers.transformerDecoder({ intermediateDim: 3, numHeads: 2, activation: 'gelu_approximate', ...f64 });
    const x = inputVariable([2, 3, 2], 1, 'decoder'),
      e = inputVariable([2, 4, 2], 2, 'encoder');
    dec.apply(x, { encoderSequence: e });
    randomize(dec, 90);
    const decoderPad = tensor([1, 1, 0, 1, 1, 1], [2, 3], 'bool');
    checkVariableGradients(() => dec.apply([x, e], { mask: [decoderPad, padding] }) as Tensor, [...dec.weights, x, e]);
  });
});
