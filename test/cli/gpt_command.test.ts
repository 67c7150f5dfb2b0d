import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DOMParser } from '@xmldom/xmldom';
import { UsageError } from '../../src/cli/args.js';
import { runGpt } from '../../src/cli/gpt.js';
import { GPT_PRESETS, parseGptArgs } from '../../src/cli/gpt_options.js';
import { runCli } from '../../src/cli/run.js';

const dir = mkdtempSync(join(tmpdir(), 'myelin-gpt-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('myelin gpt options', () => {
  it('defaults to the baby preset; --preset small and single options override it', () => {
    const baby = parseGptArgs([]);
    assert.ok(baby);
    assert.deepEqual(
      [baby.layers, baby.heads, baby.embedDim, baby.blockSize, baby.batchSize, baby.iterations, baby.dropout],
      [4, 4, 128, 64, 12, 2000, 0],
    );
    assert.deepEqual([baby.learningRate, baby.minLearningRate, baby.warmup], [1e-3, 1e-4, 100]);
    const small = parseGptArgs(['--preset', 'small', '--iterations', '300', '--generate', 'A\\nB']);
    assert.ok(small);
    assert.equal(small.layers, GPT_PRESETS.small.layers);
    assert.equal(small.iterations, 300);
    assert.equal(small.generate, 'A\nB');
    assert.equal(parseGptArgs(['--help']), null);
  });

  it('rejects bad values with a usage error naming the option', () => {
    const bad = (argv: string[], pattern: RegExp) =>
      assert.throws(
        () => parseGptArgs(argv),
        (e: Error) => e instanceof UsageError && pattern.test(e.message),
      );
    bad(['--preset', 'huge'], /--preset expects baby or small, got 'huge'/);
    bad(['--layers', '2.5'], /--layers expects a non-negative integer, got '2.5'/);
    bad(['--embed-dim', '100', '--heads', '3'], /--embed-dim \(100\) must be divisible by --heads \(3\)/);
    bad(['--dropout', '1'], /--dropout expects a number in \[0, 1\)/);
    bad(['--iterations', '50'], /--warmup \(100\) must be less than --iterations \(50\)/);
    bad(['--epochs', '3'], /epochs/);
  });
});

describe('myelin gpt', () => {
  it('trains, saves, loads back to sample and explain', async () => {
    const out = join(dir, 'model');
    const lines: string[] = [];
    const tiny = ['--layers', '1', '--heads', '2', '--embed-dim', '16', '--block-size', '32', '--batch-size', '4'];
    const trainArgs = parseGptArgs([...tiny, '--iterations', '6', '--warmup', '1', '--eval-interval', '3']);
    assert.ok(trainArgs);
    const trained = await runGpt(
      { ...trainArgs, evalWindows: 4, length: 20, seed: 3, verbose: 0, out, log: join(dir, 'curve.csv') },
      { out: (l) => lines.push(l) },
    );
    assert.deepEqual(trained.steps, [3, 6]);
    assert.equal(trained.validationLoss.length, 2);
    assert.ok(trained.finalValidationLoss !== null && trained.finalValidationLoss < Math.log(67) + 0.5);
    // 20 characters (an untrained model may also pick the padding or OOV id, which decode to '' and '[UNK]').
    assert.ok(trained.sample.startsWith('ROMEO:\n') && trained.sample.length > 'ROMEO:\n'.length);
    assert.equal(readFileSync(join(dir, 'curve.csv'), 'utf8').trim().split('\n').length, 3);
    assert.ok(lines.some((l) => /Validation loss over the whole held-out text/.test(l)));

    // Loaded back: the same sample for the same seed, and the attention page.
    const html = join(dir, 'attention.html');
    const streamed: string[] = [];
    const code = await runCli(
      [
        'gpt',
        '--load',
        out,
        '--generate',
        'ROMEO:\\n',
        '--length',
        '20',
        '--seed',
        '3',
        '--explain',
        'To be',
        '--html',
        html,
      ],
      { out: () => {}, err: (l) => assert.fail(l), write: (t) => streamed.push(t) },
    );
    assert.equal(code, 0);
    assert.equal(streamed.join(''), `${trained.sample}\n`);
    const problems: string[] = [];
    new DOMParser({ onError: (level, m) => problems.push(`${level}: ${m}`) }).parseFromString(
      readFileSync(html, 'utf8'),
      'application/xhtml+xml',
    );
    assert.deepEqual(problems, []);
  });

  it('a missing model directory is an error with status 1', async () => {
    const errors: string[] = [];
    const code = await runCli(['gpt', '--load', join(dir, 'nothing')], { out: () => {}, err: (l) => errors.push(l) });
    assert.equal(code, 1);
    assert.match(errors.join('\n'), /nothing/);
  });
});
