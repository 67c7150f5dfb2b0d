import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValueError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { generate, generateStream, memory, models, setSeed, tensor, type Tensor } from '../../src/index.js';
import { contextStart } from '../../src/models/generate.js';
import { BytePairTokenizer } from '../../src/text/byte_pair_tokenizer.js';
import { TextVectorization } from '../../src/text/text_vectorization.js';

const config = { vocabSize: 13, blockSize: 8, numLayers: 2, numHeads: 2, embedDim: 8, initializerRange: 0.5 };

/** A small GPT with large random weights, so its next-token distributions are far from uniform. */
function tinyGpt(seed = 1, vocabSize = 13) {
  setSeed(seed);
  return models.gpt({ ...config, vocabSize });
}

/** The last position's logits by the model's ordinary forward pass. */
function lastLogits(model: ReturnType<typeof tinyGpt>, context: number[]): number[] {
  const out = model.apply(tensor([context], undefined, 'int32')) as Tensor;
  const v = out.shape[2];
  return Array.from(out.dataSync()).slice((context.length - 1) * v);
}

/** The distribution after temperature, top-k and top-p, computed here from the definitions. */
function handDistribution(logits: number[], temperature: number, topK: number, topP: number): number[] {
  const order = logits.map((_, i) => i).sort((a, b) => logits[b] - logits[a] || a - b);
  const keep = new Set(order.slice(0, topK || logits.length));
  const weights = logits.map((l, i) => (keep.has(i) ? Math.exp(l / temperature) : 0));
  let total = weights.reduce((a, b) => a + b, 0);
  // Nucleus: the most likely tokens until their mass reaches topP.
  let mass = 0;
  const nucleus = new Set<number>();
  for (const i of order) {
    if (!keep.has(i)) break;
    nucleus.add(i);
    mass += weights[i] / total;
    if (mass >= topP) break;
  }
  const kept = weights.map((w, i) => (nucleus.has(i) ? w : 0));
  total = kept.reduce((a, b) => a + b, 0);
  return kept.map((w) => w / total);
}

/** The token one uniform draw `u` picks from `p` (inverse CDF in index order). */
function draw(p: number[], u: number): number {
  let acc = 0,
    last = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === 0) continue;
    last = i;
    acc += p[i];
    if (u < acc) return i;
  }
  return last;
}

