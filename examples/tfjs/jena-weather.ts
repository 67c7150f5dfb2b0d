/**
 * Weather forecasting from a time series: predict the temperature a day ahead from the last
 * days of readings, with a commonsense baseline (tomorrow = now), a linear model, MLPs and RNNs
 * (SimpleRNN, GRU), fed by `tf.data.generator` datasets through `fitDataset` with early stopping.
 *
 * A port of the TensorFlow.js example "jena-weather" (tensorflow/tfjs-examples, its Node trainer
 * train-rnn.js), Copyright 2019 Google LLC, licensed under the Apache License, Version 2.0
 * (http://www.apache.org/licenses/LICENSE-2.0). Written afresh from the original's behaviour. The
 * Jena climate recordings it downloads are not available here and no shipped data set is a time
 * series, so the readings are simulated instead: ten-minute rows of pressure, temperature,
 * humidity and wind with daily and yearly cycles and persistent weather noise, the temperature
 * driven by the pressure. The sizes (rows, look-back) are smaller than the original's 420,551
 * rows and 10 days. Only `import * as tf` and TF.js' API: it runs unchanged on TensorFlow.js
 * with that import pointed at '@tensorflow/tfjs'.
 *
 *   node dist/examples/tfjs/jena-weather.js [modelType] [epochs] [batchesPerEpoch] [lookBack] [rows]
 */
import * as tf from 'myelin';

const modelType = process.argv[2] ?? 'gru';
const epochs = Number(process.argv[3] ?? 20);
const batchesPerEpoch = Number(process.argv[4] ?? 500);
const lookBack = Number(process.argv[5] ?? 5 * 24 * 6);
const numRows = Number(process.argv[6] ?? 6 * 24 * 365);
const step = 6;
const delay = 24 * 6;
const batchSize = 128;
const earlyStoppingPatience = 2;
const TRAIN_MIN_ROW = 0;
const TRAIN_MAX_ROW = Math.floor(numRows * 0.6);
const VAL_MIN_ROW = TRAIN_MAX_ROW + 1;
const VAL_MAX_ROW = Math.floor(numRows * 0.8);

/** Simulated ten-minute weather readings, normalized with the first year's moments. */
class WeatherData {
  readonly dataColumnNames = ['p (mbar)', 'T (degC)', 'rh (%)', 'wv (m/s)'];
  readonly tempCol = 1;
  readonly numColumns = this.dataColumnNames.length;
  readonly data: number[][] = [];
  normalizedData: number[][] = [];

  constructor(rows: number) {
    let front = 0; // slow weather systems
    let gust = 0;
    for (let i = 0; i < rows; i++) {
      const day = (2 * Math.PI * i) / (6 * 24);
      const year = (2 * Math.PI * i) / (6 * 24 * 365);
      front = 0.995 * front + 0.1 * (Math.random() - 0.5);
      gust = 0.9 * gust + 0.3 * (Math.random() - 0.5);
      const pressure = 1000 + 8 * front + 0.5 * Math.sin(day * 2);
      const temperature = 9 - 10 * Math.cos(year) - 4 * Math.cos(day) - 3 * front + 0.3 * (Math.random() - 0.5);
      const humidity = 75 + 10 * Math.cos(day) + 5 * front + Math.random();
      const wind = Math.abs(2 + 3 * gust - front);
      this.data.push([pressure, temperature, humidity, wind]);
    }
    tf.tidy(() => {
      const means: number[] = [];
      const stddevs: number[] = [];
      this.dataColumnNames.forEach((_, j) => {
        const moments = tf.moments(tf.tensor1d(this.data.slice(0, 6 * 24 * 365).map((r) => r[j])));
        means.push(moments.mean.dataSync()[0]);
        stddevs.push(Math.sqrt(moments.variance.dataSync()[0]));
      });
      this.normalizedData = this.data.map((row) => row.map((v, j) => (v - means[j]) / stddevs[j]));
    });
  }

  /** An iterator of {xs: [batch, lookBack / step, features], ys: [batch, 1]} batches. */
  getNextBatchFunction(shuffle: boolean, minIndex: number, maxIndex: number) {
    let startIndex = minIndex + lookBack;
    const lookBackSlices = Math.floor(lookBack / step);
    return {
      next: () => {
        const rowIndices: number[] = [];
        let done = false;
        if (shuffle) {
          const range = maxIndex - (minIndex + lookBack);
          for (let i = 0; i < batchSize; ++i) rowIndices.push(minIndex + lookBack + Math.floor(Math.random() * range));
        } else {
          let r = startIndex;
          for (; r < startIndex + batchSize && r < maxIndex; ++r) rowIndices.push(r);
          if (r >= maxIndex) done = true;
        }
        startIndex += rowIndices.length;
        const samples = tf.buffer([rowIndices.length, lookBackSlices, this.numColumns]);
        const targets = tf.buffer([rowIndices.length, 1]);
        rowIndices.forEach((rowIndex, j) => {
          let exampleRow = 0;
          for (let r = rowIndex - lookBack; r < rowIndex; r += step) {
            for (let n = 0; n < this.numColumns; ++n) samples.set(this.normalizedData[r][n], j, exampleRow, n);
            targets.set(this.normalizedData[r + delay][this.tempCol], j, 0);
            exampleRow++;
          }
        });
        return { value: { xs: samples.toTensor(), ys: targets.toTensor() }, done };
      },
    };
  }
}

