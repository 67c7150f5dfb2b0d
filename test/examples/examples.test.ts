import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

/** Each example with a small epoch (or step) count, so the whole file runs in seconds. */
const EXAMPLES: [name: string, arg: string, expected: RegExp][] = [
  ['boston', '2', /^Test MAE: \d+\.\d+/m],
  ['custom-training-loop', '300', /^w = 2\.9\d*|^w = 3\.0\d*/m],
  ['xor', '20', /^1 xor 1 -> /m],
  ['linear-regression', '5', /^bias /m],
  ['logistic-regression-iris', '5', /test accuracy \d/],
];

describe('examples', () => {
  for (const [name, arg, expected] of EXAMPLES) {
    it(`${name} runs and exits 0`, () => {
      const script = fileURLToPath(new URL(`../../examples/${name}.js`, import.meta.url));
      const run = spawnSync(process.execPath, [script, arg], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(run.status, 0, `${name} exited ${run.status}:\n${run.stderr}`);
      assert.match(run.stdout, expected);
    });
  }
});
