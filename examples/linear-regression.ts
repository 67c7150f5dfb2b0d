/**
 * Linear regression in one line: `linearRegression` builds a model with a single Dense layer.
 * It learns y = 2·x1 - 3·x2 + 0.5·x3 + 4 from noisy samples.
 *
 *   node dist/examples/linear-regression.js [epochs]
 */
import * as my from 'myelin';

const epochs = Number(process.argv[2] ?? 100);
my.setSeed(0);

const trueWeights = my.tensor([[2], [-3], [0.5]]);
const x = my.randomNormal([500, 3]);
const y = my
  .matMul(x, trueWeights)
  .add(4)
  .add(my.randomNormal([500, 1], 0, 0.1));

const model = my.linearRegression({ inputDim: 3 });
model.compile({ optimizer: my.optimizers.sgd({ learningRate: 0.05 }), loss: 'mse' });
const history = await model.fit(x, y, { epochs, batchSize: 50, verbose: 0 });

const [kernel, bias] = model.getWeights();
console.log(`final loss ${history.history.loss.at(-1)!.toFixed(5)}`);
console.log(`weights ${Array.from(kernel.dataSync(), (v) => v.toFixed(3)).join(', ')} (true 2, -3, 0.5)`);
console.log(`bias ${bias.item().toFixed(3)} (true 4)`);