/** The error of predicting that the temperature a day ahead is the latest one. */
async function getBaselineMeanAbsoluteError(weather: WeatherData): Promise<number> {
  const dataset = tf.data.generator(() => weather.getNextBatchFunction(false, VAL_MIN_ROW, VAL_MAX_ROW));
  const batchMeanAbsoluteErrors: tf.Tensor[] = [];
  const batchSizes: number[] = [];
  await dataset.forEachAsync((dataItem) => {
    const { xs: features, ys: targets } = dataItem as { xs: tf.Tensor; ys: tf.Tensor };
    const timeSteps = features.shape[1] as number;
    batchSizes.push(features.shape[0] as number);
    batchMeanAbsoluteErrors.push(
      tf.tidy(() =>
        tf.losses.absoluteDifference(
          targets,
          features
            .gather([timeSteps - 1], 1)
            .gather([1], 2)
            .squeeze([2]),
        ),
      ),
    );
  });
  const meanAbsoluteError = tf.tidy(() => {
    const batchSizesTensor = tf.tensor1d(batchSizes);
    return tf.stack(batchMeanAbsoluteErrors).mul(batchSizesTensor).sum().div(batchSizesTensor.sum());
  });
  tf.dispose(batchMeanAbsoluteErrors);
  return meanAbsoluteError.dataSync()[0];
}

function buildMLPModel(inputShape: number[], kernelRegularizer?: tf.Regularizer, dropoutRate = 0): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.flatten({ inputShape }));
  model.add(tf.layers.dense({ units: 32, kernelRegularizer, activation: 'relu' }));
  if (dropoutRate > 0) model.add(tf.layers.dropout({ rate: dropoutRate }));
  model.add(tf.layers.dense({ units: 1 }));
  return model;
}

function buildModel(type: string, numTimeSteps: number, numFeatures: number): tf.Sequential {
  const inputShape = [numTimeSteps, numFeatures];
  let model: tf.Sequential;
  if (type === 'mlp') model = buildMLPModel(inputShape);
  else if (type === 'mlp-l2') model = buildMLPModel(inputShape, tf.regularizers.l2());
  else if (type === 'mlp-dropout') model = buildMLPModel(inputShape, undefined, 0.25);
  else if (type === 'linear-regression') {
    model = tf.sequential();
    model.add(tf.layers.flatten({ inputShape }));
    model.add(tf.layers.dense({ units: 1 }));
  } else if (type === 'simpleRNN') {
    model = tf.sequential();
    model.add(tf.layers.simpleRNN({ units: 32, inputShape }));
    model.add(tf.layers.dense({ units: 1 }));
  } else if (type === 'gru') {
    model = tf.sequential();
    model.add(tf.layers.gru({ units: 32, inputShape, dropout: 0, recurrentDropout: 0 }));
    model.add(tf.layers.dense({ units: 1 }));
  } else throw new Error(`Unsupported model type: ${type}`);
  model.compile({ loss: 'meanAbsoluteError', optimizer: 'rmsprop' });
  model.summary();
  return model;
}

const weather = new WeatherData(numRows);
console.log(`Simulated ${numRows} rows of weather readings`);
const baseline = await getBaselineMeanAbsoluteError(weather);
console.log(`Commonsense baseline mean absolute error: ${baseline.toFixed(6)}`);
let valLoss = baseline;
if (modelType !== 'baseline') {
  const model = buildModel(modelType, Math.floor(lookBack / step), weather.numColumns);
  const trainDataset = tf.data
    .generator(() => weather.getNextBatchFunction(true, TRAIN_MIN_ROW, TRAIN_MAX_ROW))
    .prefetch(8);
  const valDataset = tf.data.generator(() => weather.getNextBatchFunction(false, VAL_MIN_ROW, VAL_MAX_ROW));
  const history = await model.fitDataset(trainDataset, {
    batchesPerEpoch,
    epochs,
    verbose: 0,
    callbacks: [
      tf.callbacks.earlyStopping({ patience: earlyStoppingPatience }),
      new tf.CustomCallback({
        onEpochEnd: async (epoch, logs) =>
          console.log(`Epoch ${epoch + 1}: loss ${logs?.loss.toFixed(4)}, val_loss ${logs?.val_loss.toFixed(4)}`),
      }),
    ],
    validationData: valDataset,
  });
  valLoss = Math.min(...history.history.val_loss);
}
console.log(`Result: ${JSON.stringify({ baseline, valLoss })}`);
