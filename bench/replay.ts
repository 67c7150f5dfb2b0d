// npm run bench:replay [-- --backend ref] [--steps N]: the time of one training step op by op
// (jitCompile: false) and with its forward and backward pass replayed (jitCompile: 'auto'), for
// an LSTM (W4's model), a GPT-style decoder, W2's MLP and W3's regression (with an Adam subclass,
// which the fused step does not take, so that the replay is what runs). Each contender trains
// its own copy of the model in alternation, after warm-up steps; medians of the timed steps.
import { backend, setBackend } from '../src/backend/registry.js';
import * as my from '../src/index.js';
import { Adam } from '../src/optimizers/adam.js';
import { oneHot, randomLabels, uniform, w3Data } from './workloads.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const backendName = flag('--backend', 'wasm');
const timed = Number(flag('--steps', '20'));
const WARMUP = 4; // traced steps come first: two for the full batch before the replay starts

interface Workload {
  name: string;
  build: () => my.LayersModel;
  loss: unknown;
  optimizer: () => unknown;
  x: my.Tensor;
  y: my.Tensor;
}

function gpt(): my.LayersModel {
  const T = 64,
    V = 65,
    D = 64;
  const ids = my.input({ shape: [T] });
  let h = my.layers
    .tokenAndPositionEmbedding({ vocabularySize: V, sequenceLength: T, embeddingDim: D, tieWeights: false })
    .apply(ids) as my.SymbolicTensor;
  for (let i = 0; i < 2; i++)
    h = my.layers
      .transformerDecoder({ numHeads: 4, intermediateDim: 4 * D, normalizeFirst: true })
      .apply(h) as my.SymbolicTensor;
  return my.model({ inputs: ids, outputs: my.layers.dense({ units: V }).apply(h) as never });
}

const W3 = w3Data();
const WORKLOADS: Workload[] = [
  {
    name: 'LSTM (W4: embedding 65x64, LSTM 128, dense 65; batch 32 x 64 steps)',
    build: () =>
      my.sequential({
        layers: [
          my.layers.embedding({ inputDim: 65, outputDim: 64, inputLength: 64 }),
          my.layers.lstm({ units: 128, returnSequences: true }),
          my.layers.dense({ units: 65, activation: 'softmax' }),
        ],
      }),
    loss: 'categoricalCrossentropy',
    optimizer: () => my.optimizers.adam({ learningRate: 1e-3 }),
    x: my.tensor(Float32Array.from(randomLabels(32 * 64, 65, 6)), [32, 64]),
    y: my.tensor(oneHot(randomLabels(32 * 64, 65, 7), 65), [32, 64, 65]),
  },
  {
    name: 'GPT-style (2 pre-norm decoder blocks, d 64, 4 heads, context 64; batch 16)',
    build: gpt,
    loss: new my.losses.SparseCategoricalCrossentropy({ fromLogits: true }),
    optimizer: () => my.optimizers.adamw({ learningRate: 1e-3 }),
    x: my.tensor(Float32Array.from(randomLabels(16 * 64, 65, 8)), [16, 64]),
    y: my.tensor(Float32Array.from(randomLabels(16 * 64, 65, 9)), [16, 64]),
  },
  {
    name: 'MLP (W2: 784-256-256-10; batch 128)',
    build: () =>
      my.sequential({
        layers: [
          my.layers.dense({ units: 256, activation: 'relu', inputShape: [784] }),
          my.layers.dense({ units: 256, activation: 'relu' }),
          my.layers.dense({ units: 10, activation: 'softmax' }),
        ],
      }),
    loss: 'categoricalCrossentropy',
    optimizer: () => my.optimizers.adam({ learningRate: 1e-3 }),
    x: my.tensor(uniform(128 * 784, 4, 0, 1), [128, 784]),
    y: my.tensor(oneHot(randomLabels(128, 10, 5), 10), [128, 10]),
  },
  {
    name: 'regression (W3: 13-10-1, mse, metric mae; batch 32)',
    build: () =>
      my.sequential({
        layers: [my.layers.dense({ units: 10, activation: 'relu', inputShape: [13] }), my.layers.dense({ units: 1 })],
      }),
    loss: 'mse',
    optimizer: () => new (class extends Adam {})(),
    x: my.tensor(W3.xTrain.subarray(0, 32 * 13), [32, 13]),
    y: my.tensor(W3.yTrain.subarray(0, 32), [32, 1]),
  },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function measure(w: Workload): Promise<{ opByOp: number; replayed: number }> {
  my.setSeed(1);
  const start = w.build().getWeights();
  const make = (jitCompile: boolean | 'auto') => {
    const m = w.build();
    m.setWeights(start);
    m.compile({
      optimizer: w.optimizer() as never,
      loss: w.loss as never,
      metrics: w.name.startsWith('regression') ? ['mae'] : [],
      jitCompile,
    });
    return m;
  };
  const contenders = { opByOp: make(false), replayed: make('auto') };
  const times: Record<keyof typeof contenders, number[]> = { opByOp: [], replayed: [] };
  for (let i = 0; i < WARMUP + timed; i++) {
    // Alternate who goes first, so neither always runs on a warmer machine.
    const order = (i % 2 ? ['opByOp', 'replayed'] : ['replayed', 'opByOp']) as (keyof typeof contenders)[];
    for (const who of order) {
      const t = performance.now();
      await contenders[who].trainOnBatch(w.x, w.y);
      if (i >= WARMUP) times[who].push(performance.now() - t);
    }
  }
  return { opByOp: median(times.opByOp), replayed: median(times.replayed) };
}

setBackend(backendName);
(backend() as { startWorkers?: () => void }).startWorkers?.();
await new Promise((r) => setTimeout(r, 300));
console.log(`Training step, ${backendName} backend, medians of ${timed} steps (ms per step)\n`);
console.log('| model | op by op | replayed | speed-up |\n| --- | --- | --- | --- |');
for (const w of WORKLOADS) {
  const { opByOp, replayed } = await measure(w);
  const fmt = (ms: number) => (ms < 1 ? ms.toFixed(3) : ms.toFixed(2));
  console.log(`| ${w.name} | ${fmt(opByOp)} | ${fmt(replayed)} | ${(opByOp / replayed).toFixed(2)}x |`);
}
process.exit(0);
