import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  Callback,
  type LayersModel,
  callbacks,
  getBackend,
  input,
  layers,
  model as functionalModel,
  losses,
  metrics,
  mul,
  optimizers,
  regularizers,
  schedules,
  sequential,
  setBackend,
  setSeed,
  tensor,
  type Tensor,
  TrainingError,
  type Logs,
} from '../../src/index.js';
import { lcg } from '../helpers/random.js';
import { globalRng, Rng } from '../../src/core/rng.js';
import { FusedDenseStep } from '../../src/training/fused/dense_step.js';
import { planFusedStep } from '../../src/training/fused/support.js';
import { loadFromBuffers, saveToBuffers } from '../../src/io/native.js';

// The fused step is checked against the eager step (the oracle): the same model, the same
// starting weights and the same shuffles must give the same losses, metrics, weights and
// optimizer state, up to float rounding (the fused step keeps activations in float64).

function features(n: number, cols: number, seed: number): number[][] {
  const rand = lcg(seed);
  return Array.from({ length: n }, () => Array.from({ length: cols }, rand));
}

type Build = () => LayersModel;
interface Case {
  name: string;
  build: Build;
  compile: () => Parameters<LayersModel['compile']>[0];
  x: number[][];
  y: number[] | number[][];
  epochs?: number;
  batchSize?: number;
  validationSplit?: number;
}

interface Run {
  history: Record<string, number[]>;
  weights: Float32Array[];
  optimizer: { name: string; values: Float32Array }[];
  fusedSteps: number;
}

/** Counts fused steps by wrapping the step's method for one run. */
async function countFused<T>(fn: () => Promise<T>): Promise<{ result: T; steps: number }> {
  const original = FusedDenseStep.prototype.trainBatch;
  let steps = 0;
  FusedDenseStep.prototype.trainBatch = function (...args) {
    steps++;
    return original.apply(this, args);
  };
  try {
    return { result: await fn(), steps };
  } finally {
    FusedDenseStep.prototype.trainBatch = original;
  }
}

async function train(c: Case, jitCompile: boolean, start: Tensor[]): Promise<Run> {
  const m = c.build();
  m.setWeights(start);
  m.compile({ ...c.compile(), jitCompile });
  setSeed(7);
  const { result: h, steps } = await countFused(() =>
    m.fit(tensor(c.x), tensor(c.y), {
      epochs: c.epochs ?? 4,
      batchSize: c.batchSize ?? 16,
      validationSplit: c.validationSplit,
      verbose: 0,
    }),
  );
  return {
    history: h.history,
    weights: m.getWeights().map((w) => w.dataSync() as Float32Array),
    optimizer: m.optimizer!.getWeights().map((w) => ({ name: w.name, values: Float32Array.from(w.tensor.dataSync()) })),
    fusedSteps: steps,
  };
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const scale = Math.max(1, Math.abs(expected[i]));
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= tol * scale,
      `${what}[${i}]: fused ${actual[i]}, eager ${expected[i]}`,
    );
  }
}

async function assertSameTraining(c: Case, tol = 2e-4): Promise<void> {
  setSeed(3);
  const start = c.build().getWeights();
  const eager = await train(c, false, start);
  const fused = await train(c, true, start);
  assert.equal(eager.fusedSteps, 0);
  assert.ok(fused.fusedSteps > 0, 'the fused step ran');
  assert.deepEqual(Object.keys(fused.history).sort(), Object.keys(eager.history).sort());
  for (const key of Object.keys(eager.history))
    assertClose(fused.history[key], eager.history[key], tol, `${c.name} history.${key}`);
  fused.weights.forEach((w, i) => assertClose(w, eager.weights[i], tol, `${c.name} weight ${i}`));
  // The two models' layers are numbered apart ('dense_3' vs 'dense_5'): compare what follows.
  const role = (name: string) => name.split('/').slice(1).join('/');
  assert.deepEqual(
    fused.optimizer.map((o) => role(o.name)),
    eager.optimizer.map((o) => role(o.name)),
    'optimizer state names and order',
  );
  fused.optimizer.forEach((o, i) =>
    assertClose(o.values, eager.optimizer[i].values, tol, `${c.name} optimizer ${o.name}`),
  );
}

