import assert from 'node:assert/strict';
import fs, { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  Callback,
  callbacks,
  layers,
  sequential,
  setSeed,
  tensor,
  ValueError,
  WriteError,
  type Logs,
  type Tensor,
} from '../../src/index.js';

function data(n = 32): { x: Tensor; y: Tensor } {
  const xs: number[][] = [],
    ys: number[][] = [];
  for (let i = 0; i < n; i++) {
    const a = (i / n) * 2 - 1;
    xs.push([a]);
    ys.push([3 * a + 0.5]);
  }
  return { x: tensor(xs), y: tensor(ys) };
}

function regressor(lr = 0.1) {
  const m = sequential({ layers: [layers.dense({ units: 1, inputShape: [1] })] });
  m.compile({ optimizer: 'sgd', loss: 'mse' });
  m.optimizer!.learningRate = lr;
  return m;
}

describe('callbacks', () => {
  it('calls custom hooks in Keras order with logs', async () => {
    const events: string[] = [];
    const { x, y } = data(8);
    await regressor().fit(x, y, {
      epochs: 2,
      batchSize: 4,
      verbose: 0,
      callbacks: {
        onTrainBegin: () => {
          events.push('trainBegin');
        },
        onEpochBegin: (e) => {
          events.push(`epochBegin ${e}`);
        },
        onBatchEnd: (b, logs) => {
          events.push(`batchEnd ${b} ${typeof logs?.loss}`);
        },
        onEpochEnd: (e, logs) => {
          events.push(`epochEnd ${e} ${typeof logs?.loss}`);
        },
        onTrainEnd: () => {
          events.push('trainEnd');
        },
      },
    });
    assert.deepEqual(events, [
      'trainBegin',
      'epochBegin 0',
      'batchEnd 0 number',
      'batchEnd 1 number',
      'epochEnd 0 number',
      'epochBegin 1',
      'batchEnd 0 number',
      'batchEnd 1 number',
      'epochEnd 1 number',
      'trainEnd',
    ]);
  });

  it('a Callback subclass can stop training', async () => {
    class StopAfterOne extends Callback {
      override async onEpochEnd(): Promise<void> {
        this.model.stopTraining = true;
      }
    }
    const { x, y } = data();
    const h = await regressor().fit(x, y, { epochs: 10, verbose: 0, callbacks: [new StopAfterOne()] });
    assert.equal(h.epoch.length, 1);
  });

  it('earlyStopping stops after `patience` epochs without improvement and restores the best weights', async () => {
    setSeed(1);
    const m = regressor(0.1);
    const { x, y } = data();
    // A monitor that is best at epoch 1, then worse: fake it through a callback that rewrites logs.
    const fake = [5, 1, 2, 3, 4, 5, 6, 7];
    let bestWeights: number[] = [];
    const rewrite = {
      onEpochEnd: (e: number, logs?: Logs) => {
        logs!.val_loss = fake[e];
        if (e === 1) bestWeights = m.getWeights().flatMap((w: Tensor) => Array.from(w.dataSync()));
      },
    };
    const es = callbacks.earlyStopping({ monitor: 'val_loss', patience: 2, restoreBestWeights: true });
    const h = await m.fit(x, y, { epochs: 8, verbose: 0, callbacks: [rewrite, es] });
    assert.equal(h.epoch.length, 4); // epochs 0..3: no improvement at 2 and 3
    assert.deepEqual(
      m.getWeights().flatMap((w: Tensor) => Array.from(w.dataSync())),
      bestWeights,
    );
  });

  it('earlyStopping names the missing monitored quantity', async () => {
    const { x, y } = data(8);
    await assert.rejects(
      regressor().fit(x, y, { epochs: 2, verbose: 0, callbacks: [callbacks.earlyStopping()] }),
      /'val_loss' is not in the logs; available: loss/,
    );
  });

  it('reduceLROnPlateau multiplies the learning rate by factor after patience', async () => {
    const m = regressor(0.1);
    const { x, y } = data(8);
    const flat = {
      onEpochEnd: (_e: number, logs?: Logs) => {
        logs!.loss = 1;
      },
    };
    await m.fit(x, y, {
      epochs: 4,
      verbose: 0,
      callbacks: [flat, callbacks.reduceLROnPlateau({ monitor: 'loss', factor: 0.5, patience: 1 })],
    });
    // Epoch 0 sets the best; epochs 1, 2, 3 do not improve: three halvings.
    assert.ok(Math.abs(m.optimizer!.learningRate - 0.1 * 0.5 ** 3) < 1e-12, `lr ${m.optimizer!.learningRate}`);
  });

  it('learningRateScheduler sets the rate each epoch', async () => {
    const m = regressor(0.1);
    const seen: number[] = [];
    const { x, y } = data(8);
    await m.fit(x, y, {
      epochs: 3,
      verbose: 0,
      callbacks: [
        callbacks.learningRateScheduler((epoch) => 0.01 * (epoch + 1)),
        {
          onEpochEnd: () => {
            seen.push(m.optimizer!.learningRate);
          },
        },
      ],
    });
    assert.deepEqual(
      seen.map((v) => Number(v.toFixed(6))),
      [0.01, 0.02, 0.03],
    );
  });

  it('csvLogger writes a header and a row per epoch', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'myelin-')), 'log.csv');
    const { x, y } = data(8);
    await regressor().fit(x, y, {
      epochs: 3,
      verbose: 0,
      validationSplit: 0.25,
      callbacks: [callbacks.csvLogger({ filename: file })],
    });
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'epoch,loss,val_loss');
    assert.equal(lines.length, 4);
    assert.match(lines[3], /^2,[\d.e-]+,[\d.e-]+$/);
  });

  it('csvLogger on a full disk: a WriteError naming the file, and no half-written row left behind', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'myelin-')), 'log.csv');
    const { x, y } = data(8);
    const original = fs.appendFileSync;
    let appends = 0;
    // The third append (epoch 2) writes half its bytes, then fails as a full disk does.
    fs.appendFileSync = ((path: string, text: string) => {
      if (++appends < 3) return original(path, text);
      original(path, text.slice(0, text.length >> 1));
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    }) as typeof fs.appendFileSync;
    syncBuiltinESMExports();
    try {
      await assert.rejects(
        regressor().fit(x, y, { epochs: 3, verbose: 0, callbacks: [callbacks.csvLogger({ filename: file })] }),
        (e: Error) =>
          e instanceof WriteError &&
          e.message.startsWith(`csvLogger: cannot write '${file}' (`) &&
          e.message.endsWith('): ENOSPC: no space left on device, write'),
      );
    } finally {
      fs.appendFileSync = original;
      syncBuiltinESMExports();
    }
    const lines = readFileSync(file, 'utf8').split('\n');
    assert.deepEqual(lines.length, 4, 'the header, the rows of epochs 0 and 1, and nothing after the last newline');
    assert.equal(lines[0], 'epoch,loss');
    assert.match(lines[2], /^1,[\d.e-]+$/);
    assert.equal(lines[3], '');
    // A real full device, where there is one.
    if (existsSync('/dev/full'))
      await assert.rejects(
        regressor().fit(x, y, { verbose: 0, callbacks: [callbacks.csvLogger({ filename: '/dev/full' })] }),
        /WriteError: csvLogger: cannot write '\/dev\/full' \(\d+ bytes\): ENOSPC/,
      );
  });

  it('csvLogger refuses an empty filename before training', () => {
    for (const filename of ['', '  ', undefined])
      assert.throws(
        () => callbacks.csvLogger({ filename } as never),
        (e: Error) => e instanceof ValueError && /csvLogger: 'filename' must be a non-empty string/.test(e.message),
      );
  });

  it('terminateOnNaN ends a diverging run quietly', async () => {
    const m = regressor(1e8);
    const { x, y } = data(32);
    const h = await m.fit(x, y.mul(1e6), {
      epochs: 30,
      batchSize: 4,
      verbose: 0,
      callbacks: [callbacks.terminateOnNaN()],
    });
    assert.ok(h.epoch.length < 30);
  });
});
