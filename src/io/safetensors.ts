import type { DType, TypedArray } from '../core/dtype.js';
import { fmtShape } from '../core/errors.js';
import { checkOptions, optionKeys } from '../core/options.js';
import type { Tensor } from '../core/tensor.js';
import { tensor } from '../ops/convert.js';
import { checkFormat, FileFormatError } from './format_error.js';
import { ByteBudget } from './load_limits.js';
import { isJsonObject, parseJsonSafely } from './safe_json.js';

/** A named tensor, in the order it is written. */
export interface NamedTensor {
  name: string;
  tensor: Tensor;
}

/** What `decodeSafetensors` returns: tensors in file order and the string metadata. */
export interface DecodedSafetensors {
  tensors: NamedTensor[];
  metadata: Record<string, string>;
}

/** Limits applied before anything is allocated. */
export interface SafetensorsLimits {
  /** Largest JSON header accepted (the format's own limit is 100 MB). */
  maxHeaderBytes?: number;
  maxRank?: number;
  maxTensors?: number;
  /** The most bytes of tensors decoded (see LoadOptions; the default always fits the file's own tensors). */
  maxBytes?: number;
}

/** Bytes per element of every safetensors dtype Myelin reads, and the dtype it becomes. */
const READ_DTYPES: Record<string, { bytes: number; dtype: DType }> = {
  F64: { bytes: 8, dtype: 'float64' },
  F32: { bytes: 4, dtype: 'float32' },
  F16: { bytes: 2, dtype: 'float32' },
  BF16: { bytes: 2, dtype: 'float32' },
  I64: { bytes: 8, dtype: 'int32' },
  I32: { bytes: 4, dtype: 'int32' },
  I16: { bytes: 2, dtype: 'int32' },
  I8: { bytes: 1, dtype: 'int32' },
  U8: { bytes: 1, dtype: 'int32' },
  BOOL: { bytes: 1, dtype: 'bool' },
};
const WRITE_DTYPES: Record<DType, string> = { float64: 'F64', float32: 'F32', int32: 'I32', bool: 'BOOL' };

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Encodes tensors in the safetensors format: an 8-byte little-endian header length, a JSON
 * header `{name: {dtype, shape, data_offsets}, __metadata__}` padded with spaces to a multiple
 * of 8, then the raw little-endian data of every tensor, back to back in the given order.
 *
 * @example
 * const bytes = encodeSafetensors([{ name: 'w', tensor: ones([2, 3]) }], { step: '10' });
 */
