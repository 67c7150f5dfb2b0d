// W6 against Myelin: one training step of the baby GPT, and generation with and without the
// key/value cache. The same model as bench/torch_gpt.py (vocabulary 65, 4 layers, 4 heads, 128).
import { setBackend } from '../src/backend/registry.js';
import { timeSteps } from './tfjs_workloads.js';
import { randomLabels, type Outcome } from './workloads.js';

/** A W6 case: the training step, or generation at context 64 or 256. */
export type W6Case = 'train' | 'gen64' | 'gen256';
export const W6_CASES: W6Case[] = ['train', 'gen64', 'gen256'];

const VOCAB = 65;

export async function runMyelinGpt(backendName: string, c: W6Case, quick: boolean): Promise<Outcome> {
  const my = await import('../src/index.js');
  setBackend(backendName);
  my.setSeed(0);
  if (c === 'train') {
    const model = my.models.gpt({ vocabSize: VOCAB, blockSize: 64, numLayers: 4, numHeads: 4, embedDim: 128 });
    model.compile({
      optimizer: my.models.gptOptimizer(model, { steps: 2000 }),
      loss: new my.losses.SparseCategoricalCrossentropy({ fromLogits: true }),
    });
    const x = my.tensor(randomLabels(12 * 64, VOCAB, 61), [12, 64], 'int32');
    const y = my.tensor(randomLabels(12 * 64, VOCAB, 62), [12, 64], 'int32');
    const { perStep, steps } = await timeSteps(() => model.trainOnBatch(x, y), quick ? 1 : 3, quick ? 3 : 20);
    return { ok: true, value: (12 * 64) / perStep, unit: 'tokens/s', higherIsBetter: true, extra: { steps } };
  }
  // Generation from a prompt of half the context to the full context: the cache never slides.
  const context = c === 'gen64' ? 64 : 256;
  const model = my.models.gpt({ vocabSize: VOCAB, blockSize: context, numLayers: 4, numHeads: 4, embedDim: 128 });
  const count = quick ? 8 : context / 2;
  const prompt = Array.from(randomLabels(context - count, VOCAB, 63));
  const speed: Record<string, number> = {};
  for (const cache of [true, false]) {
    await my.generate(model, prompt, { maxNewTokens: 2, cache, seed: 1 });
    const t = performance.now();
    await my.generate(model, prompt, { maxNewTokens: count, cache, seed: 1 });
    speed[String(cache)] = count / ((performance.now() - t) / 1000);
  }
  return { ok: true, value: speed.true, unit: 'tokens/s', higherIsBetter: true, extra: { uncached: speed.false } };
}
