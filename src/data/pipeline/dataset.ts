import { ValueError } from '../../core/errors.js';
import { globalRng, Rng } from '../../core/rng.js';
import { Tensor } from '../../core/tensor.js';
import { stack } from '../../ops/stack.js';
import { tensor } from '../../ops/convert.js';

/** TF.js' iterator over a dataset: `next()` resolves to `{ value, done }`. */
export interface LazyIterator<T> {
  next(): Promise<IteratorResult<T>>;
}

/** What `batch` turns into tensors: numbers, arrays of numbers, tensors, and objects of them. */
export type DataElement = unknown;

/**
 * A sequence of elements read lazily, one pass per iteration (TF.js' `tf.data.Dataset`): built
 * from arrays, generators or CSV files, transformed with chainable methods (`map`, `filter`,
 * `shuffle`, `batch`, `take`, ...), and consumed by `model.fitDataset`, `evaluateDataset`,
 * `for await`, `forEachAsync` or `toArray`. Nothing is read until it is iterated, so a file
 * larger than memory streams through in batches.
 *
 * @example
 * const ds = data.array([1, 2, 3, 4]).map((x) => x * 2).shuffle(4, 1).batch(2);
 * for await (const batch of ds) batch.print();
 */
export class Dataset<T = DataElement> implements AsyncIterable<T> {
  /**
   * @param make starts one pass (a fresh async iterator).
   * @param size elements in one pass: a number, Infinity, or null when unknown.
   */
  constructor(
    private readonly make: () => AsyncIterator<T> | Promise<AsyncIterator<T>>,
    readonly size: number | null = null,
  ) {}

  /** Starts a pass over the elements. @example const it = await ds.iterator(); await it.next(); */
  async iterator(): Promise<LazyIterator<T>> {
    const it = await this.make();
    return { next: () => it.next() };
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    // One pass starts once even when next() is called again before it resolves (prefetch).
    let started: Promise<AsyncIterator<T>> | null = null;
    const start = () => (started ??= Promise.resolve(this.make()));
    return {
      next: async () => (await start()).next(),
      return: async (value?: unknown) => {
        const it = started && (await started);
        if (it?.return) await it.return(value);
        return { done: true, value: undefined as never };
      },
    };
  }

  /** Applies `transform` to every element. @example ds.map((row) => ({ xs: row.slice(1), ys: row[0] })) */
  map<O>(transform: (value: T) => O): Dataset<O> {
    const base = this;
    return new Dataset(async function* () {
      for await (const value of base) yield transform(value);
    }, this.size);
  }

  /** Applies an async `transform` to every element. @example ds.mapAsync(async (f) => decode(await read(f))) */
  mapAsync<O>(transform: (value: T) => Promise<O>): Dataset<O> {
    const base = this;
    return new Dataset(async function* () {
      for await (const value of base) yield await transform(value);
    }, this.size);
  }

  /** Keeps the elements `predicate` accepts. @example ds.filter((x) => x % 2 === 0) */
  filter(predicate: (value: T) => boolean): Dataset<T> {
    const base = this;
    return new Dataset(
      async function* () {
        for await (const value of base) if (predicate(value)) yield value;
      },
      this.size === Infinity ? Infinity : null,
    );
  }

  /**
   * Groups consecutive elements into batches of `batchSize`, stacking each leaf (a number, an
   * array of numbers, a tensor) along a new first axis and keeping the structure of objects:
   * `{xs: [4], ys: 1}` elements batch to `{xs: Tensor[b, 4], ys: Tensor[b]}`. The last batch may
   * be smaller unless `smallLastBatch` is false.
   * @example data.array([[1, 2], [3, 4], [5, 6]]).batch(2) // tensors [2, 2] and [1, 2]
   */
  batch(batchSize: number, smallLastBatch = true): Dataset<DataElement> {
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new ValueError(`Dataset.batch: 'batchSize' must be a positive integer, got ${batchSize}`);
    const base = this;
    const size =
      this.size === null || this.size === Infinity
        ? this.size
        : smallLastBatch
          ? Math.ceil(this.size / batchSize)
          : Math.floor(this.size / batchSize);
    return new Dataset(async function* () {
      let rows: T[] = [];
      for await (const value of base) {
        rows.push(value);
        if (rows.length === batchSize) {
          yield collate(rows, 'Dataset.batch');
          rows = [];
        }
      }
      if (rows.length > 0 && smallLastBatch) yield collate(rows, 'Dataset.batch');
    }, size);
  }

  /**
   * Shuffles with a buffer of `bufferSize` elements: each element comes out of a buffer that a
   * random one leaves as the next enters (a buffer as large as the data shuffles it fully).
   * `seed` fixes the orders; `reshuffleEachIteration` (default true) draws a new order each pass.
   * @example ds.shuffle(1000, 42)
   */
  shuffle(bufferSize: number, seed?: number | string, reshuffleEachIteration = true): Dataset<T> {
    if (!Number.isInteger(bufferSize) || bufferSize < 1)
      throw new ValueError(
        `Dataset.shuffle: 'bufferSize' must be a positive integer${this.size !== null && Number.isFinite(this.size) ? ` (the dataset has ${this.size} elements)` : ''}, got ${bufferSize}`,
      );
    const base = this;
    const seeds = seed === undefined || seed === null ? globalRng : new Rng(seedNumber(seed));
    const fixed = seeds.nextUint32();
    return new Dataset(async function* () {
      const rng = new Rng(reshuffleEachIteration ? seeds.nextUint32() : fixed);
      const buffer: T[] = [];
      for await (const value of base) {
        if (buffer.length < bufferSize) {
          buffer.push(value);
          continue;
        }
        const i = rng.int(bufferSize);
        yield buffer[i];
        buffer[i] = value;
      }
      while (buffer.length > 0) {
        const i = rng.int(buffer.length);
        yield buffer[i];
        buffer[i] = buffer[buffer.length - 1];
        buffer.pop();
      }
    }, this.size);
  }

