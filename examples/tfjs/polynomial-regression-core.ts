/**
 * Polynomial regression with the core API: fit the coefficients a, b, c, d of
 * y = a·x³ + b·x² + c·x + d to noisy points with variables, a loss function and
 * `optimizer.minimize`, awaiting `tf.nextFrame()` between steps as the original does.
 *
 * A port of the TensorFlow.js example "polynomial-regression-core" (tensorflow/tfjs-examples),
 * Copyright 2018 Google LLC, licensed under the Apache License, Version 2.0
 * (http://www.apache.org/licenses/LICENSE-2.0). Written afresh for Node from the original's
 * behaviour: its plots are console output. The data is generated, as in the original. Only
 * `import * as tf` and TF.js' API: it runs unchanged on TensorFlow.js with that import pointed at
 * '@tensorflow/tfjs'.
 *
 *   node dist/examples/tfjs/polynomial-regression-core.js [iterations]
 */
import * as tf from 'myelin';

const numIterations = Number(process.argv[2] ?? 75);
const learningRate = 0.5;

const a = tf.variable(tf.scalar(Math.random()));
const b = tf.variable(tf.scalar(Math.random()));
const c = tf.variable(tf.scalar(Math.random()));
const d = tf.variable(tf.scalar(Math.random()));
const optimizer = tf.train.sgd(learningRate);

/** Noisy points of the polynomial, with y rescaled to [0, 1]. */
function generateData(numPoints: number, coeff: { a: number; b: number; c: number; d: number }, sigma = 0.04) {
  return tf.tidy(() => {
    const [ta, tb, tc, td] = [tf.scalar(coeff.a), tf.scalar(coeff.b), tf.scalar(coeff.c), tf.scalar(coeff.d)];
    const xs = tf.randomUniform([numPoints], -1, 1);
    const three = tf.scalar(3, 'int32');
    const ys = ta
      .mul(xs.pow(three))
      .add(tb.mul(xs.square()))
      .add(tc.mul(xs))
      .add(td)
      .add(tf.randomNormal([numPoints], 0, sigma));
    const ymin = ys.min();
    const ymax = ys.max();
    return { xs, ys: ys.sub(ymin).div(ymax.sub(ymin)) };
  });
}

function predict(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() =>
    a
      .mul(x.pow(tf.scalar(3, 'int32')))
      .add(b.mul(x.square()))
      .add(c.mul(x))
      .add(d),
  );
}

function loss(prediction: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return prediction.sub(labels).square().mean();
}

async function train(xs: tf.Tensor, ys: tf.Tensor, iterations: number) {
  for (let iter = 0; iter < iterations; iter++) {
    optimizer.minimize(() => loss(predict(xs), ys));
    await tf.nextFrame();
  }
}

const coefficients = () => ({ a: a.dataSync()[0], b: b.dataSync()[0], c: c.dataSync()[0], d: d.dataSync()[0] });
const show = (label: string, k: Record<string, number>) =>
  console.log(`${label}: a=${k.a.toFixed(3)} b=${k.b.toFixed(3)} c=${k.c.toFixed(3)} d=${k.d.toFixed(3)}`);

const trueCoefficients = { a: -0.8, b: -0.2, c: 0.9, d: 0.5 };
const trainingData = generateData(100, trueCoefficients);
show('True coefficients (before rescaling y)', trueCoefficients);
show('Random coefficients', coefficients());
const lossBefore = loss(predict(trainingData.xs), trainingData.ys).dataSync()[0];
await train(trainingData.xs, trainingData.ys, numIterations);
show('Trained coefficients', coefficients());
const lossAfter = loss(predict(trainingData.xs), trainingData.ys).dataSync()[0];
console.log(`Mean squared error: ${lossBefore.toFixed(4)} before training, ${lossAfter.toFixed(4)} after`);
console.log(`Result: ${JSON.stringify({ lossBefore, lossAfter })}`);
