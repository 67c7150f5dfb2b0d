/**
 * Iris with tf.data: the same classifier as the iris example, fed by datasets (`tf.data.array`
 * zipped into `{xs, ys}` elements and batched) through `model.fitDataset`.
 *
 * A port of the TensorFlow.js example "iris-fitDataset" (tensorflow/tfjs-examples), Copyright
 * 2018 Google LLC, licensed under the Apache License, Version 2.0
 * (http://www.apache.org/licenses/LICENSE-2.0). Written afresh for Node from the original's
 * behaviour: controls are arguments, charts console output, and the flowers (embedded in the
 * original) are read from data/iris/iris.csv. Only `import * as tf` and TF.js' API: it runs
 * unchanged on TensorFlow.js with that import pointed at '@tensorflow/tfjs'.
 *
 *   node dist/examples/tfjs/iris-fitdataset.js [epochs] [learningRate]
 */
import { readFileSync } from 'node:fs';
import * as tf from 'myelin';

const IRIS_CLASSES = ['Iris-setosa', 'Iris-versicolor', 'Iris-virginica'];
const IRIS_NUM_FEATURES = 4;
const BATCH_SIZE = 32;
const epochs = Number(process.argv[2] ?? 40);
const learningRate = Number(process.argv[3] ?? 0.01);

const IRIS_RAW_DATA: number[][] = readFileSync(new URL('../../../data/iris/iris.csv', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(',').slice(0, 5).map(Number));

/** A one-hot row as a plain array. */
const flatOneHot = (idx: number) => Array.from(tf.oneHot([idx], 3).dataSync());

function getIrisData(testSplit: number) {
  const shuffled = IRIS_RAW_DATA.slice();
  tf.util.shuffle(shuffled);
  const numTestExamples = Math.round(IRIS_RAW_DATA.length * testSplit);
  const numTrainExamples = IRIS_RAW_DATA.length - numTestExamples;
  const train = shuffled.slice(0, numTrainExamples);
  const test = shuffled.slice(numTrainExamples);
  const trainX = tf.data.array(train.map((r) => r.slice(0, 4)));
  const testX = tf.data.array(test.map((r) => r.slice(0, 4)));
  const trainY = tf.data.array(train.map((r) => flatOneHot(r[4])));
  const testY = tf.data.array(test.map((r) => flatOneHot(r[4])));
  return [tf.data.zip({ xs: trainX, ys: trainY }), tf.data.zip({ xs: testX, ys: testY })];
}

let [trainDataset, testDataset] = getIrisData(0.15);
trainDataset = trainDataset.batch(BATCH_SIZE);
testDataset = testDataset.batch(BATCH_SIZE);

const model = tf.sequential();
model.add(tf.layers.dense({ units: 10, activation: 'sigmoid', inputShape: [IRIS_NUM_FEATURES] }));
model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
model.summary();
model.compile({ optimizer: tf.train.adam(learningRate), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

const history = await model.fitDataset(trainDataset, {
  epochs,
  validationData: testDataset,
  verbose: 0,
  callbacks: {
    onEpochEnd: async (epoch, logs) => {
      if ((epoch + 1) % 10 === 0)
        console.log(
          `Epoch ${epoch + 1}: loss ${logs?.loss.toFixed(3)}, acc ${logs?.acc.toFixed(3)}, val_acc ${logs?.val_acc.toFixed(3)}`,
        );
    },
  },
});

const [{ xs: xTest, ys: yTest }] = (await testDataset.toArray()) as { xs: tf.Tensor; ys: tf.Tensor }[];
const yTrue = yTest.argMax(-1).dataSync();
const predictOut = model.predict(xTest) as tf.Tensor;
const yPred = predictOut.argMax(-1).dataSync();
let correct = 0;
yTrue.forEach((label, i) => {
  if (label === yPred[i]) correct++;
});
const testAccuracy = correct / yTrue.length;
console.log(`Test accuracy: ${testAccuracy.toFixed(3)} (${correct} of ${yTrue.length})`);
tf.tidy(() => {
  const p = model.predict(tf.tensor2d([[5.8, 2.7, 5.1, 1.9]], [1, 4])) as tf.Tensor;
  console.log(`A flower of [5.8, 2.7, 5.1, 1.9]: ${IRIS_CLASSES[p.argMax(-1).dataSync()[0]]}`);
});
console.log(`Result: ${JSON.stringify({ testAccuracy, finalValAcc: history.history.val_acc.at(-1) })}`);
