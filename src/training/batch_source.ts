import { ValueError } from '../core/errors.js';
import { globalRng } from '../core/rng.js';
import type { Tensor } from '../core/tensor.js';
import type { BatchData } from './batch.js';
import { sliceRows, takeRows } from './data.js';
import { type DatasetElement, iterateBatches } from './dataset.js';
import { prepareData } from './prepare.js';
import type { TrainableModel } from './trainable_model.js';
import type { BatchDataset } from './types.js';
import { combineSampleWeights } from './weights.js';

/** Inputs, targets and optional per-sample weights of `n` samples, in model order. */
export interface Samples {
  xs: Tensor[];
  ys: Tensor[];
  n: number;
  sampleWeight?: Tensor;
}

/**
 * One batch from a source. `tensors` makes its tensors (inside the training step's scope, so
 * row gathers are freed with it); `rows` names, for the fused step, which rows of `data` it
 * holds (null: all of them, in order).
 */
export interface Batch {
  readonly size: number;
  readonly data: Samples;
  readonly rows: Int32Array | null;
  tensors(): BatchData;
}

/**
 * Where the epoch loop takes its batches from (Keras' data adapters): arrays in memory, sliced
 * by shuffled indices, or a dataset, iterated afresh each epoch.
 */
export interface BatchSource {
  /** Batches per epoch when known ahead (the progress bar's total). */
  readonly steps?: number;
  readonly samples?: number;
  /** All the data when it is in memory (the fused step plans on it before the first batch). */
  readonly inMemory?: Samples;
  /** The batches of one epoch. */
  batches(): Iterable<Batch> | AsyncIterable<Batch>;
}

/**
 * Arrays in memory: each epoch a fresh permutation (when shuffling) cut into batches of
 * `batchSize`, so epoch k depends only on the random generator's state (a run resumed at an
 * epoch boundary shuffles exactly as an unbroken one).
 * @example for (const batch of new ArraySource({ xs: [x], ys: [y], n: 100 }, 32, true).batches()) batch.tensors();
 */
export class ArraySource implements BatchSource {
  readonly steps: number;
  readonly samples: number;

  constructor(
    readonly inMemory: Samples,
    private readonly batchSize: number,
    private readonly shuffle = false,
  ) {
    this.samples = inMemory.n;
    this.steps = Math.ceil(inMemory.n / batchSize);
  }

  batches(): Iterable<Batch> & Iterator<Batch> {
    const order = new Int32Array(this.inMemory.n);
    for (let i = 0; i < order.length; i++) order[i] = i;
    if (this.shuffle) globalRng.shuffle(order);
    return new ArrayBatches(this.inMemory, order, this.batchSize, this.shuffle);
  }
}

/** One epoch of an `ArraySource`: consecutive slices of `order`. */
class ArrayBatches implements Iterable<Batch>, Iterator<Batch> {
  private start = 0;

  constructor(
    private readonly data: Samples,
    private readonly order: Int32Array,
    private readonly batchSize: number,
    private readonly shuffled: boolean,
  ) {}

  [Symbol.iterator](): this {
    return this;
  }

  next(): IteratorResult<Batch> {
    const start = this.start;
    if (start >= this.data.n) return { done: true, value: undefined };
    const end = Math.min(this.data.n, start + this.batchSize);
    this.start = end;
    return { done: false, value: new ArrayBatch(this.data, this.order.subarray(start, end), start, this.shuffled) };
  }
}

class ArrayBatch implements Batch {
  constructor(
    readonly data: Samples,
    readonly rows: Int32Array,
    private readonly start: number,
    private readonly shuffled: boolean,
  ) {}

  get size(): number {
    return this.rows.length;
  }

  tensors(): BatchData {
    const { data, rows, start } = this;
    const end = start + rows.length;
    const take = (ts: Tensor[]) => (this.shuffled ? takeRows(ts, rows) : sliceRows(ts, start, end));
    return {
      xs: take(data.xs),
      ys: take(data.ys),
      sampleWeight: data.sampleWeight ? take([data.sampleWeight])[0] : undefined,
      size: rows.length,
    };
  }
}

/**
 * A dataset (iterable or async iterable of `{xs, ys}`, `[xs, ys]`, or with a third element
 * or `sampleWeight` key holding per-sample weights); each batch is checked against the model as
 * `fit`'s arrays are. Without `steps` the dataset is iterated afresh each epoch. With `steps`
 * (`batchesPerEpoch`), as in TF.js and Keras, one pass continues across epochs, each taking the
 * next `steps` batches; when the data runs out, training stops after that epoch with a warning
 * (an endless dataset, `repeat()`, never runs out).
 * @example for await (const batch of new DatasetSource(model, arrayDataset(x, y), 'fitDataset').batches()) batch.size;
 */
export class DatasetSource implements BatchSource {
  private pass: AsyncIterator<DatasetElement> | null = null;
  private seen = 0;

  constructor(
    private readonly model: TrainableModel,
    private readonly dataset: BatchDataset,
    private readonly call: string,
    readonly steps?: number,
    private readonly classWeight?: Record<number, number>,
  ) {}

  async *batches(): AsyncIterable<Batch> {
    const continuing = this.steps !== undefined;
    if (!continuing || this.pass === null) this.pass = iterateBatches(this.dataset, this.call)[Symbol.asyncIterator]();
    const pass = this.pass;
    let b = 0;
    try {
      while (this.steps === undefined || b < this.steps) {
        const next = await pass.next();
        if (next.done) {
          if (continuing) this.ranOut(b);
          break;
        }
        const item = next.value;
        const data: Samples = prepareData(this.model, item.xs, item.ys, this.call);
        data.sampleWeight = combineSampleWeights(
          data.n,
          data.ys[0],
          item.sampleWeight,
          this.classWeight,
          `${this.call} (batch ${b})`,
        );
        yield { size: data.n, data, rows: null, tensors: () => ({ ...data, size: data.n }) };
        b++;
        this.seen++;
      }
    } finally {
      // A pass that is not continued is closed (a generator's cleanup runs).
      if (!continuing) await pass.return?.();
    }
    if (b === 0 && this.seen === 0) throw new ValueError(`${this.call}: the dataset yielded no batches`);
  }

  /** The continued pass is exhausted: finish this epoch, then stop, as TF.js and Keras do. */
  private ranOut(batchesThisEpoch: number): void {
    console.warn(
      `${this.call}: the dataset ran out of data after ${this.seen} batches (${batchesThisEpoch} in this epoch, batchesPerEpoch is ${this.steps}); training stops after this epoch. Make the dataset yield at least batchesPerEpoch x epochs batches, e.g. with repeat()`,
    );
    this.model.stopTraining = true;
  }
}
