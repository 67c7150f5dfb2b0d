import { checkOptions, optionKeys } from '../core/options.js';
import { gunzipSync } from 'fflate';
import { getFloatX } from '../core/dtype.js';
import { ValueError } from '../core/errors.js';
import { requireNode } from '../core/platform.js';
import type { Tensor } from '../core/tensor.js';
import { tensor } from '../ops/convert.js';

/** The 8x8 digits as tensors (see `digits.load`). */
export interface DigitsData {
  /** [1797, 8, 8, 1] (or [1797, 64] with `flatten`), pixel values scaled from 0..16 to [0, 1]. */
  images: Tensor;
  /** [1797] int32 digits 0-9. */
  labels: Tensor;
}

export interface DigitsLoadOptions {
  dtype?: 'float32' | 'float64';
  /** Rows of 64 pixels instead of 8x8x1 images. */
  flatten?: boolean;
}

/**
 * scikit-learn's 8x8 handwritten digits (1,797 images, UCI optical recognition test set), shipped
 * with Myelin: small enough to train a convnet in seconds. Not MNIST: lower resolution, other writers.
 */
export const digits = {
  /**
   * @example
   * const { images, labels } = datasets.digits.load();
   * images.shape; // [1797, 8, 8, 1]
   */
  load(options: DigitsLoadOptions = {}): DigitsData {
    checkOptions('datasets.digits.load', options, optionKeys<DigitsLoadOptions>({ dtype: true, flatten: true }));
    const { readFileSync } = requireNode<typeof import('node:fs')>('fs', 'datasets.digits.load()', DIGITS_IN_BROWSER);
    const text = new TextDecoder().decode(gunzipSync(readFileSync(digitsPath())));
    const lines = text.split('\n').filter((l) => l !== '');
    const header = lines[0].split(',');
    if (header.length !== 65 || header[64] !== 'target')
      throw new ValueError(
        `datasets.digits: unexpected header in data/digits/digits.csv.gz: expected 64 pixel columns and 'target', got ${header.length} columns`,
      );
    const n = lines.length - 1;
    const dtype = options.dtype ?? getFloatX();
    const pixels = dtype === 'float64' ? new Float64Array(n * 64) : new Float32Array(n * 64);
    const targets = new Int32Array(n);
    for (let r = 0; r < n; r++) {
      const cells = lines[r + 1].split(',');
      for (let j = 0; j < 64; j++) pixels[r * 64 + j] = Number(cells[j]) / 16;
      targets[r] = Number(cells[64]);
    }
    return {
      images: tensor(pixels, options.flatten ? [n, 64] : [n, 8, 8, 1], dtype),
      labels: tensor(targets, [n], 'int32'),
    };
  },
};

const DIGITS_IN_BROWSER =
  "fetch data/digits/digits.csv.gz, gunzip it and call parseCsv(text, { labelColumn: 'target' })";

/**
 * data/digits/digits.csv.gz in the package, found by walking up to the folder with package.json
 * (not shared with datasets.ts, which imports this module: an import back would be a cycle).
 */
function digitsPath(): string {
  const { existsSync } = requireNode<typeof import('node:fs')>('fs', 'datasets.digits.load()', DIGITS_IN_BROWSER);
  const { fileURLToPath } = requireNode<typeof import('node:url')>('url', 'datasets.digits.load()', DIGITS_IN_BROWSER);
  let dir = new URL('.', import.meta.url);
  for (let up = 0; up < 5; up++) {
    const candidate = new URL('data/digits/digits.csv.gz', dir);
    if (existsSync(new URL('package.json', dir)) && existsSync(candidate)) return fileURLToPath(candidate);
    dir = new URL('..', dir);
  }
  throw new ValueError(
    `datasets.digits: the shipped file data/digits/digits.csv.gz was not found above ${fileURLToPath(new URL('.', import.meta.url))}; the package installation is incomplete`,
  );
}
