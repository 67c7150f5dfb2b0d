import { nodeFs } from './node_files.js';
import { ValueError } from '../core/errors.js';
import { checkOptions, optionKeys } from '../core/options.js';
import { FileFormatError } from './format_error.js';

/** Options every model and weights loader accepts. */
export interface LoadOptions {
  /**
   * The most bytes loading may create from a file: decoded weights plus decompressed archive
   * members. A file that needs more is refused with a FileFormatError before it is expanded.
   * Default: 16 times the file's own size, and at least 64 MiB, so a plain (uncompressed) file
   * always fits and only compressed content that expands suspiciously far reaches the limit.
   * Raise it to accept a model you trust whose weights compress very well (all zeros).
   */
  maxBytes?: number;
}

/** The keys of LoadOptions. */
export const LOAD_OPTIONS = optionKeys<LoadOptions>({ maxBytes: true });

/**
 * Checks a loader's options: a misspelt key (`maxbytes`) is an error, not a silently ignored
 * limit that leaves the default in force. `extra` lists the loader's own keys.
 * @example checkLoadOptions('loadKerasModel', options, ['compile']);
 */
export function checkLoadOptions(who: string, options: unknown, extra: readonly string[] = []): void {
  checkOptions(who, options, [...LOAD_OPTIONS, ...extra]);
}

const MIB = 2 ** 20;
/** The smallest default limit: any file may expand to this much. */
export const DEFAULT_MIN_BYTES = 64 * MIB;
/** The default limit is this many times the file's size. */
export const DEFAULT_EXPANSION = 16;

/**
 * What one load may allocate, charged as it goes: each charge is checked before the memory is
 * taken, and the error names the option that raises the limit.
 *
 * @example
 * const budget = ByteBudget.for(bytes.byteLength, options, 'loadKerasModel');
 * budget.take(member.size, `${what}: 'config.json'`);
 */
export class ByteBudget {
  private used = 0;

  private constructor(
    readonly limit: number,
    private readonly explicit: boolean,
    private readonly fileBytes: number,
    private readonly caller: string,
  ) {}

  /** The budget for loading a file of `fileBytes` bytes, from the caller's options. */
  static for(fileBytes: number, options: LoadOptions | undefined, caller: string): ByteBudget {
    const maxBytes = options?.maxBytes;
    if (maxBytes !== undefined && !(typeof maxBytes === 'number' && maxBytes >= 0 && !Number.isNaN(maxBytes)))
      throw new ValueError(`${caller}: maxBytes must be a non-negative number of bytes, got ${String(maxBytes)}`);
    const limit = maxBytes ?? Math.max(DEFAULT_MIN_BYTES, DEFAULT_EXPANSION * fileBytes);
    return new ByteBudget(limit, maxBytes !== undefined, fileBytes, caller);
  }

  /** Bytes charged so far. */
  get charged(): number {
    return this.used;
  }

  /** Charges `bytes` for `what`, or throws a FileFormatError naming the limit and `maxBytes`. */
  take(bytes: number, what: string): void {
    if (this.used + bytes > this.limit) {
      const limit = this.explicit
        ? `the maxBytes limit of ${this.limit} bytes`
        : `the default limit of ${this.limit} bytes for a ${this.fileBytes}-byte file (${DEFAULT_EXPANSION} times its size, at least ${DEFAULT_MIN_BYTES})`;
      throw new FileFormatError(
        `${what} needs ${bytes} bytes${this.used ? ` after ${this.used} already loaded` : ''}, more than ${limit}; if you trust the file, pass a larger { maxBytes } to ${this.caller}`,
      );
    }
    this.used += bytes;
  }
}

/**
 * Reads a file (Node). With an explicit `maxBytes`, a larger file is refused before it is read.
 * @example const bytes = await readFileWithin('model.keras', 'loadKerasModel', { maxBytes: 1e9 });
 */
export async function readFileWithin(
  path: string,
  who: string,
  options?: LoadOptions,
  missing = () => `${who}: cannot read '${path}'`,
): Promise<Uint8Array> {
  const fs = nodeFs(who);
  let size: number;
  try {
    size = (await fs.stat(path)).size;
  } catch {
    throw new FileFormatError(missing());
  }
  const maxBytes = options?.maxBytes;
  if (maxBytes !== undefined && size > maxBytes)
    throw new FileFormatError(
      `${who}: '${path}' is ${size} bytes, more than the maxBytes limit of ${maxBytes} bytes; pass a larger { maxBytes } to accept it`,
    );
  try {
    return new Uint8Array(await fs.readFile(path));
  } catch {
    throw new FileFormatError(missing());
  }
}
