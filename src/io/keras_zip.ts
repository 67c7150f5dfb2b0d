import { Inflate } from 'fflate';
import { checkFormat, FileFormatError } from './format_error.js';
import { ByteBudget } from './load_limits.js';

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
/** Compressed input is fed to the inflater in pieces this big, so one step's output stays small. */
const FEED_BYTES = 4096;

/** One member, as the central directory describes it. */
interface Member {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/**
 * Unpacks a `.keras` archive (a zip holding `config.json`, `metadata.json` and
 * `model.weights.h5`). The directory is checked before anything is unpacked; each wanted
 * member's declared size is charged to `budget` (so a zip bomb is refused before it expands),
 * and a deflated member is inflated as a stream that stops the moment it produces more than it
 * declared. Stored members are views of `bytes`, not copies.
 *
 * @example const { config, weights } = readKerasArchive(bytes, 'model.keras');
 */
export function readKerasArchive(
  bytes: Uint8Array,
  what: string,
  budget = ByteBudget.for(bytes.byteLength, undefined, 'loadKerasModel'),
): KerasArchive {
  const files: Record<string, Uint8Array> = {};
  for (const member of readDirectory(bytes, what)) {
    if (!WANTED.has(member.name)) continue;
    checkFormat(!(member.name in files), () => `${what}: the archive has two members named '${member.name}'`);
    files[member.name] = extract(bytes, member, what, budget);
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

/** The central directory's entries, after checking the end-of-directory record (and its zip64 form). */
function readDirectory(bytes: Uint8Array, what: string): Member[] {
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
  const members: Member[] = [];
  let at = offset;
  for (let i = 0; i < entries; i++) {
    checkFormat(
      at + 46 <= n && view.getUint32(at, true) === 0x02014b50,
      () => `${what}: zip directory entry ${i} is corrupt`,
    );
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const next = at + 46 + nameLength + extraLength + view.getUint16(at + 32, true);
    checkFormat(next <= n, () => `${what}: zip directory entry ${i} runs past the end of the file`);
    const member: Member = {
      name: new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength)),
      flags: view.getUint16(at + 8, true),
      method: view.getUint16(at + 10, true),
      compressedSize: view.getUint32(at + 20, true),
      size: view.getUint32(at + 24, true),
      localOffset: view.getUint32(at + 42, true),
    };
    readZip64Sizes(view, at + 46 + nameLength, extraLength, member);
    members.push(member);
    at = next;
  }
  return members;
}

/** Sizes and offsets of 0xFFFFFFFF are in the zip64 extra field, in this order. */
function readZip64Sizes(view: DataView, start: number, length: number, m: Member): void {
  const FULL = 0xffffffff;
  if (m.size !== FULL && m.compressedSize !== FULL && m.localOffset !== FULL) return;
  for (let p = start; p + 4 <= start + length; ) {
    const id = view.getUint16(p, true);
    const size = view.getUint16(p + 2, true);
    if (id === 0x0001) {
      let q = p + 4;
      const next = (): number => {
        const v = q + 8 <= p + 4 + size ? Number(view.getBigUint64(q, true)) : Number.NaN;
        q += 8;
        return v;
      };
      if (m.size === FULL) m.size = next();
      if (m.compressedSize === FULL) m.compressedSize = next();
      if (m.localOffset === FULL) m.localOffset = next();
      return;
    }
    p += 4 + size;
  }
}

/** The member's bytes: a view when stored, a bounded streaming inflate when deflated. */
function extract(bytes: Uint8Array, m: Member, what: string, budget: ByteBudget): Uint8Array {
  const where = `${what}: member '${m.name}'`;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  checkFormat((m.flags & 1) === 0, () => `${where} is encrypted`);
  checkFormat(
    Number.isSafeInteger(m.size) && Number.isSafeInteger(m.compressedSize) && Number.isSafeInteger(m.localOffset),
    () => `${where}: its zip64 sizes are missing`,
  );
  checkFormat(
    m.localOffset + 30 <= bytes.byteLength && view.getUint32(m.localOffset, true) === 0x04034b50,
    () => `${where}: its local header is missing or corrupt`,
  );
  const start =
    m.localOffset + 30 + view.getUint16(m.localOffset + 26, true) + view.getUint16(m.localOffset + 28, true);
  checkFormat(
    start + m.compressedSize <= bytes.byteLength,
    () => `${where}: its ${m.compressedSize} stored bytes run past the end of the file`,
  );
  const data = bytes.subarray(start, start + m.compressedSize);
  if (m.method === 0) {
    checkFormat(
      m.size === m.compressedSize,
      () => `${where} is stored uncompressed but claims ${m.size} bytes from ${m.compressedSize}`,
    );
    return data;
  }
  checkFormat(
    m.method === 8,
    () => `${where} uses compression method ${m.method}; only stored and deflated members are read`,
  );
  checkFormat(
    m.size <= m.compressedSize * MAX_RATIO + 1024,
    () => `${where} claims ${m.size} bytes from ${m.compressedSize} stored bytes; the archive is corrupt`,
  );
  budget.take(m.size, where);
  return inflateBounded(data, m.size, where);
}

/** Inflates `data`, which must produce exactly `size` bytes; stops as soon as it produces more. */
function inflateBounded(data: Uint8Array, size: number, where: string): Uint8Array {
  const out = new Uint8Array(size);
  let produced = 0;
  let ended = false;
  const inflater = new Inflate((chunk, final) => {
    if (produced + chunk.byteLength > size)
      throw new FileFormatError(`${where} inflates to more than the ${size} bytes it declares; the archive is corrupt`);
    out.set(chunk, produced);
    produced += chunk.byteLength;
    if (final) ended = true;
  });
  try {
    for (let p = 0; p < data.byteLength; p += FEED_BYTES) {
      inflater.push(data.subarray(p, p + FEED_BYTES), p + FEED_BYTES >= data.byteLength);
    }
    if (data.byteLength === 0) inflater.push(data, true);
  } catch (e) {
    if (e instanceof FileFormatError) throw e;
    throw new FileFormatError(`${where}: invalid deflate data (${e instanceof Error ? e.message : String(e)})`);
  }
  checkFormat(
    ended && produced === size,
    () => `${where} inflates to ${produced} bytes but declares ${size}; the archive is corrupt`,
  );
  return out;
}