export function encodeSafetensors(tensors: readonly NamedTensor[], metadata: Record<string, string> = {}): Uint8Array {
  requireLittleEndian();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const { name, tensor: t } of tensors) {
    if (name === '__metadata__' || name in header)
      throw new FileFormatError(`encodeSafetensors: tensor name '${name}' is reserved or used twice`);
    const values = t.dataSync();
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    header[name] = {
      dtype: WRITE_DTYPES[t.dtype],
      shape: [...t.shape],
      data_offsets: [offset, offset + bytes.byteLength],
    };
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((json.length + 8) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  // Non-ASCII names change the byte length: pad again on bytes.
  const pad = (8 - ((headerBytes.byteLength + 8) % 8)) % 8;
  const out = new Uint8Array(8 + headerBytes.byteLength + pad + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.byteLength + pad), true);
  out.set(headerBytes, 8);
  out.fill(0x20, 8 + headerBytes.byteLength, 8 + headerBytes.byteLength + pad);
  let at = 8 + headerBytes.byteLength + pad;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

interface Entry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Decodes a safetensors buffer. Everything is checked before any tensor is allocated: the
 * header length against the buffer, the JSON (size and depth), every dtype, shape and offset
 * pair, that each tensor's byte count matches its shape, and that the tensors tile the data
 * area exactly (no overlap, no gap, nothing past the end). A bad file throws FileFormatError.
 *
 * @example const { tensors, metadata } = decodeSafetensors(bytes);
 */
export function decodeSafetensors(
  bytes: Uint8Array,
  limits: SafetensorsLimits = {},
  what = 'safetensors',
  caller = 'decodeSafetensors',
): DecodedSafetensors {
  checkOptions(
    caller,
    limits,
    optionKeys<SafetensorsLimits>({ maxHeaderBytes: true, maxRank: true, maxTensors: true, maxBytes: true }),
  );
  requireLittleEndian();
  const maxHeader = limits.maxHeaderBytes ?? 100_000_000;
  const maxRank = limits.maxRank ?? 16;
  const maxTensors = limits.maxTensors ?? 1_000_000;
  checkFormat(bytes instanceof Uint8Array, () => `${what}: expected a Uint8Array, got ${typeof bytes}`);
  checkFormat(
    bytes.byteLength >= 8,
    () => `${what}: the file is ${bytes.byteLength} bytes, shorter than the 8-byte header length`,
  );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = view.getBigUint64(0, true);
  checkFormat(
    headerLen <= BigInt(Math.min(maxHeader, bytes.byteLength - 8)),
    () => `${what}: the header claims ${headerLen} bytes but ${bytes.byteLength - 8} bytes follow (limit ${maxHeader})`,
  );
  const hLen = Number(headerLen);
  checkFormat(hLen >= 2, () => `${what}: the header is ${hLen} bytes; expected a JSON object`);
  const header = parseJsonSafely(bytes.subarray(8, 8 + hLen), `${what} header`, { maxDepth: 8, maxBytes: maxHeader });
  checkFormat(isJsonObject(header), () => `${what}: the header must be a JSON object`);
  const bodyStart = 8 + hLen;
  const bodyLen = bytes.byteLength - bodyStart;

  const metadata = readMetadata(header.__metadata__, what);
  const entries: Entry[] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    checkFormat(entries.length < maxTensors, () => `${what}: more than ${maxTensors} tensors`);
    entries.push(readEntry(name, raw, bodyLen, maxRank, what));
  }
  const byOffset = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const e of byOffset) {
    checkFormat(e.begin === expected, () =>
      e.begin < expected
        ? `${what}: tensor '${e.name}' (bytes ${e.begin}-${e.end}) overlaps the previous tensor, which ends at ${expected}`
        : `${what}: bytes ${expected}-${e.begin} before tensor '${e.name}' belong to no tensor`,
    );
    expected = e.end;
  }
  checkFormat(
    expected === bodyLen,
    () =>
      `${what}: the tensors cover ${expected} bytes of data but the file has ${bodyLen} (truncated or trailing bytes)`,
  );

  const budget = ByteBudget.for(bytes.byteLength, { maxBytes: limits.maxBytes }, caller);
  for (const e of byOffset) {
    const { bytes: itemBytes, dtype } = READ_DTYPES[e.dtype];
    const outBytes = dtype === 'bool' ? 1 : dtype === 'float64' ? 8 : 4;
    budget.take(((e.end - e.begin) / itemBytes) * outBytes, `${what}: tensor '${e.name}'`);
  }
  const tensors = byOffset.map((e) => ({
    name: e.name,
    tensor: materialize(e, bytes.subarray(bodyStart + e.begin, bodyStart + e.end), what),
  }));
  return { tensors, metadata };
}

function readMetadata(raw: unknown, what: string): Record<string, string> {
  if (raw === undefined) return {};
  checkFormat(isJsonObject(raw), () => `${what}: __metadata__ must be an object of strings`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    checkFormat(typeof v === 'string', () => `${what}: __metadata__['${k}'] must be a string, got ${typeof v}`);
    out[k] = v;
  }
  return out;
}

