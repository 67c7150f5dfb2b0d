import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type LayersModel,
  type Sequential,
  type Tensor,
  getBackend,
  input,
  layers,
  memory,
  model as functionalModel,
  sequential,
  setBackend,
  setSeed,
  tensor,
} from '../../src/index.js';
import { lcg } from '../helpers/random.js';
import { ReplayProgram } from '../../src/backend/replay.js';

// A replayed predict is checked against the ordinary pass (a twin model compiled with
// jitCompile: false, which never captures), its oracle: same weights, same inputs, bit for bit
// the same outputs, since a replay runs the very kernels the ordinary pass runs.

const values = (n: number, seed: number): number[] => Array.from({ length: n }, lcg(seed));
const ids = (n: number, vocab: number, seed: number): number[] =>
  values(n, seed).map((v) => Math.floor(((v + 1) / 2) * vocab) % vocab);

/** Runs `fn` counting ReplayProgram runs. */
function countReplays<T>(fn: () => T): { result: T; replays: number } {
  const original = ReplayProgram.prototype.run;
  let replays = 0;
  ReplayProgram.prototype.run = function (...args) {
    replays++;
    return original.apply(this, args);
  };
  try {
    return { result: fn(), replays };
  } finally {
    ReplayProgram.prototype.run = original;
  }
}

interface Case {
  name: string;
  build: () => LayersModel;
  /** One input of `rows` samples (several for a model with several inputs). */
  x: (rows: number, seed: number) => Tensor | Tensor[];
}

const CASES: Case[] = [
  {
    name: 'a dense MLP with ReLU and softmax',
    build: () =>
      sequential({
        layers: [
          layers.dense({ units: 9, activation: 'relu', inputShape: [7] }),
          layers.dropout({ rate: 0.5 }),
          layers.dense({ units: 4, activation: 'softmax' }),
        ],
      }),
    x: (rows, seed) => tensor(values(rows * 7, seed), [rows, 7]),
  },
  {
    name: 'convolution, batch normalization and pooling',
    build: () =>
      sequential({
        layers: [
          layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu', inputShape: [6, 6, 2] }),
          layers.batchNormalization(),
          layers.maxPooling2d({ poolSize: 2 }),
          layers.flatten(),
          layers.dense({ units: 3, activation: 'softmax' }),
        ],
      }),
    x: (rows, seed) => tensor(values(rows * 72, seed), [rows, 6, 6, 2]),
  },
  {
    name: 'embedding, LSTM over every step and a dense head',
    build: () =>
      sequential({
        layers: [
          layers.embedding({ inputDim: 10, outputDim: 4, inputLength: 5 }),
          layers.lstm({ units: 6, returnSequences: true }),
          layers.dense({ units: 10, activation: 'softmax' }),
        ],
      }),
    x: (rows, seed) => tensor(ids(rows * 5, 10, seed), [rows, 5]),
  },
  {
    name: 'a functional model with two inputs and two outputs',
    build: () => {
      const a = input({ shape: [4] }),
        b = input({ shape: [3] });
      const h = layers.concatenate().apply([a, b]);
      const t = layers.dense({ units: 5, activation: 'tanh' }).apply(h);
      const y1 = layers.dense({ units: 2 }).apply(t),
        y2 = layers.dense({ units: 1, activation: 'sigmoid' }).apply(t);
      return functionalModel({ inputs: [a, b], outputs: [y1, y2] as never });
    },
    x: (rows, seed) => [tensor(values(rows * 4, seed), [rows, 4]), tensor(values(rows * 3, seed + 1), [rows, 3])],
  },
];

const read = (y: Tensor | Tensor[]): number[][] => (Array.isArray(y) ? y : [y]).map((t) => Array.from(t.dataSync()));

/** The model and its oracle twin (same weights, compiled so that it never captures). */
function twins(c: Case): { model: LayersModel; oracle: LayersModel } {
  setSeed(5);
  const model = c.build();
  const oracle = c.build();
  oracle.setWeights(model.getWeights());
  oracle.compile({ optimizer: 'sgd', loss: 'mse', jitCompile: false });
  return { model, oracle };
}

/** Predicts with both on the same inputs and asserts the same outputs; returns replays made. */
function assertSame(c: Case, model: LayersModel, oracle: LayersModel, rows: number, seed: number, batchSize?: number) {
  const x = c.x(rows, seed);
  const { result, replays } = countReplays(() => read(model.predict(x, { batchSize })));
  assert.deepEqual(result, read(oracle.predict(x, { batchSize })), `${c.name}: ${rows} rows, seed ${seed}`);
  return replays;
}

