import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  type LayersModel,
  type Tensor,
  TrainingError,
  add,
  callbacks,
  getBackend,
  input,
  layers,
  memory,
  model as functionalModel,
  mul,
  optimizers,
  regularizers,
  schedules,
  sequential,
  setBackend,
  setSeed,
  tensor,
} from '../../src/index.js';
import { lcg } from '../helpers/random.js';
import { ReplayProgram } from '../../src/backend/replay.js';
import { globalRng } from '../../src/core/rng.js';
import { Layer } from '../../src/layers/layer.js';
import { resumeFromCheckpoint } from '../../src/io/model_files.js';
import { FusedDenseStep } from '../../src/training/fused/dense_step.js';

// The replayed step is checked against the ordinary one (jitCompile: false), its oracle: the
// same model, starting weights and seeds must give bit for bit the same losses, metrics,
// weights and optimizer state, since a replay runs the very kernels the ordinary step runs.

function values(n: number, seed: number, scale = 1): number[] {
  const rand = lcg(seed);
  return Array.from({ length: n }, () => rand() * scale);
}

const ids = (n: number, vocab: number, seed: number): number[] =>
  values(n, seed).map((v) => Math.floor(((v + 1) / 2) * vocab) % vocab);

/** Runs `fn` counting replayed steps (ReplayProgram runs). */
async function countReplays<T>(fn: () => Promise<T>): Promise<{ result: T; replays: number }> {
  const original = ReplayProgram.prototype.run;
  let replays = 0;
  ReplayProgram.prototype.run = function (...args) {
    replays++;
    return original.apply(this, args);
  };
  try {
    return { result: await fn(), replays };
  } finally {
    ReplayProgram.prototype.run = original;
  }
}

interface Case {
  name: string;
  build: () => LayersModel;
  compile: () => Parameters<LayersModel['compile']>[0];
  x: () => Tensor | Tensor[];
  y: () => Tensor | Tensor[];
  fit?: Record<string, unknown>;
}

interface Run {
  history: Record<string, number[]>;
  weights: number[][];
  optimizer: { role: string; values: number[] }[];
  iterations: number;
  replays: number;
}

async function train(c: Case, jitCompile: boolean | 'auto', start: Tensor[]): Promise<Run> {
  const m = c.build();
  m.setWeights(start);
  m.compile({ ...c.compile(), jitCompile });
  setSeed(7);
  const { result: h, replays } = await countReplays(() =>
    m.fit(c.x(), c.y(), { epochs: 4, batchSize: 4, verbose: 0, ...c.fit }),
  );
  const optimizer = m.optimizer!;
  return {
    history: h.history,
    weights: m.getWeights().map((w) => Array.from(w.dataSync())),
    // Layers are numbered apart in the two models ('dense_3' vs 'dense_5'): compare what follows.
    optimizer: optimizer
      .getWeights()
      .map((w) => ({ role: w.name.split('/').slice(1).join('/'), values: Array.from(w.tensor.dataSync()) })),
    iterations: optimizer.iterations,
    replays,
  };
}

async function assertReplaysExactly(c: Case): Promise<Run> {
  setSeed(3);
  const start = c.build().getWeights();
  const ordinary = await train(c, false, start);
  const replayed = await train(c, 'auto', start);
  assert.equal(ordinary.replays, 0);
  assert.ok(replayed.replays > 0, `${c.name}: the step was replayed`);
  assert.deepEqual(replayed.history, ordinary.history, `${c.name}: losses and metrics`);
  assert.deepEqual(replayed.weights, ordinary.weights, `${c.name}: weights`);
  assert.deepEqual(replayed.optimizer, ordinary.optimizer, `${c.name}: optimizer state`);
  assert.equal(replayed.iterations, ordinary.iterations);
  return replayed;
}

const oneHot = (labels: number[], k: number): number[][] =>
  labels.map((l) => Array.from({ length: k }, (_, j) => (j === l ? 1 : 0)));

