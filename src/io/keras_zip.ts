import { unzipSync } from 'fflate';
import { checkFormat, FileFormatError } from './format_error.js';

/** The members of a Keras 3 `.keras` archive that Myelin reads. */
export interface KerasArchive {
  config: Uint8Array;
  metadata?: Uint8Array;
  weights: Uint8Array;
}

const WANTED = new Set(['config.json', 'metadata.json', 'model.weights.h5']);
const MAX_ENTRIES = 4096;
/** Deflate expands at most ~1032:1; a member claiming more than that is lying. */
const MAX_RATIO = 1032;
const MAX_MEMBER_BYTES = 2 ** 31 - 1;

/**
 * Unpacks a `.keras` archive (a zip holding `config.json`, `metadata.json` and
 * `model.weights.h5`). The end-of-directory record is checked before unzipping, and each
 * member's claimed size against its compressed size and a cap, so a hostile archive cannot
 * make the reader loop over billions of entries or allocate a zip bomb.
 *
 * @example const { config, weights } = readKerasArchive(bytes, 'model.keras');
 */
export function readKerasArchive(bytes: Uint8Array, what: string): KerasArchive {
  checkDirectory(bytes, what);
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        if (!WANTED.has(f.name)) return false;
        if (
          f.originalSize > MAX_MEMBER_BYTES ||
          (f.compression !== 0 && f.originalSize > f.size * MAX_RATIO + 1024) ||
          (f.compression === 0 && f.originalSize !== f.size)
        ) {
          throw new FileFormatError(
            `${what}: member '${f.name}' claims ${f.originalSize} bytes from ${f.size} stored bytes; the archive is corrupt`,
          );
        }
        return true;
      },
    });
  } catch (e) {
    if (e instanceof FileFormatError) throw e;
    throw new FileFormatError(`${what}: not a readable zip archive (${e instanceof Error ? e.message : String(e)})`);
  }
  for (const name of ['config.json', 'model.weights.h5']) {
    checkFormat(
      files[name] instanceof Uint8Array,
      () =>
        `${what}: the archive has no '${name}'; a Keras 3 .keras file holds config.json, metadata.json and model.weights.h5 (weights saved as .npz are not supported)`,
    );
  }
  return { config: files['config.json'], metadata: files['metadata.json'], weights: files['model.weights.h5'] };
}

/** Checks the end-of-central-directory record (and its zip64 form) that the unzipper trusts. */
function checkDirectory(bytes: Uint8Array, what: string): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.byteLength;
  let end = -1;
  for (let i = n - 22; i >= 0 && i >= n - 22 - 65535; i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      end = i;
      break;
    }
  }
  checkFormat(end >= 0, () => `${what}: not a zip archive (no end-of-directory record)`);
  let entries = view.getUint16(end + 10, true);
  let offset = view.getUint32(end + 16, true);
  if (end >= 20 && view.getUint32(end - 20, true) === 0x07064b50) {
    const z = Number(view.getBigUint64(end - 12, true));
    checkFormat(
      z >= 0 && z + 56 <= n && view.getUint32(z, true) === 0x06064b50,
      () => `${what}: the zip64 directory record is out of range`,
    );
    entries = Number(view.getBigUint64(z + 32, true));
    offset = Number(view.getBigUint64(z + 48, true));
  }
  checkFormat(
    entries <= MAX_ENTRIES,
    () => `${what}: the archive claims ${entries} members; a .keras file has a handful`,
  );
  checkFormat(offset < n && offset + entries * 46 <= n, () => `${what}: the zip directory lies outside the file`);
}
