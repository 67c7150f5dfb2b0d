/**
 * Iris: classify iris flowers into three species from four measurements with a small dense
 * network, reporting accuracy and a confusion matrix on held-out flowers of every species.
 *
 * A port of the TensorFlow.js example "iris" (tensorflow/tfjs-examples), Copyright 2018 Google
 * LLC, licensed under the Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).
 * Written afresh for Node from the original's behaviour: the page's controls are command-line
 * arguments, its charts and tables console output, and the 150 flowers (which the original
 * embeds) are read from data/iris/iris.csv. It reads the accuracy under TF.js' log names (`acc`,
 * `val_acc`). Only `import * as tf` and TF.js' API: it runs unchanged on TensorFlow.js with that
 * import pointed at '@tensorflow/tfjs'.
 *
 *   node dist/examples/tfjs/iris.js [epochs] [learningRate]
 */
import { readFileSync } from 'node:fs';
import * as tf from 'myelin';

const IRIS_CLASSES = ['Iris-setosa', 'Iris-versicolor', 'Iris-virginica'];
const IRIS_NUM_CLASSES = IRIS_CLASSES.length;
const epochs = Number(process.argv[2] ?? 40);
const learningRate = Number(process.argv[3] ?? 0.01);

/** [sepal length, sepal width, petal length, petal width, class] rows. */
const IRIS_DATA: number[][] = readFileSync(new URL('../../../data/iris/iris.csv', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(',').slice(0, 5).map(Number));

/** Shuffles one class's rows and splits them into train and test tensors. */
function convertToTensors(data: number[][], targets: number[], testSplit: number): tf.Tensor[] {
  const numExamples = data.length;
  const indices: number[] = [];
  for (let i = 0; i < numExamples; ++i) indices.push(i);
  tf.util.shuffle(indices);
  const shuffledData = indices.map((i) => data[i]);
  const shuffledTargets = indices.map((i) => targets[i]);
  const numTestExamples = Math.round(numExamples * testSplit);
  const numTrainExamples = numExamples - numTestExamples;
  const xDims = shuffledData[0].length;
  const xs = tf.tensor2d(shuffledData, [numExamples, xDims]);
  const ys = tf.oneHot(tf.tensor1d(shuffledTargets).toInt(), IRIS_NUM_CLASSES);
  const xTrain = xs.slice([0, 0], [numTrainExamples, xDims]);
  const xTest = xs.slice([numTrainExamples, 0], [numTestExamples, xDims]);
  const yTrain = ys.slice([0, 0], [numTrainExamples, IRIS_NUM_CLASSES]);
  const yTest = ys.slice([numTrainExamples, 0], [numTestExamples, IRIS_NUM_CLASSES]);
  return [xTrain, yTrain, xTest, yTest];
}

/** The same fraction of every species held out for testing. */
function getIrisData(testSplit: number): tf.Tensor[] {
  return tf.tidy(() => {
    const dataByClass: number[][][] = IRIS_CLASSES.map(() => []);
    const targetsByClass: number[][] = IRIS_CLASSES.map(() => []);
    for (const example of IRIS_DATA) {
      const target = example[example.length - 1];
      dataByClass[target].push(example.slice(0, example.length - 1));
      targetsByClass[target].push(target);
    }
    const parts = IRIS_CLASSES.map((_, i) => convertToTensors(dataByClass[i], targetsByClass[i], testSplit));
    return [0, 1, 2, 3].map((k) =>
      tf.concat(
        parts.map((p) => p[k]),
        0,
      ),
    );
  });
}

async function trainModel(xTrain: tf.Tensor, yTrain: tf.Tensor, xTest: tf.Tensor, yTest: tf.Tensor) {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 10, activation: 'sigmoid', inputShape: [xTrain.shape[1] as number] }));
  model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  model.summary();
  model.compile({ optimizer: tf.train.adam(learningRate), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const beginMs = tf.util.now();
  await model.fit(xTrain, yTrain, {
    epochs,
    validationData: [xTest, yTest],
    verbose: 0,
    callbacks: {
      onEpochEnd: async (epoch, logs) => {
        if ((epoch + 1) % 10 !== 0) return;
        const secPerEpoch = (tf.util.now() - beginMs) / (1000 * (epoch + 1));
        console.log(
          `Epoch ${epoch + 1}: loss ${logs?.loss.toFixed(3)}, acc ${logs?.acc.toFixed(3)}, val_loss ${logs?.val_loss.toFixed(3)}, val_acc ${logs?.val_acc.toFixed(3)} (${secPerEpoch.toFixed(4)} s/epoch)`,
        );
      },
    },
  });
  return model;
}

/** Rows: true species, columns: predicted species. */
function confusionMatrix(model: tf.LayersModel, xTest: tf.Tensor, yTest: tf.Tensor): number[][] {
  const [preds, labels] = tf.tidy(() => [(model.predict(xTest) as tf.Tensor).argMax(-1), yTest.argMax(-1)]);
  const matrix = IRIS_CLASSES.map(() => IRIS_CLASSES.map(() => 0));
  const p = preds.dataSync();
  labels.dataSync().forEach((label, i) => matrix[label][p[i]]++);
  tf.dispose([preds, labels]);
  return matrix;
}

const [xTrain, yTrain, xTest, yTest] = getIrisData(0.15);
const model = await trainModel(xTrain, yTrain, xTest, yTest);
const matrix = confusionMatrix(model, xTest, yTest);
console.log('Confusion matrix (rows: true species, columns: predicted):');
matrix.forEach((row, i) =>
  console.log(`  ${IRIS_CLASSES[i].padEnd(16)} ${row.map((n) => String(n).padStart(3)).join(' ')}`),
);
const testAccuracy = matrix.reduce((n, row, i) => n + row[i], 0) / (xTest.shape[0] as number);
tf.tidy(() => {
  const input = tf.tensor2d([[5.8, 2.7, 5.1, 1.9]], [1, 4]);
  const predictOut = model.predict(input) as tf.Tensor;
  const winner = IRIS_CLASSES[predictOut.argMax(-1).dataSync()[0]];
  console.log(
    `A flower of [5.8, 2.7, 5.1, 1.9]: ${winner} (probabilities ${Array.from(predictOut.dataSync(), (v) => v.toFixed(3)).join(', ')})`,
  );
});
console.log(`Result: ${JSON.stringify({ testAccuracy })}`);
