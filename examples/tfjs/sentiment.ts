/**
 * Sentiment analysis: classify review sentences as positive or negative with one of six models
 * (multi-hot dense, embedding + flatten, 1-D convolution with global max pooling, SimpleRNN,
 * LSTM, bidirectional LSTM), evaluate on held-out sentences and save the model with `file://`.
 *
 * A port of the TensorFlow.js example "sentiment" (tensorflow/tfjs-examples, its Node trainer
 * train.js), Copyright 2018 Google LLC, licensed under the Apache License, Version 2.0
 * (http://www.apache.org/licenses/LICENSE-2.0). Written afresh from the original's behaviour. The
 * IMDB reviews it downloads (already turned into word indices) are not shipped here: the closest
 * shipped data set, the UCI Sentiment Labelled Sentences (data/sentiment_labelled_sentences,
 * 3,000 short reviews from Amazon, IMDb and Yelp), takes their place, indexed here the way the
 * IMDB data is (1 starts a sentence, 2 is an out-of-vocabulary word, words by frequency from 3),
 * and the held-out fifth plays the test set. Flags are positional arguments. Only
 * `import * as tf` and TF.js' API: it runs unchanged on TensorFlow.js with that import pointed at
 * '@tensorflow/tfjs'.
 *
 *   node dist/examples/tfjs/sentiment.js [modelType] [epochs] [maxLen] [embeddingSize] [modelSaveDir]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from 'myelin';

const modelType = process.argv[2] ?? 'cnn';
const epochs = Number(process.argv[3] ?? 10);
const maxLen = Number(process.argv[4] ?? 100);
const embeddingSize = Number(process.argv[5] ?? 128);
const modelSaveDir = process.argv[6] ?? null;
const numWords = 10000;
const batchSize = 128;
const validationSplit = 0.2;
const PAD_INDEX = 0;
const START_INDEX = 1;
const OOV_INDEX = 2;
const INDEX_FROM = 3;

/** Pads (or truncates) every sequence to maxLen, at the front by default. */
function padSequences(sequences: number[][], length: number, padding = 'pre', truncating = 'pre', value = PAD_INDEX) {
  return sequences.map((seq) => {
    let s = seq.slice();
    if (s.length > length) s = truncating === 'pre' ? s.slice(s.length - length) : s.slice(0, length);
    if (s.length < length) {
      const pad = new Array<number>(length - s.length).fill(value);
      s = padding === 'pre' ? pad.concat(s) : s.concat(pad);
    }
    return s;
  });
}

