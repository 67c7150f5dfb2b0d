import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import '../../src/index.js';
import type { Tensor } from '../../src/core/tensor.js';
import { sub } from '../../src/ops/prims/binary.js';
import { abs } from '../../src/ops/prims/unary.js';
import { mean } from '../../src/ops/moments.js';
import { Huber } from '../../src/losses/index.js';
import * as M from '../../src/metrics/index.js';

describe('getMetric', () => {
  it("resolves 'accuracy' and 'acc' from the loss or the output shape, keeping the user's name", () => {
    const cases: [string, M.MetricContext, string][] = [
      ['accuracy', { lossName: 'binary_crossentropy', outputShape: [null, 3] }, 'BinaryAccuracy'],
      ['accuracy', { lossName: 'binaryCrossentropy' }, 'BinaryAccuracy'],
      ['acc', { lossName: 'sparse_categorical_crossentropy', outputShape: [null, 10] }, 'SparseCategoricalAccuracy'],
      ['accuracy', { lossName: 'mean_squared_error', outputShape: [null, 1] }, 'BinaryAccuracy'],
      ['accuracy', { lossName: 'categorical_crossentropy', outputShape: [null, 10] }, 'CategoricalAccuracy'],
      ['accuracy', { outputShape: [null, 10], targetShape: [null, 1] }, 'SparseCategoricalAccuracy'],
      ['accuracy', {}, 'CategoricalAccuracy'],
    ];
    for (const [id, ctx, cls] of cases) {
      const m = M.getMetric(id, ctx);
      assert.equal(m.className, cls, JSON.stringify(ctx));
      assert.equal(m.name, id);
    }
  });
  it('reports a metric given by name under that name', () => {
    for (const [id, cls] of [
      ['mae', 'MeanAbsoluteError'],
      ['mse', 'MeanSquaredError'],
      ['mape', 'MeanAbsolutePercentageError'],
      ['msle', 'MeanSquaredLogarithmicError'],
      ['rmse', 'RootMeanSquaredError'],
      ['meanAbsoluteError', 'MeanAbsoluteError'],
      ['AUC', 'AUC'],
      ['precision', 'Precision'],
      ['binary_crossentropy', 'BinaryCrossentropy'],
    ]) {
      const m = M.getMetric(id);
      assert.equal(m.className, cls, id);
      assert.equal(m.name, id);
    }
    const kld = M.getMetric('kld');
    kld.updateState([[0.5, 0.5]], [[0.25, 0.75]]);
    assert.ok(Math.abs(kld.result() - (0.5 * Math.log(2) + 0.5 * Math.log(2 / 3))) < 1e-6);
  });
  it('names a loss or function passed as a metric after it', () => {
    const fromLoss = M.getMetric(new Huber());
    assert.equal(fromLoss.name, 'huber_loss');
    fromLoss.updateState([[0]], [[3]]);
    assert.equal(fromLoss.result(), 2.5);
    function meanAbsDiff(t: unknown, p: unknown): Tensor {
      return mean(abs(sub(t as Tensor, p as Tensor)), -1);
    }
    const fromFn = M.getMetric(meanAbsDiff);
    assert.equal(fromFn.name, 'meanAbsDiff');
  });
  it('lists valid names on error and rebuilds from configs', () => {
    assert.throws(
      () => M.getMetric('accuracyy'),
      /Unknown metric 'accuracyy'; expected one of 'accuracy', 'acc', 'mean_squared_error', 'mse'/,
    );
    for (const m of [
      new M.BinaryAccuracy({ threshold: 0.7 }),
      new M.AUC({ curve: 'PR', numThresholds: 50 }),
      new M.Precision({ thresholds: [0.2, 0.4], classId: 1 }),
      new M.TopKCategoricalAccuracy({ k: 3, name: 'top3' }),
    ]) {
      const back = M.getMetric(JSON.parse(JSON.stringify(M.serializeMetric(m))));
      assert.equal(back.className, m.className);
      assert.deepEqual(back.getConfig(), m.getConfig());
    }
  });
});
