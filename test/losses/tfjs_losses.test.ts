// tf.losses.* with TF.js' weights and reductions, against TF.js 4.22 on the same inputs, and
// gradient-checked in float64 (they are composites of Myelin's primitives).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { losses, Reduction, tensor, type Tensor } from '../../src/index.js';
import { assertClose, checkGradients, rand64 } from '../helpers/gradcheck.js';

await tf.setBackend('cpu');

const labels = [
  [0, 1, 0],
  [1, 0, 0],
  [0, 0, 1],
  [0, 1, 0],
];
const preds = [
  [0.2, 0.7, 0.1],
  [0.5, 0.3, 0.2],
  [0.1, 0.1, 0.8],
  [0.3, 0.3, 0.4],
];
const perSample = [[1], [0], [2], [0.5]];
const perElement = [
  [1, 0, 2],
  [0, 0, 1],
  [1, 1, 1],
  [3, 0, 0],
];
const REDUCTIONS = [Reduction.NONE, Reduction.MEAN, Reduction.SUM, Reduction.SUM_BY_NONZERO_WEIGHTS] as const;

type Loss = (l: Tensor, p: Tensor, w?: Tensor, r?: number) => Tensor;
type TfLoss = (l: tf.Tensor, p: tf.Tensor, w?: tf.Tensor, r?: tf.Reduction) => tf.Tensor;

const CASES: [string, Loss, TfLoss][] = [
  [
    'absoluteDifference',
    (l, p, w, r) => losses.absoluteDifference(l, p, w, r as never),
    (l, p, w, r) => tf.losses.absoluteDifference(l, p, w, r),
  ],
  [
    'meanSquaredError',
    (l, p, w, r) => losses.meanSquaredError(l, p, w, r as never),
    (l, p, w, r) => tf.losses.meanSquaredError(l, p, w, r),
  ],
  [
    'huberLoss',
    (l, p, w, r) => losses.huberLoss(l, p, w, 0.3, r as never),
    (l, p, w, r) => tf.losses.huberLoss(l, p, w, 0.3, r),
  ],
  [
    'logLoss',
    (l, p, w, r) => losses.logLoss(l, p, w, 1e-7, r as never),
    (l, p, w, r) => tf.losses.logLoss(l, p, w, 1e-7, r),
  ],
  ['hingeLoss', (l, p, w, r) => losses.hingeLoss(l, p, w, r as never), (l, p, w, r) => tf.losses.hingeLoss(l, p, w, r)],
  [
    'cosineDistance',
    (l, p, w, r) => losses.cosineDistance(l, p, 1, w, r as never),
    (l, p, w, r) => tf.losses.cosineDistance(l, p, 1, w, r),
  ],
  [
    'sigmoidCrossEntropy',
    (l, p, w, r) => losses.sigmoidCrossEntropy(l, p, w, 0.1, r as never),
    (l, p, w, r) => tf.losses.sigmoidCrossEntropy(l, p, w, 0.1, r),
  ],
  [
    'softmaxCrossEntropy',
    (l, p, w, r) => losses.softmaxCrossEntropy(l, p, w, 0.2, r as never),
    (l, p, w, r) => tf.losses.softmaxCrossEntropy(l, p, w, 0.2, r),
  ],
];

describe('tf.losses with weights and reductions (against TF.js)', () => {
  for (const [name, mine, theirs] of CASES) {
    it(name, () => {
      const weightSets: (number[][] | undefined)[] = [undefined, perSample];
      // cosineDistance and softmaxCrossEntropy reduce the class axis first: one weight per sample.
      if (name !== 'cosineDistance' && name !== 'softmaxCrossEntropy') weightSets.push(perElement);
      for (const weights of weightSets)
        for (const reduction of REDUCTIONS) {
          const w = weights && (name === 'softmaxCrossEntropy' ? weights.map((r) => r[0]) : weights);
          const got = mine(tensor(labels), tensor(preds), w && tensor(w), reduction);
          const want = theirs(tf.tensor(labels), tf.tensor(preds), w && tf.tensor(w), reduction);
          assert.deepEqual(got.shape, want.shape, `${name} weights=${JSON.stringify(w)} reduction=${reduction}: shape`);
          assertClose(got.dataSync(), want.dataSync() as Float32Array, 1e-5, `${name} reduction ${reduction}`);
        }
    });
  }
  it('default to a scalar, as custom training loops need', () => {
    assert.deepEqual(losses.meanSquaredError(tensor([[1], [2]]), tensor([[2], [4]])).shape, []);
    assert.equal(losses.meanSquaredError(tensor([[1], [2]]), tensor([[2], [4]])).item(), 2.5);
    assert.deepEqual(
      losses.mse(tensor([[1], [2]]), tensor([[2], [4]])).arraySync(),
      [1, 4],
      'mse stays per sample (Keras)',
    );
  });
  it('have gradients (float64 finite differences)', () => {
    const y = tensor(labels, undefined, 'float64');
    const w = tensor(perSample, undefined, 'float64');
    checkGradients((p) => losses.huberLoss(y, p, w, 0.3), [rand64([4, 3], 2, -1, 2)]);
    checkGradients((p) => losses.sigmoidCrossEntropy(y, p, w, 0.1), [rand64([4, 3], 3, -3, 3)]);
    checkGradients((p) => losses.softmaxCrossEntropy(y, p, undefined, 0.2), [rand64([4, 3], 4, -3, 3)]);
    checkGradients((p) => losses.logLoss(y, p), [rand64([4, 3], 5, 0.1, 0.9)]);
  });
  it('name the bad argument', () => {
    assert.throws(
      () => losses.absoluteDifference(tensor([1, 2]), tensor([1, 2, 3])),
      /absoluteDifference: labels \[2\] and predictions \[3\] must have the same shape/,
    );
    assert.throws(() => losses.computeWeightedLoss(tensor([1]), null, 7 as never), /unknown reduction 7/);
  });
});
