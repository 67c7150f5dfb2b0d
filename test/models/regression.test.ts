import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValueError, randomNormal, setSeed, tensor, type Tensor } from '../../src/index.js';
import { optimizers } from '../../src/optimizers/index.js';
import { datasets, standardScaler } from '../../src/data/index.js';
import { linearRegression, logisticRegression } from '../../src/models/regression.js';

/** Solves the normal equations (AᵀA)β = Aᵀy in float64 by Gaussian elimination with pivoting. */
function leastSquares(rows: number[][], y: number[]): number[] {
  const k = rows[0].length;
  const m = Array.from({ length: k }, (_, i) => [
    ...Array.from({ length: k }, (_, j) => rows.reduce((s, r) => s + r[i] * r[j], 0)),
    rows.reduce((s, r, n) => s + r[i] * y[n], 0),
  ]);
  for (let c = 0; c < k; c++) {
    const p = m.reduce((best, r, i) => (i >= c && Math.abs(r[c]) > Math.abs(m[best][c]) ? i : best), c);
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let j = c; j <= k; j++) m[r][j] -= f * m[c][j];
    }
  }
  return m.map((r, i) => r[k] / r[i]);
}

const values = (t: Tensor) => Array.from(t.dataSync());

describe('linearRegression', () => {
  it('is one linear Dense layer with inputDim inputs and `outputs` units', () => {
    const model = linearRegression({ inputDim: 3, outputs: 2 });
    assert.equal(model.layers.length, 1);
    assert.deepEqual(model.outputShape, [null, 2]);
    assert.deepEqual(model.getWeights().map((w) => w.shape), [[3, 2], [2]]);
  });
  it('converges to the closed-form least-squares solution', async () => {
    setSeed(42);
    const x = randomNormal([200, 3]);
    const noise = randomNormal([200, 1], 0, 0.3);
    const xs = x.arraySync() as number[][];
    const ys = xs.map((r, i) => 1.5 * r[0] - 2 * r[1] + 0.25 * r[2] + 0.7 + noise.dataSync()[i]);
    const exact = leastSquares(xs.map((r) => [...r, 1]), ys);

    const model = linearRegression({ inputDim: 3 });
    model.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'mse' });
    await model.fit(x, tensor(ys, [200, 1]), { epochs: 400, batchSize: 200, shuffle: false, verbose: 0 });
    const [kernel, bias] = model.getWeights();
    const fitted = [...values(kernel), ...values(bias)];
    fitted.forEach((v, i) => assert.ok(Math.abs(v - exact[i]) < 1e-4, `coefficient ${i}: ${v} vs least squares ${exact[i]}`));
  });
  it('explains bad arguments', () => {
    assert.throws(() => linearRegression({ inputDim: 0 }), (e: Error) => e instanceof ValueError && /linearRegression: 'inputDim' must be a positive integer, got 0/.test(e.message));
    assert.throws(() => linearRegression({ inputDim: 2, outputs: 1.5 }), /'outputs' must be a positive integer, got 1.5/);
  });
});

describe('logisticRegression', () => {
  const { features, labels } = datasets.iris.load();
  const x = standardScaler().fitTransform(features);
  const classOf = values(labels);

  it('uses one sigmoid unit for 2 classes and a softmax for more', () => {
    const binary = logisticRegression({ inputDim: 4 });
    const multi = logisticRegression({ inputDim: 4, classes: 3 });
    assert.deepEqual(binary.outputShape, [null, 1]);
    assert.deepEqual(multi.outputShape, [null, 3]);
    const p = values(multi.predict(x) as Tensor);
    for (let i = 0; i < 150; i++) assert.ok(Math.abs(p[3 * i] + p[3 * i + 1] + p[3 * i + 2] - 1) < 1e-5);
    assert.throws(() => logisticRegression({ inputDim: 4, classes: 1 }), /'classes' must be at least 2, got 1/);
  });
  it('separates setosa from the other species perfectly', async () => {
    const y = tensor(classOf.map((c) => (c === 0 ? 1 : 0)), [150, 1]);
    const model = logisticRegression({ inputDim: 4 });
    model.compile({ optimizer: optimizers.adam({ learningRate: 0.1 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const history = await model.fit(x, y, { epochs: 50, batchSize: 150, verbose: 0 });
    assert.equal(history.history.accuracy.at(-1), 1);
  });
  it('reaches the maximum-likelihood optimum where the score equations hold (virginica vs rest, petal width)', async () => {
    // Not separable, so the optimum is finite: there the gradient of the mean log-loss,
    // mean(p - y) and mean((p - y)·x), vanishes.
    const width = classOf.map((_, i) => x.dataSync()[4 * i + 3]);
    const y = classOf.map((c) => (c === 2 ? 1 : 0));
    const model = logisticRegression({ inputDim: 1 });
    model.compile({ optimizer: optimizers.sgd({ learningRate: 1 }), loss: 'binaryCrossentropy' });
    await model.fit(tensor(width, [150, 1]), tensor(y, [150, 1]), { epochs: 1500, batchSize: 150, verbose: 0 });
    const p = values(model.predict(tensor(width, [150, 1])) as Tensor);
    const residual = p.map((pi, i) => pi - y[i]);
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    assert.ok(Math.abs(mean(residual)) < 1e-3, `mean(p - y) = ${mean(residual)}`);
    assert.ok(Math.abs(mean(residual.map((r, i) => r * width[i]))) < 1e-3, `mean((p - y) x) = ${mean(residual.map((r, i) => r * width[i]))}`);
  });
  it('classifies the three species with over 95% training accuracy', async () => {
    const model = logisticRegression({ inputDim: 4, classes: 3 });
    model.compile({ optimizer: optimizers.adam({ learningRate: 0.1 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const history = await model.fit(x, labels, { epochs: 100, batchSize: 150, verbose: 0 });
    assert.ok(history.history.accuracy.at(-1)! >= 0.95, `accuracy ${history.history.accuracy.at(-1)}`);
  });
});
