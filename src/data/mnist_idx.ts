import { ValueError } from '../core/errors.js';

/** A decoded IDX file: its dimensions and its unsigned bytes. */
export interface IdxArray {
  shape: number[];
  data: Uint8Array;
}

/**
 * Decodes an IDX file (LeCun's MNIST format: big-endian magic 0x0000 0x08 <rank>, one int32
 * per dimension, then unsigned bytes). Only the unsigned-byte type used by MNIST is accepted.
 * @example readIdx(readFileSync('t10k-labels-idx1-ubyte')).shape // [10000]
 */
export function readIdx(bytes: Uint8Array, source = 'IDX data'): IdxArray {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 || view.getUint16(0) !== 0)
    throw new ValueError(`readIdx: ${source} does not start with an IDX magic number`);
  const type = bytes[2],
    rank = bytes[3];
  if (type !== 0x08)
    throw new ValueError(
      `readIdx: ${source} holds element type 0x${type.toString(16)}; only unsigned bytes (0x08) are supported`,
    );
  const header = 4 + 4 * rank;
  if (bytes.length < header) throw new ValueError(`readIdx: ${source} is truncated inside its header`);
  const shape = Array.from({ length: rank }, (_, i) => view.getInt32(4 + 4 * i));
  const size = shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== header + size)
    throw new ValueError(
      `readIdx: ${source} should hold ${size} values for shape [${shape.join(', ')}] but has ${bytes.length - header} bytes after its header`,
    );
  return { shape, data: bytes.subarray(header) };
}
