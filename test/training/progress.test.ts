import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProgressLogger, formatLogs } from '../../src/training/index.js';

function capture(isTTY: boolean) {
  const chunks: string[] = [];
  return { stream: { isTTY, write: (s: string) => chunks.push(s) }, chunks };
}

describe('progress display', () => {
  it('formats values as Keras: 4 decimals, scientific when tiny', () => {
    assert.equal(formatLogs({ loss: 1.23456, mae: 0.00012345 }), 'loss: 1.2346 - mae: 1.2345e-4');
  });

  it('prints one plain line per epoch when not on a terminal', async () => {
    const { stream, chunks } = capture(false);
    const p = new ProgressLogger(1, stream);
    p.setParams({ epochs: 3, steps: 13, verbose: 1, metrics: ['loss'] });
    await p.onEpochBegin(0);
    for (let b = 0; b < 13; b++) await p.onBatchEnd(b, { loss: 2 });
    await p.onEpochEnd(0, { loss: 1.5, mae: 0.25 });
    assert.equal(chunks.length, 1);
    assert.match(chunks[0], /^Epoch 1\/3 - 13\/13 \d+s \d+(us|ms)\/step - loss: 1\.5000 - mae: 0\.2500\n$/);
  });

  it('redraws a live bar on a terminal and ends the epoch with a newline', async () => {
    const { stream, chunks } = capture(true);
    const p = new ProgressLogger(1, stream);
    p.setParams({ epochs: 10, steps: 4, verbose: 1, metrics: ['loss'] });
    await p.onEpochBegin(2);
    await p.onBatchEnd(0, { loss: 3 });
    await p.onBatchEnd(3, { loss: 2 });
    await p.onEpochEnd(2, { loss: 2, val_loss: 2.5 });
    assert.equal(chunks[0], 'Epoch 3/10\n');
    assert.match(chunks[1], /^\r1\/4 ━{5}─{15} \d+s \d+(us|ms)\/step - loss: 3\.0000\x1b\[K$/);
    assert.match(chunks.at(-1)!, /^\r4\/4 ━{20} \d+s \d+(us|ms)\/step - loss: 2\.0000 - val_loss: 2\.5000\x1b\[K\n$/);
  });
});
