import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tensor } from '../../src/index.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';
import { FileFormatError } from '../../src/io/format_error.js';

/** A hand-made safetensors file: `header` as given, then `body`. */
function rawFile(header: unknown, body: Uint8Array = new Uint8Array(0), lengthOverride?: bigint): Uint8Array {
  const h = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + body.length);
  new DataView(out.buffer).setBigUint64(0, lengthOverride ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(body, 8 + h.length);
  return out;
}

const rejects = (bytes: Uint8Array, pattern: RegExp) =>
  assert.throws(
    () => decodeSafetensors(bytes),
    (e: unknown) => e instanceof FileFormatError && pattern.test((e as Error).message),
  );

describe('safetensors', () => {
  it('round-trips every dtype, names, shapes and metadata', () => {
    const tensors = [
      {
        name: 'a/kernel',
        tensor: tensor(
          [
            [1.5, -2],
            [3, 4.25],
          ],
          [2, 2],
          'float32',
        ),
      },
      { name: 'b', tensor: tensor([Math.PI, 1e-300], [2], 'float64') },
      { name: 'c', tensor: tensor([7, -8, 9], [3], 'int32') },
      { name: 'd', tensor: tensor([1, 0, 1], [3], 'bool') },
      { name: 'scalar', tensor: tensor(5, [], 'float32') },
      { name: 'empty', tensor: tensor([], [0, 3], 'float32') },
    ];
    const bytes = encodeSafetensors(tensors, { step: '12' });
    const out = decodeSafetensors(bytes);
    assert.deepEqual(out.metadata, { step: '12' });
    assert.deepEqual(
      out.tensors.map((t) => t.name),
      tensors.map((t) => t.name),
    );
    out.tensors.forEach((t, i) => {
      assert.equal(t.tensor.dtype, tensors[i].tensor.dtype);
      assert.deepEqual(t.tensor.shape, tensors[i].tensor.shape);
      assert.deepEqual([...t.tensor.dataSync()], [...tensors[i].tensor.dataSync()]);
    });
  });

  it('writes the documented layout: u64 LE header length, space-padded JSON, raw LE data', () => {
    const bytes = encodeSafetensors([{ name: 'w', tensor: tensor([1, 2], [2], 'float32') }]);
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal((8 + n) % 8, 0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    assert.deepEqual(header, { w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } });
    assert.deepEqual([...new Float32Array(bytes.slice(8 + n).buffer)], [1, 2]);
  });

  it('reads F16, BF16, I64 and U8 written by other tools', () => {
    const body = new Uint8Array([
      0x00, 0x3c, 0x00, 0xc0, /* bf16 1.0 */ 0x80, 0x3f, /* i64 -3 */ 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
      /* u8 */ 200,
    ]);
    const file = rawFile(
      {
        h: { dtype: 'F16', shape: [2], data_offsets: [0, 4] },
        b: { dtype: 'BF16', shape: [1], data_offsets: [4, 6] },
        i: { dtype: 'I64', shape: [1], data_offsets: [6, 14] },
        u: { dtype: 'U8', shape: [1], data_offsets: [14, 15] },
      },
      body,
    );
    const t = Object.fromEntries(decodeSafetensors(file).tensors.map((x) => [x.name, [...x.tensor.dataSync()]]));
    assert.deepEqual(t, { h: [1, -2], b: [1], i: [-3], u: [200] });
  });

  it('rejects hostile and broken files with clear errors, before allocating', () => {
    const body8 = new Uint8Array(8);
    rejects(new Uint8Array(4), /shorter than the 8-byte header/);
    rejects(rawFile({}, new Uint8Array(0), 2n ** 60n), /header claims/);
    rejects(
      rawFile({ w: { dtype: 'F32', shape: [2 ** 40, 2 ** 12], data_offsets: [0, 8] } }, body8),
      /needs more bytes/,
    );
    rejects(
      rawFile({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(16)),
      /needs 12 bytes but data_offsets span 8/,
    );
    rejects(
      rawFile(
        {
          w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          v: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
        },
        body8,
      ),
      /overlaps/,
    );
    rejects(rawFile({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, body8), /belong to no tensor/);
    rejects(rawFile({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, body8), /outside the 8 bytes/);
    rejects(
      rawFile({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, body8),
      /cover 4 bytes of data but the file has 8/,
    );
    rejects(rawFile({ w: { dtype: 'Q4', shape: [1], data_offsets: [0, 8] } }, body8), /unsupported dtype "Q4"/);
    rejects(rawFile({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 8] } }, body8), /shape must be/);
    rejects(rawFile({ w: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, body8), /outside/);
    rejects(rawFile('['.repeat(5000) + ']'.repeat(5000)), /nested more than/);
    rejects(rawFile('{"w": '), /invalid JSON/);
    rejects(rawFile({ __metadata__: { a: 1 } }), /must be a string/);
    rejects(
      rawFile({ w: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array([0, 0, 0, 0, 1, 0, 0, 0])),
      /outside the int32 range/,
    );
  });
});