const oneHot = (labels: number[], k: number): number[][] =>
  labels.map((l) => Array.from({ length: k }, (_, j) => (j === l ? 1 : 0)));
const labelsOf = (x: number[][], k: number): number[] =>
  x.map((r) => Math.abs(Math.floor((r[0] + r[1] * 0.7 + 1) * k * 0.5)) % k);

const CASES: Case[] = [
  {
    name: 'relu regression, adam, mse with mae and mse metrics (the Boston shape)',
    build: () =>
      sequential({
        layers: [layers.dense({ units: 8, activation: 'relu', inputShape: [5] }), layers.dense({ units: 1 })],
      }),
    compile: () => ({ optimizer: 'adam', loss: 'mse', metrics: ['mae', 'mse'] }),
    x: features(50, 5, 1),
    y: features(50, 5, 1).map((r) => [3 * r[0] - r[2] + 0.5]),
    batchSize: 16,
  },
  {
    name: 'tanh and sigmoid, binary crossentropy, SGD with Nesterov momentum, accuracy (fed as tensors)',
    build: () =>
      sequential({
        layers: [
          layers.dense({ units: 6, activation: 'tanh', inputShape: [3] }),
          layers.dense({ units: 1, activation: 'sigmoid' }),
        ],
      }),
    compile: () => ({
      optimizer: optimizers.sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true }),
      loss: 'binaryCrossentropy',
      metrics: ['accuracy'],
    }),
    x: features(40, 3, 2),
    y: features(40, 3, 2).map((r) => [r[0] + r[1] > 0 ? 1 : 0]),
    batchSize: 12,
  },
  {
    name: 'softmax, categorical crossentropy, adam with a decaying learning rate, categorical accuracy',
    build: () =>
      sequential({
        layers: [
          layers.dense({ units: 7, activation: 'sigmoid', inputShape: [4] }),
          layers.dense({ units: 3, activation: 'softmax' }),
        ],
      }),
    compile: () => ({
      optimizer: optimizers.adam({
        learningRate: schedules.exponentialDecay({ initialLearningRate: 0.05, decaySteps: 3, decayRate: 0.8 }),
      }),
      loss: 'categoricalCrossentropy',
      metrics: ['accuracy'],
    }),
    x: features(45, 4, 3),
    y: oneHot(labelsOf(features(45, 4, 3), 3), 3),
    batchSize: 10,
  },
  {
    name: 'logits with label smoothing, plain SGD, no bias, three layers',
    build: () =>
      sequential({
        layers: [
          layers.dense({ units: 5, activation: 'softplus', inputShape: [4], useBias: false }),
          layers.dense({ units: 5, activation: 'relu' }),
          layers.dense({ units: 3 }),
        ],
      }),
    compile: () => ({
      optimizer: optimizers.sgd({ learningRate: 0.2 }),
      loss: new losses.CategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }),
      metrics: ['categoricalAccuracy'],
    }),
    x: features(30, 4, 4),
    y: oneHot(labelsOf(features(30, 4, 4), 3), 3),
    batchSize: 8,
  },
  {
    name: 'sparse labels [n] on probabilities, sparse accuracy',
    build: () =>
      sequential({
        layers: [
          layers.dense({ units: 6, activation: 'relu', inputShape: [3] }),
          layers.dense({ units: 4, activation: 'softmax' }),
        ],
      }),
    compile: () => ({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] }),
    x: features(33, 3, 5),
    y: labelsOf(features(33, 3, 5), 4),
    batchSize: 9,
  },
  {
    name: 'sparse labels [n, 1] on logits, one layer, one batch an epoch',
    build: () => sequential({ layers: [layers.dense({ units: 4, inputShape: [3] })] }),
    compile: () => ({
      optimizer: optimizers.adam({ learningRate: 0.01 }),
      loss: new losses.SparseCategoricalCrossentropy({ fromLogits: true }),
      metrics: ['sparseCategoricalAccuracy'],
    }),
    x: features(20, 3, 6),
    y: labelsOf(features(20, 3, 6), 4).map((l) => [l]),
    batchSize: 20,
  },
  {
    name: 'mae loss with a loss weight, root mean squared error metric fed as tensors',
    build: () =>
      sequential({
        layers: [layers.dense({ units: 3, activation: 'tanh', inputShape: [2] }), layers.dense({ units: 2 })],
      }),
    compile: () => ({
      optimizer: optimizers.sgd({ learningRate: 0.05, momentum: 0.5 }),
      loss: 'mae',
      lossWeights: [2],
      metrics: [new metrics.RootMeanSquaredError(), 'mse'],
    }),
    x: features(25, 2, 7),
    y: features(25, 2, 7).map((r) => [r[0] * r[1], r[0] - r[1]]),
    batchSize: 7,
  },
  {
    name: 'elu and leaky relu, L2 kernel regularizer, centered RMSprop with momentum',
    build: () =>
      sequential({
        layers: [
          layers.dense({
            units: 6,
            activation: 'elu',
            inputShape: [3],
            kernelRegularizer: regularizers.l2({ l2: 0.01 }),
          }),
          layers.dense({ units: 4, activation: 'leakyRelu' }),
          layers.dense({ units: 1 }),
        ],
      }),
    compile: () => ({
      optimizer: optimizers.rmsprop({ learningRate: 0.01, momentum: 0.8, centered: true }),
      loss: 'mse',
      metrics: ['mae'],
    }),
    x: features(28, 3, 10),
    y: features(28, 3, 10).map((r) => [r[0] * 2 - r[1]]),
    batchSize: 7,
  },
  {
    name: 'selu, L1L2 on kernels and L1 on biases, Adagrad',
    build: () =>
      sequential({
        layers: [
          layers.dense({
            units: 5,
            activation: 'selu',
            inputShape: [4],
            kernelRegularizer: regularizers.l1l2({ l1: 0.001, l2: 0.002 }),
            biasRegularizer: regularizers.l1({ l1: 0.003 }),
          }),
          layers.dense({ units: 3, activation: 'softmax' }),
        ],
      }),
    compile: () => ({
      optimizer: optimizers.adagrad({ learningRate: 0.1 }),
      loss: 'categoricalCrossentropy',
      metrics: ['accuracy'],
    }),
    x: features(26, 4, 11),
    y: oneHot(labelsOf(features(26, 4, 11), 3), 3),
    batchSize: 13,
  },
  {
    name: 'plain RMSprop',
    build: () =>
      sequential({
        layers: [
          layers.dense({ units: 4, activation: 'relu', inputShape: [2] }),
          layers.dense({ units: 1, activation: 'sigmoid' }),
        ],
      }),
    compile: () => ({ optimizer: 'rmsprop', loss: 'binaryCrossentropy' }),
    x: features(20, 2, 12),
    y: features(20, 2, 12).map((r) => [r[0] * r[1] > 0 ? 1 : 0]),
    batchSize: 6,
  },
  {
    name: 'dropout between Dense layers and on the input (one seeded), adam',
    build: () =>
      sequential({
        layers: [
          layers.dropout({ rate: 0.2, inputShape: [4] }),
          layers.dense({ units: 8, activation: 'relu' }),
          layers.dropout({ rate: 0.5 }),
          layers.dense({ units: 6, activation: 'tanh' }),
          layers.dropout({ rate: 0.3, seed: 42 }),
          layers.dense({ units: 2, activation: 'softmax' }),
        ],
      }),
    compile: () => ({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] }),
    x: features(36, 4, 13),
    y: oneHot(labelsOf(features(36, 4, 13), 2), 2),
    batchSize: 9,
  },
  {
    name: 'dropout on the output, rate 0 elsewhere',
    build: () =>
      sequential({
        layers: [
          layers.dense({ units: 5, activation: 'sigmoid', inputShape: [2] }),
          layers.dropout({ rate: 0 }),
          layers.dense({ units: 1 }),
          layers.dropout({ rate: 0.25 }),
        ],
      }),
    compile: () => ({ optimizer: optimizers.sgd({ learningRate: 0.05 }), loss: 'mse' }),
    x: features(20, 2, 14),
    y: features(20, 2, 14).map((r) => [r[0] + r[1]]),
    batchSize: 5,
  },
  {
    name: 'a functional model that is a plain chain',
    build: () => {
      const x = input({ shape: [3] });
      const h = layers.dense({ units: 5, activation: 'tanh' }).apply(x);
      const y = layers.dense({ units: 1 }).apply(layers.dropout({ rate: 0.2 }).apply(h));
      return functionalModel({ inputs: x, outputs: y as never });
    },
    compile: () => ({ optimizer: 'adam', loss: 'mse', metrics: ['mae'] }),
    x: features(24, 3, 15),
    y: features(24, 3, 15).map((r) => [r[0] - r[2]]),
    batchSize: 8,
  },
  {
    name: 'float64 weights, a validation split',
    build: () =>
      sequential({
        layers: [
          layers.dense({ units: 5, activation: 'tanh', inputShape: [3], dtype: 'float64' }),
          layers.dense({ units: 1, dtype: 'float64' }),
        ],
      }),
    compile: () => ({ optimizer: 'adam', loss: 'mse', metrics: ['mae'] }),
    x: features(30, 3, 9),
    y: features(30, 3, 9).map((r) => [r[0] - 2 * r[1] * r[2]]),
    batchSize: 6,
    validationSplit: 0.2,
  },
  {
    name: 'binary crossentropy from logits with label smoothing',
    build: () =>
      sequential({
        layers: [layers.dense({ units: 4, activation: 'relu', inputShape: [3] }), layers.dense({ units: 2 })],
      }),
    compile: () => ({
      optimizer: 'adam',
      loss: new losses.BinaryCrossentropy({ fromLogits: true, labelSmoothing: 0.2 }),
    }),
    x: features(24, 3, 8),
    y: features(24, 3, 8).map((r) => [r[0] > 0 ? 1 : 0, r[1] > r[2] ? 1 : 0]),
    batchSize: 5,
  },
];

