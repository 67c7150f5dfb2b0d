// Gradients and trainings run on one backend at a time with asynchronous reads only: the loop
// is written out (valueAndGrads, optimizer update, `await loss.data()`) because `fit` reads the
// loss synchronously.
import type * as My from './lib.js';
import type { Tensor } from '../../../src/core/tensor.js';

type Lib = typeof My;
export interface TrainingData {
  x: number[];
  y: number[];
  rows: number;
  features: number;
}
export interface GradientResult {
  name: string;
  maxError: number;
  ok: boolean;
  message?: string;
}

/** Gradients of representative ops on WebGPU (float32) against the reference backend's in float64. */
export async function gradientCases(my: Lib): Promise<GradientResult[]> {
  const cases: [string, number[][], (...xs: Tensor[]) => Tensor][] = [
    [
      'matMul',
      [
        [5, 7],
        [7, 3],
      ],
      (a, b) => my.matMul(a, b),
    ],
    [
      'matMul transposed',
      [
        [7, 5],
        [3, 7],
      ],
      (a, b) => my.matMul(a, b, true, true),
    ],
    ['add broadcast', [[4, 6], [6]], (a, b) => my.add(a, b)],
    [
      'mul, div',
      [
        [3, 4],
        [3, 4],
      ],
      (a, b) => my.div(my.mul(a, b), my.add(my.square(b), 1)),
    ],
    ['tanh, sigmoid, exp', [[20]], (a) => my.add(my.tanh(a), my.mul(my.sigmoid(a), my.exp(a)))],
    ['sum, mean over axes', [[3, 4, 5]], (a) => my.add(my.sum(a, 1), my.mean(my.square(a), 1))],
    ['max', [[6, 5]], (a) => my.max(a, 1)],
    ['softmax', [[4, 9]], (a) => my.softmax(a)],
    [
      'transpose, slice, concat',
      [[3, 4]],
      (a) => my.concat([my.transpose(a), my.slice(my.transpose(a), [1, 0], [2, 3])], 0),
    ],
    ['gather', [[6, 3]], (a) => my.gather(a, [4, 0, 4, 2], 0)],
    [
      'conv2d',
      [
        [2, 6, 6, 3],
        [3, 3, 3, 4],
      ],
      (x, k) => my.conv2d(x, k, { padding: 'same' }),
    ],
  ];
  const out: GradientResult[] = [];
  for (const [name, shapes, f] of cases) {
    try {
      const values = shapes.map((s, k) => {
        const n = s.reduce((a, b) => a * b, 1);
        return Float64Array.from({ length: n }, (_, i) => Math.sin(1.7 * i + 3.1 * k + 0.3));
      });
      const gradsOn = async (backend: string, dtype: 'float32' | 'float64') => {
        my.setBackend(backend);
        const xs = values.map((v, k) => my.tensor(v, shapes[k], dtype));
        const g = my.grads((...a: Tensor[]) => my.sum(my.square(f(...a))))(xs);
        return Promise.all(g.map((t) => t.data()));
      };
      const want = await gradsOn('ref', 'float64');
      const got = await gradsOn('webgpu', 'float32');
      let maxError = 0;
      want.forEach((w, k) =>
        w.forEach((v, i) => {
          maxError = Math.max(maxError, Math.abs(v - got[k][i]) / (1 + Math.abs(v)));
        }),
      );
      out.push({ name, maxError, ok: maxError < 2e-4 });
    } catch (e) {
      out.push({ name, maxError: NaN, ok: false, message: (e as Error).message });
    }
  }
  my.setBackend('ref');
  return out;
}

/** Losses of the seed example (Dense(10, relu) → Dense(1), adam, mse) over 6 epochs of batches of 32. */
export async function trainDense(my: Lib, backend: string, data: TrainingData): Promise<number[]> {
  my.setBackend(backend);
  my.setSeed(7);
  const model = my.sequential({
    layers: [
      my.layers.dense({ units: 10, activation: 'relu', inputShape: [data.features] }),
      my.layers.dense({ units: 1 }),
    ],
  });
  const x = my.tensor(Float32Array.from(data.x), [data.rows, data.features]);
  const y = my.tensor(Float32Array.from(data.y), [data.rows, 1]);
  const optimizer = my.optimizers.adam({ learningRate: 0.2 });
  const losses: number[] = [];
  for (let epoch = 0; epoch < 6; epoch++) {
    for (let start = 0; start < data.rows; start += 32) {
      const size = Math.min(32, data.rows - start);
      const xb = my.slice(x, [start, 0], [size, data.features]),
        yb = my.slice(y, [start, 0], [size, 1]);
      const vars = model.trainableWeights;
      const { value, grads } = my.variableGrads(() => my.mean(my.square(my.sub(model.apply(xb) as Tensor, yb))), vars);
      optimizer.applyGradients(grads, vars);
      losses.push((await value.data())[0]);
    }
  }
  my.setBackend('ref');
  return losses;
}

