import { ValueError } from '../../core/errors.js';
import { Dataset, type DataElement } from './dataset.js';

/**
 * A dataset of the items of an array (TF.js `tf.data.array`), in order on every pass.
 * @example const ds = data.array([{ x: 1, y: 2 }, { x: 3, y: 4 }]);
 */
export function array<T>(items: readonly T[]): Dataset<T> {
  if (!Array.isArray(items)) throw new ValueError(`data.array: expected an array, got ${typeof items}`);
  return new Dataset(async function* () {
    yield* items;
  }, items.length);
}

/** A generator function (sync or async) or any function returning an iterator. */
export type GeneratorSource<T> = () => Iterator<T> | AsyncIterator<T> | Promise<Iterator<T> | AsyncIterator<T>>;

/**
 * A dataset whose every pass calls `generator` afresh and yields what it yields (TF.js
 * `tf.data.generator`): data made on the fly, never held in memory at once.
 * @example
 * const ds = data.generator(function* () { for (let i = 0; i < 100; i++) yield { xs: [i], ys: [2 * i] }; });
 */
export function generator<T>(source: GeneratorSource<T>): Dataset<T> {
  if (typeof source !== 'function')
    throw new ValueError(
      `data.generator: expected a function returning an iterator (e.g. a generator function), got ${typeof source}`,
    );
  return new Dataset(async function* () {
    const it = await source();
    if (!it || typeof it.next !== 'function')
      throw new ValueError(
        'data.generator: the function must return an iterator (call it with function*, not the generator object)',
      );
    try {
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield r.value;
      }
    } finally {
      await it.return?.();
    }
  });
}

/**
 * A dataset from a function returning `{ value, done }` (or a promise of it) on each call
 * (TF.js `tf.data.func`).
 * @example let i = 0; const ds = data.func(() => ({ value: i++, done: i > 5 }));
 */
export function func<T>(f: () => IteratorResult<T> | Promise<IteratorResult<T>>): Dataset<T> {
  return new Dataset(async function* () {
    for (;;) {
      const r = await f();
      if (r.done) return;
      yield r.value;
    }
  });
}

/** Datasets in an array or an object (nested), as `zip` takes them. */
export type DatasetContainer = Dataset<unknown> | readonly DatasetContainer[] | { [key: string]: DatasetContainer };

/**
 * Walks the datasets of `zip`'s argument, element by element, in the same structure: an array
 * of datasets yields arrays, an object yields objects (TF.js `tf.data.zip`). Stops with the
 * shortest dataset.
 * @example data.zip({ xs: data.array(features), ys: data.array(labels) }).batch(32)
 */
export function zip<T = DataElement>(datasets: DatasetContainer): Dataset<T> {
  const leaves: Dataset<unknown>[] = [];
  const shape = describe(datasets, leaves);
  if (leaves.length === 0) throw new ValueError('data.zip: expected datasets in an array or an object, got none');
  const sizes = leaves.map((d) => d.size);
  const size = sizes.some((s) => s === null) ? null : Math.min(...(sizes as number[]));
  return new Dataset(async function* () {
    const its = leaves.map((d) => d[Symbol.asyncIterator]());
    try {
      for (;;) {
        const items = await Promise.all(its.map((it) => it.next()));
        if (items.some((r) => r.done)) return;
        yield rebuild(
          shape,
          items.map((r) => r.value),
        ) as T;
      }
    } finally {
      await Promise.all(its.map((it) => it.return?.()));
    }
  }, size);
}

type Shape = number | Shape[] | { [key: string]: Shape };

/** The container's structure with each dataset replaced by its index in `leaves`. */
function describe(c: DatasetContainer, leaves: Dataset<unknown>[]): Shape {
  if (c instanceof Dataset) {
    leaves.push(c);
    return leaves.length - 1;
  }
  if (Array.isArray(c)) return c.map((x) => describe(x, leaves));
  if (c && typeof c === 'object') {
    const out: Record<string, Shape> = {};
    for (const [k, v] of Object.entries(c)) out[k] = describe(v as DatasetContainer, leaves);
    return out;
  }
  throw new ValueError(`data.zip: expected datasets in an array or an object, found ${typeof c}`);
}

function rebuild(shape: Shape, values: unknown[]): unknown {
  if (typeof shape === 'number') return values[shape];
  if (Array.isArray(shape)) return shape.map((s) => rebuild(s, values));
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(shape)) out[k] = rebuild(s, values);
  return out;
}
