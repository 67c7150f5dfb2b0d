/**
 * Sentiment of short reviews: embedding (masking the padding) → LSTM → dense sigmoid, against a
 * bag-of-words logistic regression, both scored on held-out sentences.
 *
 *   node dist/examples/sentiment.js [epochs]     (default 8)
 */
import * as my from 'myelin';

const epochs = Number(process.argv[2] ?? 8);
my.setSeed(1);

const { sentences, labels } = my.sentimentSentences.load();
// A seeded shuffle, then 80% to train and 20% held out.
const keys = my.randomUniform([sentences.length], 0, 1, 'float32', 1).dataSync();
const order = Array.from(sentences.keys()).sort((a, b) => keys[a] - keys[b]);
const nTest = 600;
const pick = (idx: number[]) => ({
  text: idx.map((i) => sentences[i]),
  y: my.tensor(
    idx.map((i) => labels[i]),
    [idx.length, 1],
  ),
});
const train = pick(order.slice(nTest));
const test = pick(order.slice(0, nTest));

const vectorizer = new my.text.TextVectorization({ maxTokens: 4000, outputSequenceLength: 32 }).adapt(train.text);
const vocab = vectorizer.vocabularySize();
const xTrain = vectorizer.call(train.text);
const xTest = vectorizer.call(test.text);
const gc = (globalThis as { gc?: () => void }).gc;

const model = my.sequential({
  layers: [
    my.layers.embedding({ inputDim: vocab, outputDim: 32, maskZero: true, inputShape: [32] }),
    my.layers.lstm({ units: 32 }),
    my.layers.dropout({ rate: 0.3 }),
    my.layers.dense({ units: 1, activation: 'sigmoid' }),
  ],
});
model.compile({
  optimizer: my.optimizers.adam({ learningRate: 0.005 }),
  loss: 'binaryCrossentropy',
  metrics: ['accuracy'],
});
await model.fit(xTrain, train.y, { epochs, batchSize: 32, verbose: 2, callbacks: [{ onBatchEnd: () => gc?.() }] });
const lstmAccuracy = (model.evaluate(xTest, test.y) as my.Tensor[])[1].item();

/** Multi-hot bag of words, [n, vocab]. */
function bagOfWords(ids: my.Tensor): my.Tensor {
  const [n, length] = ids.shape;
  const v = ids.dataSync();
  const out = new Float32Array(n * vocab);
  for (let i = 0; i < n * length; i++) if (v[i] > 0) out[Math.floor(i / length) * vocab + v[i]] = 1;
  return my.tensor(out, [n, vocab]);
}
const baseline = my.sequential({ layers: [my.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [vocab] })] });
baseline.compile({
  optimizer: my.optimizers.adam({ learningRate: 0.01 }),
  loss: 'binaryCrossentropy',
  metrics: ['accuracy'],
});
await baseline.fit(bagOfWords(xTrain), train.y, { epochs: 20, batchSize: 32, verbose: 0 });
const baselineAccuracy = (baseline.evaluate(bagOfWords(xTest), test.y) as my.Tensor[])[1].item();
console.log(
  `held-out accuracy: LSTM ${(100 * lstmAccuracy).toFixed(1)}%, bag-of-words logistic regression ${(100 * baselineAccuracy).toFixed(1)}%`,
);