function readEntry(name: string, raw: unknown, bodyLen: number, maxRank: number, what: string): Entry {
  const where = `${what}: tensor '${name}'`;
  checkFormat(isJsonObject(raw), () => `${where}: expected {dtype, shape, data_offsets}`);
  const { dtype, shape, data_offsets: offsets } = raw;
  checkFormat(
    typeof dtype === 'string' && dtype in READ_DTYPES,
    () => `${where}: unsupported dtype ${JSON.stringify(dtype)}; supported: ${Object.keys(READ_DTYPES).join(', ')}`,
  );
  checkFormat(
    Array.isArray(shape) && shape.length <= maxRank && shape.every((d) => Number.isSafeInteger(d) && d >= 0),
    () => `${where}: shape must be a list of at most ${maxRank} non-negative integers, got ${JSON.stringify(shape)}`,
  );
  checkFormat(
    Array.isArray(offsets) && offsets.length === 2 && offsets.every((o) => Number.isSafeInteger(o) && o >= 0),
    () => `${where}: data_offsets must be [begin, end] non-negative integers, got ${JSON.stringify(offsets)}`,
  );
  const [begin, end] = offsets as number[];
  checkFormat(
    begin <= end && end <= bodyLen,
    () => `${where}: data_offsets [${begin}, ${end}] are outside the ${bodyLen} bytes of data`,
  );
  // The element count is bounded by the data actually present, so a huge shape fails here.
  const itemBytes = READ_DTYPES[dtype].bytes;
  let count = 1;
  for (const d of shape as number[]) {
    count *= d;
    checkFormat(
      count * itemBytes <= bodyLen || count === 0,
      () => `${where}: shape ${fmtShape(shape as number[])} needs more bytes than the file's ${bodyLen} bytes of data`,
    );
  }
  checkFormat(
    count * itemBytes === end - begin,
    () =>
      `${where}: shape ${fmtShape(shape as number[])} of ${dtype} needs ${count * itemBytes} bytes but data_offsets span ${end - begin}`,
  );
  return { name, dtype, shape: shape as number[], begin, end };
}

function materialize(e: Entry, raw: Uint8Array, what: string): Tensor {
  const { dtype } = READ_DTYPES[e.dtype];
  const copy = raw.slice(); // aligned, owned copy
  const buf = copy.buffer;
  let values: TypedArray;
  switch (e.dtype) {
    case 'F64':
      values = new Float64Array(buf);
      break;
    case 'F32':
      values = new Float32Array(buf);
      break;
    case 'I32':
      values = new Int32Array(buf);
      break;
    case 'BOOL':
      values = copy;
      break;
    case 'F16':
      values = Float32Array.from(new Uint16Array(buf), halfToFloat);
      break;
    case 'BF16':
      values = Float32Array.from(new Uint16Array(buf), (h) => bf16ToFloat(h));
      break;
    case 'I16':
      values = Int32Array.from(new Int16Array(buf));
      break;
    case 'I8':
      values = Int32Array.from(new Int8Array(buf));
      break;
    case 'U8':
      values = Int32Array.from(copy);
      break;
    case 'I64': {
      const big = new BigInt64Array(buf);
      values = new Int32Array(big.length);
      for (let i = 0; i < big.length; i++) {
        checkFormat(
          big[i] >= -2147483648n && big[i] <= 2147483647n,
          () => `${what}: tensor '${e.name}' holds the I64 value ${big[i]}, outside the int32 range Myelin uses`,
        );
        values[i] = Number(big[i]);
      }
      break;
    }
    default:
      throw new FileFormatError(`${what}: tensor '${e.name}': unsupported dtype ${e.dtype}`);
  }
  return tensor(values, e.shape, dtype);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function bf16ToFloat(h: number): number {
  u32[0] = h << 16;
  return f32[0];
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function requireLittleEndian(): void {
  if (!LITTLE_ENDIAN)
    throw new FileFormatError(
      'safetensors: this platform is big-endian; Myelin reads and writes little-endian data only',
    );
}
