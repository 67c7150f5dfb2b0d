import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tensor } from '../../src/ops/convert.js';
import { grad } from '../../src/autograd/gradients.js';
import { sum } from '../../src/ops/prims/reduce.js';
import * as L from '../../src/losses/index.js';
import { assertClose } from '../helpers/gradcheck.js';

const close = (t: { dataSync(): ArrayLike<number> }, expected: number[], tol = 1e-5) =>
  assertClose(t.dataSync(), expected, tol);

describe('regression losses (hand-computed)', () => {
  it('mse, mae, mape, msle', () => {
    close(
      L.mse(
        [
          [0, 1],
          [0, 0],
        ],
        [
          [1, 1],
          [1, 2],
        ],
      ),
      [0.5, 2.5],
    );
    close(
      L.meanAbsoluteError(
        [
          [0, 1],
          [0, 0],
        ],
        [
          [1, 1],
          [1, 2],
        ],
      ),
      [0.5, 1.5],
    );
    close(L.meanAbsolutePercentageError([[2, 4]], [[1, 4]]), [25]);
    // A zero target divides by epsilon = 1e-7, as Keras.
    close(L.meanAbsolutePercentageError([[0, 1]], [[0.5, 1]]), [(100 * (0.5 / 1e-7)) / 2], 1e-4);
    // Negative values are raised to epsilon before the log.
    close(L.meanSquaredLogarithmicError([[0, -3]], [[Math.E - 1, 0]]), [((1 - Math.log1p(1e-7)) ** 2 + 0) / 2]);
  });
  it('huber switches from quadratic to linear at delta', () => {
    close(
      L.huber(
        [
          [0, 1],
          [0, 0],
        ],
        [
          [0.6, 0.4],
          [0.4, 0.6],
        ],
      ),
      [0.18, 0.13],
    );
    close(
      L.huber(
        [
          [0, 1],
          [0, 0],
        ],
        [
          [0.6, 0.4],
          [0.4, 0.6],
        ],
        0.5,
      ),
      [0.5 * 0.6 - 0.125, (0.08 + (0.5 * 0.6 - 0.125)) / 2],
    );
  });
  it('logCosh, also without overflow at large errors', () => {
    close(
      L.logCosh(
        [
          [0, 1],
          [0, 0],
        ],
        [
          [1, 1],
          [0, 0],
        ],
      ),
      [Math.log(Math.cosh(1)) / 2, 0],
    );
    close(L.logCosh([[0]], [[1000]]), [1000 - Math.LN2]);
  });
  it('cosineSimilarity', () => {
    close(
      L.cosineSimilarity(
        [
          [0, 1],
          [1, 1],
          [1, 1],
          [0, 0],
        ],
        [
          [1, 0],
          [1, 1],
          [-1, -1],
          [1, 2],
        ],
      ),
      [0, -1, 1, 0],
    );
  });
});

