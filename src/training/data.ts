import { ValueError, fmtShape } from '../core/errors.js';
import { Tensor } from '../core/tensor.js';
import { noGrad } from '../autograd/tape.js';
import { scoped } from '../core/memory.js';
import { gather, mul, sum } from '../ops/index.js';
import { tensor } from '../ops/convert.js';
import { reshape } from '../ops/prims/shape_ops.js';
import type { ModelData } from './types.js';

/** Puts `data` in model order (one tensor per input or output), naming the argument in errors. */
export function toTensorList(
  data: ModelData | undefined,
  names: readonly string[],
  arg: string,
  call: string,
): Tensor[] {
  if (data === undefined || data === null) throw new ValueError(`${call}: '${arg}' is required`);
  if (data instanceof Tensor) {
    if (names.length !== 1)
      throw new ValueError(
        `${call}: the model has ${names.length} ${arg === 'x' ? 'inputs' : 'outputs'} (${names.join(', ')}) but '${arg}' is a single tensor; pass an array or an object keyed by name`,
      );
    return [data];
  }
  if (Array.isArray(data)) {
    // One input (output): nested arrays of numbers are its values, as TF.js and Keras take them.
    if (names.length === 1 && isNestedNumbers(data)) return [asTensor(data, arg, call)];
    if (data.length !== names.length)
      throw new ValueError(
        `${call}: '${arg}' has ${data.length} tensors but the model has ${names.length} ${arg === 'x' ? 'inputs' : 'outputs'} (${names.join(', ')})`,
      );
    return data.map((t, i) => asTensor(t, `${arg}[${i}]`, call));
  }
  if (typeof data === 'object') {
    const rec = data as Record<string, Tensor>;
    const missing = names.filter((n) => !(n in rec));
    if (missing.length)
      throw new ValueError(
        `${call}: '${arg}' has no entry for ${missing.map((m) => `'${m}'`).join(', ')}; expected keys ${names.join(', ')}, got ${Object.keys(rec).join(', ')}`,
      );
    return names.map((n) => asTensor(rec[n], `${arg}['${n}']`, call));
  }
  throw new ValueError(
    `${call}: '${arg}' must be a tensor, an array of tensors or an object of tensors, got ${typeof data}`,
  );
}

/** Whether `data` is a (possibly nested) array whose first leaf is a number. */
function isNestedNumbers(data: readonly unknown[]): boolean {
  let first: unknown = data;
  while (Array.isArray(first)) first = first[0];
  return typeof first === 'number';
}

function asTensor(t: unknown, arg: string, call: string): Tensor {
  if (t instanceof Tensor) return t;
  if (Array.isArray(t) || ArrayBuffer.isView(t)) return tensor(t as number[]);
  throw new ValueError(`${call}: '${arg}' must be a tensor, got ${t === null ? 'null' : typeof t}`);
}

/**
 * Checks each data tensor against the shape the model declares (batch dimension free), so a
 * mismatch is reported before any computation, with both shapes and the layer's name.
 */
export function checkShapes(
  data: Tensor[],
  names: readonly string[],
  shapes: readonly (readonly (number | null)[])[],
  arg: string,
  call: string,
): Tensor[] {
  return data.map((t, i) => {
    const expected = shapes[i];
    const what = `${arg === 'x' ? 'input' : 'target'} '${names[i]}'`;
    if (t.rank === 0) throw new ValueError(`${call}: ${what} must have a batch dimension, got a scalar`);
    // Keras accepts targets of shape [n] for an output of shape [n, 1].
    if (arg !== 'x' && t.rank === expected.length - 1 && expected[expected.length - 1] === 1)
      t = reshape(t, [...t.shape, 1]);
    if (arg !== 'x' && t.rank === expected.length - 1) return t; // sparse labels: checked by the loss
    if (t.rank !== expected.length) {
      throw new ValueError(
        `${call}: ${what} expects data of shape ${fmtShape(expected)} (rank ${expected.length}) but '${arg}' has shape ${fmtShape(t.shape)} (rank ${t.rank})`,
      );
    }
    for (let d = 1; d < expected.length; d++) {
      const e = expected[d];
      if (e !== null && e !== t.shape[d] && !(arg !== 'x' && d === expected.length - 1)) {
        throw new ValueError(
          `${call}: ${what} expects data of shape ${fmtShape(expected)} but '${arg}' has shape ${fmtShape(t.shape)} (dimension ${d}: expected ${e}, got ${t.shape[d]}); check the inputShape of the first layer`,
        );
      }
    }
    return t;
  });
}

/** All tensors must share one non-zero number of samples. */
export function checkSampleCounts(groups: { arg: string; tensors: Tensor[] }[], call: string): number {
  let n: number | null = null;
  let first = '';
  for (const { arg, tensors } of groups) {
    tensors.forEach((t, i) => {
      const label = tensors.length > 1 ? `${arg}[${i}]` : arg;
      if (n === null) {
        n = t.shape[0];
        first = label;
        return;
      }
      if (t.shape[0] !== n)
        throw new ValueError(
          `${call}: '${first}' has ${n} samples but '${label}' has ${t.shape[0]}; inputs and targets must have the same number of samples`,
        );
    });
  }
  if (n === null || n === 0) throw new ValueError(`${call}: the dataset is empty (0 samples)`);
  return n;
}

/** Rejects NaN or infinite values, naming the argument and the first bad position. */
export function checkFinite(tensors: Tensor[], arg: string, call: string): void {
  tensors.forEach((t, k) => {
    if (t.dtype !== 'float32' && t.dtype !== 'float64') return;
    // GPU memory cannot be scanned synchronously; there a NaN shows up as a NaN loss instead.
    if (t.backend.syncReads === false) return;
    // x·0 is 0 for every finite x and NaN otherwise, so one product and one sum (fast kernels
    // on every backend) clear the usual all-finite case; only bad data is scanned value by value.
    if (Number.isFinite(scoped(() => noGrad(() => sum(mul(t, 0)).dataSync()[0])))) return;
    const v = t.dataSync();
    for (let i = 0; i < v.length; i++) {
      if (!Number.isFinite(v[i])) {
        const row = Math.floor(i / (t.size / t.shape[0]));
        const label = tensors.length > 1 ? `${arg}[${k}]` : arg;
        throw new ValueError(
          `${call}: '${label}' contains ${Number.isNaN(v[i]) ? 'NaN' : v[i]} at sample ${row} (flat index ${i}); clean or impute the data first`,
        );
      }
    }
  });
}

/** Validates a positive integer argument such as `epochs` or `batchSize`. */
export function checkPositiveInt(value: unknown, arg: string, call: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new ValueError(`${call}: '${arg}' must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Rows `indices` of every tensor (a batch). */
export function takeRows(tensors: Tensor[], indices: Int32Array): Tensor[] {
  const idx = tensor(indices, [indices.length], 'int32');
  return tensors.map((t) => gather(t, idx, 0));
}

/** Contiguous rows [start, end) of every tensor. */
export function sliceRows(tensors: Tensor[], start: number, end: number): Tensor[] {
  const idx = new Int32Array(end - start);
  for (let i = 0; i < idx.length; i++) idx[i] = start + i;
  return takeRows(tensors, idx);
}
