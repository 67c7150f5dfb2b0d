/**
 * Small files built to make a loader allocate far more than they hold: the shapes a hostile
 * user sends. Each is a few hundred kilobytes at most and claims gigabytes. Used by the loader
 * limit tests and as seeds of the fuzzers.
 */
import { unzlibSync, zipSync } from 'fflate';
import { writeH5, type H5WritableGroup } from '../../src/io/keras_h5.js';
import { k3Dense, k3Input, k3Sequential, type Json } from './keras_fixtures.js';

const enc = new TextEncoder();

/** Writes bits LSB-first, as deflate packs header fields; Huffman codes go most significant bit first. */
class BitWriter {
  private pos = 0;
  constructor(readonly bytes: Uint8Array) {}
  bits(value: number, n: number): void {
    for (let i = 0; i < n; i++, this.pos++) if ((value >> i) & 1) this.bytes[this.pos >> 3] |= 1 << (this.pos & 7);
  }
  code(code: number, n: number): void {
    for (let i = n - 1; i >= 0; i--, this.pos++) if ((code >> i) & 1) this.bytes[this.pos >> 3] |= 1 << (this.pos & 7);
  }
  skip(n: number): void {
    this.pos += n;
  }
  get length(): number {
    return (this.pos + 7) >> 3;
  }
}

/**
 * A raw deflate stream of `length` copies of `byte` at deflate's best ratio (about 1032:1): one
 * dynamic block whose length-258 code is one bit and whose one distance code is one bit, so each
 * 258 output bytes cost two zero bits. Building 1 GB of output takes a megabyte and no time.
 */
export function deflateRun(byte: number, length: number): Uint8Array {
  const repeats = Math.floor((length - 1) / 258);
  const rest = (length - 1) % 258;
  const out = new Uint8Array(Math.ceil((400 + 2 * repeats + 2 * rest + 8) / 8));
  const w = new BitWriter(out);
  w.bits(1, 1); // final block
  w.bits(2, 2); // dynamic Huffman codes
  w.bits(29, 5); // 286 literal/length codes
  w.bits(0, 5); // 1 distance code
  w.bits(14, 4); // 18 code-length codes
  // Code-length code: symbols 0, 2, 18 get two bits (00, 01, 10), symbols 1, 17 three (110, 111).
  const clLength: Record<number, number> = { 0: 2, 2: 2, 18: 2, 1: 3, 17: 3 };
  const clCode: Record<number, number> = { 0: 0b00, 2: 0b01, 18: 0b10, 1: 0b110, 17: 0b111 };
  for (const s of [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1]) w.bits(clLength[s] ?? 0, 3);
  // Literal/length lengths: `byte` and end-of-block two bits (10, 11), length 258 (symbol 285) one bit (0);
  // then the one distance code, one bit (0).
  const lengths = new Array<number>(287).fill(0);
  lengths[byte] = 2;
  lengths[256] = 2;
  lengths[285] = 1;
  lengths[286] = 1;
  for (let i = 0; i < lengths.length; ) {
    if (lengths[i] !== 0) {
      w.code(clCode[lengths[i]], clLength[lengths[i]]);
      i++;
      continue;
    }
    let run = 0;
    while (i + run < lengths.length && lengths[i + run] === 0) run++;
    i += run;
    for (; run >= 11; run -= Math.min(run, 138)) {
      w.code(clCode[18], 2);
      w.bits(Math.min(run, 138) - 11, 7);
    }
    for (; run >= 3; run -= Math.min(run, 10)) {
      w.code(clCode[17], 3);
      w.bits(Math.min(run, 10) - 3, 3);
    }
    for (; run > 0; run--) w.code(clCode[0], 2);
  }
  w.code(0b10, 2); // the first byte, as a literal
  w.skip(2 * repeats); // each: length 258 (code 0), distance 1 (code 0)
  for (let i = 0; i < rest; i++) w.code(0b10, 2);
  w.code(0b11, 2); // end of block
  return out.subarray(0, w.length);
}

/** A zip member: stored bytes, or deflated ones with the size they declare. */
export interface RawMember {
  name: string;
  data: Uint8Array;
  deflated?: boolean;
  /** The uncompressed size written in the headers (default: data's length, for stored members). */
  size?: number;
}

