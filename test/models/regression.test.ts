import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValueError, optimizers, randomNormal, setSeed, tensor, type Tensor } from '../../src/index.js';
import { datasets, standardScaler } from '../../src/data/index.js';
import { linearRegression, logisticRegression } from '../../src/models/regression.js';

/** Least squares through the normal equations (AᵀA)β = Aᵀy, in float64. */
function leastSquares(rows: number[][], y: number[]): number[] {
  const k = rows[0].length;
  const ata = Array.from({ length: k }, (_, i) =>
    Array.from({ length: k }, (_, j) => rows.reduce((s, r) => s + r[i] * r[j], 0)),
  );
  const aty = Array.from({ length: k }, (_, i) => rows.reduce((s, r, n) => s + r[i] * y[n], 0));
  return solve(ata, aty);
}

/** Maximises the logistic log-likelihood by Newton's method: β -= H⁻¹ ∇, with H = Σ p(1-p) a aᵀ. */
function newtonLogistic(rows: number[][], y: number[]): number[] {
  const k = rows[0].length;
  let beta = new Array<number>(k).fill(0);
  for (let iteration = 0; iteration < 50; iteration++) {
    const hessian = Array.from({ length: k }, () => new Array<number>(k).fill(0));
    const gradient = new Array<number>(k).fill(0);
    rows.forEach((a, n) => {
      const p = 1 / (1 + Math.exp(-a.reduce((s, v, j) => s + v * beta[j], 0)));
      a.forEach((ai, i) => {
        gradient[i] += (p - y[n]) * ai;
        a.forEach((aj, j) => (hessian[i][j] += p * (1 - p) * ai * aj));
      });
    });
    const step = solve(hessian, gradient);
    beta = beta.map((b, i) => b - step[i]);
  }
  return beta;
}

/** Solves m·x = rhs by Gauss-Jordan elimination with partial pivoting. */
function solve(m: number[][], rhs: number[]): number[] {
  const k = rhs.length;
  const a = m.map((row, i) => [...row, rhs[i]]);
  for (let c = 0; c < k; c++) {
    const p = a.reduce((best, r, i) => (i >= c && Math.abs(r[c]) > Math.abs(a[best][c]) ? i : best), c);
    [a[c], a[p]] = [a[p], a[c]];
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = a[r][c] / a[c][c];
      for (let j = c; j <= k; j++) a[r][j] -= f * a[c][j];
    }
  }
  return a.map((r, i) => r[k] / r[i]);
}

const values = (t: Tensor) => Array.from(t.dataSync());

describe('linearRegression', () => {
  it('is one linear Dense layer with inputDim inputs and `outputs` units', () => {
    const model = linearRegression({ inputDim: 3, outputs: 2 });
    assert.equal(model.layers.length, 1);
    assert.deepEqual(model.outputShape, [null, 2]);
    assert.deepEqual(
      model.getWeights().map((w) => w.shape),
      [[3, 2], [2]],
    );
  });
  it('converges to the closed-form least-squares solution', async () => {
    setSeed(42);
    const x = randomNormal([200, 3]);
    const noise = randomNormal([200, 1], 0, 0.3);
    const xs = x.arraySync() as number[][];
    const ys = xs.map((r, i) => 1.5 * r[0] - 2 * r[1] + 0.25 * r[2] + 0.7 + noise.dataSync()[i]);
    const exact = leastSquares(
      xs.map((r) => [...r, 1]),
      ys,
    );

    const model = linearRegression({ inputDim: 3 });
    model.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'mse' });
    await model.fit(x, tensor(ys, [200, 1]), { epochs: 400, batchSize: 200, shuffle: false, verbose: 0 });
    const [kernel, bias] = model.getWeights();
    const fitted = [...values(kernel), ...values(bias)];
    fitted.forEach((v, i) =>
      assert.ok(Math.abs(v - exact[i]) < 1e-4, `coefficient ${i}: ${v} vs least squares ${exact[i]}`),
    );
  });
  it('explains bad arguments', () => {
    assert.throws(
      () => linearRegression({ inputDim: 0 }),
      (e: Error) =>
        e instanceof ValueError && /linearRegression: 'inputDim' must be a positive integer, got 0/.test(e.message),
    );
    assert.throws(
      () => linearRegression({ inputDim: 2, outputs: 1.5 }),
      /'outputs' must be a positive integer, got 1.5/,
    );
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
    const y = tensor(
      classOf.map((c) => (c === 0 ? 1 : 0)),
      [150, 1],
    );
    const model = logisticRegression({ inputDim: 4 });
    model.compile({
      optimizer: optimizers.adam({ learningRate: 0.1 }),
      loss: 'binaryCrossentropy',
      metrics: ['accuracy'],
    });
    const history = await model.fit(x, y, { epochs: 50, batchSize: 150, verbose: 0 });
    assert.equal(history.history.accuracy.at(-1), 1);
  });
  it("converges to the maximum-likelihood optimum found by Newton's method (versicolor vs rest, sepal sizes)", async () => {
    // Not separable, so the optimum is finite; Newton's method in float64 finds it to machine precision.
    const rows = (x.arraySync() as number[][]).map((r) => [r[0], r[1]]);
    const y = classOf.map((c) => (c === 1 ? 1 : 0));
    const optimum = newtonLogistic(
      rows.map((r) => [...r, 1]),
      y,
    );
    const model = logisticRegression({ inputDim: 2 });
    model.compile({ optimizer: optimizers.sgd({ learningRate: 1 }), loss: 'binaryCrossentropy' });
    await model.fit(tensor(rows), tensor(y, [150, 1]), { epochs: 300, batchSize: 150, verbose: 0 });
    const [kernel, bias] = model.getWeights();
    const fitted = [...values(kernel), ...values(bias)];
    fitted.forEach((v, i) =>
      assert.ok(Math.abs(v - optimum[i]) < 1e-4, `coefficient ${i}: ${v} vs Newton ${optimum[i]}`),
    );
  });
  it('classifies the three species with over 95% training accuracy', async () => {
    const model = logisticRegression({ inputDim: 4, classes: 3 });
    model.compile({
      optimizer: optimizers.adam({ learningRate: 0.1 }),
      loss: 'sparseCategoricalCrossentropy',
      metrics: ['accuracy'],
    });
    const history = await model.fit(x, labels, { epochs: 100, batchSize: 150, verbose: 0 });
    assert.ok(history.history.accuracy.at(-1)! >= 0.95, `accuracy ${history.history.accuracy.at(-1)}`);
  });
});