describe('probabilistic losses (hand-computed)', () => {
  it('binaryCrossentropy on probabilities, clipped to [1e-7, 1 - 1e-7]', () => {
    close(
      L.binaryCrossentropy(
        [
          [0, 1],
          [0, 0],
        ],
        [
          [0.6, 0.4],
          [0.4, 0.6],
        ],
      ),
      [-(Math.log(0.4) + Math.log(0.4)) / 2, -(Math.log(0.6) + Math.log(0.4)) / 2],
    );
    close(L.binaryCrossentropy([[1]], [[0]]), [-Math.log(1e-7)], 1e-4);
    close(L.binaryCrossentropy([[1]], [[0.6]], false, 0.2), [-(0.9 * Math.log(0.6) + 0.1 * Math.log(0.4))]);
  });
  it('binaryCrossentropy from logits is exact at extreme logits (1e4) and its gradient is finite', () => {
    close(L.binaryCrossentropy([[0, 1]], [[-1e4, 1e4]], true), [0]);
    close(L.binaryCrossentropy([[1, 0]], [[-1e4, 1e4]], true), [1e4]);
    close(L.binaryCrossentropy([[1]], [[0]], true), [Math.LN2]);
    const g = grad((p) => sum(L.binaryCrossentropy(tensor([[1, 0]]), p, true)))(tensor([[-1e4, 1e4]]));
    close(g, [-0.5, 0.5]);
  });
  it('categoricalCrossentropy on probabilities (normalised, clipped) and logits', () => {
    close(
      L.categoricalCrossentropy(
        [
          [0, 1, 0],
          [0, 0, 1],
        ],
        [
          [0.05, 0.95, 0],
          [0.1, 0.8, 0.1],
        ],
      ),
      [-Math.log(0.95), -Math.log(0.1)],
    );
    close(L.categoricalCrossentropy([[0, 1]], [[1, 3]]), [-Math.log(0.75)]);
    close(L.categoricalCrossentropy([[1, 0]], [[0, 1]]), [-Math.log(1e-7)], 1e-4);
    close(
      L.categoricalCrossentropy(
        [
          [0, 1, 0],
          [1, 0, 0],
        ],
        [
          [1e4, 0, -1e4],
          [1e4, 0, -1e4],
        ],
        true,
      ),
      [1e4, 0],
    );
    const logits = [1, 2, 3];
    const lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    const smoothed = [0.1, 0.1, 0.8]; // 0.3 smoothing over 3 classes: y·0.7 + 0.1
    close(L.categoricalCrossentropy([[0, 0, 1]], [logits], true, 0.3), [
      -smoothed.reduce((s, t, i) => s + t * (logits[i] - lse), 0),
    ]);
    const g = grad((p) => sum(L.categoricalCrossentropy(tensor([[0, 1, 0]]), p, true)))(tensor([[1e4, 0, -1e4]]));
    close(g, [1, -1, 0]);
  });
  it('sparseCategoricalCrossentropy with labels [batch], [batch, 1] and whole-number floats', () => {
    const probs = [
      [0.05, 0.95, 0],
      [0.1, 0.8, 0.1],
    ];
    const expected = [-Math.log(0.95), -Math.log(0.1)];
    close(L.sparseCategoricalCrossentropy(tensor([1, 2], [2], 'int32'), probs), expected);
    close(L.sparseCategoricalCrossentropy([[1], [2]], probs), expected);
    close(L.sparseCategoricalCrossentropy([1.0, 2.0], probs), expected);
    close(
      L.sparseCategoricalCrossentropy(
        [0, 2],
        [
          [1e4, 0, -1e4],
          [1e4, 0, -1e4],
        ],
        true,
      ),
      [0, 2e4],
    );
  });
  it('sparseCategoricalCrossentropy rejects labels that are not integers in [0, classes)', () => {
    const probs = [
      [0.2, 0.3, 0.5],
      [0.1, 0.8, 0.1],
    ];
    assert.throws(
      () => L.sparseCategoricalCrossentropy([1, 3], probs),
      /sparseCategoricalCrossentropy: labels must be integers in \[0, 2\] \(yPred has 3 classes\), got 3 at position 1/,
    );
    assert.throws(() => L.sparseCategoricalCrossentropy([-1, 0], probs), /in \[0, 2\].*got -1 at position 0/);
    assert.throws(() => L.sparseCategoricalCrossentropy([0.5, 1], probs), /got 0.5 at position 0/);
    assert.throws(
      () => L.sparseCategoricalCrossentropy([[0, 1]], probs),
      /one integer label per sample, shaped \[2\] or \[2, 1\] for yPred \[2, 3\]; got yTrue \[1, 2\]/,
    );
  });
  it('kullbackLeiblerDivergence and poisson', () => {
    close(L.kullbackLeiblerDivergence([[0.5, 0.5]], [[0.25, 0.75]]), [0.5 * Math.log(2) + 0.5 * Math.log(2 / 3)]);
    close(L.kullbackLeiblerDivergence([[0, 1]], [[0.5, 0.5]]), [1e-7 * Math.log(1e-7 / 0.5) + Math.log(2)]);
    close(L.poisson([[1, 0]], [[Math.E, 2]]), [(Math.E - Math.log(Math.E + 1e-7) + 2) / 2]);
  });
});