/** Assembles a zip by hand, so members may declare any size (CRCs are left 0: Myelin does not read them). */
export function rawZip(members: RawMember[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const m of members) {
    const name = enc.encode(m.name);
    const size = m.size ?? m.data.byteLength;
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(8, m.deflated ? 8 : 0, true);
    lv.setUint32(18, m.data.byteLength, true);
    lv.setUint32(22, size, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const entry = new Uint8Array(46 + name.length);
    const cv = new DataView(entry.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(10, m.deflated ? 8 : 0, true);
    cv.setUint32(20, m.data.byteLength, true);
    cv.setUint32(24, size, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    entry.set(name, 46);
    parts.push(local, m.data);
    central.push(entry);
    offset += local.byteLength + m.data.byteLength;
  }
  const centralSize = central.reduce((n, c) => n + c.byteLength, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, members.length, true);
  ev.setUint16(10, members.length, true);
  ev.setUint32(12, centralSize, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + centralSize + 22);
  let at = 0;
  for (const p of [...parts, ...central, end]) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** A small model: 4 inputs, a Dense of 3. */
export const smallConfig: Json = k3Sequential('s', [k3Input('input_layer', [null, 4]), k3Dense('dense', 3)]);

/**
 * A TF.js model whose manifest has `groups` groups that all list the same shard of `shardBytes`
 * bytes (3,000 groups of one 1 MB shard: the loader must not allocate 3 GB).
 */
export function sharedShardTfjs(
  groups = 3000,
  shardBytes = 2 ** 20,
): { json: string; shards: Record<string, Uint8Array> } {
  const modelJson = {
    format: 'layers-model',
    modelTopology: {
      class_name: 'Sequential',
      config: {
        name: 's',
        layers: [{ class_name: 'Dense', config: { name: 'd', units: 1, batch_input_shape: [null, 1] } }],
      },
    },
    weightsManifest: Array.from({ length: groups }, (_, g) => ({
      paths: ['shard.bin'],
      weights: [{ name: `w${g}`, shape: [shardBytes / 4], dtype: 'float32' }],
    })),
  };
  return { json: JSON.stringify(modelJson), shards: { 'shard.bin': new Uint8Array(shardBytes) } };
}

/**
 * A `.keras` file whose HDF5 datasets were created chunked (compressed or not) and resized to
 * `length` values without being written: each claims `length * 4` bytes that only exist as the
 * fill value. Ten datasets of 2^26 values: 2.5 GB claimed by a file of a few tens of kilobytes.
 */
export async function unwrittenDatasetsKeras(
  options: { datasets?: number; length?: number; compressed?: boolean } = {},
): Promise<Uint8Array> {
  const { datasets = 10, length = 2 ** 26, compressed = true } = options;
  const h5 = await writeH5((root) => {
    const vars = root.create_group('layers').create_group('dense').create_group('vars');
    for (let i = 0; i < datasets; i++) {
      (vars as unknown as { create_dataset(a: object): unknown }).create_dataset({
        name: String(i),
        data: new Float32Array(1024),
        shape: [1024],
        maxshape: [null],
        chunks: [1024],
        ...(compressed ? { compression: 'gzip' } : {}),
      });
      (vars.get(String(i)) as { resize(shape: number[]): void }).resize([length]);
    }
  });
  return zipSync({
    'config.json': enc.encode(JSON.stringify(smallConfig)),
    'metadata.json': enc.encode('{"keras_version": "3.6.0"}'),
    'model.weights.h5': h5,
  });
}

/**
 * A `.keras` file of about 263 KB declaring a Dense of `units` x `units` (64M parameters at
 * 8192): its weights member is that many zeros, deflated, claiming 256 MB.
 */
export function zeroWeightsKeras(units = 8192): Uint8Array {
  const config = k3Sequential('s', [k3Input('input_layer', [null, units]), k3Dense('dense', units)]);
  const weightBytes = 4 * (units * units + units) + 4096;
  return rawZip([
    { name: 'config.json', data: enc.encode(JSON.stringify(config)) },
    { name: 'metadata.json', data: enc.encode('{"keras_version": "3.6.0"}') },
    { name: 'model.weights.h5', data: deflateRun(0, weightBytes), deflated: true, size: weightBytes },
  ]);
}

/**
 * A `.keras` file whose config.json is a zip bomb: about 1 MB of deflate that expands to
 * `bytes` spaces (1.1 GB by default). With `declared`, the member declares that size instead
 * (a lie the inflater must catch as it streams).
 */
export async function configBombKeras(bytes = 1.1e9, declared?: number): Promise<Uint8Array> {
  const h5 = await writeH5((root: H5WritableGroup) => {
    root.create_group('layers');
  });
  return rawZip([
    { name: 'config.json', data: deflateRun(0x20, bytes), deflated: true, size: declared ?? bytes },
    { name: 'model.weights.h5', data: h5 },
  ]);
}

/**
 * A TF.js model.json of a Sequential of `layers` one-unit Dense layers (10,000 make a 1 MB
 * file; building it was quadratic), with its weights shard.
 */
export function deepSequentialTfjs(layers = 10_000): { json: string; shards: Record<string, Uint8Array> } {
  const modelJson = {
    format: 'layers-model',
    modelTopology: {
      class_name: 'Sequential',
      config: {
        name: 'deep',
        layers: Array.from({ length: layers }, (_, i) => ({
          class_name: 'Dense',
          config: { name: `d${i}`, units: 1, ...(i === 0 ? { batch_input_shape: [null, 1] } : {}) },
        })),
      },
    },
    weightsManifest: [
      {
        paths: ['weights.bin'],
        weights: Array.from({ length: layers }, (_, i) => [
          { name: `d${i}/kernel`, shape: [1, 1], dtype: 'float32' },
          { name: `d${i}/bias`, shape: [1], dtype: 'float32' },
        ]).flat(),
      },
    ],
  };
  return { json: JSON.stringify(modelJson), shards: { 'weights.bin': new Uint8Array(8 * layers) } };
}

/**
 * A legacy weights-only `.h5` whose `layer_names` attribute is split into `chunks` attributes
 * `layer_names0`, `layer_names1`, ... (as Keras splits large ones), one name each; only the
 * last layer has weights, a Dense kernel [4, 3] and bias [3] (reading it was quadratic).
 */
export async function chunkedLayerNamesH5(chunks = 2000): Promise<Uint8Array> {
  return writeH5((root) => {
    for (let i = 0; i < chunks; i++) root.create_attribute(`layer_names${i}`, [`layer_${i}`]);
    const g = root.create_group(`layer_${chunks - 1}`);
    g.create_attribute('weight_names', ['kernel:0', 'bias:0']);
    g.create_dataset({ name: 'kernel:0', data: Float32Array.from({ length: 12 }, (_, i) => i), shape: [4, 3] });
    g.create_dataset({ name: 'bias:0', data: new Float32Array(3), shape: [3] });
  });
}

/**
 * A `.weights.h5`-style HDF5 file of about 1 MB with one compressed dataset of one 1 MB chunk
 * whose stored zlib stream was replaced by one that inflates to `bytes` (900 MB by default):
 * HDF5 would grow its buffer to all of it before noticing the chunk is too long.
 */
export async function chunkBombH5(bytes = 9e8): Promise<Uint8Array> {
  const n = 2 ** 18;
  let seed = 1;
  const noise = Float32Array.from({ length: n }, () => (seed = (seed * 16807) % 2147483647) / 2147483647);
  const h5 = await writeH5((root) =>
    (root as unknown as { create_dataset(a: object): unknown }).create_dataset({
      name: 'w',
      data: noise,
      shape: [n],
      chunks: [n],
      compression: 'gzip',
    }),
  );
  for (let i = 0; i + 2 < h5.length; i++) {
    if (h5[i] !== 0x78 || ((h5[i] << 8) | h5[i + 1]) % 31 !== 0) continue;
    let chunk: Uint8Array;
    try {
      chunk = unzlibSync(h5.subarray(i));
    } catch {
      continue;
    }
    if (chunk.byteLength !== 4 * n) continue;
    const bomb = deflateRun(0, bytes);
    const out = h5.slice();
    out[i + 1] = 0x01; // zlib header 78 01 (still a multiple of 31)
    out.set(bomb, i + 2);
    return out;
  }
  throw new Error('chunkBombH5: the compressed chunk was not found');
}
