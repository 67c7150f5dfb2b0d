import type { DataHandle } from '../backend/backend.js';
import { backend } from '../backend/registry.js';
import { arrayTypeOf, checkDType, getFloatX, type DType, type TypedArray } from '../core/dtype.js';
import { ValueError, fmtShape } from '../core/errors.js';
import { sizeOf, validateShape } from '../core/shape.js';
import { Tensor, type NestedArray } from '../core/tensor.js';

/** Anything an op accepts where a tensor is expected. */
export type TensorLike = Tensor | number | boolean | NestedArray | TypedArray;

/** Wraps a kernel's result as a tensor on the active backend. */
export function wrap(handle: DataHandle, shape: readonly number[], dtype: DType): Tensor {
  return new Tensor(handle, shape, dtype);
}

/**
 * Creates a tensor from numbers, nested arrays or a typed array. Plain numbers become
 * `float32` (the current floatX), booleans `bool`, an Int32Array `int32`.
 * @example tensor([[1, 2], [3, 4]]); tensor([1, 2, 3, 4], [2, 2], 'int32');
 */
export function tensor(values: TensorLike, shape?: readonly number[], dtype?: DType): Tensor {
  if (values instanceof Tensor) {
    let t = values;
    if (dtype && dtype !== t.dtype) t = wrap(t.backend.cast(t, checkDType(dtype, 'tensor')), t.shape, dtype);
    if (shape) {
      validateShape(shape, 'tensor(shape)');
      if (sizeOf(shape) !== t.size)
        throw new ValueError(
          `tensor: shape ${fmtShape(shape)} has ${sizeOf(shape)} elements but the values have ${t.size}`,
        );
      t = wrap(t.handle, shape, t.dtype);
    }
    return t;
  }
  let flat: ArrayLike<number>;
  let inferred: number[];
  let inferredDtype: DType;
  if (ArrayBuffer.isView(values)) {
    checkTypedArray(values);
    flat = values as TypedArray;
    inferred = [flat.length];
    inferredDtype =
      values instanceof Int32Array
        ? 'int32'
        : values instanceof Float64Array
          ? 'float64'
          : values instanceof Uint8Array
            ? 'bool'
            : 'float32';
    if (values instanceof Float32Array) inferredDtype = 'float32';
  } else {
    const { data, shape: s, isBool } = flatten(values as NestedArray);
    flat = data;
    inferred = s;
    inferredDtype = isBool ? 'bool' : getFloatX();
  }
  if (shape) validateShape(shape, 'tensor(shape)');
  const finalShape = shape ? [...shape] : inferred;
  if (shape) {
    if (sizeOf(shape) !== flat.length && !(flat.length === 1 && !ArrayBuffer.isView(values))) {
      throw new ValueError(
        `tensor: shape ${fmtShape(shape)} has ${sizeOf(shape)} elements but ${flat.length} values were given`,
      );
    }
  }
  const dt = dtype === undefined ? inferredDtype : checkDType(dtype, 'tensor');
  const n = sizeOf(finalShape);
  const arr = new (arrayTypeOf(dt))(n);
  if (dt === 'int32' && !(values instanceof Int32Array)) checkInt32(flat, finalShape);
  if (flat.length === 1 && n !== 1) arr.fill(Number(flat[0]));
  else if (dt === 'int32') for (let i = 0; i < n; i++) arr[i] = Math.trunc(flat[i]);
  else if (dt === 'bool') for (let i = 0; i < n; i++) arr[i] = flat[i] ? 1 : 0;
  else arr.set(flat);
  return wrap(backend().upload(arr, dt), finalShape, dt);
}

/** Typed arrays whose values a tensor can hold; 64-bit integer and raw byte views are refused clearly. */
function checkTypedArray(values: ArrayBufferView): void {
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    throw new ValueError(
      `tensor: ${values.constructor.name} holds 64-bit integers, which Myelin tensors do not (they hold float32, float64, int32 or bool); convert first, e.g. Int32Array.from(values, Number) when the values fit in int32, else Float64Array.from(values, Number)`,
    );
  }
  if (values instanceof DataView)
    throw new ValueError('tensor: a DataView has no element type; pass a typed array (Float32Array, Int32Array, ...)');
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * Throws unless every value fits int32 once its fraction is dropped: an Int32Array would wrap
 * 3e9 to -1294967296 and turn NaN into 0 without a word.
 */
