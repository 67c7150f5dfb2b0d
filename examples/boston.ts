/**
 * The classic Keras regression example, written as in Keras:
 * predict Boston house prices from 13 features.
 *
 *   node dist/examples/boston.js [epochs]
 *
 * The data set is shipped only to reproduce this classic example; see data/README.md for the
 * ethical problems of its `B` column.
 */
import * as my from 'myelin';

const epochs = Number(process.argv[2] ?? 10);

const { xTrain, yTrain, xTest, yTest } = my.datasets.bostonHousing.load();

const model = my.sequential({
  layers: [my.layers.dense({ units: 10, activation: 'relu', inputShape: [13] }), my.layers.dense({ units: 1 })],
});
model.compile({ optimizer: 'adam', loss: 'mse', metrics: ['mae'] });
model.summary();

await model.fit(xTrain, yTrain, { epochs, batchSize: 32 });

const [loss, mae] = model.evaluate(xTest, yTest) as my.Tensor[];
console.log(`Test loss (MSE): ${loss.item().toFixed(2)}`);
console.log(`Test MAE: ${mae.item().toFixed(2)} thousand dollars`);
