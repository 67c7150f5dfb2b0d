/**
 * Boston housing: multivariate regression of house prices with a linear model and two
 * multi-layer perceptrons, trained by SGD, compared with the "predict the mean" baseline.
 *
 * A port of the TensorFlow.js example "boston-housing" (tensorflow/tfjs-examples), Copyright
 * 2018 Google LLC, licensed under the Apache License, Version 2.0
 * (http://www.apache.org/licenses/LICENSE-2.0). Written afresh for Node from the original's
 * behaviour: its web page's charts and status lines are console output, and the data, which the
 * original downloads, is read from data/boston_housing (the same Keras split; the original's 12
 * features, without column B). It uses only `import * as tf` and TF.js' API, so it runs
 * unchanged on TensorFlow.js with that import pointed at '@tensorflow/tfjs'.
 *
 *   node dist/examples/tfjs/boston-housing.js [epochs]
 */
import { readFileSync } from 'node:fs';
import * as tf from 'myelin';

const NUM_EPOCHS = Number(process.argv[2] ?? 200);
const BATCH_SIZE = 40;
const LEARNING_RATE = 0.01;

const featureDescriptions = [
  'Crime rate',
  'Land zone size',
  'Industrial proportion',
  'Next to river',
  'Nitric oxide concentration',
  'Number of rooms per house',
  'Age of housing',
  'Distance to commute',
  'Distance to highway',
  'Tax rate',
  'School class size',
  'School drop-out rate',
];

/** Rows of the CSV as [features without column B, target]. */
function loadCsv(name: string): { features: number[][]; target: number[][] } {
  const text = readFileSync(new URL(`../../../data/boston_housing/${name}`, import.meta.url), 'utf8');
  const [header, ...lines] = text.trim().split('\n');
  const columns = header.split(',');
  const b = columns.indexOf('B');
  const features: number[][] = [];
  const target: number[][] = [];
  for (const line of lines) {
    const values = line.split(',').map(Number);
    target.push([values.pop() as number]);
    features.push(values.filter((_, i) => i !== b));
  }
  return { features, target };
}

/** Shuffles features and targets together, as the original's loader does. */
function shuffle(data: number[][], target: number[][]): void {
  let counter = data.length;
  while (counter > 0) {
    const index = (Math.random() * counter) | 0;
    counter--;
    [data[counter], data[index]] = [data[index], data[counter]];
    [target[counter], target[index]] = [target[index], target[counter]];
  }
}

function determineMeanAndStddev(data: tf.Tensor) {
  const dataMean = data.mean(0);
  const diffFromMean = data.sub(dataMean);
  const variance = diffFromMean.square().mean(0);
  return { dataMean, dataStd: variance.sqrt() };
}

const normalizeTensor = (data: tf.Tensor, mean: tf.Tensor, std: tf.Tensor) => data.sub(mean).div(std);

const train = loadCsv('train.csv');
const test = loadCsv('test.csv');
shuffle(train.features, train.target);
shuffle(test.features, test.target);
const numFeatures = train.features[0].length;

const rawTrainFeatures = tf.tensor2d(train.features);
const trainTarget = tf.tensor2d(train.target);
const testTarget = tf.tensor2d(test.target);
const { dataMean, dataStd } = determineMeanAndStddev(rawTrainFeatures);
const trainFeatures = normalizeTensor(rawTrainFeatures, dataMean, dataStd);
const testFeatures = normalizeTensor(tf.tensor2d(test.features), dataMean, dataStd);

function linearRegressionModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [numFeatures], units: 1 }));
  model.summary();
  return model;
}

function multiLayerPerceptronRegressionModel1Hidden(): tf.Sequential {
  const model = tf.sequential();
  model.add(
    tf.layers.dense({ inputShape: [numFeatures], units: 50, activation: 'sigmoid', kernelInitializer: 'leCunNormal' }),
  );
  model.add(tf.layers.dense({ units: 1 }));
  model.summary();
  return model;
}

function multiLayerPerceptronRegressionModel2Hidden(): tf.Sequential {
  const model = tf.sequential();
  model.add(
    tf.layers.dense({ inputShape: [numFeatures], units: 50, activation: 'sigmoid', kernelInitializer: 'leCunNormal' }),
  );
  model.add(tf.layers.dense({ units: 50, activation: 'sigmoid', kernelInitializer: 'leCunNormal' }));
  model.add(tf.layers.dense({ units: 1 }));
  model.summary();
  return model;
}

function describeKernelElements(kernel: ArrayLike<number>) {
  tf.util.assert(kernel.length === 12, `kernel must be a array of length 12, got ${kernel.length}`);
  return Array.from(kernel, (value, i) => ({ description: featureDescriptions[i], value }));
}

async function run(model: tf.Sequential, modelName: string, weightsIllustration: boolean) {
  model.compile({ optimizer: tf.train.sgd(LEARNING_RATE), loss: 'meanSquaredError' });
  const trainLogs: tf.Logs[] = [];
  console.log(`Training ${modelName}...`);
  await model.fit(trainFeatures, trainTarget, {
    batchSize: BATCH_SIZE,
    epochs: NUM_EPOCHS,
    validationSplit: 0.2,
    verbose: 0,
    callbacks: {
      onEpochEnd: async (epoch, logs) => {
        trainLogs.push(logs as tf.Logs);
        if ((epoch + 1) % 50 === 0 || epoch + 1 === NUM_EPOCHS)
          console.log(
            `  epoch ${epoch + 1} of ${NUM_EPOCHS}: loss ${logs?.loss.toFixed(2)}, val_loss ${logs?.val_loss.toFixed(2)}`,
          );
      },
    },
  });
  if (weightsIllustration) {
    const kernel = await model.layers[0].getWeights()[0].data();
    const weights = describeKernelElements(kernel).sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
    for (const { description, value } of weights) console.log(`  ${description.padEnd(28)} ${value.toFixed(3)}`);
  }
  const result = model.evaluate(testFeatures, testTarget, { batchSize: BATCH_SIZE }) as tf.Scalar;
  const testLoss = result.dataSync()[0];
  const last = trainLogs[trainLogs.length - 1];
  console.log(
    `Final train-set loss: ${last.loss.toFixed(4)}\nFinal validation-set loss: ${last.val_loss.toFixed(4)}\nTest-set loss: ${testLoss.toFixed(4)}`,
  );
  return { train: last.loss, validation: last.val_loss, test: testLoss };
}

const avgPrice = trainTarget.mean();
console.log(`Average price: ${avgPrice.dataSync()}`);
const baseline = testTarget.sub(avgPrice).square().mean().dataSync()[0];
console.log(`Baseline loss (meanSquaredError) is ${baseline.toFixed(2)}`);

const linear = await run(linearRegressionModel(), 'linear regression', true);
const oneHidden = await run(multiLayerPerceptronRegressionModel1Hidden(), 'MLP with 1 hidden layer', false);
const twoHidden = await run(multiLayerPerceptronRegressionModel2Hidden(), 'MLP with 2 hidden layers', false);
console.log(`Result: ${JSON.stringify({ baseline, linear, oneHidden, twoHidden })}`);
