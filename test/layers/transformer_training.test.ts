import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  getBackend,
  input,
  layers,
  listBackends,
  losses,
  optimizers,
  model as functionalModel,
  setBackend,
  setSeed,
  tensor,
  type SymbolicTensor,
} from '../../src/index.js';

const initial = getBackend();
after(() => setBackend(initial));

/** A character-level next-token task: each sequence continues a repeating pattern, padded at the end. */
function data(): { x: number[][]; y: number[][] } {
  const x: number[][] = [],
    y: number[][] = [];
  for (let i = 0; i < 24; i++) {
    const seq = Array.from({ length: 9 }, (_, t) => 1 + ((i + t * (1 + (i % 3))) % 7));
    const pad = i % 4 === 0 ? 2 : 0; // some sequences end in padding (id 0)
    const ids = seq.slice(0, 8).map((v, t) => (t >= 8 - pad ? 0 : v));
    x.push(ids);
    y.push(seq.slice(1, 9));
  }
  return { x, y };
}

/**
 * A GPT block and an encoder block trained with fit on one backend: the per-epoch losses. The
 * padding mask flows from the embedding into both blocks.
 */
async function train(backend: string): Promise<number[]> {
  setBackend(backend);
  setSeed(11);
  const ids = input({ shape: [8], dtype: 'int32' });
  let h = layers
    .tokenAndPositionEmbedding({ vocabularySize: 8, sequenceLength: 8, embeddingDim: 16, maskZero: true })
    .apply(ids) as SymbolicTensor;
  h = layers
    .transformerDecoder({ intermediateDim: 32, numHeads: 2, normalizeFirst: true, activation: 'gelu_approximate' })
    .apply(h) as SymbolicTensor;
  h = layers.transformerEncoder({ intermediateDim: 24, numHeads: 4, activation: 'gelu' }).apply(h) as SymbolicTensor;
  h = layers.layerNormalization({ rmsScaling: true }).apply(h) as SymbolicTensor;
  const m = functionalModel({ inputs: ids, outputs: layers.dense({ units: 8 }).apply(h) as SymbolicTensor });
  // Logits out; the loss takes them from logits.
  m.compile({
    optimizer: optimizers.adam({ learningRate: 0.01 }),
    loss: new losses.SparseCategoricalCrossentropy({ fromLogits: true }),
  });
  const { x, y } = data();
  const history = await m.fit(tensor(x, undefined, 'int32'), tensor(y, undefined, 'int32'), {
    epochs: 4,
    batchSize: 8,
    shuffle: false,
    verbose: 0,
  });
  return history.history.loss as number[];
}

describe('a Transformer trains the same on every CPU backend', () => {
  it('wasm matches the reference backend, and the loss falls', { skip: !listBackends().includes('wasm') }, async () => {
    const ref = await train('ref');
    const wasm = await train('wasm');
    assert.equal(wasm.length, 4);
    wasm.forEach((v, i) =>
      assert.ok(Math.abs(v - ref[i]) <= 1e-4 * Math.abs(ref[i]), `epoch ${i}: wasm ${v} vs ref ${ref[i]}`),
    );
    assert.ok(ref[3] < ref[0] * 0.9, `the loss falls: ${ref.join(', ')}`);
  });
});
