import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValueError } from '../../src/core/errors.js';
import {
  input,
  layers,
  loadFromBuffers,
  losses,
  memory,
  models,
  optimizers,
  saveToBuffers,
  setSeed,
  tensor,
  model as functional,
  type SymbolicTensor,
  type Tensor,
} from '../../src/index.js';
import { matMul } from '../../src/ops/prims/matmul.js';
import { Variable } from '../../src/core/variable.js';

const tiny = { vocabSize: 11, blockSize: 8, numLayers: 2, numHeads: 2, embedDim: 8 };

function ids(rows: number[][]): Tensor {
  return tensor(rows, undefined, 'int32');
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(a.length, b.length, `${what}: lengths`);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

describe('models.gpt', () => {
  it('is a functional model of public layers: summary, parameter count, logits shape', () => {
    setSeed(1);
    const m = models.gpt(tiny);
    const names = m.layers.map((l) => l.getClassName());
    assert.deepEqual(names, [
      'InputLayer',
      'TokenAndPositionEmbedding',
      'TransformerDecoder',
      'TransformerDecoder',
      'LayerNormalization',
    ]);
    // Tables: tokens 11×8 + positions 8×8; per block: attention 4·(8·8) kernels + 3·8 + 8 biases,
    // two norms 2·2·8, feedforward 8·32 + 32 + 32·8 + 8; final norm 2·8. Tied: no output matrix.
    const block = 4 * 64 + 3 * 8 + 8 + 4 * 8 + (8 * 32 + 32 + 32 * 8 + 8);
    assert.equal(m.countParams(), 11 * 8 + 8 * 8 + 2 * block + 16);
    const lines: string[] = [];
    m.summary(undefined, undefined, (l: string) => lines.push(l));
    assert.ok(lines.some((l) => /decoder_1 \(TransformerDecoder\)/.test(l)));
    assert.ok(
      lines.some((l) => /final_norm\[0\]\[0\]/.test(l)),
      'the embedding is also called on final_norm',
    );
    const out = m.apply(
      ids([
        [1, 2, 3],
        [4, 5, 6],
      ]),
    ) as Tensor;
    assert.deepEqual(out.shape, [2, 3, 11]);
  });

  it('ties the output layer to the token table, or gives it its own matrix', () => {
    setSeed(2);
    const tied = models.gpt(tiny);
    const x = ids([[3, 1, 4, 1]]);
    const logits = (tied.apply(x) as Tensor).dataSync();
    // The same numbers by hand: the layers one by one, then a product with the table's transpose.
    const parts = models.gptParts(tied);
    assert.ok(parts);
    let h = parts.embedding.apply(x) as Tensor;
    for (const block of parts.blocks) h = block.apply(h) as Tensor;
    h = (parts.finalNorm as NonNullable<typeof parts.finalNorm>).apply(h) as Tensor;
    const table = parts.embedding.tokenEmbedding.embeddings as Variable;
    const byHand = matMul(h.reshape([4, 8]), table, false, true).dataSync();
    close(logits, byHand, 1e-5, 'tied logits');
    const untied = models.gpt({ ...tiny, tieEmbeddings: false });
    assert.equal(untied.countParams(), tied.countParams() + 8 * 11);
    assert.ok(untied.weights.some((w) => /reverse_embeddings/.test(w.name)));
  });

  it('saves and loads like any model, and the loaded model is still GPT-shaped', () => {
    setSeed(3);
    const m = models.gpt({ ...tiny, dropout: 0.1 });
    const x = ids([[1, 2, 3, 4, 5]]);
    const before = (m.apply(x) as Tensor).dataSync();
    const copy = loadFromBuffers(saveToBuffers(m));
    close((copy.apply(x) as Tensor).dataSync(), before, 1e-6, 'logits after load');
    const parts = models.gptParts(copy);
    assert.ok(parts);
    assert.equal(parts.blocks.length, 2);
    assert.equal(parts.blockSize, 8);
    assert.equal(parts.vocabSize, 11);
  });

  it('fit lowers the loss of a next-token task', async () => {
    setSeed(4);
    const m = models.gpt(tiny);
    m.compile({
      optimizer: models.gptOptimizer(m, { steps: 30, warmupSteps: 3, learningRate: 1e-2 }),
      loss: new losses.SparseCategoricalCrossentropy({ fromLogits: true }),
    });
    // Counting sequences: the next token is always the current one plus one (mod 11).
    const rows = Array.from({ length: 24 }, (_, i) => Array.from({ length: 9 }, (_, t) => (i + t) % 11));
    const x = ids(rows.map((r) => r.slice(0, 8)));
    const y = ids(rows.map((r) => r.slice(1)));
    const history = await m.fit(x, y, { epochs: 10, batchSize: 8, verbose: 0 });
    const loss = history.history.loss as number[];
    assert.ok(loss[9] < loss[0] * 0.75, `the loss falls: ${loss.map((v) => v.toFixed(3)).join(', ')}`);
  });

  it('gptParts rejects models of another shape', () => {
    const build = (causal: boolean, reversed: boolean) => {
      const x = input({ shape: [null], dtype: 'int32' });
      const emb = layers.tokenAndPositionEmbedding({ vocabularySize: 11, sequenceLength: 8, embeddingDim: 8 });
      let h = emb.apply(x) as SymbolicTensor;
      h = layers
        .transformerDecoder({ intermediateDim: 16, numHeads: 2 })
        .apply(h, { useCausalMask: causal }) as SymbolicTensor;
      const out = reversed ? emb.apply(h, { reverse: true }) : layers.dense({ units: 11 }).apply(h);
      return functional({ inputs: x, outputs: out as SymbolicTensor });
    };
    assert.ok(models.gptParts(build(true, true)));
    assert.equal(models.gptParts(build(false, true)), null, 'not causal');
    assert.equal(models.gptParts(build(true, false)), null, 'a dense head');
  });

  it('bad arguments are errors naming the argument, before anything is built', () => {
    const before = memory().numTensors;
    const bad = (args: object, pattern: RegExp) =>
      assert.throws(
        () => models.gpt(args as never),
        (e: Error) => e instanceof ValueError && pattern.test(e.message),
      );
    bad({ ...tiny, embedDim: 10, numHeads: 4 }, /'embedDim' 10 must be divisible by 'numHeads' 4/);
    bad({ ...tiny, vocabSize: 0 }, /'vocabSize' must be a positive integer, got 0/);
    bad({ ...tiny, blockSize: 2.5 }, /'blockSize' must be a positive integer, got 2.5/);
    bad({ ...tiny, dropout: 1 }, /'dropout' must be a number in \[0, 1\), got 1/);
    bad({ ...tiny, numLayer: 2 }, /numLayer/);
    assert.equal(memory().numTensors, before);
  });

  it('a sequence longer than blockSize and ids outside the vocabulary are errors naming the layer', () => {
    const m = models.gpt(tiny);
    const long = ids([[1, 2, 3, 4, 5, 6, 7, 8, 9]]),
      outside = ids([[1, 2, 11]]),
      negative = ids([[1, -1]]);
    const before = memory().numTensors;
    assert.throws(() => m.apply(long), /TokenAndPositionEmbedding 'embedding'.*9 tokens.*longer than sequenceLength 8/);
    assert.throws(
      () => m.apply(outside),
      /Embedding 'embedding\/token_embedding': token id 11 .* expected integers in \[0, 11\)/,
    );
    assert.throws(() => m.apply(negative), /token id -1/);
    assert.equal(memory().numTensors, before, 'nothing was computed');
  });
});

describe('gptOptimizer and excludeFromWeightDecay', () => {
  it('decays kernels and tables, not biases and norms; AdamW beta2 0.99; warm-up then cosine', () => {
    const m = models.gpt(tiny);
    const opt = models.gptOptimizer(m, { steps: 1000 });
    assert.equal(opt.className, 'AdamW');
    assert.equal(opt.beta2, 0.99);
    assert.equal(opt.globalClipNorm, 1);
    assert.equal(opt.weightDecay, 0.1);
    const decayed = m.trainableWeights.filter((v) => opt.usesWeightDecay(v)).map((v) => v.name);
    const kept = m.trainableWeights.filter((v) => !opt.usesWeightDecay(v)).map((v) => v.name);
    assert.ok(decayed.includes('embedding/token_embedding/embeddings'));
    assert.ok(decayed.includes('embedding/position_embedding/embeddings'));
    assert.ok(decayed.includes('decoder_0/self_attention/query/kernel'));
    assert.ok(decayed.includes('decoder_1/feedforward_output_dense/kernel'));
    for (const name of decayed) assert.doesNotMatch(name, /bias|gamma|beta/);
    // Rank-2 attention biases ([heads, keyDim]) are excluded by name, rank-1 ones by rank.
    assert.ok(kept.includes('decoder_0/self_attention/query/bias'));
    assert.ok(kept.includes('decoder_0/feedforward_intermediate_dense/bias'));
    assert.ok(kept.includes('final_norm/gamma'));
    assert.ok(kept.includes('decoder_1/self_attention_layer_norm/beta'));
    assert.equal(decayed.length + kept.length, m.trainableWeights.length);
    // The schedule: 0 at step 0, linear to the peak at 100, cosine to 1e-4 at 1000.
    const lr = opt.learningRateOrSchedule as { call(step: number): number };
    assert.equal(lr.call(0), 0);
    assert.ok(Math.abs(lr.call(50) - 5e-4) < 1e-12);
    assert.ok(Math.abs(lr.call(100) - 1e-3) < 1e-12);
    assert.ok(Math.abs(lr.call(550) - (1e-4 + 0.5 * (1e-3 - 1e-4))) < 1e-12);
    assert.ok(Math.abs(lr.call(1000) - 1e-4) < 1e-12);
  });

  it('excludeFromWeightDecay skips listed variables and names matching a pattern (Keras 3)', () => {
    const w = new Variable(tensor([1, 2]), true, 'dense/kernel');
    const b = new Variable(tensor([1, 2]), true, 'dense/bias');
    const s = new Variable(tensor([1, 2]), true, 'scale');
    const opt = optimizers.adamw({ learningRate: 0.5, weightDecay: 0.1 });
    opt.excludeFromWeightDecay({ varList: [s], varNames: ['bias'] });
    const zero = tensor([0, 0]);
    // With zero gradients Adam's step is 0, so only the decay moves the weights.
    opt.applyGradients([
      { grad: zero, variable: w },
      { grad: zero, variable: b },
      { grad: zero, variable: s },
    ]);
    close(w.dataSync(), [1 - 0.05, 2 * (1 - 0.05)], 1e-7, 'decayed');
    close(b.dataSync(), [1, 2], 0, 'excluded by name');
    close(s.dataSync(), [1, 2], 0, 'excluded by list');
    assert.throws(
      () => opt.excludeFromWeightDecay({ varNames: [''] }),
      /varNames must be non-empty strings \(patterns\), got ""/,
    );
    assert.throws(() => opt.excludeFromWeightDecay({ varNmes: ['x'] } as never), /varNmes/);
  });
});
