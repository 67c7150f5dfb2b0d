import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValueError } from '../../src/core/errors.js';
import { layers, memory, ones, tensor } from '../../src/index.js';
import type { PositionCallArgs } from '../../src/layers/position.js';

/**
 * Asserts a ValueError whose message matches every pattern, thrown before any computing: no
 * tensor is created by the failing call.
 */
function rejects(f: () => unknown, ...patterns: RegExp[]): void {
  const before = memory().numTensors;
  assert.throws(f, (e: Error) => {
    assert.ok(e instanceof ValueError, `expected a ValueError, got ${e}`);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
  assert.equal(memory().numTensors, before, 'the failing call created tensors');
}

describe('bad input to the attention layers and Transformer blocks', () => {
  it('query, key and value feature sizes that do not match', () => {
    const mha = layers.multiHeadAttention({ numHeads: 2, keyDim: 3, name: 'mha' });
    mha.apply(ones([2, 4, 8]), { value: ones([2, 5, 6]) });
    const q6 = ones([2, 4, 6]),
      v6 = ones([2, 5, 6]),
      v8 = ones([2, 5, 8]),
      k7 = ones([2, 6, 6]),
      q8 = ones([2, 4, 8]);
    rejects(
      () => mha.apply(q6, { value: v6 }),
      /MultiHeadAttention 'mha'/,
      /query has shape \[2, 4, 6\]/,
      /with 8 features/,
    );
    rejects(() => mha.apply(q8, { value: v8 }), /value has shape \[2, 5, 8\]/, /with 6 features/);
    rejects(
      () => mha.apply(q8, { value: v6, key: k7 }),
      /value and key must match in every axis but the last, got value \[2, 5, 6\] and key \[2, 6, 6\]/,
    );
    const att = layers.attention({ name: 'att' });
    const q3 = ones([2, 3, 3]),
      v4 = ones([2, 5, 4]);
    rejects(
      () => att.apply([q3, v4]),
      /Attention 'att': query and key must have the same feature size, got query \[2, 3, 3\] \(3 features\) and key \[2, 5, 4\] \(4 features\)/,
    );
    rejects(
      () =>
        layers
          .groupedQueryAttention({ headDim: 2, numQueryHeads: 2, numKeyValueHeads: 1, name: 'gqa' })
          .apply(q3, { value: v4 }),
      /GroupedQueryAttention 'gqa': query, value and key must have the same feature size/,
    );
  });

  it('masks of the wrong shape', () => {
    const mha = layers.multiHeadAttention({ numHeads: 2, keyDim: 3, name: 'mha' });
    const x = ones([2, 4, 8]);
    mha.apply(x);
    const mask = tensor(new Array(24).fill(1), [2, 4, 3], 'bool');
    rejects(
      () => mha.apply(x, { attentionMask: mask }),
      /MultiHeadAttention 'mha': attentionMask of shape \[2, 4, 3\] does not match \[batch, query axes, key axes\] = \[2, 4, 4\]/,
    );
    const enc = layers.transformerEncoder({ intermediateDim: 4, numHeads: 2, name: 'enc' });
    enc.apply(x);
    const pad = tensor([1, 1, 1, 1, 1, 0], [2, 3], 'bool');
    rejects(
      () => enc.apply(x, { paddingMask: pad }),
      /TransformerEncoder 'enc': paddingMask must be \[batch, length\] = \[2, 4\], got \[2, 3\]/,
    );
    rejects(
      () => enc.apply(x, { attentionMask: mask }),
      /attentionMask must be \[batch, target length, source length\] = \[2, 4, 4\], got \[2, 4, 3\]/,
    );
    const att = layers.attention({ name: 'att' });
    rejects(
      () => att.apply([x, x], { mask: [pad, pad] }),
      /Attention 'att': the query mask must be \[batch, length\] = \[2, 4\], got \[2, 3\]/,
    );
    const dec = layers.transformerDecoder({ intermediateDim: 4, numHeads: 2, name: 'dec' });
    dec.apply(x);
    rejects(
      () => dec.apply(x, { decoderPaddingMask: pad }),
      /TransformerDecoder 'dec': decoderPaddingMask must be \[batch, length\] = \[2, 4\], got \[2, 3\]/,
    );
  });

  it('embedDim not divisible by numHeads', () => {
    const x = ones([2, 3, 6]);
    rejects(
      () => layers.transformerEncoder({ intermediateDim: 4, numHeads: 4, name: 'enc' }).apply(x),
      /TransformerEncoder 'enc': the input's feature size \(embedDim\) 6 must be divisible by numHeads 4/,
    );
    rejects(
      () => layers.transformerDecoder({ intermediateDim: 4, numHeads: 4, name: 'dec' }).apply(x),
      /TransformerDecoder 'dec': the input's feature size \(embedDim\) 6 must be divisible by numHeads 4/,
    );
    assert.throws(
      () => layers.groupedQueryAttention({ headDim: 2, numQueryHeads: 6, numKeyValueHeads: 4, name: 'gqa' }),
      /GroupedQueryAttention 'gqa': numQueryHeads \(6\) must be divisible by numKeyValueHeads \(4\)/,
    );
  });

  it('a sequence longer than the position table', () => {
    const pos = layers.positionEmbedding({ sequenceLength: 4, name: 'pos' });
    pos.apply(ones([1, 4, 2]));
    const long = ones([1, 6, 2]);
    rejects(
      () => pos.apply(long),
      /PositionEmbedding 'pos': positions 0\.\.5 \(an input of length 6, shape \[1, 6, 2\]\) exceed the table's sequenceLength 4/,
    );
    const short = ones([1, 2, 2]);
    rejects(
      () => pos.apply(short, { startIndex: 3 } as PositionCallArgs),
      /positions 3\.\.4 .* from startIndex 3.*sequenceLength 4/,
    );
    const tpe = layers.tokenAndPositionEmbedding({
      vocabularySize: 6,
      sequenceLength: 4,
      embeddingDim: 2,
      name: 'tpe',
    });
    tpe.apply(tensor([[1, 2]], undefined, 'int32'));
    const ids = tensor([[1, 2, 3, 4, 5]], undefined, 'int32');
    rejects(
      () => tpe.apply(ids),
      /TokenAndPositionEmbedding 'tpe': an input of 5 tokens \(shape \[1, 5\]\) is longer than sequenceLength 4/,
    );
  });

  it('token ids outside the vocabulary', () => {
    const tpe = layers.tokenAndPositionEmbedding({
      vocabularySize: 6,
      sequenceLength: 4,
      embeddingDim: 2,
      name: 'tpe',
    });
    tpe.apply(tensor([[1, 2]], undefined, 'int32'));
    const bad = tensor([[1, 9]], undefined, 'int32');
    rejects(
      () => tpe.apply(bad),
      /Embedding 'tpe\/token_embedding': token id 9 \(at flat position 1 of input shape \[1, 2\]\) is outside the vocabulary; expected integers in \[0, 6\)/,
    );
  });

  it('misspelt options name the closest valid one', () => {
    assert.throws(
      () => layers.multiHeadAttention({ numHeads: 2, keyDim: 2, useCasualMask: true } as never),
      /layers\.multiHeadAttention: unknown option 'useCasualMask'/,
    );
    assert.throws(
      () => layers.transformerEncoder({ intermediateDim: 4, numHeads: 2, normaliseFirst: true } as never),
      /unknown option 'normaliseFirst' \(did you mean 'normalizeFirst'\?\)/,
    );
  });

  it('other arguments: equations, heads, axes, odd rotary sizes, decoder inputs', () => {
    assert.throws(
      () => layers.einsumDense({ equation: 'ab->b', outputShape: 3, name: 'ed' }),
      /EinsumDense 'ed': invalid equation 'ab->b'; expected the form \[X\],\[Y\]->\[Z\]/,
    );
    assert.throws(
      () => layers.multiHeadAttention({ numHeads: 0, keyDim: 2, name: 'm' }),
      /MultiHeadAttention 'm': 'numHeads' must be a positive integer, got 0/,
    );
    assert.throws(
      () =>
        layers.multiHeadAttention({ numHeads: 1, keyDim: 2, attentionAxes: [2], name: 'm2' }).apply(ones([1, 3, 4])),
      /'attentionAxes' \[2\] must name distinct axes of the query between the batch and the features/,
    );
    const odd = ones([1, 2, 3]);
    rejects(
      () => layers.rotaryEmbedding({ name: 'rope' }).apply(odd),
      /RotaryEmbedding 'rope': the feature size must be even.*got 3/,
    );
    const dec = layers.transformerDecoder({ intermediateDim: 4, numHeads: 2, name: 'dec' });
    const x = ones([1, 3, 4]);
    dec.apply(x);
    rejects(() => dec.apply(x, { encoderSequence: x }), /TransformerDecoder 'dec' was built without cross-attention/);
  });
});
