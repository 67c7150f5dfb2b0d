// The workloads written against TF.js 4.22 ('cpu' or 'wasm' backend).
import { createRequire } from 'node:module';
import path from 'node:path';
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

type Tf = typeof import('@tensorflow/tfjs');

async function loadTf(backendName: 'cpu' | 'wasm'): Promise<Tf> {
  const tf = await import('@tensorflow/tfjs');
  if (backendName === 'wasm') {
    const wasmPkg = await import('@tensorflow/tfjs-backend-wasm');
    const req = createRequire(import.meta.url);
    wasmPkg.setWasmPaths(
      path.dirname(req.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep,
    );
  }
  if (!(await tf.setBackend(backendName))) throw new Error(`TF.js backend '${backendName}' failed to initialise`);
  await tf.ready();
  return tf;
}

/** Runs one case on TF.js; throws are reported as the contender's result by the caller. */
export async function runTfjs(backendName: 'cpu' | 'wasm', c: BenchCase, quick: boolean): Promise<Outcome> {
  const tf = await loadTf(backendName);
  const s = settings(quick);
  switch (c.workload) {
    case 'W1': {
      const n = c.param!;
      const a = tf.tensor2d(uniform(n * n, 1), [n, n]),
        b = tf.tensor2d(uniform(n * n, 2), [n, n]);
      const once = () => {
        const y = tf.matMul(a, b);
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
      const x = tf.tensor2d(uniform(s.w2Samples * 784, 4, 0, 1), [s.w2Samples, 784]);
      const y = tf.tensor2d(oneHot(randomLabels(s.w2Samples, 10, 5), 10), [s.w2Samples, 10]);
      const model = tfModel(tf, 'mlp');
      model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
      await model.fit(x, y, { epochs: 1, batchSize: 128, shuffle: true, verbose: 0 });
      const t = performance.now();
      await model.fit(x, y, { epochs: s.w2TimedEpochs, batchSize: 128, shuffle: true, verbose: 0 });
      const sec = (performance.now() - t) / 1000;
      return { ok: true, value: (s.w2Samples * s.w2TimedEpochs) / sec, unit: 'samples/s', higherIsBetter: true };
    }
    case 'W3': {
      const d = w3Data();
      const model = tf.sequential({
        layers: [tf.layers.dense({ units: 10, activation: 'relu', inputShape: [13] }), tf.layers.dense({ units: 1 })],
      });
      model.compile({ optimizer: 'adam', loss: 'meanSquaredError', metrics: ['mae'] });
      const xTrain = tf.tensor2d(d.xTrain, [404, 13]),
        yTrain = tf.tensor2d(d.yTrain, [404, 1]);
      const t = performance.now();
      await model.fit(xTrain, yTrain, { epochs: 10, batchSize: 32, verbose: 0 });
      const fit = (performance.now() - t) / 1000;
      const res = model.evaluate(
        tf.tensor2d(d.xTest, [102, 13]),
        tf.tensor2d(d.yTest, [102, 1]),
      ) as import('@tensorflow/tfjs').Tensor[];
      console.error(`W3 tfjs-${backendName}: test mse ${res[0].dataSync()[0].toFixed(2)}`);
      return {
        ok: true,
        value: fit,
        unit: 's fit()',
        higherIsBetter: false,
        extra: { process: performance.now() / 1000 },
      };
    }
    case 'W4': {
      const model = tfModel(tf, 'lstm');
      model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
      const x = tf.tensor2d(Float32Array.from(randomLabels(32 * 64, 65, 6)), [32, 64]);
      const y = tf.tensor3d(oneHot(randomLabels(32 * 64, 65, 7), 65), [32, 64, 65]);
      const { perStep, steps } = await timeSteps(() => model.trainOnBatch(x, y), s.w4w5Warmup, s.w4w5Timed);
      return { ok: true, value: (32 * 64) / perStep, unit: 'tokens/s', higherIsBetter: true, extra: { steps } };
    }
    case 'W5': {
      const model = tfModel(tf, 'cnn');
      model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
      const x = tf.tensor4d(uniform(64 * 28 * 28, 8, 0, 1), [64, 28, 28, 1]);
      const y = tf.tensor2d(oneHot(randomLabels(64, 10, 9), 10), [64, 10]);
      const { perStep, steps } = await timeSteps(() => model.trainOnBatch(x, y), s.w4w5Warmup, s.w4w5Timed);
      return { ok: true, value: 64 / perStep, unit: 'images/s', higherIsBetter: true, extra: { steps } };
    }
    case 'W7': {
      const model = tfModel(tf, c.model!);
      const input = inferenceInput(c.model!, c.param!);
      const x = tf.tensor(input.values, input.shape);
      const batchSize = c.param!;
      const perCall = await timePredictions(() => {
        const y = model.predict(x, { batchSize }) as import('@tensorflow/tfjs').Tensor;
        y.dataSync();
        y.dispose();
      }, quick);
      return inferenceOutcome(c.param!, perCall);
    }
  }
}

/** The MLP of W2, the LSTM of W4 or the CNN of W5 (the models W7 runs for inference). */
function tfModel(tf: Tf, model: InferenceModel) {
  if (model === 'mlp')
    return tf.sequential({
      layers: [
        tf.layers.dense({ units: 256, activation: 'relu', inputShape: [784] }),
        tf.layers.dense({ units: 256, activation: 'relu' }),
        tf.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    });
  if (model === 'lstm')
    return tf.sequential({
      layers: [
        tf.layers.embedding({ inputDim: 65, outputDim: 64, inputLength: 64 }),
        tf.layers.lstm({ units: 128, returnSequences: true }),
        tf.layers.dense({ units: 65, activation: 'softmax' }),
      ],
    });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

/**
 * Seconds per timed step after `warmup` steps. A contender slower than `capSeconds` for the
 * timed steps stops early (at least one step) so the whole run fits its time budget; the
 * throughput is then over the steps it did, and `steps` says how many.
 */
export async function timeSteps(
  step: () => Promise<unknown>,
  warmup: number,
  timed: number,
  capSeconds = 30,
): Promise<{ perStep: number; steps: number }> {
  for (let i = 0; i < warmup; i++) {
    const t = performance.now();
    await step();
    if (performance.now() - t > 5000) break; // one warm-up step is enough for a very slow contender
  }
  const t = performance.now();
  let steps = 0;
  while (steps < timed) {
    await step();
    steps++;
    if (performance.now() - t > capSeconds * 1000) break;
  }
  return { perStep: (performance.now() - t) / 1000 / steps, steps };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
