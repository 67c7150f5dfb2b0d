import { checkOptions, optionKeys } from '../core/options.js';
import { requireNode } from '../core/platform.js';
import { Callback, type Logs } from '../training/callback.js';

function fs(): typeof import('node:fs') {
  return requireNode<typeof import('node:fs')>(
    'fs',
    'csvLogger',
    "log the epochs with a callback's onEpochEnd instead",
  );
}

export interface CsvLoggerArgs {
  filename: string;
  separator?: string;
  append?: boolean;
}

/**
 * Writes one CSV row per epoch (epoch, then every logged value in sorted order), as Keras'
 * CSVLogger. Each row is appended as it is produced, so an interrupted run keeps every finished
 * epoch. Node only.
 * @example callbacks: [csvLogger({ filename: 'training.csv' })]
 */
export class CsvLogger extends Callback {
  private keys: string[] | null = null;
  private writeHeader = true;

  constructor(readonly args: CsvLoggerArgs) {
    checkOptions('csvLogger', args, optionKeys<CsvLoggerArgs>({ filename: true, separator: true, append: true }));
    super();
  }

  override async onTrainBegin(): Promise<void> {
    this.keys = null;
    const { filename, append } = this.args;
    const { existsSync, statSync, writeFileSync } = fs();
    this.writeHeader = !(append && existsSync(filename) && statSync(filename).size > 0);
    if (!append) writeFileSync(filename, '');
  }

  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    const sep = this.args.separator ?? ',';
    const { appendFileSync } = fs();
    if (this.keys === null) {
      this.keys = Object.keys(logs).sort();
      if (this.writeHeader) appendFileSync(this.args.filename, ['epoch', ...this.keys].join(sep) + '\n');
    }
    const row = [String(epoch), ...this.keys.map((k) => (logs[k] === undefined ? '' : String(logs[k])))];
    appendFileSync(this.args.filename, row.join(sep) + '\n');
  }

  getConfig(): CsvLoggerArgs {
    return { ...this.args };
  }
}

export function csvLogger(args: CsvLoggerArgs): CsvLogger {
  return new CsvLogger(args);
}
