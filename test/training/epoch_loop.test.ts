import type { CompileArgs } from '../../src/training/types.js';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  callbacks,
  type LayersModel,
  layers,
  loadModel,
  optimizers,
  sequential,
  setSeed,
  tensor,
  type Tensor,
  TrainingError,
} from '../../src/index.js';
import { lcg } from '../helpers/random.js';
import { FusedDenseStep } from '../../src/training/fused/dense_step.js';
import { yieldToEventLoop } from '../../src/training/yield.js';

/** n rows of 2 features and a linear target y = 2 x0 - 3 x1 + 1. */
function rows(n: number, seed = 3): { x: number[][]; y: number[][] } {
  const rand = lcg(seed);
  const x = Array.from({ length: n }, () => [rand(), rand()]);
  return { x, y: x.map(([a, b]) => [2 * a - 3 * b + 1]) };
}

function regressor(jitCompile: boolean | 'auto' = 'auto', optimizer: CompileArgs['optimizer'] = 'adam'): LayersModel {
  setSeed(5);
  const m = sequential({
    layers: [layers.dense({ units: 4, activation: 'relu', inputShape: [2] }), layers.dense({ units: 1 })],
  });
  m.compile({ optimizer, loss: 'mse', metrics: ['mae'], jitCompile });
  return m;
}

/** Counts fused steps while `fn` runs. */
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

function* batchesOf(x: number[][], y: number[][], size: number, w?: number[]) {
  for (let i = 0; i < x.length; i += size) {
    const batch = { xs: tensor(x.slice(i, i + size)), ys: tensor(y.slice(i, i + size)) };
    yield w ? { ...batch, sampleWeight: w.slice(i, i + size) } : batch;
  }
}

const allFinite = (m: LayersModel) => m.getWeights().every((w) => w.dataSync().every(Number.isFinite));

describe('one epoch loop under fit and fitDataset', () => {
  for (const jit of [true, false]) {
    it(`fitDataset over the same batches trains exactly as fit without shuffling (${jit ? 'fused' : 'op by op'})`, async () => {
      const { x, y } = rows(40);
      const a = regressor(jit);
      const b = regressor(jit);
      const ha = await a.fit(tensor(x), tensor(y), { epochs: 3, batchSize: 8, shuffle: false, verbose: 0 });
      const { result: hb, steps } = await countFused(() =>
        b.fitDataset({ [Symbol.iterator]: () => batchesOf(x, y, 8) }, { epochs: 3, verbose: 0 }),
      );
      assert.equal(steps, jit ? 15 : 0, 'fused steps on the dataset');
      for (const key of ['loss', 'mae']) {
        ha.history[key].forEach((v, i) => assert.ok(Math.abs(v - hb.history[key][i]) < 1e-6, `${key} ${i}`));
      }
    });
  }

  it('a dataset batch larger than the one the fused step was planned on runs op by op', async () => {
    const { x, y } = rows(32);
    const sizes = [8, 8, 16];
    function* uneven() {
      let at = 0;
      for (const n of sizes) {
        yield { xs: tensor(x.slice(at, at + n)), ys: tensor(y.slice(at, at + n)) };
        at += n;
      }
    }
    const fused = regressor(true);
    const eager = regressor(false);
    const { result: hf, steps } = await countFused(() =>
      fused.fitDataset({ [Symbol.iterator]: uneven }, { epochs: 2, verbose: 0 }),
    );
    const he = await eager.fitDataset({ [Symbol.iterator]: uneven }, { epochs: 2, verbose: 0 });
    assert.equal(steps, 4, 'two fused batches an epoch, the large one op by op');
    assert.equal(fused.optimizer!.iterations, 6);
    he.history.loss.forEach((v, i) => assert.ok(Math.abs(v - hf.history.loss[i]) < 1e-6, `loss ${i}`));
  });

  it('fitDataset takes class weights and per-batch sample weights, as fit does', async () => {
    const { x, y } = rows(24);
    const w = x.map((_, i) => 1 + (i % 3));
    const a = regressor(false);
    const b = regressor(false);
    const ha = await a.fit(tensor(x), tensor(y), { batchSize: 8, shuffle: false, sampleWeight: w, verbose: 0 });
    const hb = await b.fitDataset({ [Symbol.iterator]: () => batchesOf(x, y, 8, w) }, { verbose: 0 });
    assert.ok(Math.abs(ha.history.loss[0] - hb.history.loss[0]) < 1e-6);

    setSeed(1);
    const c = sequential({ layers: [layers.dense({ units: 2, activation: 'softmax', inputShape: [2] })] });
    c.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const labels = x.map((r) => [r[0] > 0 ? 1 : 0]);
    const plain = (await c.evaluateDataset([{ xs: tensor(x), ys: tensor(labels) }])) as Tensor;
    const h = await c.fitDataset([{ xs: tensor(x), ys: tensor(labels) }], { classWeight: { 0: 0, 1: 0 }, verbose: 0 });
    assert.equal(h.history.loss[0], 0, 'zero class weights give a zero loss');
    assert.ok(plain.item() > 0);
  });

  it('validates on arrays with sample weights in fitDataset, and on a dataset', async () => {
    const { x, y } = rows(16);
    const m = regressor(false);
    const h = await m.fitDataset([{ xs: tensor(x), ys: tensor(y) }], {
      epochs: 2,
      validationData: [tensor(x), tensor(y), x.map(() => 0)],
      verbose: 0,
    });
    assert.deepEqual(h.history.val_loss, [0, 0]);
    const h2 = await m.fitDataset([{ xs: tensor(x), ys: tensor(y) }], {
      validationData: [{ xs: tensor(x), ys: tensor(y) }],
      verbose: 0,
    });
    assert.ok(h2.history.val_loss[0] > 0);
  });
});

