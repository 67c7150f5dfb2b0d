import { nodeFs, nodePath } from './node_files.js';
import { MyelinError, ValueError } from '../core/errors.js';

/**
 * A file could not be written (a full disk, no permission, a missing drive). The message names
 * the file Myelin was writing; `cause` is the system's error, whose `code` (`ENOSPC`, `EACCES`)
 * says why.
 *
 * @example try { await model.save('out/m'); } catch (e) { if (e instanceof WriteError) console.error(e.message); }
 */
export class WriteError extends MyelinError {
  override name = 'WriteError';
  constructor(
    message: string,
    override readonly cause: unknown,
  ) {
    super(message);
  }
}

/**
 * Refuses a path that is not a non-empty string: `''` would write into the current directory.
 * @example checkSavePath('out/model', 'saveModel');
 */
export function checkSavePath(path: unknown, who: string, hint = 'give a file path'): asserts path is string {
  if (typeof path !== 'string' || path.trim() === '')
    throw new ValueError(
      `${who}: the path is ${typeof path === 'string' ? `empty (${JSON.stringify(path)})` : `${path === null ? 'null' : typeof path}, not a string`}; ${hint}`,
    );
}

/** Temporary files this process is writing now: never taken for stale ones. */
const writing = new Set<string>();

/**
 * Writes `data` to `path` atomically: into a temporary file in the same directory, flushed to
 * disk, then renamed over `path` (and the directory entry flushed). A process killed at any
 * moment leaves either the old complete file or the new complete file, never a torn one. A
 * failed write (a full disk) removes its temporary file and throws a WriteError naming `path`;
 * a successful one removes the temporaries that earlier writes of `path` left behind (from a
 * process that was killed, or from this one).
 *
 * @example await atomicWriteFile('ckpt/model.safetensors', bytes);
 */
export async function atomicWriteFile(path: string, data: Uint8Array): Promise<void> {
  checkSavePath(path, 'atomicWriteFile');
  const fs = nodeFs('saving to a file');
  const { dirname, basename, join } = nodePath('saving to a file');
  const dir = dirname(path);
  const prefix = `.${basename(path)}.tmp-`;
  const tmp = join(dir, `${prefix}${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`);
  writing.add(tmp);
  try {
    try {
      await fs.mkdir(dir, { recursive: true });
      const handle = await fs.open(tmp, 'w');
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(tmp, path);
    } catch (e) {
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      const reason = e instanceof Error ? e.message : String(e);
      throw new WriteError(`Cannot write '${path}' (${data.byteLength} bytes): ${reason}`, e);
    }
  } finally {
    writing.delete(tmp);
  }
  await syncDirectory(dir);
  await removeStaleTemporaries(dir, prefix);
}

/**
 * Removes `prefix<pid>-...` temporaries whose writer is gone: another process that no longer
 * runs (killed mid-write), or this one when it is not writing that file now.
 */
async function removeStaleTemporaries(dir: string, prefix: string): Promise<void> {
  const fs = nodeFs('saving to a file');
  const { join } = nodePath('saving to a file');
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    const path = join(dir, name);
    if (!Number.isSafeInteger(pid) || writing.has(path)) continue;
    if (pid === process.pid || !processAlive(pid)) await fs.rm(path, { force: true }).catch(() => undefined);
  }
}

/** Whether a process with this id runs (one we may not signal still counts as running). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Flushes a directory's entries so a rename survives a power cut (a no-op where unsupported). */
async function syncDirectory(dir: string): Promise<void> {
  const fs = nodeFs('saving to a file');
  let handle;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // Some platforms (Windows) cannot open or fsync a directory; the rename is still atomic.
  } finally {
    await handle?.close();
  }
}
