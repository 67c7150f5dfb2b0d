import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { RELIABLE_BOSTON_ARGS } from '../../src/cli/help.js';

const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const myelin = (...args: string[]) =>
  spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', timeout: 60_000 });

describe('the myelin command', () => {
  it('prints help and exits 0', () => {
    const run = myelin('--help');
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^Usage: myelin \[command\] \[options\]/);
    assert.match(run.stdout, /--normalize/);
    for (const command of ['boston', 'mnist', 'shakespeare', 'sentiment', 'gpt', 'train', 'playground', 'help']) {
      assert.match(run.stdout, new RegExp(`^  ${command} `, 'm'), `help lists '${command}'`);
    }
  });
  it("prints each command's own help", () => {
    for (const command of ['mnist', 'shakespeare', 'sentiment', 'gpt', 'train', 'playground']) {
      const run = myelin(command, '--help');
      assert.equal(run.status, 0, `${command}: ${run.stderr}`);
      assert.match(run.stdout, new RegExp(`myelin ${command}`), command);
    }
  });
  it('rejects an unknown option with status 2 and a hint', () => {
    const run = myelin('boston', '--epoch', '5');
    assert.equal(run.status, 2);
    assert.match(
      run.stderr,
      /^myelin: Unknown option '--epoch'\. Did you mean '--epochs'\?\nRun 'myelin --help' for the commands and options\.\n$/,
    );
    assert.equal(run.stdout, '');
  });
  it('rejects an unknown command with status 2', () => {
    const run = myelin('fly');
    assert.equal(run.status, 2);
    assert.match(
      run.stderr,
      /unknown command 'fly'; commands: boston, mnist, shakespeare, sentiment, gpt, train, playground, help/,
    );
  });
  it(`reaches a test MAE of at most 3.0 with ${RELIABLE_BOSTON_ARGS.join(' ')}`, () => {
    const run = myelin('boston', ...RELIABLE_BOSTON_ARGS, '--seed', '1', '--verbose', '0');
    assert.equal(run.status, 0, run.stderr);
    const mae = Number(/^Test MAE: ([\d.]+)/m.exec(run.stdout)?.[1]);
    const loss = Number(/^Test loss \(MSE\): ([\d.]+)/m.exec(run.stdout)?.[1]);
    assert.ok(Number.isFinite(loss) && loss > 0, `no test loss in:\n${run.stdout}`);
    assert.ok(mae <= 3.0, `test MAE ${mae} > 3.0:\n${run.stdout}`);
  });
});
