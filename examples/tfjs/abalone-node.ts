/**
 * Regression from a CSV file with tf.data: the file is read as a dataset (`tf.data.csv` with a
 * label column), mapped to feature and label arrays, shuffled, batched, split into training and
 * validation batches with take/skip, fitted with `fitDataset`, saved with `file://` and loaded
 * back with `tf.loadLayersModel` to predict one sample.
 *
 * A port of the TensorFlow.js example "abalone-node" (tensorflow/tfjs-examples), Copyright 2019
 * Google LLC, licensed under the Apache License, Version 2.0
 * (http://www.apache.org/licenses/LICENSE-2.0). Written afresh from the original's behaviour. The
 * abalone data, which the original downloads, is not shipped here: the closest shipped data set,
 * the Boston housing CSV (data/boston_housing/train.csv, 13 numeric features, price as the label
 * in place of the rings), takes its place, and the features are scaled by their column maxima (a
 * first pass over the dataset) since, unlike abalone's, they span several orders of magnitude.
 * Only `import * as tf` and TF.js' API: it runs unchanged on TensorFlow.js with that import
 * pointed at '@tensorflow/tfjs'.
 *
 *   node dist/examples/tfjs/abalone-node.js [epochs] [batchSize] [savePath]
 */
import { fileURLToPath } from 'node:url';
import * as tf from 'myelin';

const epochs = Number(process.argv[2] ?? 100);
const batchSize = Number(process.argv[3] ?? 32);
const savePath = process.argv[4] ?? 'file://trainedModel';
const csvPath = fileURLToPath(new URL('../../../data/boston_housing/train.csv', import.meta.url));
const LABEL = 'MEDV';

type Row = { xs: Record<string, number>; ys: Record<string, number> };

async function createDataset(path: string) {
  const dataset = tf.data.csv(path, { hasHeader: true, columnConfigs: { [LABEL]: { isLabel: true } } });
  const numOfColumns = (await dataset.columnNames()).length - 1;
  // Column maxima, read in one pass over the file.
  const maxima = new Array<number>(numOfColumns).fill(0);
  await dataset.forEachAsync((row) => {
    Object.values((row as Row).xs).forEach((v, i) => (maxima[i] = Math.max(maxima[i], Math.abs(v))));
  });
  return {
    dataset: dataset.map((row) => {
      const { xs, ys } = row as Row;
      return { xs: Object.keys(xs).map((key, i) => Number(xs[key]) / (maxima[i] || 1)), ys: [ys[LABEL]] };
    }),
    numOfColumns,
    maxima,
  };
}

function createModel(inputShape: number[]) {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape, activation: 'sigmoid', units: 50 }));
  model.add(tf.layers.dense({ activation: 'sigmoid', units: 50 }));
  model.add(tf.layers.dense({ units: 1 }));
  model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
  return model;
}

const datasetObj = await createDataset(`file://${csvPath}`);
const model = createModel([datasetObj.numOfColumns]);
const trainBatches = Math.floor(340 / batchSize);
const dataset = datasetObj.dataset.shuffle(1000).batch(batchSize);
const trainDataset = dataset.take(trainBatches);
const validationDataset = dataset.skip(trainBatches);

const history = await model.fitDataset(trainDataset, { epochs, validationData: validationDataset, verbose: 0 });
const valLoss = history.history.val_loss[history.history.val_loss.length - 1];
console.log(`Final loss ${history.history.loss.at(-1)?.toFixed(2)}, validation loss ${valLoss.toFixed(2)}`);

await model.save(savePath);
const loadedModel = await tf.loadLayersModel(`${savePath}/model.json`);
// The first house of the test split; its price is 7.2 thousand dollars.
const sample = [18.0846, 0, 18.1, 0, 0.679, 6.434, 100, 1.8347, 24, 666, 20.2, 27.25, 29.05];
const result = loadedModel.predict(tf.tensor2d([sample.map((v, i) => v / (datasetObj.maxima[i] || 1))])) as tf.Tensor;
const prediction = result.dataSync()[0];
console.log(`The actual price of the test house is 7.2, the model's prediction is ${prediction.toFixed(2)}`);
console.log(`Result: ${JSON.stringify({ valLoss, prediction })}`);