describe('one fit at a time', () => {
  it('refuses a second fit, fitDataset or trainOnBatch while one runs, and allows the next after it', async () => {
    const { x, y } = rows(64);
    const m = regressor('auto');
    const first = m.fit(tensor(x), tensor(y), { epochs: 2, batchSize: 8, verbose: 0 });
    const busy = /fit: model '.*' is already training \(a fit call is in progress\); await it/;
    await assert.rejects(m.fit(tensor(x), tensor(y), { epochs: 1, verbose: 0 }), busy);
    await assert.rejects(
      m.fitDataset([{ xs: tensor(x), ys: tensor(y) }], { verbose: 0 }),
      /fitDataset: .*already training/,
    );
    await assert.rejects(m.trainOnBatch(tensor(x), tensor(y)), /trainOnBatch: .*already training/);
    await first;
    // Only the first fit trained: 2 epochs of 8 batches.
    assert.equal(m.optimizer!.iterations, 16);
    await m.fit(tensor(x), tensor(y), { epochs: 1, batchSize: 8, verbose: 0 });
    assert.equal(m.optimizer!.iterations, 24);
  });

  it('releases the model after a fit that failed', async () => {
    const m = regressor();
    await assert.rejects(m.fit(tensor([[1, 2]]), tensor([[1], [2]]), { verbose: 0 }), /samples/);
    const { x, y } = rows(8);
    await m.fit(tensor(x), tensor(y), { verbose: 0 });
  });

  it('predict and evaluate during a fused fit see the weights of the batches trained so far', async () => {
    const { x, y } = rows(256);
    const m = regressor(true);
    const probe = tensor([[0.5, -0.25]]);
    const seen: { iterations: number; predicted: number; evaluated: number }[] = [];
    let done = false;
    const poll = async () => {
      while (!done) {
        await yieldToEventLoop();
        seen.push({
          iterations: m.optimizer!.iterations,
          predicted: (m.predict(probe) as Tensor).item(),
          evaluated: (m.evaluate(probe, tensor([[0]])) as Tensor[])[0].item(),
        });
      }
    };
    const polling = poll();
    // One epoch of 64 batches, yielding after each: the poller runs between batches.
    await m.fit(tensor(x), tensor(y), { epochs: 1, batchSize: 4, yieldEvery: 'batch', verbose: 0 });
    done = true;
    await polling;
    const within = seen.filter((s) => s.iterations > 0 && s.iterations < 64);
    assert.ok(within.length > 10, `polled within the epoch ${within.length} times`);
    // The predictions move during the epoch (not stale until its end), and evaluate agrees with predict.
    assert.ok(new Set(within.map((s) => s.predicted)).size > 5);
    for (const s of within) assert.ok(Math.abs(s.evaluated - s.predicted ** 2) < 1e-4);
  });
});

