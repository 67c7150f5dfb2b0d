// The playground's datasets, embedded in its bundle (the build loads the CSV files as text and
// the gzipped digits as bytes), so the page needs nothing but itself.
import { gunzipSync } from 'fflate';
import * as my from '../src/browser.js';
import bostonTest from '../data/boston_housing/test.csv';
import bostonTrain from '../data/boston_housing/train.csv';
import digitsGz from '../data/digits/digits.csv.gz';
import irisCsv from '../data/iris/iris.csv';

/** A dataset ready to train on: features standardized where useful, a held-out part for validation. */
export interface PlaygroundData {
  name: string;
  task: 'regression' | 'classification';
  classes: number;
  xTrain: my.Tensor;
  yTrain: my.Tensor;
  xVal: my.Tensor;
  yVal: my.Tensor;
  /** Features per sample, and the image shape for convolutional models (digits). */
  features: number;
  image?: [number, number, number];
  /** The raw 2-D points and labels, for the decision-boundary picture (2-D data only). */
  points?: { x: number[][]; labels: number[] };
}

export const DATASETS = {
  moons: 'Two moons (2-D toy, 2 classes)',
  iris: 'Iris (4 features, 3 species)',
  digits: 'Digits (8x8 images, 10 classes)',
  boston: 'Boston housing (13 features, price)',
} as const;
export type DatasetName = keyof typeof DATASETS;

/** Two interleaving half circles with Gaussian noise (scikit-learn's make_moons), seeded. */
function moons(n: number, noise: number, seed: number): { x: number[][]; labels: number[] } {
  let s = seed >>> 0;
  const uniform = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  const gauss = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const x: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const upper = i % 2 === 0;
    const t = Math.PI * uniform();
    const [px, py] = upper ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
    x.push([px + noise * gauss(), py + noise * gauss()]);
    labels.push(upper ? 0 : 1);
  }
  return { x, labels };
}

function split(x: my.Tensor, y: my.Tensor, stratify: boolean) {
  const { xTrain, yTrain, xTest, yTest } = my.trainTestSplit(x, y, { testSize: 0.2, seed: 7, stratify });
  return { xTrain, yTrain, xVal: xTest, yVal: yTest };
}

/** Loads `name` (every call builds fresh tensors). */
export function loadDataset(name: DatasetName): PlaygroundData {
  if (name === 'moons') {
    const points = moons(400, 0.15, 3);
    const parts = split(my.tensor(points.x), my.tensor(points.labels, undefined, 'int32'), true);
    return { name, task: 'classification', classes: 2, features: 2, points, ...parts };
  }
  if (name === 'iris') {
    const { features, labels } = my.parseCsv(irisCsv, {
      columns: ['sepal_length_cm', 'sepal_width_cm', 'petal_length_cm', 'petal_width_cm'],
      labelColumn: 'target',
      labelDtype: 'int32',
    });
    const parts = split(features, labels, true);
    const scaler = my.standardScaler().fit(parts.xTrain);
    return {
      name,
      task: 'classification',
      classes: 3,
      features: 4,
      ...parts,
      xTrain: scaler.transform(parts.xTrain),
      xVal: scaler.transform(parts.xVal),
    };
  }
  if (name === 'digits') {
    const text = new TextDecoder().decode(gunzipSync(digitsGz));
    const { features, labels } = my.parseCsv(text, { labelColumn: 'target', labelDtype: 'int32' });
    const parts = split(features.div(16), labels, true);
    return { name, task: 'classification', classes: 10, features: 64, image: [8, 8, 1], ...parts };
  }
  const train = my.parseCsv(bostonTrain, { labelColumn: 'MEDV' });
  const test = my.parseCsv(bostonTest, { labelColumn: 'MEDV' });
  const scaler = my.standardScaler().fit(train.features);
  return {
    name,
    task: 'regression',
    classes: 0,
    features: 13,
    xTrain: scaler.transform(train.features),
    yTrain: train.labels,
    xVal: scaler.transform(test.features),
    yVal: test.labels,
  };
}