function checkInt32(values: ArrayLike<number>, shape: readonly number[]): void {
  for (let i = 0; i < values.length; i++) {
    const v = Math.trunc(values[i]);
    if (v >= INT32_MIN && v <= INT32_MAX) continue;
    const at = values.length === 1 ? '' : ` at ${fmtShape(unravel(i, shape))}`;
    throw new ValueError(
      `tensor: value ${values[i]}${at} does not fit dtype int32 (integers from ${INT32_MIN} to ${INT32_MAX}); use 'float32' or 'float64' for it`,
    );
  }
}

/** The multi-index of flat position `i` in `shape` (row-major). */
function unravel(i: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1, rest = i; d >= 0; d--) {
    index[d] = rest % shape[d];
    rest = Math.floor(rest / shape[d]);
  }
  return index;
}

function flatten(values: NestedArray): { data: number[]; shape: number[]; isBool: boolean } {
  const shape: number[] = [];
  let v: NestedArray = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    if (v.length === 0) break;
    v = v[0];
  }
  const data: number[] = [];
  let isBool = typeof v === 'boolean';
  const walk = (x: NestedArray, dim: number, path: number[]): void => {
    if (dim === shape.length) {
      if (Array.isArray(x))
        throw new ValueError(
          `tensor: ragged nested array: element at [${path.join(', ')}] is an array but a number was expected (inferred shape ${fmtShape(shape)})`,
        );
      if (typeof x === 'boolean') {
        data.push(x ? 1 : 0);
        return;
      }
      if (typeof x !== 'number')
        throw new ValueError(
          `tensor: element at [${path.join(', ')}] is ${typeof x} (${typeof x === 'bigint' ? `${x}n` : JSON.stringify(x)}); expected a number or boolean`,
        );
      isBool = false;
      data.push(x);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[dim]) {
      throw new ValueError(
        `tensor: ragged nested array: element at [${path.join(', ')}] has ${Array.isArray(x) ? `length ${x.length}` : 'no length'} but length ${shape[dim]} was expected (pad sequences to equal length)`,
      );
    }
    for (let i = 0; i < x.length; i++) walk(x[i], dim + 1, [...path, i]);
  };
  walk(values, 0, []);
  return { data, shape, isBool: isBool && data.length > 0 };
}

/**
 * Converts an op argument to a tensor, naming the op and argument in errors. Plain numbers
 * adopt `like`'s dtype when given, so `mul(x64, 2)` stays float64.
 */
export function toTensor(x: TensorLike, arg: string, op: string, like?: DType): Tensor {
  if (x instanceof Tensor) {
    if (x.isDisposed) throw new ValueError(`${op}: argument '${arg}' was disposed`);
    return x;
  }
  if (x === null || x === undefined)
    throw new ValueError(`${op}: argument '${arg}' is ${x}; expected a tensor, number or array`);
  if (typeof x === 'number') {
    // A fractional number next to an integer tensor must not be truncated: it promotes instead.
    if (!like) return scalarConstant(x, getFloatX());
    if (like === 'int32') return scalarConstant(x, Number.isInteger(x) ? 'int32' : getFloatX());
    if (like === 'bool') return scalarConstant(x, getFloatX());
    return scalarConstant(x, like);
  }
  return tensor(x);
}

/** Scalar constants ops were given as numbers, per backend (see scalarConstant). */
const constants = new WeakMap<object, Map<string, Tensor>>();
const MAX_CONSTANTS = 1024;

/**
 * The scalar tensor for a number an op was given (`mul(x, 2)`, a loss's `1 / n`), made once per
 * backend, value and dtype and then reused: a training step passes the same few numbers every
 * time, and each new tensor costs an allocation and an upload. The tensors are kept (no scope
 * frees them); past MAX_CONSTANTS the cache starts afresh and the garbage collector takes the
 * old ones when nothing uses them.
 */
function scalarConstant(value: number, dtype: DType): Tensor {
  const be = backend();
  let cache = constants.get(be);
  if (!cache) constants.set(be, (cache = new Map()));
  const key = `${dtype}:${Object.is(value, -0) ? '-0' : value}`;
  const hit = cache.get(key);
  if (hit && !hit.isDisposed) return hit;
  if (cache.size >= MAX_CONSTANTS) cache.clear();
  const t = tensor(value, [], dtype);
  t.kept = true;
  cache.set(key, t);
  return t;
}

/** `toTensor` for a float op: integer and bool inputs are cast to floatX. */
export function toFloat(x: TensorLike, arg: string, op: string, like?: DType): Tensor {
  const t = toTensor(x, arg, op, like);
  if (t.dtype === 'float32' || t.dtype === 'float64') return t;
  const dt = getFloatX();
  return wrap(t.backend.cast(t, dt), t.shape, dt);
}
