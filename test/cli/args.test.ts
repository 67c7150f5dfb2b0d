import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BOSTON_DEFAULTS, UsageError, parseCommandLine } from '../../src/cli/args.js';
import { helpText } from '../../src/cli/help.js';

describe('parseCommandLine', () => {
  it('runs the original Keras example with no arguments', () => {
    assert.deepEqual(parseCommandLine([]), { command: 'boston', options: BOSTON_DEFAULTS });
    assert.deepEqual(parseCommandLine(['boston']), { command: 'boston', options: BOSTON_DEFAULTS });
    assert.deepEqual(BOSTON_DEFAULTS, {
      normalize: false,
      epochs: 10,
      batchSize: 32,
      units: 10,
      learningRate: 0.001,
      validationSplit: 0,
      verbose: 1,
      summary: false,
    });
  });
  it('reads every option', () => {
    const parsed = parseCommandLine([
      'boston',
      '--normalize',
      '--epochs',
      '200',
      '--batch-size=16',
      '--units',
      '64',
      '--learning-rate',
      '0.01',
      '--validation-split',
      '0.2',
      '--seed',
      '7',
      '--verbose',
      '2',
      '--summary',
    ]);
    assert.deepEqual(parsed, {
      command: 'boston',
      options: {
        normalize: true,
        epochs: 200,
        batchSize: 16,
        units: 64,
        learningRate: 0.01,
        validationSplit: 0.2,
        seed: 7,
        verbose: 2,
        summary: true,
      },
    });
  });
  it('gives help for --help, -h and the help command', () => {
    for (const argv of [['--help'], ['-h'], ['help'], ['boston', '--help']])
      assert.deepEqual(parseCommandLine(argv), { command: 'help' });
  });
  it('rejects unknown commands and options, and bad values, naming them', () => {
    const usage = (argv: string[], pattern: RegExp) =>
      assert.throws(
        () => parseCommandLine(argv),
        (e: Error) => e instanceof UsageError && pattern.test(e.message),
      );
    usage(['fly'], /unknown command 'fly'; commands: boston, .*help/);
    usage(['--epoch', '3'], /^Unknown option '--epoch'\. Did you mean '--epochs'\?$/);
    usage(['--epochs', '-1'], /^option --epochs expects a positive integer, got '-1'$/);
    usage(['--learning-rate', '-0.5'], /^option --learning-rate expects a positive number, got '-0.5'$/);
    usage(['--xyzzy'], /^Unknown option '--xyzzy'$/);
    usage(['--epochs'], /^Option '--epochs <value>' argument missing$/);
    usage(['--epochs', '0'], /option --epochs expects a positive integer, got '0'/);
    usage(['--epochs', '2.5'], /--epochs expects a positive integer, got '2.5'/);
    usage(['--learning-rate', 'fast'], /--learning-rate expects a positive number, got 'fast'/);
    usage(['--validation-split', '1'], /--validation-split expects a number in \[0, 1\), got '1'/);
    usage(['--verbose', '3'], /--verbose expects 0, 1 or 2, got '3'/);
    usage(['--seed=-1'], /--seed expects a non-negative integer/);
    usage(['boston', 'extra'], /expected at most one command/);
  });
});

describe('helpText', () => {
  it('documents every command and option', () => {
    const text = helpText();
    for (const word of [
      'boston',
      'help',
      '--normalize',
      '--epochs',
      '--batch-size',
      '--units',
      '--learning-rate',
      '--validation-split',
      '--seed',
      '--verbose',
      '--summary',
      '--plot',
      '--help',
      'Exit status',
    ]) {
      assert.ok(text.includes(word), `help text lacks ${word}`);
    }
  });
});
