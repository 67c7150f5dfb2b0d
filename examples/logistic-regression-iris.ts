/**
 * Multinomial logistic regression on Fisher's iris flowers: standardize the four measurements,
 * then one softmax layer tells the three species apart.
 *
 *   node dist/examples/logistic-regression-iris.js [epochs]
 */
import * as my from 'myelin';

const epochs = Number(process.argv[2] ?? 100);
my.setSeed(0);

const { features, labels, classNames } = my.datasets.iris.load();
const { xTrain, yTrain, xTest, yTest } = my.trainTestSplit(features, labels, {
  testSize: 0.2,
  stratify: true,
  seed: 0,
});
const scaler = my.standardScaler().fit(xTrain);

const model = my.logisticRegression({ inputDim: 4, classes: classNames.length });
model.compile({
  optimizer: my.optimizers.adam({ learningRate: 0.1 }),
  loss: 'sparseCategoricalCrossentropy',
  metrics: ['accuracy'],
});
await model.fit(scaler.transform(xTrain), yTrain, { epochs, batchSize: 16, verbose: 0 });

const [loss, accuracy] = model.evaluate(scaler.transform(xTest), yTest) as my.Tensor[];
console.log(
  `test loss ${loss.item().toFixed(4)}, test accuracy ${(accuracy.item() * 100).toFixed(1)}% on ${yTest.size} flowers`,
);

const probabilities = model.predict(scaler.transform(xTest.slice([0, 0], [5, 4]))) as my.Tensor;
const predicted = Array.from(probabilities.argMax(-1).dataSync(), (c) => classNames[c]);
const actual = Array.from(yTest.dataSync().slice(0, 5), (c) => classNames[c]);
console.log(`first five test flowers: predicted ${predicted.join(', ')}; actual ${actual.join(', ')}`);
