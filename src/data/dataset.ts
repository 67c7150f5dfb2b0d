import { checkOptions, optionKeys } from '../core/options.js';
import { ValueError } from '../core/errors.js';
import { Rng, globalRng } from '../core/rng.js';
import type { Tensor } from '../core/tensor.js';
import { commonRowCount, takeRows } from './rows.js';

/** One batch of an `ArrayDataset`: features and targets of the same rows. */
export interface Batch {
  xs: Tensor;
  ys: Tensor;
}

/** Options of `arrayDataset`. */
export interface ArrayDatasetOptions {
  /** Rows per batch (default 32); the last batch may be smaller unless `dropRemainder`. */
  batchSize?: number;
  /** Visit the rows in a new random order on every pass (default false). */
  shuffle?: boolean;
  /** Seed of the shuffle. Without one the global generator is used (see `setSeed`). */
  seed?: number;
  /** Skip a last, incomplete batch (default false). */
  dropRemainder?: boolean;
}

/**
 * In-memory features and targets served as batches. It is an async iterable, so `fitDataset`
 * (and `for await`) can consume it, and every pass over it is one epoch.
 */
export class ArrayDataset implements AsyncIterable<Batch>, Iterable<Batch> {
  /** Number of rows. */
  readonly size: number;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropRemainder: boolean;
  private readonly rng: Rng;

  constructor(
    readonly x: Tensor,
    readonly y: Tensor,
    options: ArrayDatasetOptions = {},
  ) {
    const { batchSize = 32, shuffle = false, seed, dropRemainder = false } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new ValueError(`arrayDataset: batchSize must be a positive integer, got ${batchSize}`);
    this.size = commonRowCount([x, y], ['x', 'y'], 'arrayDataset');
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropRemainder = dropRemainder;
    this.rng = seed === undefined ? globalRng : new Rng(seed);
  }

  /** Batches in one pass. */
  get numBatches(): number {
    return this.dropRemainder ? Math.floor(this.size / this.batchSize) : Math.ceil(this.size / this.batchSize);
  }

  *[Symbol.iterator](): Iterator<Batch> {
    const order = Array.from({ length: this.size }, (_, i) => i);
    if (this.shuffle) this.rng.shuffle(order);
    for (let b = 0; b < this.numBatches; b++) {
      const rows = order.slice(b * this.batchSize, (b + 1) * this.batchSize);
      yield { xs: takeRows(this.x, rows), ys: takeRows(this.y, rows) };
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Batch> {
    for (const batch of this) yield batch;
  }
}

/**
 * Batches in-memory tensors for `model.fitDataset` or a custom training loop.
 * @example
 * const ds = arrayDataset(xTrain, yTrain, { batchSize: 32, shuffle: true, seed: 1 });
 * await model.fitDataset(ds, { epochs: 10 });
 * for await (const { xs, ys } of ds) { ... }   // one epoch
 */
export function arrayDataset(x: Tensor, y: Tensor, options?: ArrayDatasetOptions): ArrayDataset {
  checkOptions(
    'arrayDataset',
    options,
    optionKeys<ArrayDatasetOptions>({ batchSize: true, shuffle: true, seed: true, dropRemainder: true }),
  );
  return new ArrayDataset(x, y, options);
}
