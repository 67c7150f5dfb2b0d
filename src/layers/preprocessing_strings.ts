import { ValueError } from '../core/errors.js';
import { Tensor } from '../core/tensor.js';
import { SymbolicTensor } from './symbolic.js';

/**
 * String inputs of the string preprocessing layers (StringLookup, Hashing): Myelin's tensors
 * hold numbers, so strings stay JavaScript strings, one string or nested arrays of equal
 * length (a [batch, ...] array), as TextVectorization takes them.
 */
export type StringData = string | readonly StringData[];

/** Whether `data` is string data: a string, or an array whose first leaf is a string. */
export function isStringData(data: unknown): data is StringData {
  let x = data;
  while (Array.isArray(x) && x.length > 0) x = x[0];
  return typeof x === 'string';
}

/**
 * The strings of `data` in row-major order and its shape; `who` names the layer in errors
 * about ragged rows or non-string leaves.
 * @example flattenStrings([['a', 'b'], ['c', 'd']], 'StringLookup'); // { values: ['a','b','c','d'], shape: [2, 2] }
 */
export function flattenStrings(data: unknown, who: string): { values: string[]; shape: number[] } {
  const shape: number[] = [];
  for (let x = data; Array.isArray(x); x = x[0]) shape.push(x.length);
  const values: string[] = [];
  const walk = (x: unknown, depth: number, at: string): void => {
    if (depth === shape.length) {
      if (typeof x !== 'string')
        throw new ValueError(
          `${who}: expected strings, got ${x === null ? 'null' : Array.isArray(x) ? 'a nested array' : typeof x} at ${at || 'the top'}`,
        );
      values.push(x);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[depth])
      throw new ValueError(
        `${who}: string inputs must be nested arrays of equal length; expected ${shape[depth]} entries at ${at || 'the top'}, got ${Array.isArray(x) ? x.length : typeof x}`,
      );
    x.forEach((item, i) => walk(item, depth + 1, `${at}[${i}]`));
  };
  walk(data, 0, '');
  return { values, shape };
}

/**
 * Every string of `data`, which may be ragged: a string, or arrays (or other iterables, such as
 * a generator of batches) of them at any depth. What `adapt` counts.
 * @example collectStrings([['a'], ['b', 'c']], 'StringLookup.adapt'); // ['a', 'b', 'c']
 */
export function collectStrings(data: unknown, who: string): string[] {
  const out: string[] = [];
  const walk = (x: unknown, at: string): void => {
    if (typeof x === 'string') out.push(x);
    else if (typeof x === 'object' && x !== null && Symbol.iterator in x && !(x instanceof Tensor)) {
      let i = 0;
      for (const item of x as Iterable<unknown>) walk(item, `${at}[${i++}]`);
    } else
      throw new ValueError(
        `${who}: expected strings, got ${x === null ? 'null' : x instanceof Tensor ? describeInput(x) : typeof x} at ${at || 'the top'}`,
      );
  };
  walk(data, '');
  return out;
}

/** `values` (row-major) as nested arrays of `shape`; the inverse of `flattenStrings`. */
export function nestStrings(values: readonly string[], shape: readonly number[]): StringData {
  if (shape.length === 0) return values[0];
  const step = values.length / Math.max(shape[0], 1);
  return Array.from({ length: shape[0] }, (_, i) =>
    nestStrings(values.slice(i * step, (i + 1) * step), shape.slice(1)),
  );
}

/**
 * A layer's `salt` option (Keras' SipHash key): one non-negative integer (used twice) or two,
 * as the pair Keras stores; null when absent.
 */
export function saltPair(salt: unknown, who: string): [number, number] | null {
  if (salt === null || salt === undefined) return null;
  const pair = typeof salt === 'number' ? [salt, salt] : salt;
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((s) => Number.isSafeInteger(s) && s >= 0))
    throw new ValueError(
      `${who}: 'salt' must be a non-negative integer or a list of 2 of them, got ${JSON.stringify(salt)}`,
    );
  return [pair[0], pair[1]];
}

/** Refuses symbolic inputs for a layer that needs strings (a model's inputs are numeric tensors). */
export function refuseSymbolic(inputs: unknown, who: string): void {
  const list = Array.isArray(inputs) ? inputs : [inputs];
  if (list.some((x) => x instanceof SymbolicTensor))
    throw new ValueError(
      `${who} takes strings, which a model's numeric inputs cannot carry; apply it to the string data before the model and feed the model its output`,
    );
}

/** Names a value that is not string data, for errors: 'a float32 tensor', 'number'. */
export function describeInput(x: unknown): string {
  if (x instanceof Tensor) return `a ${x.dtype} tensor`;
  return x === null ? 'null' : Array.isArray(x) ? 'an array of numbers' : typeof x;
}
