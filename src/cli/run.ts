import { MyelinError } from '../core/errors.js';
import { UsageError, parseCommandLine } from './args.js';
import { runBoston } from './boston.js';
import { helpText } from './help.js';
import { parseTrainArgs, runTrain, TRAIN_HELP } from './train.js';
import { MNIST_HELP, parseMnistArgs, runMnist } from './mnist.js';
import { runTextCommand } from './text_commands.js';
import { gptHelp, parseGptArgs } from './gpt_options.js';
import { runPlaygroundCommand } from './playground.js';

/** Where the command writes: standard output and standard error by default. */
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Text without a line break (streamed generation); commands print whole lines without it. */
  write?: (text: string) => void;
}

const consoleIo: CliIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  write: (text) => process.stdout.write(text),
};

/**
 * Runs `myelin` with the given arguments and returns the process exit status: 0 on success,
 * 1 when the run fails, 2 for a usage mistake (unknown command or option, bad value).
 * @example process.exitCode = await runCli(process.argv.slice(2));
 */
export async function runCli(argv: readonly string[], io: CliIo = consoleIo): Promise<number> {
  if (argv[0] === 'mnist') return runMnistCommand(argv.slice(1), io);
  if (argv[0] === 'train') return runTrainCommand(argv.slice(1), io);
  if (argv[0] === 'gpt') return runGptCommand(argv.slice(1), io);
  if (argv[0] === 'playground') return runPlaygroundCommand(argv.slice(1), io);
  if (argv[0] === 'shakespeare' || argv[0] === 'sentiment') return runTextCommand(argv[0], argv.slice(1), io);
  let parsed;
  try {
    parsed = parseCommandLine(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`myelin: ${e.message}`);
    io.err(`Run 'myelin --help' for the commands and options.`);
    return 2;
  }
  if (parsed.command === 'help') {
    io.out(helpText());
    return 0;
  }
  try {
    await runBoston(parsed.options, io.out);
    return 0;
  } catch (e) {
    if (!(e instanceof MyelinError)) throw e;
    io.err(`myelin: ${e.name}: ${e.message}`);
    return 1;
  }
}

async function runMnistCommand(argv: readonly string[], io: CliIo): Promise<number> {
  let options;
  try {
    options = parseMnistArgs(argv);
    if (options === null) {
      io.out(`Usage: myelin mnist [options]\n${MNIST_HELP}`);
      return 0;
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`myelin mnist: ${e.message}`);
    io.err(`Run 'myelin --help' for the commands and options.`);
    return 2;
  }
  try {
    await runMnist(options, io.out);
    return 0;
  } catch (e) {
    if (!(e instanceof MyelinError)) throw e;
    io.err(`myelin: ${e.name}: ${e.message}`);
    return 1;
  }
}

/** `myelin train`: training with checkpoints and `--resume` (options in train.ts). */
async function runTrainCommand(argv: readonly string[], io: CliIo): Promise<number> {
  let options;
  try {
    options = parseTrainArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`myelin train: ${e.message}`);
    io.err(`Run 'myelin train --help' for the options.`);
    return 2;
  }
  if (options === null) {
    io.out(TRAIN_HELP);
    return 0;
  }
  try {
    await runTrain(options, io.out);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`myelin train: ${e.message}`);
      return 2;
    }
    if (!(e instanceof MyelinError)) throw e;
    io.err(`myelin train: ${e.name}: ${e.message}`);
    return 1;
  }
}

/** `myelin gpt`: a character-level GPT on Tiny Shakespeare (options in gpt_options.ts). */
async function runGptCommand(argv: readonly string[], io: CliIo): Promise<number> {
  let options;
  try {
    options = parseGptArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`myelin gpt: ${e.message}`);
    io.err(`Run 'myelin gpt --help' for the options.`);
    return 2;
  }
  if (options === null) {
    io.out(gptHelp());
    return 0;
  }
  try {
    const { runGpt } = await import('./gpt.js');
    await runGpt(options, io);
    return 0;
  } catch (e) {
    if (!(e instanceof MyelinError)) throw e;
    io.err(`myelin gpt: ${e.name}: ${e.message}`);
    return 1;
  }
}
