import { deflateSync } from 'node:zlib';

/**
 * counts[true][predicted] for integer labels 0..numClasses-1.
 * @example confusionMatrix([0, 1, 1], [0, 1, 0], 2) // [[1, 0], [1, 1]]
 */
export function confusionMatrix(
  labels: ArrayLike<number>,
  predicted: ArrayLike<number>,
  numClasses: number,
): number[][] {
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < labels.length; i++) m[labels[i]][predicted[i]]++;
  return m;
}

/**
 * The matrix as aligned text: rows are true digits, columns predictions.
 * @example console.log(formatConfusionMatrix(confusionMatrix(y, yHat, 10)));
 */
export function formatConfusionMatrix(m: number[][]): string {
  const width = Math.max(4, ...m.flat().map((v) => String(v).length + 1));
  const cell = (v: string | number) => String(v).padStart(width);
  const lines = [`true\\pred${m.map((_, j) => cell(j)).join('')}`];
  m.forEach((row, i) => lines.push(`${String(i).padStart(9)}${row.map(cell).join('')}`));
  return lines.join('\n');
}

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

/** One test image with its true and predicted label. */
export interface DigitPrediction {
  pixels: ArrayLike<number>;
  label: number;
  predicted: number;
}

/**
 * A standalone HTML page: a grid of digits with their predicted labels, misclassified ones
 * framed in red with the true label.
 * @example writeFileSync('mnist.html', predictionsHtml('MNIST test digits', items, 28));
 */
export function predictionsHtml(title: string, items: DigitPrediction[], side: number, summary = ''): string {
  const cells = items.map((it) => {
    const src = `data:image/png;base64,${grayscalePng(it.pixels, side, side).toString('base64')}`;
    const wrong = it.label !== it.predicted;
    const caption = wrong ? `<b>${it.predicted}</b> (true ${it.label})` : `${it.predicted}`;
    return `<figure class="${wrong ? 'wrong' : 'right'}"><img src="${src}" width="56" height="56" alt="digit ${it.label}"><figcaption>${caption}</figcaption></figure>`;
  });
  const wrongCount = items.filter((it) => it.label !== it.predicted).length;
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${title}</title>
<style>
body { font-family: sans-serif; margin: 1em; }
.grid { display: flex; flex-wrap: wrap; gap: 6px; }
figure { margin: 0; padding: 3px; border: 2px solid #ddd; text-align: center; font-size: 13px; }
figure.wrong { border-color: #d00; background: #fee; color: #d00; }
img { image-rendering: pixelated; display: block; }
</style></head><body>
<h1>${title}</h1>
<p>${summary} Showing ${items.length} digits; ${wrongCount} misclassified, framed in red with the true label.</p>
<div class="grid">${cells.join('\n')}</div>
</body></html>
`;
}
