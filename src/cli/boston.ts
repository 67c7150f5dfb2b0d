import { datasets } from '../data/datasets.js';
import { standardScaler } from '../data/scalers.js';
// Through the package entry, as a user would: it also registers the backends.
import { layers, optimizers, sequential, setSeed, type Tensor } from '../index.js';
import { type BostonOptions, plural } from './args.js';
import { writePlot } from './plot_file.js';

/** What `runBoston` measured on the test set. */
export interface BostonResult {
  /** Mean squared error, in (thousands of dollars)². */
  testLoss: number;
  /** Mean absolute error, in thousands of dollars. */
  testMae: number;
  /** Per-epoch training values, as `fit` returned them. */
  history: Record<string, number[]>;
}

/**
 * The classic Keras regression example: Dense(units, relu) → Dense(1), Adam, MSE loss and
 * MAE metric, trained on the Boston training set and evaluated on the test set.
 * @example const { testMae } = await runBoston({ ...BOSTON_DEFAULTS, normalize: true, epochs: 200 }, console.log);
 */
export async function runBoston(options: BostonOptions, print: (line: string) => void): Promise<BostonResult> {
  if (options.seed !== undefined) setSeed(options.seed);
  let { xTrain, yTrain, xTest, yTest } = datasets.bostonHousing.load();
  if (options.normalize) {
    // Statistics of the training set only, applied to both: the test set stays unseen.
    const scaler = standardScaler().fit(xTrain);
    xTrain = scaler.transform(xTrain);
    xTest = scaler.transform(xTest);
  }
  print(
    `Boston housing: ${xTrain.shape[0]} training and ${xTest.shape[0]} test samples, ${xTrain.shape[1]} features, ${options.normalize ? 'standardized with training-set mean and std' : 'unnormalized (use --normalize to standardize)'}`,
  );

  const model = sequential({
    layers: [layers.dense({ units: options.units, activation: 'relu', inputShape: [13] }), layers.dense({ units: 1 })],
  });
  model.compile({ optimizer: optimizers.adam({ learningRate: options.learningRate }), loss: 'mse', metrics: ['mae'] });
  if (options.summary) model.summary(undefined, undefined, print);
  print(
    `Training ${plural(options.epochs, 'epoch')}, batch size ${options.batchSize}, Adam learning rate ${options.learningRate}${options.validationSplit > 0 ? `, validation split ${options.validationSplit}` : ''}${options.seed !== undefined ? `, seed ${options.seed}` : ''}`,
  );

  const history = await model.fit(xTrain, yTrain, {
    epochs: options.epochs,
    batchSize: options.batchSize,
    validationSplit: options.validationSplit,
    verbose: options.verbose,
  });
  writePlot(options.plot, history.history, 'myelin boston: Boston housing', print);
  const [loss, mae] = model.evaluate(xTest, yTest, { batchSize: options.batchSize }) as Tensor[];
  const result = { testLoss: loss.item(), testMae: mae.item(), history: history.history };
  print(`Test loss (MSE): ${result.testLoss.toFixed(4)}`);
  print(`Test MAE: ${result.testMae.toFixed(4)} (thousands of dollars)`);
  return result;
}
