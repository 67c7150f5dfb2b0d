import { deflateSync } from 'node:zlib';

// A minimal PNG encoder (one IDAT chunk, no filtering): enough for the reports the CLI writes.

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/**
 * An 8-bit greyscale PNG of `pixels` (values in [0, 1], row-major), ink drawn dark on white.
 * @example writeFileSync('digit.png', grayscalePng(pixels, 28, 28));
 */
export function grayscalePng(pixels: ArrayLike<number>, width: number, height: number): Buffer {
  const raw = new Uint8Array(height * (width + 1));
  for (let y = 0; y < height; y++) {
    // Each scanline starts with filter type 0 (none).
    for (let x = 0; x < width; x++)
      raw[y * (width + 1) + 1 + x] = 255 - Math.round(255 * Math.min(1, Math.max(0, pixels[y * width + x])));
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}
