import { checkOptions, optionKeys } from '../core/options.js';
import { ValueError } from '../core/errors.js';
import { requireNode } from '../core/platform.js';
import { WriteError } from '../io/atomic_write.js';
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
 * epoch. A row that cannot be written (a full disk) is taken back off the file, so the file
 * never ends in half a row, and the WriteError names the file. Node only.
 * @example callbacks: [csvLogger({ filename: 'training.csv' })]
 */
export class CsvLogger extends Callback {
  private keys: string[] | null = null;
  private writeHeader = true;

  constructor(readonly args: CsvLoggerArgs) {
    checkOptions('csvLogger', args, optionKeys<CsvLoggerArgs>({ filename: true, separator: true, append: true }));
    super();
    if (!args || typeof args.filename !== 'string' || args.filename.trim() === '')
      throw new ValueError(`csvLogger: 'filename' must be a non-empty string, got ${JSON.stringify(args?.filename)}`);
  }

  override async onTrainBegin(): Promise<void> {
    this.keys = null;
    const { filename, append } = this.args;
    const { existsSync, statSync, writeFileSync } = fs();
    this.writeHeader = !(append && existsSync(filename) && statSync(filename).size > 0);
    if (!append) this.write(() => writeFileSync(filename, ''), 0);
  }

  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    const sep = this.args.separator ?? ',';
    let text = '';
    if (this.keys === null) {
      this.keys = Object.keys(logs).sort();
      if (this.writeHeader) text += ['epoch', ...this.keys].join(sep) + '\n';
    }
    const row = [String(epoch), ...this.keys.map((k) => (logs[k] === undefined ? '' : String(logs[k])))];
    text += row.join(sep) + '\n';
    this.append(text);
  }

  /** Appends `text` whole or not at all: a failed append is cut back to the rows before it. */
  private append(text: string): void {
    const { filename } = this.args;
    const { appendFileSync, statSync, truncateSync } = fs();
    let before = 0;
    try {
      before = statSync(filename).size;
    } catch {
      // No file yet (removed since the run began): appending creates it.
    }
    this.write(
      () => appendFileSync(filename, text),
      Buffer.byteLength(text),
      () => truncateSync(filename, before),
    );
  }

  private write(write: () => void, bytes: number, undo?: () => void): void {
    try {
      write();
    } catch (e) {
      try {
        undo?.();
      } catch {
        // The file may be gone or read-only; the error below says what failed.
      }
      const reason = e instanceof Error ? e.message : String(e);
      throw new WriteError(`csvLogger: cannot write '${this.args.filename}' (${bytes} bytes): ${reason}`, e);
    }
  }

  getConfig(): CsvLoggerArgs {
    return { ...this.args };
  }
}

export function csvLogger(args: CsvLoggerArgs): CsvLogger {
  return new CsvLogger(args);
}
