// The workloads written against Myelin's own API, on the backend named by the contender.
import { backend, setBackend } from '../src/backend/registry.js';
import {
  type BenchCase,
  type InferenceModel,
  inferenceInput,
  inferenceOutcome,
  type Outcome,
  oneHot,
  randomLabels,
  settings,
  timePredictions,
  uniform,
  w3Data,
} from './workloads.js';
import { median, timeSteps } from './tfjs_workloads.js';

type My = typeof import('../src/index.js');
// Layers W4 and W5 need; the API mirrors Keras/TF.js, so they are looked up by name.
type LayerFactory = (args?: Record<string, unknown>) => unknown;

function layerOrNull(my: My, name: string): LayerFactory | null {
  const f = (my.layers as unknown as Record<string, unknown>)[name];
  return typeof f === 'function' ? (f as LayerFactory) : null;
}

/** Waits (briefly) for the wasm backend's worker threads, so timing starts with all cores. */
async function settle(): Promise<void> {
  const be = backend() as { readyThreads?: number; threads?: number; startWorkers?: () => void };
  be.startWorkers?.();
  for (let i = 0; i < 300 && be.readyThreads !== undefined && be.readyThreads < (be.threads ?? 1); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function runMyelin(backendName: string, c: BenchCase, quick: boolean): Promise<Outcome> {
  const my = await import('../src/index.js');
  setBackend(backendName);
  const s = settings(quick);
  if (c.workload !== 'W3') await settle();
  switch (c.workload) {
    case 'W1': {
      const n = c.param!;
      const a = my.tensor(uniform(n * n, 1), [n, n]),
        b = my.tensor(uniform(n * n, 2), [n, n]);
      const once = () => {
        const y = my.matMul(a, b);
        y.dataSync();
        y.dispose();
      };
      once();
      const times: number[] = [];
      const t0 = performance.now();
      do {
        const t = performance.now();
        once();
        times.push(performance.now() - t);
      } while (performance.now() - t0 < 1000 && times.length < 20);
      const sec = median(times) / 1000;
      return { ok: true, value: (2 * n ** 3) / sec / 1e9, unit: 'GFLOPS', higherIsBetter: true };
    }
    case 'W2': {
      const x = my.tensor(uniform(s.w2Samples * 784, 4, 0, 1), [s.w2Samples, 784]);
      const y = my.tensor(oneHot(randomLabels(s.w2Samples, 10, 5), 10), [s.w2Samples, 10]);
      const model = buildMlp(my);
      model.compile({ optimizer: my.optimizers.adam({ learningRate: 1e-3 }), loss: 'categoricalCrossentropy' });
      await model.fit(x, y, { epochs: 1, batchSize: 128, shuffle: true, verbose: 0 });
      const t = performance.now();
      await model.fit(x, y, { epochs: s.w2TimedEpochs, batchSize: 128, shuffle: true, verbose: 0 });
      const sec = (performance.now() - t) / 1000;
      return { ok: true, value: (s.w2Samples * s.w2TimedEpochs) / sec, unit: 'samples/s', higherIsBetter: true };
    }
    case 'W3': {
      const d = w3Data();
      const model = my.sequential({
        layers: [my.layers.dense({ units: 10, activation: 'relu', inputShape: [13] }), my.layers.dense({ units: 1 })],
      });
      model.compile({ optimizer: 'adam', loss: 'mse', metrics: ['mae'] });
      const xTrain = my.tensor(d.xTrain, [404, 13]),
        yTrain = my.tensor(d.yTrain, [404, 1]);
      const t = performance.now();
      await model.fit(xTrain, yTrain, { epochs: 10, batchSize: 32, verbose: 0 });
      const fit = (performance.now() - t) / 1000;
      const res = model.evaluate(
        my.tensor(d.xTest, [102, 13]),
        my.tensor(d.yTest, [102, 1]),
      ) as import('../src/index.js').Tensor[];
      console.error(`W3 myelin-${backendName}: test mse ${res[0].item().toFixed(2)}`);
      return {
        ok: true,
        value: fit,
        unit: 's fit()',
        higherIsBetter: false,
        extra: { process: performance.now() / 1000 },
      };
    }
    case 'W4': {
      const model = buildLstm(my);
      if (!model) return { ok: false, reason: 'not available: Myelin has no layers.lstm yet' };
      model.compile({ optimizer: my.optimizers.adam({ learningRate: 1e-3 }), loss: 'categoricalCrossentropy' });
      const x = my.tensor(Float32Array.from(randomLabels(32 * 64, 65, 6)), [32, 64]);
      const y = my.tensor(oneHot(randomLabels(32 * 64, 65, 7), 65), [32, 64, 65]);
      const { perStep, steps } = await timeSteps(() => model.trainOnBatch(x, y), s.w4w5Warmup, s.w4w5Timed);
      return { ok: true, value: (32 * 64) / perStep, unit: 'tokens/s', higherIsBetter: true, extra: { steps } };
    }
    case 'W5': {
      const model = buildCnn(my);
      if (!model) return { ok: false, reason: 'not available: Myelin has no layers.conv2d / layers.maxPooling2d yet' };
      model.compile({ optimizer: my.optimizers.adam({ learningRate: 1e-3 }), loss: 'categoricalCrossentropy' });
      const x = my.tensor(uniform(64 * 28 * 28, 8, 0, 1), [64, 28, 28, 1]);
      const y = my.tensor(oneHot(randomLabels(64, 10, 9), 10), [64, 10]);
      const { perStep, steps } = await timeSteps(() => model.trainOnBatch(x, y), s.w4w5Warmup, s.w4w5Timed);
      return { ok: true, value: 64 / perStep, unit: 'images/s', higherIsBetter: true, extra: { steps } };
    }
    case 'W7': {
      const model = inferenceModel(my, c.model!);
      if (!model) return { ok: false, reason: `not available: Myelin cannot build the ${c.model} model` };
      const input = inferenceInput(c.model!, c.param!);
      const x = my.tensor(input.values, input.shape);
      const batchSize = c.param!;
      const perCall = await timePredictions(() => {
        const y = model.predict(x, { batchSize }) as import('../src/index.js').Tensor;
        y.dataSync();
        y.dispose();
      }, quick);
      return inferenceOutcome(c.param!, perCall);
    }
  }
}

type Model = ReturnType<My['sequential']>;

/** W2's MLP: 784-256-256-10, ReLU, softmax. */
export function buildMlp(my: My): Model {
  return my.sequential({
    layers: [
      my.layers.dense({ units: 256, activation: 'relu', inputShape: [784] }),
      my.layers.dense({ units: 256, activation: 'relu' }),
      my.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

/** W4's character model: Embedding(65, 64) → LSTM(128, every step) → Dense(65, softmax). */
export function buildLstm(my: My): Model | null {
  const embedding = layerOrNull(my, 'embedding'),
    lstm = layerOrNull(my, 'lstm');
  if (!embedding || !lstm) return null;
  return my.sequential({
    layers: [
      embedding({ inputDim: 65, outputDim: 64, inputLength: 64 }),
      lstm({ units: 128, returnSequences: true }),
      my.layers.dense({ units: 65, activation: 'softmax' }),
    ] as never,
  });
}

/** W5's CNN: two 3x3 convolutions with ReLU and 2x2 max pooling, then Dense(10, softmax). */
export function buildCnn(my: My): Model | null {
  const conv2d = layerOrNull(my, 'conv2d'),
    pool = layerOrNull(my, 'maxPooling2d');
  if (!conv2d || !pool) return null;
  return my.sequential({
    layers: [
      conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
      pool({ poolSize: 2 }),
      conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
      pool({ poolSize: 2 }),
      my.layers.flatten(),
      my.layers.dense({ units: 10, activation: 'softmax' }),
    ] as never,
  });
}

/** W7's model by name. */
export function inferenceModel(my: My, model: InferenceModel): Model | null {
  return model === 'mlp' ? buildMlp(my) : model === 'cnn' ? buildCnn(my) : buildLstm(my);
}