/**
 * Epoch losses of the seed example trained by `fit` on the reference backend, with the fused
 * step required (its WebAssembly module compiled in the page) or turned off.
 */
export async function fitSeedExample(my: Lib, data: TrainingData, jitCompile: boolean): Promise<number[]> {
  my.setBackend('ref');
  my.setSeed(7);
  const model = my.sequential({
    layers: [
      my.layers.dense({ units: 10, activation: 'relu', inputShape: [data.features] }),
      my.layers.dense({ units: 1 }),
    ],
  });
  model.compile({ optimizer: my.optimizers.adam({ learningRate: 0.05 }), loss: 'mse', jitCompile });
  const x = my.tensor(Float32Array.from(data.x), [data.rows, data.features]);
  const y = my.tensor(Float32Array.from(data.y), [data.rows, 1]);
  const history = await model.fit(x, y, { epochs: 4, batchSize: 32, shuffle: false, verbose: 0 });
  return history.history.loss;
}

/** Losses of a small CNN (conv 3x3 → relu → max pool → dense softmax) on 4 fixed batches. */
export async function trainCnn(my: Lib, backend: string): Promise<number[]> {
  my.setBackend(backend);
  my.setSeed(11);
  const model = my.sequential({
    layers: [
      my.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', inputShape: [12, 12, 1] }),
      my.layers.maxPooling2d({ poolSize: 2 }),
      my.layers.flatten(),
      my.layers.dense({ units: 4, activation: 'softmax' }),
    ],
  });
  const n = 16;
  const xv = Float32Array.from({ length: n * 144 }, (_, i) => Math.sin(i * 0.37) * Math.cos(i * 0.011));
  const labels = Int32Array.from({ length: n }, (_, i) => i % 4);
  const x = my.tensor(xv, [n, 12, 12, 1]);
  const y = my.oneHot(my.tensor(labels, [n], 'int32'), 4, 1, 0, 'float32');
  const optimizer = my.optimizers.adam({ learningRate: 0.01 });
  const losses: number[] = [];
  for (let step = 0; step < 4; step++) {
    const vars = model.trainableWeights;
    const { value, grads } = my.variableGrads(
      () => my.mean(my.losses.categoricalCrossentropy(y, model.apply(x) as Tensor)),
      vars,
    );
    optimizer.applyGradients(grads, vars);
    losses.push((await value.data())[0]);
  }
  my.setBackend('ref');
  return losses;
}

/** Per-step losses of models.gpt with its usual optimizer (AdamW, warm-up, clipping) on fixed counting sequences. */
export async function trainGpt(my: Lib, backend: string): Promise<number[]> {
  my.setBackend(backend);
  my.setSeed(12);
  const model = my.gpt({ vocabSize: 17, blockSize: 12, numLayers: 2, numHeads: 2, embedDim: 16 });
  model.compile({
    optimizer: my.gptOptimizer(model, { steps: 10, warmupSteps: 2, learningRate: 1e-2 }),
    loss: new my.losses.SparseCategoricalCrossentropy({ fromLogits: true }),
  });
  const rows = Array.from({ length: 8 }, (_, i) => Array.from({ length: 13 }, (_, t) => (i + t * (1 + (i % 3))) % 17));
  const x = my.tensor(
    rows.map((r) => r.slice(0, 12)),
    undefined,
    'int32',
  );
  const y = my.tensor(
    rows.map((r) => r.slice(1)),
    undefined,
    'int32',
  );
  const losses: number[] = [];
  for (let step = 0; step < 5; step++) losses.push((await model.trainOnBatch(x, y)) as number);
  my.setBackend('ref');
  return losses;
}