// 13 or 11 samples in batches of 4: every epoch ends on a partial batch, captured on its own.
const CASES: Case[] = [
  {
    name: 'dense with gelu, dropout, an L2 penalty and a metric',
    build: () =>
      sequential({
        layers: [
          layers.dense({
            units: 6,
            activation: 'gelu',
            inputShape: [5],
            kernelRegularizer: regularizers.l2({ l2: 0.01 }),
          }),
          layers.dropout({ rate: 0.3 }),
          layers.dense({ units: 3, activation: 'softmax' }),
        ],
      }),
    compile: () => ({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] }),
    x: () => tensor(values(13 * 5, 1), [13, 5]),
    y: () => tensor(oneHot(ids(13, 3, 2), 3)),
    fit: { validationSplit: 0.2 },
  },
  {
    name: 'two outputs with loss weights, sample weights and a schedule',
    build: () => {
      const x = input({ shape: [4] });
      const h = layers.dense({ units: 5, activation: 'tanh' }).apply(x);
      const a = layers.dense({ units: 2, name: 'values' }).apply(h),
        b = layers.dense({ units: 1, activation: 'sigmoid', name: 'odds' }).apply(h);
      return functionalModel({ inputs: x, outputs: [a, b] as never });
    },
    compile: () => ({
      optimizer: optimizers.sgd({
        learningRate: schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 2, decayRate: 0.5 }),
        momentum: 0.9,
      }),
      loss: ['mse', 'binaryCrossentropy'],
      lossWeights: [1, 0.5],
      metrics: ['mae'],
    }),
    x: () => tensor(values(13 * 4, 3), [13, 4]),
    y: () => [tensor(values(13 * 2, 4), [13, 2]), tensor(ids(13, 2, 5), [13, 1])],
    fit: { sampleWeight: tensor(values(13, 6).map((v) => 1 + v * 0.5)) },
  },
  {
    name: 'convolution, batch normalization (moving statistics) and pooling, with clipping',
    build: () =>
      sequential({
        layers: [
          layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu', inputShape: [6, 6, 1] }),
          layers.batchNormalization(),
          layers.maxPooling2d({ poolSize: 2 }),
          layers.flatten(),
          layers.dense({ units: 2, activation: 'softmax' }),
        ],
      }),
    compile: () => ({ optimizer: optimizers.rmsprop({ clipNorm: 1 }), loss: 'categoricalCrossentropy' }),
    x: () => tensor(values(13 * 36, 7), [13, 6, 6, 1]),
    y: () => tensor(oneHot(ids(13, 2, 8), 2)),
  },
  {
    name: 'embedding, LSTM and sparse labels, with weight decay',
    build: () =>
      sequential({
        layers: [
          layers.embedding({ inputDim: 10, outputDim: 4, inputLength: 5 }),
          layers.lstm({ units: 6, returnSequences: true }),
          layers.dense({ units: 10 }),
        ],
      }),
    compile: () => ({ optimizer: optimizers.adamw({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy' }),
    x: () => tensor(ids(11 * 5, 10, 9), [11, 5]),
    y: () => tensor(ids(11 * 5, 10, 10), [11, 5]),
  },
  {
    name: 'token and position embedding, a Transformer block with dropout, pooling',
    build: () =>
      sequential({
        layers: [
          layers.tokenAndPositionEmbedding({ vocabularySize: 12, sequenceLength: 6, embeddingDim: 8, inputShape: [6] }),
          layers.transformerEncoder({ numHeads: 2, intermediateDim: 16, dropout: 0.1 }),
          layers.globalAveragePooling1d(),
          layers.dense({ units: 3, activation: 'softmax' }),
        ],
      }),
    compile: () => ({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] }),
    x: () => tensor(ids(11 * 6, 12, 11), [11, 6]),
    y: () => tensor(oneHot(ids(11, 3, 12), 3)),
  },
];

function onBackend(name: string, fn: () => Promise<void>): () => Promise<void> {
  return async () => {
    const previous = getBackend();
    setBackend(name);
    try {
      await fn();
    } finally {
      setBackend(previous);
    }
  };
}

describe('replayed training step', () => {
  for (const backendName of ['ref', 'wasm']) {
    describe(`on the ${backendName} backend`, () => {
      for (const c of CASES)
        it(
          `trains bit for bit as the ordinary step: ${c.name}`,
          onBackend(backendName, () => assertReplaysExactly(c).then(() => {})),
        );

      it(
        'replays under callbacks that change the weights between batches, and a model frozen at an epoch end',
        onBackend(backendName, async () => {
          const shrinkAt = (m: LayersModel) => ({
            onBatchEnd: async (batch: number) => {
              // A weight replaced from outside: the next replay must read the new one.
              if (batch === 1)
                m.layers[0].setWeights([mul(m.layers[0].getWeights()[0], 0.5), m.layers[0].getWeights()[1]]);
            },
            onEpochEnd: async (epoch: number) => {
              if (epoch === 1) m.layers[0].trainable = false; // other gradients from now on
            },
          });
          const c: Case = {
            ...CASES[0],
            name: 'callbacks',
            fit: {},
          };
          setSeed(3);
          const start = c.build().getWeights();
          const run = async (jitCompile: boolean | 'auto') => {
            const m = c.build();
            m.setWeights(start);
            m.compile({ ...c.compile(), jitCompile });
            setSeed(7);
            const { result: h, replays } = await countReplays(() =>
              m.fit(c.x(), c.y(), { epochs: 4, batchSize: 4, verbose: 0, callbacks: shrinkAt(m) }),
            );
            return { loss: h.history.loss, weights: m.getWeights().map((w) => Array.from(w.dataSync())), replays };
          };
          const ordinary = await run(false);
          const replayed = await run('auto');
          assert.ok(replayed.replays > 0);
          assert.deepEqual(replayed.loss, ordinary.loss);
          assert.deepEqual(replayed.weights, ordinary.weights);
        }),
      );

      it(
        'undoes a diverging step and stops with the same finite weights',
        onBackend(backendName, async () => {
          const run = async (jitCompile: boolean | 'auto') => {
            setSeed(1);
            const m = sequential({
              layers: [layers.dense({ units: 4, activation: 'gelu', inputShape: [3] }), layers.dense({ units: 1 })],
            });
            m.compile({ optimizer: optimizers.sgd({ learningRate: 3 }), loss: 'mse', jitCompile });
            const x = tensor(values(16 * 3, 2, 30), [16, 3]),
              y = tensor(values(16, 3, 30), [16, 1]);
            const { result: error, replays } = await countReplays(() =>
              m.fit(x, y, { epochs: 40, batchSize: 4, verbose: 0 }).then(
                () => null,
                (e: unknown) => e,
              ),
            );
            assert.ok(error instanceof TrainingError, String(error));
            const weights = m.getWeights().map((w) => Array.from(w.dataSync()));
            assert.ok(weights.flat().every(Number.isFinite));
            return { message: error.message, loss: error.history.history.loss, weights, replays };
          };
          const ordinary = await run(false);
          const replayed = await run('auto');
          assert.ok(replayed.replays > 0);
          assert.equal(replayed.message, ordinary.message);
          assert.deepEqual(replayed.loss, ordinary.loss);
          assert.deepEqual(replayed.weights, ordinary.weights);
        }),
      );
    });
  }

  it('resumes from a checkpoint bit for bit as training straight through', async () => {
    const c = CASES[0];
    const x = c.x() as Tensor,
      y = c.y() as Tensor;
    const build = (jitCompile: boolean | 'auto') => {
      const m = c.build();
      m.compile({ ...c.compile(), jitCompile });
      return m;
    };
    setSeed(7);
    const straight = build(false);
    await straight.fit(x, y, { epochs: 5, batchSize: 4, verbose: 0 });
    const dir = await mkdtemp(join(tmpdir(), 'myelin-replay-'));
    try {
      const ckpt = join(dir, 'last.safetensors');
      setSeed(7);
      const first = build('auto');
      const { replays } = await countReplays(() =>
        first.fit(x, y, {
          epochs: 3,
          batchSize: 4,
          verbose: 0,
          callbacks: [callbacks.modelCheckpoint({ filepath: ckpt })],
        }),
      );
      assert.ok(replays > 0);
      setSeed(12345);
      const { model: resumed, initialEpoch } = await resumeFromCheckpoint(ckpt);
      assert.equal(initialEpoch, 3);
      await resumed.fit(x, y, { epochs: 5, batchSize: 4, verbose: 0, initialEpoch });
      assert.deepEqual(
        resumed.getWeights().map((w) => Array.from(w.dataSync())),
        straight.getWeights().map((w) => Array.from(w.dataSync())),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('replays trainOnBatch, and a step with a bad token id fails as the ordinary step does', async () => {
    const c = CASES[3];
    const m = c.build();
    m.compile({ ...c.compile(), jitCompile: true });
    const ordinary = c.build();
    ordinary.setWeights(m.getWeights());
    ordinary.compile({ ...c.compile(), jitCompile: false });
    const x = c.x() as Tensor,
      y = c.y() as Tensor;
    const { result: losses, replays } = await countReplays(async () => {
      const out: number[] = [];
      for (let i = 0; i < 5; i++) out.push((await m.trainOnBatch(x, y)) as number);
      return out;
    });
    const expected: number[] = [];
    for (let i = 0; i < 5; i++) expected.push((await ordinary.trainOnBatch(x, y)) as number);
    assert.ok(replays >= 2, `${replays} replays`);
    assert.deepEqual(losses, expected);
    const bad = tensor(
      ids(11 * 5, 10, 9).map((v, i) => (i === 17 ? 99 : v)),
      [11, 5],
    );
    const message =
      /Embedding '.*': token id 99 \(at flat position 17 of input shape \[11, 5\]\) is outside the vocabulary/;
    const failed = await countReplays(() => assert.rejects(m.trainOnBatch(bad, y), message));
    assert.equal(failed.replays, 1, 'the check ran inside the replay');
    await assert.rejects(ordinary.trainOnBatch(bad, y), message);
    // Nothing was updated by the failed step: both go on alike.
    assert.deepEqual(await m.trainOnBatch(x, y), await ordinary.trainOnBatch(x, y));
  });

  it(
    'keeps memory flat over replayed steps on the wasm backend',
    onBackend('wasm', async () => {
      const c = CASES[4];
      const m = c.build();
      m.compile({ ...c.compile(), jitCompile: true });
      const x = c.x() as Tensor,
        y = c.y() as Tensor;
      for (let i = 0; i < 4; i++) await m.trainOnBatch(x, y);
      const before = memory();
      for (let i = 0; i < 20; i++) await m.trainOnBatch(x, y);
      const after = memory();
      assert.equal(after.numTensors, before.numTensors);
      assert.equal(after.numBytes, before.numBytes);
    }),
  );
});

/** A layer that adds `make()` to its input: the test's way to run odd host code inside a step. */
class HostCode extends Layer {
  static override readonly className = 'HostCode';
  constructor(private readonly make: (x: Tensor) => Tensor) {
    super({});
  }
  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    return add(x, this.make(x));
  }
}

describe('steps that cannot be replayed run op by op, and jitCompile: true names why', () => {
  const withHostCode = (make: (x: Tensor) => Tensor, jitCompile: boolean | 'auto') => {
    setSeed(4);
    const m = sequential({
      layers: [layers.dense({ units: 3, inputShape: [2] }), new HostCode(make) as never, layers.dense({ units: 1 })],
    });
    m.compile({ optimizer: 'adam', loss: 'mse', jitCompile });
    return m;
  };
  const x = tensor(values(10 * 2, 5), [10, 2]),
    y = tensor(values(10, 6), [10, 1]);

  const cases: { name: string; make: () => (x: Tensor) => Tensor; why: RegExp }[] = [
    {
      name: 'a step that reads values back',
      make: () => (t) => tensor(t.dataSync()[0] > 0 ? 1 : 0),
      why: /cannot be captured: it reads tensor values back during the step \(backend 'read'\), so what it does may depend on them/,
    },
    {
      name: 'a step that draws random numbers outside random tensors',
      make: () => () => tensor(globalRng.uniform() < 2 ? 0 : 1),
      why: /it draws random numbers outside random tensors/,
    },
    {
      name: 'a step that uploads other host values each time',
      make: () => {
        let calls = 0;
        return () => tensor(++calls * 1e-3);
      },
      why: /uploads host values that change from step to step/,
    },
    {
      name: 'a step whose kernels differ from one step to the next',
      make: () => {
        let calls = 0;
        return (t) => (++calls % 2 ? mul(t, 0) : mul(mul(t, 0), 1));
      },
      why: /backend calls in one step and \d+ in the next/,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const auto = withHostCode(c.make(), 'auto');
      const ordinary = withHostCode(c.make(), false);
      setSeed(9);
      const { result: h, replays } = await countReplays(() => auto.fit(x, y, { epochs: 3, batchSize: 5, verbose: 0 }));
      assert.equal(replays, 0);
      setSeed(9);
      const expected = await ordinary.fit(x, y, { epochs: 3, batchSize: 5, verbose: 0 });
      assert.deepEqual(h.history.loss, expected.history.loss);
      await assert.rejects(withHostCode(c.make(), true).fit(x, y, { epochs: 3, batchSize: 5, verbose: 0 }), c.why);
    });
  }

  it('jitCompile: false never captures, and a small Dense model still takes the fused step', async () => {
    const off = withHostCode(() => tensor(0), false);
    assert.equal((await countReplays(() => off.fit(x, y, { epochs: 3, batchSize: 5, verbose: 0 }))).replays, 0);
    const small = sequential({ layers: [layers.dense({ units: 2, inputShape: [2] }), layers.dense({ units: 1 })] });
    small.compile({ optimizer: 'adam', loss: 'mse' });
    let fused = 0;
    const original = FusedDenseStep.prototype.trainBatch;
    FusedDenseStep.prototype.trainBatch = function (...args) {
      fused++;
      return original.apply(this, args);
    };
    try {
      const { replays } = await countReplays(() => small.fit(x, y, { epochs: 2, batchSize: 5, verbose: 0 }));
      assert.equal(replays, 0);
      assert.equal(fused, 4);
    } finally {
      FusedDenseStep.prototype.trainBatch = original;
    }
  });
});
