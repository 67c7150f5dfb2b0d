import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { runCli } from '../../src/cli/run.js';

/** The sequence examples with tiny settings, on the wasm backend (the reference one is too slow for them). */
const EXAMPLES: [name: string, args: string[], expected: RegExp][] = [
  ['timeseries', ['2'], /^validation MSE: LSTM \d+\.\d+, naive last-value forecast/m],
  ['sentiment', ['1'], /^held-out accuracy: LSTM \d+\.\d%, bag-of-words logistic regression \d+\.\d%/m],
  ['shakespeare', ['2', '1'], /^epoch 1: validation loss \d\.\d+ nats\/char\nROMEO:\n/m],
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
        timeout: 120_000,
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
  });
});