describe('fused dense training step', () => {
  for (const backendName of ['ref', 'wasm']) {
    describe(`on the ${backendName} backend`, () => {
      for (const c of CASES) {
        it(`trains as the eager step: ${c.name}`, async () => {
          const previous = getBackend();
          setBackend(backendName);
          try {
            await assertSameTraining(c);
          } finally {
            setBackend(previous);
          }
        });
      }
    });
  }

  it("runs by default ('auto') for a small Dense model and stays eager for a large one", async () => {
    const small = sequential({
      layers: [layers.dense({ units: 4, activation: 'relu', inputShape: [3] }), layers.dense({ units: 1 })],
    });
    small.compile({ optimizer: 'adam', loss: 'mse' });
    const ran = await countFused(() =>
      small.fit(tensor(features(20, 3, 1)), tensor(features(20, 1, 2)), { epochs: 2, batchSize: 10, verbose: 0 }),
    );
    assert.equal(ran.steps, 4);
    const large = sequential({
      layers: [layers.dense({ units: 300, activation: 'relu', inputShape: [300] }), layers.dense({ units: 1 })],
    });
    large.compile({ optimizer: 'adam', loss: 'mse' });
    const skipped = await countFused(() =>
      large.fit(tensor(features(8, 300, 1)), tensor(features(8, 1, 2)), { epochs: 1, batchSize: 8, verbose: 0 }),
    );
    assert.equal(skipped.steps, 0);
  });

  it('runs under batch callbacks, which see the current weights, and reads back what they change', async () => {
    const build = () => sequential({ layers: [layers.dense({ units: 2, inputShape: [3] })] });
    const x = tensor(features(12, 3, 1)),
      y = tensor(features(12, 2, 2));
    setSeed(2);
    const start = build().getWeights();
    const run = async (jitCompile: boolean) => {
      const m = build();
      m.setWeights(start);
      m.compile({ optimizer: 'adam', loss: 'mse', jitCompile });
      const seen: number[][] = [];
      const callback = {
        onBatchEnd: async (batch: number) => {
          const kernel = m.layers[0].getWeights()[0];
          seen.push(Array.from(kernel.dataSync()));
          // Halving the kernel after batch 1 must carry into the next step.
          if (batch === 1) m.layers[0].setWeights([mul(kernel, 0.5), m.layers[0].getWeights()[1]]);
        },
      };
      setSeed(5);
      const { result: h, steps } = await countFused(() =>
        m.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0, callbacks: callback }),
      );
      return { seen, loss: h.history.loss, steps, weights: m.getWeights().map((w) => w.dataSync()) };
    };
    const eager = await run(false);
    const fused = await run(true);
    assert.equal(fused.steps, 6);
    assert.equal(fused.seen.length, 6);
    eager.seen.forEach((w, i) => assertClose(fused.seen[i], w, 1e-5, `batch ${i} kernel`));
    assertClose(fused.loss, eager.loss, 1e-5, 'loss');
    fused.weights.forEach((w, i) => assertClose(w, eager.weights[i], 1e-5, `weight ${i}`));
    // The progress bar and checkpoints run beside it too.
    const m = build();
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const lines: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((s: string) => {
      lines.push(String(s));
      return true;
    }) as typeof process.stdout.write;
    try {
      const shown = await countFused(() => m.fit(x, y, { epochs: 1, batchSize: 4, verbose: 2 }));
      assert.equal(shown.steps, 3);
    } finally {
      process.stdout.write = write;
    }
    assert.match(lines.join(''), /loss/);
    const dir = await mkdtemp(join(tmpdir(), 'myelin-fused-'));
    try {
      const kept = await countFused(() =>
        m.fit(x, y, {
          epochs: 2,
          batchSize: 4,
          verbose: 0,
          callbacks: [
            callbacks.terminateOnNaN(),
            callbacks.modelCheckpoint({ filepath: join(dir, 'm.safetensors') }),
            callbacks.modelCheckpoint({ filepath: join(dir, 'b.safetensors'), saveFreq: 2 }),
          ],
        }),
      );
      assert.equal(kept.steps, 6);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('ends quietly under terminateOnNaN, without updating on the failing batch', async () => {
    const m = sequential({ layers: [layers.dense({ units: 1, inputShape: [2] })] });
    m.compile({ optimizer: optimizers.sgd({ learningRate: 1e6 }), loss: 'mse', jitCompile: true });
    const log = console.log;
    console.log = () => {};
    try {
      const h = await m.fit(tensor(features(32, 2, 4).map((r) => r.map((v) => v * 1e3))), tensor(features(32, 1, 5)), {
        epochs: 50,
        batchSize: 8,
        verbose: 0,
        callbacks: [callbacks.terminateOnNaN()],
      });
      assert.ok(h.history.loss.length < 50);
    } finally {
      console.log = log;
    }
  });

  it('does not fuse functional models with branches or shared layers (they are replayed)', async () => {
    const x = input({ shape: [3] });
    const shared = layers.dense({ units: 3 });
    const twice = functionalModel({ inputs: x, outputs: shared.apply(shared.apply(x)) as never });
    twice.compile({ optimizer: 'adam', loss: 'mse', jitCompile: true });
    const data = tensor(features(8, 3, 1));
    const reason = planFusedStep(twice, twice.compiled!, { xs: [data], ys: [data], n: 8 }, 8, false);
    assert.equal(
      reason,
      `model '${twice.name}' is not a plain chain of layers (one input, one output, no branches or shared layers)`,
    );
    assert.equal((await countFused(() => twice.fit(data, data, { verbose: 0 }))).steps, 0);
    const a = layers.dense({ units: 2 }).apply(x),
      b = layers.dense({ units: 2 }).apply(x);
    const branched = functionalModel({ inputs: x, outputs: [a, b] as never });
    branched.compile({ optimizer: 'adam', loss: 'mse', jitCompile: true });
    const y2 = tensor(features(8, 2, 2));
    assert.match(
      planFusedStep(branched, branched.compiled!, { xs: [data], ys: [y2, y2], n: 8 }, 8, false) as string,
      /not a plain chain/,
    );
    assert.equal((await countFused(() => branched.fit(data, [y2, y2], { verbose: 0 }))).steps, 0);
  });

  it('names what prevents fusing', async () => {
    const x = tensor(features(8, 3, 1)),
      y = tensor(features(8, 1, 2));
    const why = (m: LayersModel, optimizer: unknown = 'adam', loss = 'mse', sampleWeight?: Tensor) => {
      m.compile({ optimizer: optimizer as never, loss: loss as never, jitCompile: true });
      return planFusedStep(m, m.compiled!, { xs: [x], ys: [y], n: 8, sampleWeight }, 8, false);
    };
    const withNoise = sequential({
      layers: [
        layers.dense({ units: 4, inputShape: [3] }),
        layers.gaussianNoise({ stddev: 0.1, name: 'noise' }),
        layers.dense({ units: 1 }),
      ],
    });
    assert.match(why(withNoise) as string, /layer 'noise' \(GaussianNoise\) is not a Dense or Dropout layer/);
    const twoDropouts = sequential({
      layers: [
        layers.dense({ units: 4, inputShape: [3] }),
        layers.dropout({ rate: 0.5 }),
        layers.dropout({ rate: 0.5, name: 'again' }),
        layers.dense({ units: 1 }),
      ],
    });
    assert.match(why(twoDropouts) as string, /layer 'again' \(Dropout\) follows another Dropout layer/);
    const dense = () => sequential({ layers: [layers.dense({ units: 1, inputShape: [3] })] });
    assert.match(
      why(dense(), 'adamax') as string,
      /optimizer 'adamax' \(Adamax\) has no fused update \(fused: SGD, Adam, RMSprop, Adagrad\)/,
    );
    assert.match(
      why(dense(), optimizers.adam({ clipNorm: 1 })) as string,
      /optimizer 'adam' uses weight decay or gradient clipping/,
    );
    assert.match(why(dense(), optimizers.adamw()) as string, /uses weight decay or gradient clipping/);
    const gelu = sequential({ layers: [layers.dense({ units: 1, inputShape: [3], activation: 'gelu' })] });
    assert.match(
      why(gelu) as string,
      /uses activation 'gelu' \(fused: linear, relu, sigmoid, tanh, softplus, elu, selu, leaky_relu, softmax\)/,
    );
    assert.match(why(dense(), 'adam', 'huber') as string, /loss 'huber' \(Huber\) has no fused form/);
    assert.match(
      why(dense(), 'adam', 'mse', tensor([1, 2, 1, 2, 1, 2, 1, 2])) as string,
      /sample or class weights are given/,
    );
    // With jitCompile: true such a model is replayed instead.
    const m = dense();
    m.compile({ optimizer: 'adamax', loss: 'mse', jitCompile: true });
    assert.equal((await countFused(() => m.fit(x, y, { epochs: 4, batchSize: 4, verbose: 0 }))).steps, 0);
    assert.throws(
      () => m.compile({ optimizer: 'adam', loss: 'mse', jitCompile: 'yes' as never }),
      /compile: 'jitCompile' must be true, false or 'auto', got "yes"/,
    );
  });

  it('writes weights back before every epoch callback and reads back what a callback changes', async () => {
    const build = () =>
      sequential({
        layers: [layers.dense({ units: 3, activation: 'relu', inputShape: [2] }), layers.dense({ units: 1 })],
      });
    const x = tensor(features(16, 2, 1)),
      y = tensor(features(16, 1, 3));
    setSeed(2);
    const start = build().getWeights();
    const run = async (jitCompile: boolean) => {
      const m = build();
      m.setWeights(start);
      m.compile({ optimizer: 'adam', loss: 'mse', jitCompile });
      const seen: number[][] = [];
      class Shrink extends Callback {
        override async onEpochEnd(_epoch: number, _logs?: Logs) {
          seen.push(Array.from(this.model.trainableWeights[0].dataSync()));
          // Halving the first kernel must carry into the next epoch's steps.
          (this.model as LayersModel).layers[0].setWeights([
            tensor(
              seen.at(-1)!.map((v) => v / 2),
              [2, 3],
            ),
            (this.model as LayersModel).layers[0].getWeights()[1],
          ]);
        }
      }
      setSeed(5);
      const h = await m.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0, callbacks: [new Shrink()] });
      return { seen, loss: h.history.loss };
    };
    const eager = await run(false);
    const fused = await run(true);
    eager.seen.forEach((w, i) => assertClose(fused.seen[i], w, 1e-5, `epoch ${i} kernel`));
    assertClose(fused.loss, eager.loss, 1e-5, 'loss');
  });

  it('stops on a non-finite loss without updating on that batch', async () => {
    const m = sequential({ layers: [layers.dense({ units: 1, inputShape: [2] })] });
    m.compile({ optimizer: optimizers.sgd({ learningRate: 1e6 }), loss: 'mse', jitCompile: true });
    const x = tensor(features(32, 2, 4).map((r) => r.map((v) => v * 1e3))),
      y = tensor(features(32, 1, 5));
    let message = '';
    await assert.rejects(m.fit(x, y, { epochs: 50, batchSize: 8, verbose: 0 }), (e: unknown) => {
      assert.ok(e instanceof TrainingError);
      message = (e as Error).message;
      return true;
    });
    const [, epoch, batch] =
      /fit: (?:the loss became (?:NaN|-?Infinity) at|the update at) epoch (\d+), batch (\d+) .*training stopped/
        .exec(message)!
        .map(Number);
    // Every batch before the failing one was applied (4 a epoch), the failing one was not.
    assert.equal(m.optimizer!.iterations, (epoch - 1) * 4 + (batch - 1));
    for (const w of m.getWeights()) assert.ok(w.dataSync().every(Number.isFinite), 'the last finite weights');
  });

  it('counts optimizer iterations as the eager step does', async () => {
    const m = sequential({ layers: [layers.dense({ units: 1, inputShape: [2] })] });
    m.compile({ optimizer: 'adam', loss: 'mse', jitCompile: true });
    await m.fit(tensor(features(10, 2, 1)), tensor(features(10, 1, 2)), { epochs: 3, batchSize: 4, verbose: 0 });
    assert.equal(m.optimizer!.iterations, 9);
  });
});

