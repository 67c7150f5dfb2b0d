import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import '../../src/index.js';
import { tensor } from '../../src/ops/convert.js';
import * as M from '../../src/metrics/index.js';
import { meanAbsoluteError } from '../../src/losses/index.js';

const near = (a: number, b: number, tol = 1e-6) =>
  assert.ok(Math.abs(a - b) <= tol * (1 + Math.abs(b)), `${a} vs ${b}`);

describe('MeanMetricWrapper: a running weighted mean (Keras semantics)', () => {
  it('accumulates across batches with sample weights, and resets', () => {
    const m = new M.MeanMetricWrapper(meanAbsoluteError, { name: 'mae' });
    m.updateState([[0], [0]], [[1], [3]], [1, 0.5]); // total 1 + 1.5, count 1.5
    near(m.result(), 2.5 / 1.5);
    m.updateState([[0]], [[2]]); // total 4.5, count 2.5
    near(m.result(), 1.8);
    m.resetState();
    assert.equal(m.result(), 0);
  });
  it('averages per-step values within each sample before counting samples', () => {
    const m = new M.MeanSquaredError();
    // per-step squared errors averaged over the last axis: [5, 4]; then per-sample mean
    m.updateState(
      [
        [0, 0],
        [0, 0],
      ],
      [
        [1, 3],
        [2, 2],
      ],
    );
    near(m.result(), 4.5);
    const seq = new M.MeanAbsoluteError();
    // values [2, 3] (batch, steps), weights [2, 3]: weighted sum 1*1 + 0*2 + 3*1 = 4 over weight 1 + 0 + 1 ... per element
    seq.updateState(
      tensor([
        [[0], [0], [0]],
        [[0], [0], [0]],
      ]),
      tensor([
        [[1], [2], [3]],
        [[4], [5], [6]],
      ]),
      [
        [1, 0, 0],
        [0, 0, 1],
      ],
    );
    near(seq.result(), (1 + 6) / 2);
  });
  it('rootMeanSquaredError is the root of the running mean of squared errors', () => {
    const m = new M.RootMeanSquaredError();
    m.updateState([[0], [0]], [[3], [4]]);
    near(m.result(), Math.sqrt(12.5));
    m.updateState([[0]], [[0]]);
    near(m.result(), Math.sqrt(25 / 3));
    m.resetState();
    m.updateState([[0, 0]], [[3, 4]], [2]);
    near(m.result(), Math.sqrt(12.5));
  });
  it('regression metrics match their formulas', () => {
    const mape = new M.MeanAbsolutePercentageError();
    mape.updateState(
      [
        [2, 4],
        [1, 1],
      ],
      [
        [1, 4],
        [1, 2],
      ],
    );
    near(mape.result(), (25 + 50) / 2);
    const msle = new M.MeanSquaredLogarithmicError();
    msle.updateState([[0]], [[Math.E - 1]]);
    near(msle.result(), (1 - Math.log1p(1e-7)) ** 2, 1e-5);
  });
  it('crossentropy metrics average the loss values', () => {
    const bce = new M.BinaryCrossentropy();
    bce.updateState(
      [
        [0, 1],
        [0, 0],
      ],
      [
        [0.6, 0.4],
        [0.4, 0.6],
      ],
    );
    near(bce.result(), (-(Math.log(0.4) * 2) / 2 - (Math.log(0.6) + Math.log(0.4)) / 2) / 2, 1e-5);
    const scce = new M.SparseCategoricalCrossentropy({ fromLogits: true });
    scce.updateState([0], [[0, 0]]);
    near(scce.result(), Math.LN2, 1e-6);
    const cce = new M.CategoricalCrossentropy();
    cce.updateState(
      [
        [0, 1, 0],
        [0, 0, 1],
      ],
      [
        [0.05, 0.95, 0],
        [0.1, 0.8, 0.1],
      ],
      [1, 0],
    );
    near(cce.result(), -Math.log(0.95), 1e-5);
  });
});

describe('accuracy metrics (Keras documented cases)', () => {
  it('binaryAccuracy with a threshold', () => {
    const m = new M.BinaryAccuracy();
    m.updateState([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]]);
    near(m.result(), 0.75);
    m.resetState();
    m.updateState([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]], [1, 0, 0, 1]);
    near(m.result(), 0.5);
    const strict = new M.BinaryAccuracy({ threshold: 0.99 });
    strict.updateState([[1], [1]], [[0.98], [1]]);
    near(strict.result(), 0.5);
    assert.throws(() => new M.BinaryAccuracy({ threshold: 1 }), /'threshold' must be in \(0, 1\), got 1/);
  });
  it('categoricalAccuracy and sparseCategoricalAccuracy', () => {
    const c = new M.CategoricalAccuracy();
    c.updateState(
      [
        [0, 0, 1],
        [0, 1, 0],
      ],
      [
        [0.1, 0.9, 0.8],
        [0.05, 0.95, 0],
      ],
      [0.7, 0.3],
    );
    near(c.result(), 0.3);
    const s = new M.SparseCategoricalAccuracy();
    s.updateState(
      [[2], [1]],
      [
        [0.1, 0.6, 0.3],
        [0.05, 0.95, 0],
      ],
    );
    near(s.result(), 0.5);
    s.updateState(
      tensor([1, 1], [2], 'int32'),
      [
        [0.1, 0.6, 0.3],
        [0.05, 0.95, 0],
      ],
      [1, 2],
    );
    near(s.result(), (1 + 3) / 5);
  });
  it('top-k accuracy, ties at the boundary counting as in', () => {
    const t = new M.TopKCategoricalAccuracy({ k: 1 });
    t.updateState(
      [
        [0, 0, 1],
        [0, 1, 0],
      ],
      [
        [0.1, 0.9, 0.8],
        [0.05, 0.95, 0],
      ],
    );
    near(t.result(), 0.5);
    const t2 = new M.TopKCategoricalAccuracy({ k: 2 });
    t2.updateState(
      [
        [0, 0, 1],
        [0, 1, 0],
      ],
      [
        [0.1, 0.9, 0.8],
        [0.05, 0.95, 0],
      ],
    );
    near(t2.result(), 1);
    const s = new M.SparseTopKCategoricalAccuracy({ k: 1 });
    s.updateState(
      [2, 1],
      [
        [0.1, 0.9, 0.8],
        [0.05, 0.95, 0],
      ],
      [0.7, 0.3],
    );
    near(s.result(), 0.3);
    assert.deepEqual(Array.from(M.sparseTopKCategoricalAccuracy([1], [[0.5, 0.5]], 1).dataSync()), [1]);
    assert.equal(new M.TopKCategoricalAccuracy().k, 5);
  });
});
