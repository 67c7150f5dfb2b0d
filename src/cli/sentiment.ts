import { Rng } from '../core/rng.js';
import { plural } from './args.js';
import { writePlot } from './plot_file.js';
import { sentimentSentences } from '../data/text_datasets.js';
import { layers, optimizers, sequential, setSeed, tensor, type Tensor } from '../index.js';
import { TextVectorization } from '../text/text_vectorization.js';

/** The settings of `myelin sentiment`. */
export interface SentimentOptions {
  /** 'lstm' or 'gru' for the recurrent layer. */
  cell: 'lstm' | 'gru';
  units: number;
  embeddingDim: number;
  /** Vocabulary size (with padding and OOV). */
  maxTokens: number;
  /** Words per sentence after padding / truncation. */
  seqLength: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Fraction of the 3,000 sentences held out for the test. */
  testFraction: number;
  seed?: number;
  verbose: 0 | 1 | 2;
  /** Where to chart the training curves; none when empty. */
  plot: string;
}

export const SENTIMENT_DEFAULTS: SentimentOptions = {
  cell: 'lstm',
  units: 32,
  embeddingDim: 32,
  maxTokens: 4000,
  seqLength: 32,
  epochs: 8,
  batchSize: 32,
  learningRate: 0.005,
  testFraction: 0.2,
  seed: 1,
  verbose: 1,
  plot: '',
};

/** Held-out accuracy of the recurrent model and of the bag-of-words baseline. */
export interface SentimentResult {
  recurrentAccuracy: number;
  baselineAccuracy: number;
  seconds: number;
}

/** Multi-hot bag of words: [n, vocab] with 1 where a word occurs (padding id 0 left out). */
function bagOfWords(ids: Tensor, vocab: number): Tensor {
  const [n, length] = ids.shape;
  const v = ids.dataSync();
  const out = new Float32Array(n * vocab);
  for (let i = 0; i < n; i++)
    for (let t = 0; t < length; t++) if (v[i * length + t] > 0) out[i * vocab + v[i * length + t]] = 1;
  return tensor(out, [n, vocab]);
}

/**
 * Sentiment of short reviews (UCI Sentiment Labelled Sentences): embedding (masking padding) →
 * LSTM or GRU → dense sigmoid, against a bag-of-words logistic regression, both trained on the
 * same shuffled split and scored on the held-out sentences.
 * @example const { recurrentAccuracy, baselineAccuracy } = await runSentiment(SENTIMENT_DEFAULTS, console.log);
 */
export async function runSentiment(options: SentimentOptions, print: (line: string) => void): Promise<SentimentResult> {
  const started = Date.now();
  if (options.seed !== undefined) setSeed(options.seed);
  const rng = new Rng(options.seed ?? Math.floor(Math.random() * 2 ** 31));
  const { sentences, labels } = sentimentSentences.load();
  const order = Array.from(sentences.keys());
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const nTest = Math.round(sentences.length * options.testFraction);
  const pick = (idx: number[]) => ({
    text: idx.map((i) => sentences[i]),
    y: tensor(
      idx.map((i) => labels[i]),
      [idx.length, 1],
    ),
  });
  const train = pick(order.slice(nTest));
  const test = pick(order.slice(0, nTest));

  // The vocabulary comes from the training sentences only: test words it lacks become OOV.
  const vectorizer = new TextVectorization({
    maxTokens: options.maxTokens,
    outputSequenceLength: options.seqLength,
  }).adapt(train.text);
  const vocab = vectorizer.vocabularySize();
  const xTrain = vectorizer.call(train.text);
  const xTest = vectorizer.call(test.text);
  print(
    `Sentiment sentences: ${train.text.length} training, ${test.text.length} held-out; vocabulary ${vocab} words, ${options.seqLength} words per sentence`,
  );

  const recurrent =
    options.cell === 'gru' ? layers.gru({ units: options.units }) : layers.lstm({ units: options.units });
  const model = sequential({
    layers: [
      layers.embedding({
        inputDim: vocab,
        outputDim: options.embeddingDim,
        maskZero: true,
        inputShape: [options.seqLength],
      }),
      recurrent,
      layers.dropout({ rate: 0.3 }),
      layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  model.compile({
    optimizer: optimizers.adam({ learningRate: options.learningRate }),
    loss: 'binaryCrossentropy',
    metrics: ['accuracy'],
  });
  print(
    `Training embedding → ${options.cell.toUpperCase()}(${options.units}) → dense sigmoid for ${plural(options.epochs, 'epoch')}`,
  );
  const history = await model.fit(xTrain, train.y, {
    epochs: options.epochs,
    batchSize: options.batchSize,
    verbose: options.verbose,
  });
  writePlot(options.plot, history.history, `myelin sentiment: ${options.cell.toUpperCase()} classifier`, print);
  const recurrentAccuracy = (model.evaluate(xTest, test.y) as Tensor[])[1].item();
  print(`${options.cell.toUpperCase()} held-out accuracy: ${(100 * recurrentAccuracy).toFixed(1)}%`);

  const baseline = sequential({ layers: [layers.dense({ units: 1, activation: 'sigmoid', inputShape: [vocab] })] });
  baseline.compile({
    optimizer: optimizers.adam({ learningRate: 0.01 }),
    loss: 'binaryCrossentropy',
    metrics: ['accuracy'],
  });
  print('Training the bag-of-words logistic regression baseline');
  await baseline.fit(bagOfWords(xTrain, vocab), train.y, { epochs: 20, batchSize: options.batchSize, verbose: 0 });
  const baselineAccuracy = (baseline.evaluate(bagOfWords(xTest, vocab), test.y) as Tensor[])[1].item();
  print(`Bag-of-words logistic regression held-out accuracy: ${(100 * baselineAccuracy).toFixed(1)}%`);
  return { recurrentAccuracy, baselineAccuracy, seconds: (Date.now() - started) / 1000 };
}