describe('replayed predict', () => {
  for (const backendName of ['ref', 'wasm']) {
    describe(`on the ${backendName} backend`, () => {
      const withBackend = (fn: () => void) => () => {
        const before = getBackend();
        setBackend(backendName);
        try {
          fn();
        } finally {
          setBackend(before);
        }
      };
      for (const c of CASES) {
        it(
          `${c.name}: replays repeated calls, giving the ordinary outputs bit for bit`,
          withBackend(() => {
            const { model, oracle } = twins(c);
            let replays = 0;
            for (let seed = 1; seed <= 5; seed++) replays += assertSame(c, model, oracle, 3, seed);
            // Two or three calls traced (a first call may set up what later ones reuse), the rest replayed.
            assert.ok(replays >= 2, `${c.name}: ${replays} of 5 calls replayed`);
            // Batches of 3 with a last one of 2: two captured shapes, both replayed in the end.
            replays = 0;
            for (let seed = 6; seed <= 9; seed++) replays += assertSame(c, model, oracle, 8, seed, 3);
            assert.ok(replays > 0);
          }),
        );
      }

      it('uses new weights at once: setWeights and a training step', async () => {
        const before = getBackend();
        setBackend(backendName);
        try {
          for (const c of CASES) {
            const { model, oracle } = twins(c);
            for (let seed = 1; seed <= 3; seed++) assertSame(c, model, oracle, 2, seed);
            setSeed(9);
            const fresh = c.build().getWeights();
            model.setWeights(fresh);
            oracle.setWeights(fresh);
            assert.equal(assertSame(c, model, oracle, 2, 4), 1, `${c.name}: replayed after setWeights`);
            // A training step moves every weight (and batch normalization's statistics).
            const x = c.x(4, 11);
            const y = model.predict(x) as Tensor | Tensor[];
            const target = (Array.isArray(y) ? y : [y]).map((t) => tensor(values(t.size, 12), t.shape));
            const moved = read(model.getWeights());
            model.compile({ optimizer: 'adam', loss: 'mse' });
            await model.trainOnBatch(x, target.length === 1 ? target[0] : target);
            assert.notDeepEqual(read(model.getWeights()), moved);
            oracle.setWeights(model.getWeights());
            assert.equal(assertSame(c, model, oracle, 2, 5), 1, `${c.name}: replayed after a training step`);
          }
        } finally {
          setBackend(before);
        }
      });

      it(
        'runs a layer added to a Sequential model after the capture',
        withBackend(() => {
          const c = CASES[0];
          const { model, oracle } = twins(c);
          for (let seed = 1; seed <= 3; seed++) assertSame(c, model, oracle, 2, seed);
          for (const m of [model, oracle]) (m as Sequential).add(layers.activation({ activation: 'tanh' }));
          for (let seed = 4; seed <= 7; seed++) assertSame(c, model, oracle, 2, seed);
        }),
      );

      it(
        'never replays a stateful LSTM, whose states carry from call to call',
        withBackend(() => {
          const c: Case = {
            name: 'stateful LSTM',
            build: () =>
              sequential({
                layers: [
                  layers.lstm({ units: 3, stateful: true, batchInputShape: [2, 4, 2] } as never),
                  layers.dense({ units: 1 }),
                ],
              }),
            x: (rows, seed) => tensor(values(rows * 8, seed), [rows, 4, 2]),
          };
          const { model, oracle } = twins(c);
          let replays = 0;
          for (let seed = 1; seed <= 6; seed++) replays += assertSame(c, model, oracle, 2, seed);
          assert.equal(replays, 0);
        }),
      );

      it(
        'refuses a bad token id on a replayed call as the ordinary pass does',
        withBackend(() => {
          const c = CASES[2];
          const { model, oracle } = twins(c);
          for (let seed = 1; seed <= 3; seed++) assertSame(c, model, oracle, 2, seed);
          const bad = tensor([1, 2, 3, 4, 10, 0, 1, 2, 3, 4], [2, 5]);
          const message = (m: LayersModel) =>
            `Embedding '${m.layers[0].name}': token id 10 (at flat position 4 of input shape [2, 5]) is outside the vocabulary; expected integers in [0, 10) (inputDim 10)`;
          assert.throws(() => oracle.predict(bad), { message: message(oracle) });
          const { replays } = countReplays(() => assert.throws(() => model.predict(bad), { message: message(model) }));
          assert.equal(replays, 1);
          assertSame(c, model, oracle, 2, 4);
        }),
      );

      it(
        'frees what the captures hold when the model is disposed',
        withBackend(() => {
          // Tensors left after building a model, predicting four times and disposing it: the
          // same with captures as without (jitCompile: false), so the captures hold nothing then.
          const c = CASES[2];
          const x = c.x(2, 1) as Tensor;
          const leftAfter = (capture: boolean) => {
            const before = memory().numTensors;
            const model = c.build();
            if (!capture) model.compile({ optimizer: 'sgd', loss: 'mse', jitCompile: false });
            const { replays } = countReplays(() => {
              for (let i = 0; i < 4; i++) (model.predict(x) as Tensor).dispose();
            });
            assert.equal(replays > 0, capture);
            model.dispose();
            return memory().numTensors - before;
          };
          assert.equal(leftAfter(true), leftAfter(false));
        }),
      );

      it(
        'keeps memory flat over many replayed calls',
        withBackend(() => {
          const c = CASES[1];
          const { model } = twins(c);
          const x = c.x(2, 1);
          for (let i = 0; i < 3; i++) (model.predict(x) as Tensor).dispose();
          const before = memory();
          for (let i = 0; i < 50; i++) (model.predict(x) as Tensor).dispose();
          assert.deepEqual(memory(), before);
        }),
      );
    });
  }
});
