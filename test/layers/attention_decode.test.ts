import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Tensor } from '../../src/core/tensor.js';
import { ValueError } from '../../src/core/errors.js';
import { add, concat, einsum, layers, reshape, slice, tensor, withBackend } from '../../src/index.js';
import { attentionDecodeStep, decodeStepUnsupported, toHeadMajor } from '../../src/layers/attention_decode.js';
import type { MultiHeadAttention } from '../../src/layers/multi_head_attention.js';
import type { TransformerDecoder } from '../../src/layers/transformer_decoder.js';
import { assertClose, rand64 } from '../helpers/gradcheck.js';
import { checkVariableGradients, inputVariable } from './layer_gradcheck.js';

function randomize(layer: { weights: { shape: readonly number[] }[]; setWeights(v: Tensor[]): void }, seed = 30) {
  layer.setWeights(layer.weights.map((w, i) => rand64([...w.shape], seed + i, -0.7, 0.7)));
}

/** Positions [from, to) of a [batch, length, dim] sequence. */
const positions = (x: Tensor, from: number, to: number) => slice(x, [0, from, 0], [x.shape[0], to - from, x.shape[2]]);

describe('attentionDecodeStep: one-token causal self-attention on a head-major cache', () => {
  for (const useGate of [false, true])
    it(`equals cachedCall step by step (float64${useGate ? ', gated' : ''}, batch 2, keyDim ≠ valueDim)`, () => {
      const mha = layers.multiHeadAttention({ numHeads: 2, keyDim: 3, valueDim: 2, useGate, dtype: 'float64' });
      const x = rand64([2, 6, 5], 3);
      mha.apply(x, { useCausalMask: true });
      randomize(mha as unknown as MultiHeadAttention, 40);
      const m = mha as unknown as MultiHeadAttention;
      assert.equal(decodeStepUnsupported(m), null);
      let reference = m.cachedCall(positions(x, 0, 3), null);
      let heads = toHeadMajor(reference.cache);
      for (let t = 3; t < 6; t++) {
        const token = positions(x, t, t + 1);
        reference = m.cachedCall(token, reference.cache);
        const step = attentionDecodeStep(m, token, heads);
        heads = step.cache;
        assert.deepEqual(step.output.shape, [2, 1, 5]);
        assert.deepEqual(heads.key.shape, [2, 2, t + 1, 3]);
        assert.deepEqual(heads.value.shape, [2, 2, t + 1, 2]);
        assertClose(step.output, reference.output, 1e-12);
        assertClose(heads.value, toHeadMajor(reference.cache).value, 0);
      }
    });

  it('starts from an empty cache', () => {
    const mha = layers.multiHeadAttention({
      numHeads: 2,
      keyDim: 2,
      dtype: 'float64',
    }) as unknown as MultiHeadAttention;
    const x = rand64([1, 1, 4], 4);
    mha.cachedCall(x, null);
    randomize(mha, 44);
    assertClose(attentionDecodeStep(mha, x, null).output, mha.cachedCall(x, null).output, 1e-12);
  });

  it('is not offered for a sliding window or other attention axes', () => {
    const windowed = layers.multiHeadAttention({
      numHeads: 1,
      keyDim: 2,
      slidingWindow: 2,
    }) as unknown as MultiHeadAttention;
    windowed.apply(tensor(new Float32Array(6), [1, 3, 2]));
    assert.match(decodeStepUnsupported(windowed) ?? '', /sliding window/);
    const image = layers.multiHeadAttention({
      numHeads: 1,
      keyDim: 2,
      attentionAxes: [1, 2],
    }) as unknown as MultiHeadAttention;
    image.apply(tensor(new Float32Array(16), [1, 2, 2, 4]));
    assert.match(decodeStepUnsupported(image) ?? '', /other axes/);
    const fresh = layers.multiHeadAttention({ numHeads: 1, keyDim: 2 }) as unknown as MultiHeadAttention;
    assert.match(decodeStepUnsupported(fresh) ?? '', /not built/);
  });
});

