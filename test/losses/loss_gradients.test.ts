import { describe, it } from 'node:test';
import type { Tensor } from '../../src/core/tensor.js';
import { tensor } from '../../src/ops/convert.js';
import * as L from '../../src/losses/index.js';
import { checkGradients, rand64 } from '../helpers/gradcheck.js';

const onehot = tensor(
  [
    [0, 1, 0],
    [1, 0, 0],
    [0, 0, 1],
    [0, 1, 0],
  ],
  [4, 3],
  'float64',
);
const binary = tensor(
  [
    [0, 1, 1],
    [1, 0, 0],
    [1, 1, 0],
    [0, 0, 1],
  ],
  [4, 3],
  'float64',
);
const signed = tensor(
  [
    [-1, 1, 1],
    [1, -1, -1],
    [1, 1, -1],
    [-1, -1, 1],
  ],
  [4, 3],
  'float64',
);
const real = rand64([4, 3], 7, -2, 2);
const positive = rand64([4, 3], 8, 0.2, 3);
const probsTrue = rand64([4, 3], 9, 0.1, 0.9);

const cases: [string, (p: Tensor) => Tensor, Tensor][] = [
  ['meanSquaredError', (p) => L.mse(real, p), rand64([4, 3], 1, -2, 2)],
  ['meanAbsoluteError', (p) => L.meanAbsoluteError(real, p), rand64([4, 3], 2, -2, 2)],
  ['meanAbsolutePercentageError', (p) => L.meanAbsolutePercentageError(real, p), rand64([4, 3], 3, -2, 2)],
  ['meanSquaredLogarithmicError', (p) => L.meanSquaredLogarithmicError(positive, p), rand64([4, 3], 4, 0.1, 3)],
  ['huber', (p) => L.huber(real, p, 0.7), rand64([4, 3], 5, -2, 2)],
  ['logCosh', (p) => L.logCosh(real, p), rand64([4, 3], 6, -2, 2)],
  ['cosineSimilarity', (p) => L.cosineSimilarity(real, p), rand64([4, 3], 10, -2, 2)],
  ['binaryCrossentropy', (p) => L.binaryCrossentropy(binary, p, false, 0.1), rand64([4, 3], 11, 0.05, 0.95)],
  ['binaryCrossentropy fromLogits', (p) => L.binaryCrossentropy(binary, p, true), rand64([4, 3], 12, -4, 4)],
  ['categoricalCrossentropy', (p) => L.categoricalCrossentropy(onehot, p, false, 0.1), rand64([4, 3], 13, 0.05, 0.95)],
  ['categoricalCrossentropy fromLogits', (p) => L.categoricalCrossentropy(onehot, p, true), rand64([4, 3], 14, -4, 4)],
  [
    'sparseCategoricalCrossentropy',
    (p) => L.sparseCategoricalCrossentropy([1, 0, 2, 1], p),
    rand64([4, 3], 15, 0.05, 0.95),
  ],
  [
    'sparseCategoricalCrossentropy fromLogits',
    (p) => L.sparseCategoricalCrossentropy([[1], [0], [2], [1]], p, true),
    rand64([4, 3], 16, -4, 4),
  ],
  ['hinge', (p) => L.hinge(signed, p), rand64([4, 3], 17, -3, 3)],
  ['squaredHinge', (p) => L.squaredHinge(binary, p), rand64([4, 3], 18, -3, 3)],
  ['categoricalHinge', (p) => L.categoricalHinge(onehot, p), rand64([4, 3], 19, -3, 3)],
  ['kullbackLeiblerDivergence', (p) => L.kullbackLeiblerDivergence(probsTrue, p), rand64([4, 3], 20, 0.05, 0.95)],
  ['poisson', (p) => L.poisson(positive, p), rand64([4, 3], 21, 0.2, 3)],
];

describe('float64 gradient checks of every loss w.r.t. yPred', () => {
  for (const [name, f, p] of cases) {
    it(name, () => checkGradients(f, [p]));
  }
  it('Loss.compute with sample weights', () => {
    checkGradients(
      (p) =>
        new L.CategoricalCrossentropy({ fromLogits: true }).compute(onehot, p, tensor([1, 0.5, 2, 0], [4], 'float64')),
      [rand64([4, 3], 22, -3, 3)],
    );
  });
});