describe('hinge losses (hand-computed)', () => {
  it('hinge and squaredHinge, converting 0/1 labels to -1/1', () => {
    close(L.hinge([[1, -1]], [[0.5, 0.5]]), [1]);
    close(L.hinge([[1, 0]], [[0.5, 0.5]]), [1]);
    close(L.squaredHinge([[1, -1]], [[0.5, 0.5]]), [1.25]);
    close(L.squaredHinge([[1, 0]], [[2, -3]]), [0]);
  });
  it('categoricalHinge', () => {
    close(
      L.categoricalHinge(
        [
          [0, 1, 0],
          [1, 0, 0],
        ],
        [
          [0.3, 0.5, 0.2],
          [3, 1, 0],
        ],
      ),
      [0.8, 0],
    );
  });
});

describe('Loss objects: reductions and sample weights', () => {
  const yTrue = [
    [0, 0],
    [0, 0],
  ];
  const yPred = [
    [1, 0],
    [2, 2],
  ]; // per-sample mse [0.5, 4]
  it('sum_over_batch_size by default, with weights broadcast and divided by the element count', () => {
    const mse = new L.MeanSquaredError();
    close(mse.compute(yTrue, yPred), [2.25]);
    close(mse.compute(yTrue, yPred, [1, 0.5]), [(0.5 + 2) / 2]);
    close(mse.compute(yTrue, yPred, [[1], [0.5]]), [(0.5 + 2) / 2]);
    close(mse.compute(yTrue, yPred, 2), [4.5]);
  });
  it('sum, mean_with_sample_weight and none', () => {
    close(new L.MeanSquaredError({ reduction: 'sum' }).compute(yTrue, yPred, [1, 0.5]), [2.5]);
    close(new L.MeanSquaredError({ reduction: 'mean_with_sample_weight' }).compute(yTrue, yPred, [1, 0.5]), [
      2.5 / 1.5,
    ]);
    close(new L.MeanSquaredError({ reduction: 'none' }).compute(yTrue, yPred, [1, 0.5]), [0.5, 2]);
    assert.throws(
      () => new L.MeanSquaredError({ reduction: 'avg' as never }),
      /unknown reduction "avg"; expected one of 'sum_over_batch_size'/,
    );
  });
  it('per-sample weights weight every step of per-step losses', () => {
    // values [2, 3]: per-step mse over the last axis of [2, 3, 1] targets.
    const t = tensor([
      [[0], [0], [0]],
      [[0], [0], [0]],
    ]);
    const p = tensor([
      [[1], [1], [1]],
      [[2], [2], [2]],
    ]);
    close(new L.MeanSquaredError().compute(t, p, [1, 0]), [3 / 6]);
  });
  it('accepts yTrue [batch] with yPred [batch, 1]', () => {
    close(new L.MeanSquaredError().compute([1, 2, 3], [[1], [2], [5]]), [4 / 3]);
    close(L.binaryCrossentropy([1, 0], [[0.5], [0.5]]), [Math.LN2, Math.LN2]);
  });
  it('names the loss and both shapes on a mismatch', () => {
    assert.throws(
      () =>
        new L.MeanSquaredError().compute(
          tensor([
            [1, 2, 3],
            [4, 5, 6],
          ]),
          tensor([
            [1, 2, 3, 4],
            [1, 2, 3, 4],
          ]),
        ),
      /meanSquaredError: yTrue and yPred must have the same shape, got yTrue \[2, 3\] and yPred \[2, 4\]/,
    );
    assert.throws(
      () => L.categoricalCrossentropy([[0, 1]], [[0.5, 0.25, 0.25]]),
      /categoricalCrossentropy: .*yTrue \[1, 2\] and yPred \[1, 3\]/,
    );
    assert.throws(
      () => new L.MeanSquaredError().compute([[1], [2]], [[1], [2]], [1, 2, 3]),
      /sampleWeight of shape \[3\] does not broadcast/,
    );
  });
});
