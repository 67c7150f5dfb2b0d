import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { layers, sequential, setSeed, tensor } from '../../src/index.js';
import { formatCheckpointPath, modelCheckpoint } from '../../src/callbacks/model_checkpoint.js';
import { loadModel, loadModelWithState } from '../../src/io/model_files.js';

const child = join(dirname(fileURLToPath(import.meta.url)), 'checkpoint_child.js');
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/**
 * Runs the child. With `kill`, the child is killed with SIGKILL once it has reported
 * `kill.afterEpochs` finished epochs, then `kill.within` of one epoch's time later (measured
 * from its own reports): progress, not a wall-clock delay, decides that it is killed, so a
 * busy or an idle machine kills it at the same point of its work.
 */
function runChild(args: string[], kill?: { afterEpochs: number; within: number }): Promise<'finished' | 'killed'> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => {
      err += d;
    });
    let epochs = 0;
    let last = performance.now();
    let timer: NodeJS.Timeout | undefined;
    p.stdout.on('data', (d: Buffer) => {
      for (const _ of String(d).match(/^epoch \d+$/gm) ?? []) {
        epochs++;
        const now = performance.now();
        const epochMs = now - last;
        last = now;
        if (kill && epochs === kill.afterEpochs) timer = setTimeout(() => p.kill('SIGKILL'), epochMs * kill.within);
      }
    });
    p.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve('killed');
      else if (code === 0) resolve('finished');
      else reject(new Error(`child exited with ${code}: ${err}`));
    });
  });
}

describe('modelCheckpoint', () => {
  it('fills Keras placeholders in the file path', () => {
    assert.equal(
      formatCheckpointPath('c/e{epoch:02d}-{val_loss:.2f}.safetensors', 3, { val_loss: 0.12345 }),
      'c/e03-0.12.safetensors',
    );
    assert.throws(() => formatCheckpointPath('{nope}', 1, { loss: 1 }), /'nope', which is not logged/);
  });

  it('saves only on improvement with saveBestOnly, and every N batches with saveFreq', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'myelin-ckpt-'));
    dirs.push(dir);
    setSeed(4);
    const m = sequential({ layers: [layers.dense({ units: 1, inputShape: [1] })] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const x = tensor([[1], [2], [3], [4]]),
      y = tensor([[2], [4], [6], [8]]);
    await m.fit(x, y, {
      epochs: 4,
      batchSize: 2,
      verbose: 0,
      callbacks: [
        modelCheckpoint({ filepath: join(dir, 'best-{epoch}.safetensors'), monitor: 'loss', saveBestOnly: true }),
        modelCheckpoint({ filepath: join(dir, 'batches'), saveFreq: 3 }),
      ],
    });
    const files = (await readdir(dir)).sort();
    assert.deepEqual(
      files.filter((f) => f.startsWith('best')),
      ['best-1.safetensors', 'best-2.safetensors', 'best-3.safetensors', 'best-4.safetensors'],
    );
    const { trainingState } = await loadModelWithState(join(dir, 'batches'));
    // 8 batches in all, saved after batches 3 and 6: the second save is epoch 3, batch 2.
    assert.deepEqual([trainingState?.epoch, trainingState?.batch], [2, 2]);
    assert.throws(() => modelCheckpoint({ filepath: 'x', saveFreq: 0 }), /saveFreq/);
  });

  it('survives kill -9 at random moments: files are never torn and resuming gives the same weights', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'myelin-kill-'));
    dirs.push(dir);
    const epochs = '200';
    assert.equal(await runChild([join(dir, 'ref.safetensors'), join(dir, 'ref.json'), epochs]), 'finished');
    const ckpt = join(dir, 'ckpt.safetensors');
    let kills = 0;
    // Deterministic "random" moments so a failure can be replayed: each run is killed after 2 to
    // 36 more epochs, somewhere within the next one (a checkpoint write included). Five runs
    // cannot reach epoch 200 that way, so every one of them is killed.
    let s = 12345;
    const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 5; i++) {
      const kill = { afterEpochs: 2 + Math.floor(35 * rand()), within: rand() };
      const outcome = await runChild([ckpt, join(dir, 'final.json'), epochs], kill);
      if (outcome === 'killed') kills++;
      if (existsSync(ckpt)) await loadModel(ckpt); // throws if the file were torn
    }
    assert.equal(kills, 5, 'every run was killed before finishing');
    assert.equal(await runChild([ckpt, join(dir, 'final.json'), epochs]), 'finished');
    const ref = JSON.parse(await readFile(join(dir, 'ref.json'), 'utf8'));
    const final = JSON.parse(await readFile(join(dir, 'final.json'), 'utf8'));
    assert.deepEqual(final, ref);
  });
});
