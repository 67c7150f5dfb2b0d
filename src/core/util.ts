/**
 * TF.js' `tf.util`: the small helpers TF.js programs use for data preparation (shuffling,
 * assertions, shape arithmetic, timing). Shuffles draw from Myelin's global generator, so
 * `setSeed` makes them reproducible (TF.js draws from Math.random).
 */
import { ValueError } from './errors.js';
import { globalRng } from './rng.js';
import { sizeOf } from './shape.js';

type Shuffleable = unknown[] | Int32Array | Uint32Array | Float32Array | Float64Array | Uint8Array;

/**
 * Shuffles `array` in place (Fisher-Yates).
 * @example const xs = [1, 2, 3, 4]; util.shuffle(xs);
 */
function shuffle<A extends Shuffleable>(array: A): A {
  for (let i = array.length - 1; i > 0; i--) {
    const j = globalRng.int(i + 1);
    const t = array[i];
    array[i] = array[j];
    array[j] = t as never;
  }
  return array;
}

/**
 * Shuffles two arrays in place with the same permutation (features and their labels).
 * @example util.shuffleCombo(images, labels);
 */
function shuffleCombo(array: Shuffleable, array2: Shuffleable): void {
  if (array.length !== array2.length)
    throw new ValueError(
      `util.shuffleCombo: the arrays must have the same length, got ${array.length} and ${array2.length}`,
    );
  for (let i = array.length - 1; i > 0; i--) {
    const j = globalRng.int(i + 1);
    const t = array[i];
    array[i] = array[j];
    array[j] = t as never;
    const t2 = array2[i];
    array2[i] = array2[j];
    array2[j] = t2 as never;
  }
}

/**
 * Throws an Error with `message` (a string, or a function making it) unless `condition`.
 * @example util.assert(x.rank === 2, () => `expected a matrix, got rank ${x.rank}`);
 */
function assert(condition: boolean, message: string | (() => string)): asserts condition {
  if (!condition) throw new Error(typeof message === 'string' ? message : message());
}

/**
 * Throws unless two shapes are equal, naming both.
 * @example util.assertShapesMatch(a.shape, b.shape, 'add: ');
 */
function assertShapesMatch(shapeA: readonly number[], shapeB: readonly number[], errorMessagePrefix = ''): void {
  assert(
    arraysEqual(shapeA, shapeB),
    () => `${errorMessagePrefix}Shapes [${shapeA.join(', ')}] and [${shapeB.join(', ')}] must match`,
  );
}

/**
 * A shuffled Uint32Array of 0 .. n - 1.
 * @example const order = util.createShuffledIndices(100);
 */
function createShuffledIndices(n: number): Uint32Array {
  const indices = new Uint32Array(n);
  for (let i = 0; i < n; i++) indices[i] = i;
  return shuffle(indices);
}

/**
 * The number of elements of a tensor of `shape` (1 for a scalar's []).
 * @example util.sizeFromShape([2, 3]); // 6
 */
function sizeFromShape(shape: readonly number[]): number {
  return sizeOf(shape);
}

type Nested<T> = T | Nested<T>[];

/**
 * Flattens nested arrays (and typed arrays inside them, unless `skipTypedArray`) into `result`.
 * @example util.flatten([[1, 2], [3, [4]]]); // [1, 2, 3, 4]
 */
function flatten<T>(arr: Nested<T> | ArrayLike<T>, result: T[] = [], skipTypedArray = false): T[] {
  const visit = (a: unknown): void => {
    if (Array.isArray(a) || (!skipTypedArray && ArrayBuffer.isView(a) && !(a instanceof DataView))) {
      for (let i = 0; i < (a as ArrayLike<unknown>).length; i++) visit((a as ArrayLike<unknown>)[i]);
    } else result.push(a as T);
  };
  visit(arr);
  return result;
}

/**
 * Whether two flat arrays have the same length and elements.
 * @example util.arraysEqual([1, 2], [1, 2]); // true
 */
function arraysEqual(n1: ArrayLike<unknown>, n2: ArrayLike<unknown>): boolean {
  if (n1 === n2) return true;
  if (n1 == null || n2 == null || n1.length !== n2.length) return false;
  for (let i = 0; i < n1.length; i++) if (n1[i] !== n2[i]) return false;
  return true;
}

/**
 * Milliseconds from a high-resolution clock.
 * @example const t0 = util.now(); ...; console.log(util.now() - t0);
 */
function now(): number {
  return globalThis.performance?.now() ?? Date.now();
}

/** The type of `util`, spelled out so that `util.assert` narrows types as an assertion. */
export interface Util {
  shuffle: typeof shuffle;
  shuffleCombo: typeof shuffleCombo;
  assert(condition: boolean, message: string | (() => string)): asserts condition;
  assertShapesMatch: typeof assertShapesMatch;
  createShuffledIndices: typeof createShuffledIndices;
  sizeFromShape: typeof sizeFromShape;
  flatten: typeof flatten;
  arraysEqual: typeof arraysEqual;
  now: typeof now;
}

/** TF.js' `tf.util`. @example util.shuffle(indices); */
export const util: Util = {
  shuffle,
  shuffleCombo,
  assert,
  assertShapesMatch,
  createShuffledIndices,
  sizeFromShape,
  flatten,
  arraysEqual,
  now,
};

/**
 * Resolves on the next animation frame in a browser, on the next turn of the event loop in
 * Node: what TF.js programs await inside long loops so the page (or the process) stays
 * responsive.
 * @example for (let i = 0; i < 100; i++) { optimizer.minimize(loss); await nextFrame(); }
 */
export function nextFrame(): Promise<void> {
  const raf = (globalThis as { requestAnimationFrame?: (cb: () => void) => number }).requestAnimationFrame;
  if (typeof raf === 'function' && typeof (globalThis as { document?: unknown }).document !== 'undefined')
    return new Promise((resolve) => raf(() => resolve()));
  return new Promise((resolve) => setTimeout(resolve, 0));
}