const words = (sentence: string) => sentence.toLowerCase().match(/[a-z']+/g) ?? [];

/** Sentences as word-index sequences and their labels; the vocabulary comes from the training part. */
function loadData(vocabularySize: number, length: number, multihot: boolean) {
  const dir = new URL('../../../data/sentiment_labelled_sentences/', import.meta.url);
  const rows: [string, number][] = [];
  for (const file of ['amazon_cells_labelled.txt', 'imdb_labelled.txt', 'yelp_labelled.txt']) {
    for (const line of readFileSync(new URL(file, dir), 'utf8').split('\n')) {
      const tab = line.lastIndexOf('\t');
      if (tab > 0) rows.push([line.slice(0, tab), Number(line.slice(tab + 1))]);
    }
  }
  tf.util.shuffle(rows);
  const numTest = Math.floor(rows.length * 0.2);
  const train = rows.slice(numTest);
  const test = rows.slice(0, numTest);
  const counts = new Map<string, number>();
  for (const [sentence] of train) for (const w of words(sentence)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const wordIndex = new Map(
    [...counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, vocabularySize - INDEX_FROM)
      .map(([w], i) => [w, i + INDEX_FROM]),
  );
  const encode = (sentence: string) => [START_INDEX, ...words(sentence).map((w) => wordIndex.get(w) ?? OOV_INDEX)];
  const features = (part: [string, number][]) => {
    const sequences = part.map(([s]) => encode(s));
    if (multihot) {
      const buffer = tf.buffer([sequences.length, vocabularySize]);
      sequences.forEach((seq, i) => {
        for (const wordIndexValue of seq) if (wordIndexValue !== OOV_INDEX) buffer.set(1, i, wordIndexValue);
      });
      return buffer.toTensor();
    }
    const padded = padSequences(sequences, length, 'pre', 'pre');
    return tf.tensor2d(padded, [padded.length, length], 'int32');
  };
  const targets = (part: [string, number][]) =>
    tf.tensor2d(
      part.map(([, y]) => y),
      [part.length, 1],
      'float32',
    );
  const xTrain = features(train);
  const xTest = features(test);
  const yTrain = targets(train);
  const yTest = targets(test);
  tf.util.assert(xTrain.shape[0] === yTrain.shape[0], 'Mismatch in number of examples between xTrain and yTrain');
  tf.util.assert(xTest.shape[0] === yTest.shape[0], 'Mismatch in number of examples between xTest and yTest');
  console.log(`Loaded ${train.length} training and ${test.length} test sentences; ${wordIndex.size} words indexed`);
  return { xTrain, yTrain, xTest, yTest, wordIndex };
}

function buildModel(type: string, length: number, vocabularySize: number, embeddingDims: number): tf.Sequential {
  const model = tf.sequential();
  if (type === 'multihot') {
    model.add(tf.layers.dense({ units: 16, activation: 'relu', inputShape: [vocabularySize] }));
    model.add(tf.layers.dense({ units: 16, activation: 'relu' }));
  } else {
    model.add(tf.layers.embedding({ inputDim: vocabularySize, outputDim: embeddingDims, inputLength: length }));
    if (type === 'flatten') {
      model.add(tf.layers.flatten());
    } else if (type === 'cnn') {
      model.add(tf.layers.dropout({ rate: 0.5 }));
      model.add(tf.layers.conv1d({ filters: 250, kernelSize: 5, strides: 1, padding: 'valid', activation: 'relu' }));
      model.add(tf.layers.globalMaxPool1d({}));
      model.add(tf.layers.dense({ units: 250, activation: 'relu' }));
    } else if (type === 'simpleRNN') {
      model.add(tf.layers.simpleRNN({ units: 32 }));
    } else if (type === 'lstm') {
      model.add(tf.layers.lstm({ units: 32 }));
    } else if (type === 'bidirectionalLSTM') {
      model.add(tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 32 }), mergeMode: 'concat' }));
    } else {
      throw new Error(`Unsupported model type: ${type}`);
    }
  }
  model.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
  return model;
}

console.log('Loading data...');
const multihot = modelType === 'multihot';
const { xTrain, yTrain, xTest, yTest, wordIndex } = loadData(numWords, maxLen, multihot);
console.log('Building model...');
const model = buildModel(modelType, maxLen, numWords, embeddingSize);
model.compile({ loss: 'binaryCrossentropy', optimizer: 'adam', metrics: ['acc'] });
model.summary();
console.log('Training model...');
await model.fit(xTrain, yTrain, {
  epochs,
  batchSize,
  validationSplit,
  verbose: 0,
  callbacks: {
    onEpochEnd: async (epoch, logs) =>
      console.log(
        `Epoch ${epoch + 1}/${epochs}: loss ${logs?.loss.toFixed(4)}, acc ${logs?.acc.toFixed(4)}, val_acc ${logs?.val_acc.toFixed(4)}`,
      ),
  },
});
console.log('Evaluating model...');
const [testLoss, testAcc] = model.evaluate(xTest, yTest, { batchSize }) as tf.Scalar[];
const loss = (await testLoss.data())[0];
const accuracy = (await testAcc.data())[0];
console.log(`Evaluation loss: ${loss.toFixed(4)}`);
console.log(`Evaluation accuracy: ${accuracy.toFixed(4)}`);
if (modelSaveDir != null && modelSaveDir.length > 0 && !multihot) {
  mkdirSync(modelSaveDir, { recursive: true });
  const metadata = {
    epochs,
    embedding_size: embeddingSize,
    max_len: maxLen,
    model_type: modelType,
    batch_size: batchSize,
    vocabulary_size: numWords,
    index_from: INDEX_FROM,
    word_index: Object.fromEntries([...wordIndex].map(([w, i]) => [w, i - INDEX_FROM])),
  };
  const metadataPath = join(modelSaveDir, 'metadata.json');
  writeFileSync(metadataPath, JSON.stringify(metadata));
  console.log(`Saved metadata to ${metadataPath}`);
  await model.save(`file://${modelSaveDir}`);
  console.log(`Saved model to ${modelSaveDir}`);
}
console.log(`Result: ${JSON.stringify({ testLoss: loss, testAccuracy: accuracy })}`);
