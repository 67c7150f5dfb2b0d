/**
 * XOR, the classic problem a single linear layer cannot solve: a small hidden layer can.
 *
 *   node dist/examples/xor.js [epochs]
 */
import * as my from 'myelin';

const epochs = Number(process.argv[2] ?? 500);
my.setSeed(1);

const xs = my.tensor([
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
]);
const ys = my.tensor([[0], [1], [1], [0]]);

const model = my.sequential({
  layers: [
    my.layers.dense({ units: 8, activation: 'tanh', inputShape: [2] }),
    my.layers.dense({ units: 1, activation: 'sigmoid' }),
  ],
});
model.compile({
  optimizer: my.optimizers.adam({ learningRate: 0.05 }),
  loss: 'binaryCrossentropy',
  metrics: ['accuracy'],
});

const history = await model.fit(xs, ys, { epochs, batchSize: 4, verbose: 0 });
console.log(`final loss ${history.history.loss.at(-1)!.toFixed(4)}, accuracy ${history.history.accuracy.at(-1)}`);

const predictions = model.predict(xs) as my.Tensor;
const p = predictions.dataSync();
for (const [i, [a, b]] of [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
].entries()) {
  console.log(`${a} xor ${b} -> ${p[i].toFixed(3)}`);
}
