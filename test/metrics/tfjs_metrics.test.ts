// tf.metrics' TF.js names: precision, recall, r2Score and the upper-case aliases, against TF.js.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { metrics, tensor } from '../../src/index.js';
import { assertClose } from '../helpers/gradcheck.js';

await tf.setBackend('cpu');

describe('TF.js metric functions', () => {
  it('precision, recall and r2Score match TF.js', () => {
    const yTrue = [1, 0, 1, 1, 0, 0, 1];
    const yPred = [1, 1, 0, 1, 0, 1, 1];
    assertClose(
      metrics.precision(tensor(yTrue), tensor(yPred)).dataSync(),
      tf.metrics.precision(tf.tensor(yTrue), tf.tensor(yPred)).dataSync() as Float32Array,
    );
    assertClose(
      metrics.recall(tensor(yTrue), tensor(yPred)).dataSync(),
      tf.metrics.recall(tf.tensor(yTrue), tf.tensor(yPred)).dataSync() as Float32Array,
    );
    const a = [3, -0.5, 2, 7];
    const b = [2.5, 0.0, 2, 8];
    assertClose(
      metrics.r2Score(tensor(a), tensor(b)).dataSync(),
      tf.metrics.r2Score(tf.tensor(a), tf.tensor(b)).dataSync() as Float32Array,
      1e-5,
    );
    assert.equal(metrics.precision(tensor([1, 0]), tensor([0, 0])).item(), 0, 'nothing predicted positive');
  });
  it('MSE, MAPE and cosineProximity are TF.js spellings of the per-sample functions', () => {
    const y = [
      [1, 2],
      [3, 4],
    ];
    const p = [
      [1.5, 2],
      [2, 5],
    ];
    for (const [mine, theirs] of [
      [metrics.MSE, tf.metrics.MSE],
      [metrics.MAPE, tf.metrics.MAPE],
      [metrics.cosineProximity, tf.metrics.cosineProximity],
    ] as const)
      assertClose(
        mine(tensor(y), tensor(p)).dataSync(),
        theirs(tf.tensor(y), tf.tensor(p)).dataSync() as Float32Array,
        1e-5,
      );
  });
});
