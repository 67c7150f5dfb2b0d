import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { layers, tensor, type Tensor } from '../../src/index.js';

const close = (got: ArrayLike<number>, want: number[], tol = 1e-6) => {
  assert.equal(got.length, want.length);
  for (let i = 0; i < want.length; i++)
    assert.ok(Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i])), `${i}: ${got[i]} vs ${want[i]}`);
};

// A 3-word vocabulary embedded in 2 dimensions, and two hidden states.
const table = [
  [1, 2],
  [-1, 0.5],
  [3, -2],
];
const reverseTable = [
  [0.5, -1, 2],
  [1, 0, -0.5],
];
const hidden = [
  [2, 1],
  [-1, 3],
];
// hidden · tableᵀ and hidden · reverseTable, by hand.
const tiedLogits = [
  2 * 1 + 1 * 2,
  2 * -1 + 1 * 0.5,
  2 * 3 + 1 * -2,
  -1 * 1 + 3 * 2,
  -1 * -1 + 3 * 0.5,
  -1 * 3 + 3 * -2,
];
const untiedLogits = [2 * 0.5 + 1, 2 * -1 + 0, 2 * 2 + 1 * -0.5, -0.5 + 3, 1 + 0, -2 - 1.5];

function layer(args: Parameters<typeof layers.reversibleEmbedding>[0]) {
  const emb = layers.reversibleEmbedding(args);
  emb.apply(tensor([[0]], [1, 1], 'int32'));
  emb.setWeights(args.tieWeights === false ? [tensor(table), tensor(reverseTable)] : [tensor(table)]);
  return emb;
}

describe('ReversibleEmbedding', () => {
  it('looks ids up like Embedding and projects hidden states back with the transposed table', () => {
    const emb = layer({ inputDim: 3, outputDim: 2 });
    close((emb.apply(tensor([[2, 0]], [1, 2], 'int32')) as Tensor).dataSync(), [3, -2, 1, 2]);
    const logits = emb.apply(tensor([hidden]), { reverse: true }) as Tensor;
    assert.deepEqual(logits.shape, [1, 2, 3]);
    close(logits.dataSync(), tiedLogits);
    assert.equal(emb.weights.length, 1);
  });

  it('with tieWeights false, uses its own reverse_embeddings; logitSoftCap caps the logits as tanh(l / c) · c', () => {
    const emb = layer({ inputDim: 3, outputDim: 2, tieWeights: false });
    assert.deepEqual(
      emb.weights.map((w) => w.shape),
      [
        [3, 2],
        [2, 3],
      ],
    );
    close((emb.apply(tensor(hidden), { reverse: true }) as Tensor).dataSync(), untiedLogits);
    const capped = layer({ inputDim: 3, outputDim: 2, tieWeights: false, logitSoftCap: 2.5 });
    close(
      (capped.apply(tensor(hidden), { reverse: true }) as Tensor).dataSync(),
      untiedLogits.map((l) => Math.tanh(l / 2.5) * 2.5),
    );
  });

  it('reverseDtype float64 computes the reverse product in float64; a reverse call builds an unbuilt layer', () => {
    const emb = layers.reversibleEmbedding({ inputDim: 4, outputDim: 2, reverseDtype: 'float64' });
    const logits = emb.apply(tensor(hidden), { reverse: true }) as Tensor;
    assert.equal(logits.dtype, 'float64');
    assert.deepEqual(logits.shape, [2, 4]);
    assert.ok(emb.built);
  });

  it('masks padding ids with maskZero, and never the reverse output', () => {
    const emb = layer({ inputDim: 3, outputDim: 2, maskZero: true });
    assert.deepEqual(
      Array.from((emb.computeMask(tensor([[1, 0, 2]], [1, 3], 'int32')) as Tensor).dataSync()),
      [1, 0, 1],
    );
    assert.equal(emb.computeMask(tensor([hidden]), null, { reverse: true }), null);
  });

  it('names the layer, expected and actual values in its errors', () => {
    const emb = layer({ inputDim: 3, outputDim: 2, name: 'tied' });
    assert.throws(
      () => emb.apply(tensor([[1, 2, 3]]), { reverse: true }),
      /ReversibleEmbedding 'tied'.*reverse expects hidden states with 2 features \(outputDim\), got shape \[1, ?3\]/,
    );
    assert.throws(
      () => layers.reversibleEmbedding({ inputDim: 3, outputDim: 2, logitSoftCap: 0, name: 'cap' }),
      /'cap'.*'logitSoftCap' must be a positive number or null, got 0/,
    );
    assert.throws(
      () =>
        layers.reversibleEmbedding({ inputDim: 3, outputDim: 2, reverseDtype: 'bfloat16' as 'float32', name: 'dt' }),
      /'dt'.*'reverseDtype' must be 'float32', 'float64' or null, got "bfloat16"/,
    );
  });
});
