import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
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

  it('reports bad options as usage errors', () => {
    assert.throws(() => parseTrainArgs(['--csv', 'x.csv']), UsageError);
    assert.throws(() => parseTrainArgs(['--epochs', '0']), /--epochs expects an integer >= 1/);
    assert.equal(parseTrainArgs(['--help']), null);
  });
});
