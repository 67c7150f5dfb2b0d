import { MyelinError } from '../core/errors.js';
import { UsageError, parseCommandLine } from './args.js';
import { runBoston } from './boston.js';
import { helpText } from './help.js';

/** Where the command writes: standard output and standard error by default. */
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const consoleIo: CliIo = { out: (line) => console.log(line), err: (line) => console.error(line) };

/**
 * Runs `myelin` with the given arguments and returns the process exit status: 0 on success,
 * 1 when the run fails, 2 for a usage mistake (unknown command or option, bad value).
 * @example process.exitCode = await runCli(process.argv.slice(2));
 */
export async function runCli(argv: readonly string[], io: CliIo = consoleIo): Promise<number> {
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