describe('yielding to the event loop', () => {
  it('a timer ends fitDataset on an endless dataset by setting stopTraining', { timeout: 30_000 }, async () => {
    const m = regressor();
    const { x, y } = rows(8);
    const batch = { xs: tensor(x), ys: tensor(y) };
    const endless = {
      *[Symbol.iterator]() {
        for (;;) yield batch;
      },
    };
    let fired = 0;
    const timer = setTimeout(() => {
      fired = performance.now();
      m.stopTraining = true;
    }, 50);
    await m.fitDataset(endless, { verbose: 0 });
    clearTimeout(timer);
    assert.ok(fired > 0, 'the timer ran during the epoch');
  });

  it('works without setImmediate (browsers): MessageChannel, else setTimeout', async () => {
    const g = globalThis as { setImmediate?: unknown; MessageChannel?: unknown };
    const { setImmediate, MessageChannel } = g;
    try {
      g.setImmediate = undefined;
      const order: string[] = [];
      setTimeout(() => order.push('timer'), 0);
      await new Promise((r) => setTimeout(r, 5)); // the timer is due
      await yieldToEventLoop();
      order.push('after yield');
      assert.deepEqual(order, ['timer', 'after yield']);
      const m = regressor();
      const { x, y } = rows(32);
      await m.fit(tensor(x), tensor(y), { epochs: 2, batchSize: 4, yieldEvery: 'batch', verbose: 0 });
      await m.fitDataset([{ xs: tensor(x), ys: tensor(y) }], { yieldEvery: 'batch', verbose: 0 });
      g.MessageChannel = undefined;
      await yieldToEventLoop();
      await m.fit(tensor(x), tensor(y), { batchSize: 4, yieldEvery: 'batch', verbose: 0 });
    } finally {
      g.setImmediate = setImmediate;
      g.MessageChannel = MessageChannel;
    }
  });

  it('rejects a bad yieldEvery', async () => {
    const m = regressor();
    const { x, y } = rows(8);
    await assert.rejects(
      m.fit(tensor(x), tensor(y), { yieldEvery: 'often' as never, verbose: 0 }),
      /fit: 'yieldEvery' must be 'auto', 'batch', 'epoch', 'never' or a number of milliseconds, got "often"/,
    );
  });
});

