import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import '../../src/index.js';
import { parseTrainArgs, runTrain } from '../../src/cli/train.js';
import { UsageError } from '../../src/cli/args.js';

describe('myelin train --resume', () => {
  it('continues from the checkpoint to the same weights as an unbroken run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'myelin-cli-'));
    try {
      const quiet = () => {};
      const args = (ckpt: string, epochs: number, resume = false) =>
        parseTrainArgs([
          '--epochs',
          String(epochs),
          '--checkpoint',
          join(dir, ckpt),
          '--verbose',
          '0',
          ...(resume ? ['--resume'] : []),
        ])!;
      const straight = await runTrain(args('a.safetensors', 4), quiet);
      await runTrain(args('b.safetensors', 2), quiet);
      const lines: string[] = [];
      const resumed = await runTrain(args('b.safetensors', 4, true), (l) => lines.push(l));
      assert.equal(resumed.startEpoch, 2);
      assert.match(lines[0], /Resuming from .*b\.safetensors after epoch 2/);
      assert.deepEqual(
        resumed.model.weights.map((w) => [...w.dataSync()]),
        straight.model.weights.map((w) => [...w.dataSync()]),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses to replace an existing checkpoint without --resume or --overwrite', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'myelin-cli-'));
    try {
      const ckpt = join(dir, 'c.safetensors');
      const args = (...more: string[]) =>
        parseTrainArgs(['--epochs', '1', '--checkpoint', ckpt, '--verbose', '0', ...more])!;
      await runTrain(args(), () => {});
      const before = await readFile(ckpt);
      await assert.rejects(
        runTrain(args(), () => {}),
        (e: Error) =>
          e instanceof UsageError &&
          /^the checkpoint .*c\.safetensors already exists; pass --resume to continue that run, --overwrite to start over/.test(
            e.message,
          ),
      );
      assert.deepEqual(await readFile(ckpt), before, 'the checkpoint is untouched');
      const lines: string[] = [];
      const plot = join(dir, 'curves.svg');
      await runTrain(args('--overwrite', '--seed', '9', '--plot', plot), (l) => lines.push(l));
      assert.notDeepEqual(await readFile(ckpt), before, 'the checkpoint was replaced');
      assert.match(await readFile(plot, 'utf8'), /^<svg [^>]*>.*<polyline /);
      assert.ok(lines.some((l) => l.startsWith('Wrote the training curves to')));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports bad options as usage errors', () => {
    assert.throws(() => parseTrainArgs(['--resume', '--overwrite']), /--resume and --overwrite contradict/);
    assert.throws(() => parseTrainArgs(['--epochs', '-1']), /--epochs expects an integer >= 1, got '-1'/);
    assert.throws(() => parseTrainArgs(['--overwite']), /Unknown option '--overwite'\. Did you mean '--overwrite'\?/);
    assert.throws(() => parseTrainArgs(['--csv', 'x.csv']), UsageError);
    assert.throws(() => parseTrainArgs(['--epochs', '0']), /--epochs expects an integer >= 1/);
    assert.equal(parseTrainArgs(['--help']), null);
  });
});
