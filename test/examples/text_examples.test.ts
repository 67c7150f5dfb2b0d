import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { runCli } from '../../src/cli/run.js';

/** The sequence examples (and MNIST's, whose first argument is likewise the epochs) with tiny settings, on the wasm backend (the reference one is too slow for them). */
const EXAMPLES: [name: string, args: string[], expected: RegExp][] = [
  ['timeseries', ['2'], /^validation MSE: LSTM \d+\.\d+, naive last-value forecast/m],
  ['sentiment', ['1'], /^held-out accuracy: LSTM \d+\.\d%, bag-of-words logistic regression \d+\.\d%/m],
  ['mnist', ['1', 'mlp', '1000'], /^Test accuracy: \d+\.\d+%\nConfusion matrix/m],
  ['shakespeare', ['1', '2'], /^epoch 1: validation loss \d\.\d+ nats\/char\nROMEO:\n/m],
  [
    'gpt',
    ['3', '/tmp/myelin-example-attention.html'],
    /^step 3: train loss \d\.\d+, validation loss \d\.\d+ nats\/char\nROMEO:\n[\s\S]*attention maps written/m,
  ],
];

describe('sequence examples', () => {
  for (const [name, args, expected] of EXAMPLES) {
    it(`${name} runs and exits 0`, () => {
      const script = fileURLToPath(new URL(`../../examples/${name}.js`, import.meta.url));
      const run = spawnSync(process.execPath, [script, ...args], {
        encoding: 'utf8',
        timeout: 600_000, // a hang guard: these train for real, minutes on a busy machine
        env: { ...process.env, MYELIN_BACKEND: 'wasm' },
      });
      assert.equal(run.status, 0, `${name} exited ${run.status}:\n${run.stderr}`);
      assert.match(run.stdout, expected);
    });
  }
});

describe('myelin shakespeare / sentiment options', () => {
  const capture = () => {
    const io = {
      lines: [] as string[],
      errors: [] as string[],
      out: (l: string) => io.lines.push(l),
      err: (l: string) => io.errors.push(l),
    };
    return io;
  };
  it('print their options with --help', async () => {
    const io = capture();
    assert.equal(await runCli(['shakespeare', '--help'], io), 0);
    assert.match(io.lines.join('\n'), /--temperature 0\.7/);
  });
  it('reject bad values with status 2, naming the option', async () => {
    const io = capture();
    assert.equal(await runCli(['sentiment', '--cell', 'rnn'], io), 2);
    assert.match(io.errors[0], /option --cell expects one of lstm, gru, got 'rnn'/);
    assert.equal(await runCli(['shakespeare', '--temperature', 'hot'], io), 2);
    assert.match(io.errors[2], /option --temperature expects a non-negative number, got 'hot'/);
    assert.equal(await runCli(['shakespeare', '--epochs', '-1'], io), 2);
    assert.match(io.errors[4], /^myelin shakespeare: option --epochs expects a positive integer, got '-1'$/);
    assert.equal(await runCli(['sentiment', '--epoch', '2'], io), 2);
    assert.match(io.errors[6], /Unknown option '--epoch'\. Did you mean '--epochs'\?$/);
    assert.equal(await runCli(['sentiment', '--units', '2.5'], io), 2);
    assert.match(io.errors[8], /option --units expects a positive integer, got '2\.5'/);
  });
});
