import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mean } from '../../src/ops/moments.js';
import { sum } from '../../src/ops/prims/reduce.js';
import { abs } from '../../src/ops/prims/unary.js';
import { sub } from '../../src/ops/prims/binary.js';
import type { Tensor } from '../../src/core/tensor.js';
import '../../src/index.js';
import * as L from '../../src/losses/index.js';

describe('getLoss', () => {
  it('accepts camelCase, snake_case, PascalCase and Keras short names', () => {
    const cases: [string, string][] = [
      ['mse', 'MeanSquaredError'],
      ['MSE', 'MeanSquaredError'],
      ['meanSquaredError', 'MeanSquaredError'],
      ['mean_squared_error', 'MeanSquaredError'],
      ['mae', 'MeanAbsoluteError'],
      ['mape', 'MeanAbsolutePercentageError'],
      ['msle', 'MeanSquaredLogarithmicError'],
      ['kld', 'KLDivergence'],
      ['kl_divergence', 'KLDivergence'],
      ['kullbackLeiblerDivergence', 'KLDivergence'],
      ['KLDivergence', 'KLDivergence'],
      ['logcosh', 'LogCosh'],
      ['log_cosh', 'LogCosh'],
      ['huber', 'Huber'],
      ['bce', 'BinaryCrossentropy'],
      ['binaryCrossentropy', 'BinaryCrossentropy'],
      ['categorical_crossentropy', 'CategoricalCrossentropy'],
      ['sparseCategoricalCrossentropy', 'SparseCategoricalCrossentropy'],
      ['hinge', 'Hinge'],
      ['squared_hinge', 'SquaredHinge'],
      ['categoricalHinge', 'CategoricalHinge'],
      ['poisson', 'Poisson'],
      ['cosine_similarity', 'CosineSimilarity'],
    ];
    for (const [name, cls] of cases) assert.equal(L.getLoss(name).className, cls, name);
  });
  it('names a loss resolved from a string after the Keras function', () => {
    assert.equal(L.getLoss('mse').name, 'mean_squared_error');
    assert.equal(L.getLoss('huber').name, 'huber');
    assert.equal(L.getLoss('Huber').name, 'huber_loss');
  });
  it('lists the valid names on error', () => {
    assert.throws(
      () => L.getLoss('msee'),
      /Unknown loss 'msee'; expected one of 'mean_squared_error', 'mse', 'mean_absolute_error'.*'kl_divergence', 'kld'/,
    );
  });
  it('wraps a plain function, named after it', () => {
    function myMae(t: unknown, p: unknown): Tensor {
      return mean(abs(sub(t as Tensor, p as Tensor)), -1);
    }
    const loss = L.getLoss(myMae);
    assert.equal(loss.name, 'myMae');
    assert.equal(loss.compute([[1, 2]], [[2, 2]]).item(), 0.5);
  });
  it('rebuilds every loss from its config', () => {
    const instances = [
      new L.Huber({ delta: 2, reduction: 'sum' }),
      new L.BinaryCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }),
      new L.CategoricalCrossentropy({ labelSmoothing: 0.2, axis: 1 }),
      new L.SparseCategoricalCrossentropy({ fromLogits: true, name: 'scce' }),
      new L.CosineSimilarity({ axis: 0 }),
      ...['mse', 'mae', 'mape', 'msle', 'logcosh', 'hinge', 'squared_hinge', 'categorical_hinge', 'kld', 'poisson'].map(
        (n) => L.getLoss(n),
      ),
    ];
    for (const loss of instances) {
      const back = L.getLoss(JSON.parse(JSON.stringify(L.serializeLoss(loss))));
      assert.equal(back.className, loss.className);
      assert.deepEqual(back.getConfig(), loss.getConfig());
    }
    assert.equal(sum(new L.Huber({ delta: 2 }).call([[0]], [[3]])).item(), 2 * 3 - 2);
  });
});