describe('compile: jitCompile and loss weights of a single output', () => {
  it('takes a one-entry list of loss weights for one output and scales the loss by it', async () => {
    const build = (lossWeights?: number[]) => {
      setSeed(4);
      const m = sequential({ layers: [layers.dense({ units: 1, inputShape: [2] })] });
      m.compile({ optimizer: 'sgd', loss: 'mse', lossWeights, jitCompile: false });
      return m;
    };
    const x = tensor(features(6, 2, 1)),
      y = tensor(features(6, 1, 2));
    const plain = build().evaluate(x, y) as Tensor;
    const doubled = build([2]).evaluate(x, y) as Tensor;
    assert.deepEqual(doubled.shape, []);
    assertClose([doubled.item()], [2 * plain.item()], 1e-6, 'weighted loss');
    assert.throws(() => build([1, 2]), /compile: 'lossWeights' has 2 entries but the model has 1 output/);
    assert.throws(
      () => build(['2' as never]),
      /compile: the loss weight of output '.*' must be a finite number, got "2"/,
    );
  });

  it('saves jitCompile and loss weights with the training config', () => {
    const m = sequential({ layers: [layers.dense({ units: 1, inputShape: [2] })] });
    m.compile({ optimizer: 'adam', loss: 'mse', lossWeights: [3], jitCompile: false });
    const restored = loadFromBuffers(saveToBuffers(m));
    assert.equal(restored.compiled!.jitCompile, false);
    assert.deepEqual(restored.compiled!.lossWeights, [3]);
    m.compile({ optimizer: 'adam', loss: 'mse' });
    assert.equal(loadFromBuffers(saveToBuffers(m)).compiled!.jitCompile, 'auto');
  });
});

describe('Rng.shuffle', () => {
  it('draws as int(i + 1) from the top, as the generator would one number at a time', () => {
    const a = new Rng(11),
      b = new Rng(11);
    const shuffled = a.shuffle(Int32Array.from({ length: 1000 }, (_, i) => i));
    const expected = Array.from({ length: 1000 }, (_, i) => i);
    for (let i = expected.length - 1; i > 0; i--) {
      const j = b.int(i + 1);
      [expected[i], expected[j]] = [expected[j], expected[i]];
    }
    assert.deepEqual(Array.from(shuffled), expected);
    assert.deepEqual(a.getState(), b.getState());
    assert.equal(a.uniform(), b.uniform());
    assert.ok(globalRng instanceof Rng);
  });
});
