import { Inflate } from 'fflate';

/** The read operation of emscripten's in-memory file system (where HDF5's reads end up). */
export interface StreamOps {
  read: (stream: unknown, buffer: unknown, offset: number, length: number, position: number) => number;
}

/** The parts of emscripten's file system this module uses. */
export interface MemoryFs {
  lookupPath?: (path: string) => { node: { stream_ops?: StreamOps } };
  ErrnoError?: new (errno: number) => Error;
}

/** What HDF5 has read from one in-memory file, and the check applied to each read. */
export interface FileReads {
  /** Bytes read from the file so far. */
  bytes: number;
  /**
   * While a compressed dataset is read: the size of one of its chunks. A read that is a zlib
   * stream inflating to more than this is refused before HDF5 inflates it (HDF5 grows its
   * buffer to whatever a chunk inflates to, in a heap that never shrinks). 0 when not checking.
   */
  inflateLimit: number;
  /** Why the last refused read was refused (null when none was). */
  refusal: string | null;
}

/** emscripten's EIO: HDF5 sees a failed read and unwinds cleanly. */
const EIO = 29;
/** Compressed input is fed in pieces this big, so one step's output stays small. */
const FEED_BYTES = 4096;

/**
 * Wraps the read operation of the in-memory file `name` to count the bytes HDF5 reads from it
 * (how many stored bytes a block really came from) and to refuse compressed chunks that would
 * inflate past `inflateLimit`. Null where the file system does not allow it.
 *
 * @example const reads = watchReads(module.FS, '/model.h5'); // before H5Fopen
 */
export function watchReads(fs: MemoryFs, name: string): FileReads | null {
  const node = fs.lookupPath?.(name).node;
  const ops = node?.stream_ops;
  if (!node || typeof ops?.read !== 'function' || !fs.ErrnoError) return null;
  const ErrnoError = fs.ErrnoError;
  const reads: FileReads = { bytes: 0, inflateLimit: 0, refusal: null };
  node.stream_ops = {
    ...ops,
    read: (stream, buffer, offset, length, position) => {
      const n = ops.read(stream, buffer, offset, length, position);
      reads.bytes += n;
      if (reads.inflateLimit > 0 && n > 2 && ArrayBuffer.isView(buffer)) {
        const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset + offset, n);
        if (zlibInflatesBeyond(bytes, reads.inflateLimit)) {
          reads.refusal = `a stored chunk of ${n} bytes inflates to more than the ${reads.inflateLimit} bytes of a chunk`;
          throw new ErrnoError(EIO);
        }
      }
      return n;
    },
  };
  return reads;
}

/**
 * Whether `bytes` start a zlib stream (what HDF5's deflate filter stores) that inflates to more
 * than `limit` bytes. Inflated as a stream and counted, never held; anything that is not a zlib
 * stream, or is a broken one, is left for HDF5 to judge.
 */
function zlibInflatesBeyond(bytes: Uint8Array, limit: number): boolean {
  const [cmf, flg] = bytes;
  if ((cmf & 0x0f) !== 8 || cmf >> 4 > 7 || ((cmf << 8) | flg) % 31 !== 0 || flg & 0x20) return false;
  let produced = 0;
  const over = new Error('over');
  const inflater = new Inflate((chunk) => {
    produced += chunk.byteLength;
    if (produced > limit) throw over;
  });
  try {
    for (let p = 2; p < bytes.byteLength && produced <= limit; p += FEED_BYTES)
      inflater.push(bytes.subarray(p, p + FEED_BYTES), p + FEED_BYTES >= bytes.byteLength);
  } catch (e) {
    return e === over;
  }
  return produced > limit;
}