describe('divergence keeps the last finite weights', () => {
  for (const jit of [true, false]) {
    const path = jit ? 'fused' : 'op by op';
    it(`SGD at learning rate 1e10 stops with finite weights (${path})`, async () => {
      const { x, y } = rows(64);
      const m = regressor(jit, optimizers.sgd({ learningRate: 1e10 }));
      await assert.rejects(m.fit(tensor(x), tensor(y), { epochs: 5, batchSize: 8, verbose: 0 }), (e: unknown) => {
        assert.ok(e instanceof TrainingError);
        assert.match(
          e.message,
          /fit: (the update at epoch \d+, batch \d+ made weight '.*' NaN or infinite \(the loss was [-\d.e+]+\)|the loss became .* at epoch \d+, batch \d+); training stopped with the weights from before that batch \(the last finite ones; no checkpoint is saved with non-finite weights\)/,
        );
        return true;
      });
      assert.ok(allFinite(m), 'every weight finite');
      const slots = m.optimizer!.getWeights().map((w) => w.tensor.dataSync());
      assert.ok(
        slots.every((v) => v.every(Number.isFinite)),
        'optimizer state finite',
      );
    });

    it(`terminateOnNaN with modelCheckpoint keeps a finite checkpoint (${path})`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'myelin-diverge-'));
      try {
        const { x, y } = rows(64);
        const m = regressor(jit, optimizers.sgd({ learningRate: 1e10 }));
        const file = join(dir, 'last.safetensors');
        const log = console.log;
        console.log = () => {};
        try {
          await m.fit(tensor(x), tensor(y), {
            epochs: 5,
            batchSize: 8,
            verbose: 0,
            callbacks: [callbacks.terminateOnNaN(), callbacks.modelCheckpoint({ filepath: file })],
          });
        } finally {
          console.log = log;
        }
        assert.ok(allFinite(m));
        assert.ok(allFinite(await loadModel(file)), 'the checkpoint holds finite weights');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }

  // An update of 2e38 overflows float32 within a step or two whatever the optimizer's rule.
  const FUSED = ['sgd', 'adam', 'rmsprop', 'adagrad'];
  const ALL = [...FUSED, 'adadelta', 'adamax', 'nadam', 'adamw'];
  for (const [jit, names] of [
    [true, FUSED],
    [false, ALL],
  ] as const) {
    it(`every optimizer keeps finite weights when its updates overflow, in fit and fitDataset (${jit ? 'fused' : 'op by op'})`, async () => {
      const { x, y } = rows(64);
      for (const name of names) {
        for (const entry of ['fit', 'fitDataset']) {
          const make = (optimizers as unknown as Record<string, (a: object) => CompileArgs['optimizer']>)[name];
          const m = regressor(jit, make({ learningRate: 2e38 }));
          const run =
            entry === 'fit'
              ? m.fit(tensor(x), tensor(y), { epochs: 3, batchSize: 8, verbose: 0 })
              : m.fitDataset([...batchesOf(x, y, 8)], { epochs: 3, verbose: 0 });
          const stopped = await run.then(
            () => false,
            (e: unknown) => {
              assert.ok(e instanceof TrainingError, `${name} ${entry}: ${e}`);
              return true;
            },
          );
          assert.ok(allFinite(m), `${name} ${entry}: every weight finite`);
          // A stopped run put the optimizer state back to before the diverging batch.
          if (stopped)
            for (const w of m.optimizer!.getWeights())
              assert.ok(w.tensor.dataSync().every(Number.isFinite), `${name} ${entry}: ${w.name} finite`);
        }
      }
    });
  }

  it('modelCheckpoint refuses to write non-finite weights, saying so', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'myelin-ckpt-'));
    try {
      const m = regressor();
      const [k, ...rest] = m.getWeights();
      m.setWeights([
        tensor(
          k.dataSync().map(() => Number.POSITIVE_INFINITY),
          k.shape,
        ),
        ...rest,
      ]);
      const ckpt = callbacks.modelCheckpoint({ filepath: join(dir, 'c.safetensors') });
      ckpt.setModel(m);
      await assert.rejects(
        ckpt.onEpochEnd(0, { loss: 1 }),
        /modelCheckpoint: not saving to '.*c\.safetensors': weight '.*kernel' holds NaN or infinite values; checkpoints are never written with non-finite weights, so the previous one is kept/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('clear messages for bad weights and data', () => {
  it('names a NaN sample weight and a NaN class weight (not the learning rate)', async () => {
    const { x, y } = rows(4);
    const m = regressor();
    await assert.rejects(
      m.fit(tensor(x), tensor(y), { sampleWeight: [1, 1, Number.NaN, 1], verbose: 0 }),
      /fit: 'sampleWeight' is NaN at sample 2; every sample weight must be a finite number/,
    );
    const labels = tensor([[0], [1], [1], [0]]);
    setSeed(1);
    const c = sequential({ layers: [layers.dense({ units: 2, activation: 'softmax', inputShape: [2] })] });
    c.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    await assert.rejects(
      c.fit(tensor(x), labels, { classWeight: { 0: 1, 1: Number.NaN }, verbose: 0 }),
      /fit: 'classWeight' for class 1 is NaN; class weights must be finite numbers/,
    );
    assert.equal(c.optimizer!.iterations, 0);
  });

  it('checks validation sample weights before training', async () => {
    const { x, y } = rows(8);
    const m = regressor();
    await assert.rejects(
      m.fit(tensor(x), tensor(y), { validationData: [tensor(x), tensor(y), [1, 2, 3]], verbose: 0 }),
      /fit \(validationData\): 'validationData\[2\]' must have shape \[8\] \(one weight per sample\), got \[3\]/,
    );
    assert.equal(m.optimizer!.iterations, 0, 'no training happened');
  });

  it('takes nested arrays as the data of a one-input model, and a plain-array sampleWeight', async () => {
    const { x, y } = rows(8);
    const a = regressor(false);
    const b = regressor(false);
    const w = [1, 2, 1, 2, 1, 2, 1, 2];
    const ha = await a.fit(x, y, { shuffle: false, sampleWeight: w, verbose: 0 });
    const hb = await b.fit(tensor(x), tensor(y), { shuffle: false, sampleWeight: tensor(w), verbose: 0 });
    assert.equal(ha.history.loss[0], hb.history.loss[0]);
    const e = a.evaluate(x, y, { sampleWeight: w }) as Tensor[];
    assert.ok(Number.isFinite(e[0].item()));
    await assert.rejects(
      a.fit(tensor(x), tensor(y), { sampleWeight: 'heavy' as never, verbose: 0 }),
      /fit: 'sampleWeight' must be a tensor or an array of numbers \(one weight per sample\), got string/,
    );
  });
});
