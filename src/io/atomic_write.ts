/**
 * Writes `data` to `path` atomically: into a temporary file in the same directory, flushed to
 * disk, then renamed over `path` (and the directory entry flushed). A process killed at any
 * moment leaves either the old complete file or the new complete file, never a torn one; at
 * worst a stray `.tmp-` file remains, which later writes ignore.
 *
 * @example await atomicWriteFile('ckpt/model.safetensors', bytes);
 */
export async function atomicWriteFile(path: string, data: Uint8Array): Promise<void> {
  const fs = await import('node:fs/promises');
  const { dirname, basename, join } = await import('node:path');
  const dir = dirname(path);
  await fs.mkdir(dir, { recursive: true });
  const tmp = join(
    dir,
    `.${basename(path)}.tmp-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
  );
  const handle = await fs.open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await syncDirectory(dir);
}

/** Flushes a directory's entries so a rename survives a power cut (a no-op where unsupported). */
async function syncDirectory(dir: string): Promise<void> {
  const fs = await import('node:fs/promises');
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
