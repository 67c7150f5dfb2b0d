/**
 * A character-level GPT on Tiny Shakespeare with a hand-written training loop: random windows
 * of the text, the gradient of the next-character loss, AdamW with warm-up and cosine decay,
 * then a streamed sample and a page of attention maps. `myelin gpt` does the same with `fit`
 * (and its default configuration, the "baby GPT", reaches about 1.9 nats per character).
 *
 *   node dist/examples/gpt.js [steps] [attention.html]
 */
import { writeFile } from 'node:fs/promises';
import * as my from 'myelin';

const steps = Number(process.argv[2] ?? 2000);
const page = process.argv[3] ?? 'attention.html';
const blockSize = 64,
  batchSize = 12;
my.setSeed(1);

// Characters to ids: the first 90% of the text trains, the last 10% validates.
const { trainText, validationText } = my.tinyShakespeare.load();
const chars = new my.text.TextVectorization({ split: 'character', standardize: null }).adapt([trainText]);
const trainIds = Int32Array.from(chars.encode(trainText));
const validationIds = Int32Array.from(chars.encode(validationText));

/** A batch of windows starting at random places: inputs, and the same shifted by one (targets). */
function batch(ids: Int32Array, count: number): [my.Tensor, my.Tensor] {
  const x = new Int32Array(count * blockSize),
    y = new Int32Array(count * blockSize);
  for (let i = 0; i < count; i++) {
    const s = Math.floor(Math.random() * (ids.length - blockSize - 1));
    x.set(ids.subarray(s, s + blockSize), i * blockSize);
    y.set(ids.subarray(s + 1, s + 1 + blockSize), i * blockSize);
  }
  return [my.tensor(x, [count, blockSize], 'int32'), my.tensor(y, [count, blockSize], 'int32')];
}

const model = my.models.gpt({
  vocabSize: chars.vocabularySize(),
  blockSize,
  numLayers: 4,
  numHeads: 4,
  embedDim: 128,
});
model.summary();
// AdamW (beta2 0.99, weight decay 0.1 on kernels and tables only), 100 warm-up steps then
// cosine decay to 1e-4 at the last step, gradients clipped to a global norm of 1.
const optimizer = my.models.gptOptimizer(model, { steps, warmupSteps: Math.min(100, steps - 1) });
const loss = (x: my.Tensor, y: my.Tensor, training: boolean) =>
  my.losses.sparseCategoricalCrossentropy(y, model.apply(x, { training }) as my.Tensor, true).mean();

for (let step = 1; step <= steps; step++) {
  const [x, y] = batch(trainIds, batchSize);
  const { value, grads } = my.variableGrads(() => loss(x, y, true), model.trainableWeights);
  optimizer.applyGradients(grads, model.trainableWeights);
  if (step % 100 === 0 || step === steps) {
    const validation = my.tidy(() => {
      const [vx, vy] = batch(validationIds, 48);
      return loss(vx, vy, false).item();
    });
    console.log(
      `step ${step}: train loss ${value.item().toFixed(3)}, validation loss ${validation.toFixed(3)} nats/char`,
    );
  }
  my.dispose([x, y, value]);
}

// A sample, printed as it is generated (the key/value cache makes each character cheap).
process.stdout.write('ROMEO:\n');
for await (const piece of my.generateStream(model, 'ROMEO:\n', {
  tokenizer: chars,
  maxNewTokens: 300,
  temperature: 0.8,
  topK: 20,
}))
  process.stdout.write(piece);
process.stdout.write('\n');

// What each head looks at, and which characters the next prediction leans on.
const explanation = my.models.explainGpt(model, 'To be, or not to be', { tokenizer: chars });
await writeFile(page, my.models.attentionMapsHtml(explanation));
console.log(`attention maps written to ${page}; next character: ${JSON.stringify(explanation.predicted.text)}`);