describe('generate', () => {
  it('the key/value cache gives the same logits and the same tokens as recomputing the context', async () => {
    const model = tinyGpt(1);
    const prompt = [3, 1, 4];
    for (const seed of [1, 2, 3]) {
      // 20 new tokens from a 3-token prompt cross the 8-token block: the window slides twice.
      const options = { maxNewTokens: 20, seed, temperature: 1.3 };
      const cached = await generate(model, prompt, options);
      const uncached = await generate(model, prompt, { ...options, cache: false });
      assert.equal(cached.length, 20);
      assert.deepEqual(cached, uncached, `seed ${seed}`);
    }
    // Greedy decoding is deterministic too, and both paths agree.
    const a = await generate(model, prompt, { maxNewTokens: 12, temperature: 0 });
    const b = await generate(model, prompt, { maxNewTokens: 12, temperature: 0, cache: false });
    assert.deepEqual(a, b);
  });

  it('samples from the hand-computed temperature, top-k and top-p distribution', async () => {
    const model = tinyGpt(2);
    const prompt = [5, 2, 7, 1];
    const logits = lastLogits(model, prompt);
    for (const [temperature, topK, topP] of [
      [1, 0, 1],
      [0.5, 0, 1],
      [2, 3, 1],
      [1, 0, 0.6],
      [0.8, 4, 0.9],
    ]) {
      const p = handDistribution(logits, temperature, topK, topP);
      const allowed = p.filter((x) => x > 0).length;
      if (topK) assert.ok(allowed <= topK);
      for (let seed = 0; seed < 25; seed++) {
        const [id] = await generate(model, prompt, { maxNewTokens: 1, temperature, topK, topP, seed });
        // Generation draws one uniform number per token from Rng(seed).
        const expected = draw(p, new Rng(seed).uniform());
        assert.equal(id, expected, `temperature ${temperature}, topK ${topK}, topP ${topP}, seed ${seed}`);
      }
    }
  });

  it('streams tokens as an async iterator, the same ones generate returns', async () => {
    const model = tinyGpt(3);
    const streamed: number[] = [];
    for await (const id of generateStream(model, [1, 2], { maxNewTokens: 6, seed: 9 })) streamed.push(id);
    assert.deepEqual(streamed, await generate(model, [1, 2], { maxNewTokens: 6, seed: 9 }));
  });

  it('stops at a stop sequence, which is left out of the output', async () => {
    const model = tinyGpt(4);
    const full = await generate(model, [1], { maxNewTokens: 30, seed: 5, temperature: 1.5 });
    // Stop at the first occurrence of the pair of tokens at positions 6 and 7.
    const stop = full.slice(6, 8);
    const first = full.findIndex((_, i) => full[i] === stop[0] && full[i + 1] === stop[1]);
    const stopped = await generate(model, [1], { maxNewTokens: 30, seed: 5, temperature: 1.5, stop: [stop, [99]] });
    assert.deepEqual(stopped, full.slice(0, first));
    // A stop sequence never completed: the whole output comes back.
    assert.deepEqual(
      await generate(model, [1], { maxNewTokens: 30, seed: 5, temperature: 1.5, stop: [[99, 98]] }),
      full,
    );
  });

  it('text in and out through a tokenizer, with stop strings held back while they may still match', async () => {
    const chars = new TextVectorization({ split: 'character', standardize: null }).adapt(['abcdefghijk']);
    const model = tinyGpt(5, chars.vocabularySize());
    const full = await generate(model, 'abc', { tokenizer: chars, maxNewTokens: 25, seed: 2, temperature: 1.5 });
    assert.equal(
      full,
      chars.decode(await generate(model, chars.encode('abc'), { maxNewTokens: 25, seed: 2, temperature: 1.5 })),
    );
    const stop = full.slice(5, 7);
    const pieces: string[] = [];
    for await (const piece of generateStream(model, 'abc', {
      tokenizer: chars,
      maxNewTokens: 25,
      seed: 2,
      temperature: 1.5,
      stop: [stop],
    }))
      pieces.push(piece);
    assert.equal(pieces.join(''), full.slice(0, full.indexOf(stop)));
  });

  it("streams text through a byte-level tokenizer's streamDecoder: the pieces join to the full decoding", async () => {
    // No merges: every byte is a token, so multi-byte characters are split across tokens.
    const bpe = BytePairTokenizer.train(['plain ascii text'], { vocabularySize: 256 });
    const model = tinyGpt(6, 256);
    const ids = await generate(model, bpe.encode('é'), { maxNewTokens: 40, seed: 1, temperature: 2 });
    const pieces: string[] = [];
    for await (const piece of generateStream(model, 'é', { tokenizer: bpe, maxNewTokens: 40, seed: 1, temperature: 2 }))
      pieces.push(piece);
    assert.equal(pieces.join(''), bpe.decode(ids));
    assert.ok(
      ids.some((id) => id >= 0x80),
      'the sample holds non-ASCII bytes',
    );
  });

  it('a prompt longer than blockSize is cropped to its last blockSize tokens', async () => {
    const model = tinyGpt(7);
    const long = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    const options = { maxNewTokens: 5, seed: 4, temperature: 1.2 };
    assert.deepEqual(await generate(model, long, options), await generate(model, long.slice(-8), options));
    assert.deepEqual(
      await generate(model, long, { ...options, cache: false }),
      await generate(model, long.slice(-8), options),
    );
    // The window: full block for the prompt, then it drops its oldest quarter when it overflows.
    assert.equal(contextStart(12, 0, 8, true), 4);
    assert.equal(contextStart(9, 0, 8, false), 3);
    assert.equal(contextStart(8, 0, 8, false), 0);
  });

  it('memory stays flat across generations', async () => {
    const model = tinyGpt(8);
    await generate(model, [1, 2], { maxNewTokens: 10, seed: 1 });
    const before = memory().numTensors;
    await generate(model, [1, 2], { maxNewTokens: 30, seed: 1 });
    const stream = generateStream(model, [1, 2], { maxNewTokens: 30, seed: 1 });
    for await (const _ of stream) break; // an abandoned stream frees its cache too
    assert.equal(memory().numTensors, before);
  });

  it('bad input is an error naming the argument, before any work', () => {
    const model = tinyGpt(9);
    const rejects = (f: () => unknown, pattern: RegExp) =>
      assert.throws(f, (e: Error) => e instanceof ValueError && pattern.test(e.message));
    rejects(
      () => generateStream(model, [1, 13], {}),
      /prompt token 1 is 13, outside the model's vocabulary; expected integers in \[0, 13\) \(vocabSize 13\)/,
    );
    rejects(() => generateStream(model, [-1], {}), /prompt token 0 is -1/);
    rejects(() => generateStream(model, [], {}), /the prompt must hold at least one token/);
    rejects(() => generateStream(model, [1], { maxNewTokens: -1 }), /'maxNewTokens' must be a non-negative integer/);
    rejects(() => generateStream(model, [1], { topP: 0 }), /'topP' must be in \(0, 1\]/);
    rejects(() => generateStream(model, [1], { stop: ['x'] }), /'stop' must hold non-empty lists of token ids/);
    rejects(() => generateStream(model, 'abc', {} as never), /a text prompt needs options.tokenizer/);
    rejects(() => generateStream(model, [1], { maxNewToken: 3 } as never), /maxNewToken/);
  });
});