describe('TransformerDecoder.decodeStep', () => {
  for (const normalizeFirst of [true, false])
    it(`equals cachedCall one token at a time (${normalizeFirst ? 'pre' : 'post'}-norm, float64)`, () => {
      const dec = layers.transformerDecoder({
        intermediateDim: 8,
        numHeads: 2,
        normalizeFirst,
        activation: 'gelu',
        dtype: 'float64',
      }) as unknown as TransformerDecoder;
      const x = rand64([2, 6, 4], 5);
      dec.apply(x);
      randomize(dec, 60);
      let reference = dec.cachedCall(positions(x, 0, 4), null);
      let heads = toHeadMajor(reference.cache);
      for (let t = 4; t < 6; t++) {
        const token = positions(x, t, t + 1);
        reference = dec.cachedCall(token, reference.cache);
        const step = dec.decodeStep(token, heads);
        heads = step.cache;
        assertClose(step.output, reference.output, 1e-12);
      }
    });

  it('on wasm (float32) gives the values of the reference backend', () => {
    const run = () => {
      const dec = layers.transformerDecoder({
        intermediateDim: 64,
        numHeads: 4,
        normalizeFirst: true,
        activation: 'gelu',
      });
      const x = tensor(rand64([1, 9, 32], 7).dataSync(), [1, 9, 32], 'float32');
      dec.apply(x);
      dec.setWeights(dec.weights.map((w, i) => tensor(rand64([...w.shape], 70 + i, -0.3, 0.3).dataSync(), w.shape)));
      const prompt = dec.cachedCall(positions(x, 0, 7), null);
      let heads = toHeadMajor(prompt.cache);
      const outs: number[] = [];
      for (let t = 7; t < 9; t++) {
        const step = dec.decodeStep(positions(x, t, t + 1), heads);
        heads = step.cache;
        outs.push(...step.output.dataSync());
      }
      return outs;
    };
    const ref = withBackend('ref', run);
    assertClose(withBackend('wasm', run), ref, 1e-5);
  });

  it('refuses more than one new position, a cache of another batch, and a block with cross-attention', () => {
    const dec = layers.transformerDecoder({ intermediateDim: 4, numHeads: 1 }) as unknown as TransformerDecoder;
    const x = tensor(new Float32Array(2 * 3 * 2), [2, 3, 2]);
    assert.match(dec.decodeStepUnsupported() ?? '', /not built/);
    const { cache } = dec.cachedCall(x, null);
    assert.throws(
      () => dec.decodeStep(x, null),
      (e: Error) => e instanceof ValueError && /\[2, 3, 2\]/.test(e.message),
    );
    const other = toHeadMajor({
      key: slice(cache.key, [0, 0, 0, 0], [1, 3, 1, 2]),
      value: slice(cache.value, [0, 0, 0, 0], [1, 3, 1, 2]),
    });
    assert.throws(
      () => dec.decodeStep(positions(x, 0, 1), other),
      (e: Error) => e instanceof ValueError && /cache of the same batch/.test(e.message),
    );
    const cross = layers.transformerDecoder({ intermediateDim: 4, numHeads: 1 }) as unknown as TransformerDecoder;
    cross.apply(x, { encoderSequence: x });
    assert.throws(
      () => cross.decodeStep(positions(x, 0, 1), null),
      (e: Error) => e instanceof ValueError && /cross-attention; use cachedCall/.test(e.message),
    );
  });
});

describe('EinsumDense: projections of the last axis as one product', () => {
  const cases = [
    { equation: 'abc,cde->abde', outputShape: [null, 2, 3], biasAxes: 'de', input: [2, 3, 4] },
    { equation: 'abcd,cde->abe', outputShape: [null, 3], biasAxes: 'e', input: [2, 3, 2, 4] },
    { equation: 'ab,bc->ac', outputShape: [3], biasAxes: null, input: [5, 4] },
    // Not a plain projection: the einsum itself (the bias on part of the output, a transposed kernel).
    { equation: 'abc,cde->abde', outputShape: [null, 2, 3], biasAxes: 'e', input: [2, 3, 4] },
    { equation: 'abc,dc->abd', outputShape: [null, 3], biasAxes: 'd', input: [2, 3, 4] },
  ];
  for (const c of cases)
    it(`${c.equation} (bias ${c.biasAxes ?? 'none'}): the einsum's values and float64 gradients`, () => {
      const layer = layers.einsumDense({
        equation: c.equation,
        outputShape: c.outputShape,
        biasAxes: c.biasAxes,
        activation: 'tanh',
        dtype: 'float64',
      });
      const x = inputVariable(c.input);
      layer.apply(x);
      randomize(layer);
      const [kernel, bias] = layer.getWeights();
      const outputs = c.equation.split('->')[1];
      let want = einsum(c.equation, x, kernel);
      if (bias) {
        // The bias over its axes, broadcast along the output's others.
        const shape = [...outputs].map((l, i) => ((c.biasAxes ?? '').includes(l) ? want.shape[i] : 1));
        want = add(want, reshape(bias, shape));
      }
      assertClose(layer.apply(x) as Tensor, want.dataSync().map(Math.tanh), 1e-12);
      checkVariableGradients(() => layer.apply(x) as Tensor, [...layer.weights, x]);
    });

  it('on wasm: the values of the reference backend', () => {
    const run = () => {
      const layer = layers.einsumDense({
        equation: 'abc,cde->abde',
        outputShape: [null, 4, 8],
        biasAxes: 'de',
        activation: 'relu',
      });
      const x = tensor(rand64([3, 5, 16], 9).dataSync(), [3, 5, 16], 'float32');
      layer.apply(x);
      layer.setWeights(layer.weights.map((w, i) => tensor(rand64([...w.shape], 90 + i).dataSync(), w.shape)));
      return [...(layer.apply(concat([x, x], 0)) as Tensor).dataSync()];
    };
    assertClose(withBackend('wasm', run), withBackend('ref', run), 1e-5);
  });
});