  /** The first `count` elements (all of them when count is negative or undefined). @example ds.take(10) */
  take(count?: number): Dataset<T> {
    if (count === undefined || count === null || count < 0) return this;
    const base = this;
    return new Dataset(
      async function* () {
        if (count === 0) return;
        let n = 0;
        for await (const value of base) {
          yield value;
          if (++n >= count) return;
        }
      },
      this.size === null ? null : Math.min(this.size, count),
    );
  }

  /** All but the first `count` elements. @example ds.skip(10) */
  skip(count?: number): Dataset<T> {
    if (count === undefined || count === null || count <= 0) return this;
    const base = this;
    return new Dataset(
      async function* () {
        let n = 0;
        for await (const value of base) if (n++ >= count) yield value;
      },
      this.size === null ? null : this.size === Infinity ? Infinity : Math.max(0, this.size - count),
    );
  }

  /** The elements `count` times over (forever without a count). @example ds.repeat(3) */
  repeat(count?: number): Dataset<T> {
    const base = this;
    const times = count === undefined || count === null || count < 0 ? Infinity : count;
    return new Dataset(
      async function* () {
        for (let pass = 0; pass < times; pass++) {
          let any = false;
          for await (const value of base) {
            any = true;
            yield value;
          }
          if (!any) return; // an empty dataset repeated forever is still empty
        }
      },
      this.size === null ? null : times === Infinity ? (this.size === 0 ? 0 : Infinity) : this.size * times,
    );
  }

  /**
   * Reads up to `bufferSize` elements ahead while the consumer works on the current one, so
   * slow sources (files, network) overlap with training.
   * @example ds.prefetch(4)
   */
  prefetch(bufferSize: number): Dataset<T> {
    if (!Number.isInteger(bufferSize) || bufferSize < 1)
      throw new ValueError(`Dataset.prefetch: 'bufferSize' must be a positive integer, got ${bufferSize}`);
    const base = this;
    return new Dataset(async function* () {
      const it = base[Symbol.asyncIterator]();
      const ahead: Promise<IteratorResult<T>>[] = [];
      try {
        for (;;) {
          while (ahead.length < bufferSize) ahead.push(it.next());
          const item = await (ahead.shift() as Promise<IteratorResult<T>>);
          if (item.done) return;
          yield item.value;
        }
      } finally {
        await it.return?.();
      }
    }, this.size);
  }

  /** This dataset's elements followed by `other`'s. @example a.concatenate(b) */
  concatenate(other: Dataset<T>): Dataset<T> {
    const base = this;
    const size = this.size === null || other.size === null ? null : this.size + other.size;
    return new Dataset(async function* () {
      yield* base;
      yield* other;
    }, size);
  }

  /** Calls `f` on every element, in order. @example await ds.forEachAsync((e) => console.log(e)); */
  async forEachAsync(f: (value: T) => void | Promise<void>): Promise<void> {
    for await (const value of this) await f(value);
  }

  /** Every element in an array (a finite dataset only). @example const rows = await ds.toArray(); */
  async toArray(): Promise<T[]> {
    if (this.size === Infinity)
      throw new ValueError('Dataset.toArray: the dataset is infinite (repeat() without a count)');
    const out: T[] = [];
    for await (const value of this) out.push(value);
    return out;
  }
}

/** A numeric seed from TF.js' number-or-string seeds. */
function seedNumber(seed: number | string): number {
  if (typeof seed === 'number') return Math.floor(seed);
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
  return h >>> 0;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Tensor) && !ArrayBuffer.isView(v);

/**
 * Stacks a list of same-structured elements: leaves (numbers, booleans, number arrays, typed
 * arrays, tensors) become one tensor with the batch as the first axis; objects are collated
 * key by key.
 * @example collate([{ x: [1, 2] }, { x: [3, 4] }], 'batch'); // { x: Tensor [[1, 2], [3, 4]] }
 */
export function collate(rows: readonly unknown[], who: string): DataElement {
  const first = rows[0];
  if (isPlainObject(first)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(first)) {
      out[key] = collate(
        rows.map((r, i) => {
          if (!isPlainObject(r) || !(key in r))
            throw new ValueError(
              `${who}: element ${i} of the batch has no '${key}' (every element needs the same keys)`,
            );
          return r[key];
        }),
        who,
      );
    }
    return out;
  }
  if (first instanceof Tensor) return stack(rows as Tensor[]);
  if (typeof first === 'string')
    throw new ValueError(`${who}: cannot batch strings ('${first}'); map them to numbers first`);
  if (first === undefined || first === null)
    throw new ValueError(`${who}: cannot batch an empty value (a missing CSV cell?); give the column a default`);
  const values = rows.map((r) => (ArrayBuffer.isView(r) ? Array.from(r as unknown as ArrayLike<number>) : r));
  return tensor(values as never, undefined, typeof first === 'boolean' ? 'bool' : undefined);
}
