import type { Backend, DataHandle, TensorInfo } from '../backend/backend.js';
import { backend } from '../backend/registry.js';
import type { DType, TypedArray } from './dtype.js';
import { sizeOf } from './shape.js';
import { formatTensor } from './format.js';
import { releaseTicket, trackTensor, type Ticket } from './memory.js';

let nextId = 0;

/** Nested JavaScript arrays of numbers, as `array()` returns and `tensor()` accepts. */
export type NestedArray = number | boolean | NestedArray[];

/**
 * An immutable n-dimensional array. Operations return new tensors; memory is reclaimed by the
 * garbage collector, so correct programs never need `dispose` (it only frees memory early).
 *
 * @example
 * const x = tensor([[1, 2], [3, 4]]);
 * x.shape;            // [2, 2]
 * x.arraySync();      // [[1, 2], [3, 4]]
 */
export class Tensor implements TensorInfo {
  /** Unique per tensor; the autodiff tape keys gradients by it. */
  readonly id: number;
  readonly shape: number[];
  readonly dtype: DType;
  readonly size: number;
  readonly backend: Backend;
  protected disposed = false;
  /** Survives scopes (`keep`, variables); only dispose or the garbage collector frees it. @internal */
  kept = false;
  #handle: DataHandle;
  #ticket: Ticket;

  constructor(handle: DataHandle, shape: readonly number[], dtype: DType, be: Backend = backend()) {
    this.id = nextId++;
    this.#handle = handle;
    this.shape = [...shape];
    this.dtype = dtype;
    this.size = sizeOf(shape);
    this.backend = be;
    this.#ticket = trackTensor(this);
  }

  /** Backend memory. Only a Variable's `assign` ever replaces it. */
  get handle(): DataHandle {
    return this.#handle;
  }

  set handle(h: DataHandle) {
    if (h === this.#handle) return;
    // Memory accounting follows the buffer: the old one may be freed, the new one is shared.
    if (releaseTicket(this.#ticket)) this.backend.dispose(this.#handle);
    this.#handle = h;
    this.#ticket = trackTensor(this);
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** A copy of the values as a flat typed array (synchronous). */
  dataSync(): TypedArray {
    this.assertAlive();
    return this.backend.read(this);
  }

  /** A copy of the values as a flat typed array. */
  async data(): Promise<TypedArray> {
    this.assertAlive();
    return this.backend.readAsync(this);
  }

  /** The values as nested arrays (synchronous). */
  arraySync(): NestedArray {
    return toNested(this.dataSync(), this.shape, this.dtype);
  }

  /** The values as nested arrays. */
  async array(): Promise<NestedArray> {
    return toNested(await this.data(), this.shape, this.dtype);
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1)
      throw new Error(`item(): expected a tensor with one element, got shape [${this.shape.join(', ')}]`);
    return this.dataSync()[0];
  }

  /** Frees the memory now instead of at garbage collection. Using the tensor afterwards throws. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    // The buffer is freed only when no other tensor (a reshape view) still uses it.
    if (releaseTicket(this.#ticket)) this.backend.dispose(this.#handle);
  }

  toString(): string {
    return formatTensor(this.dataSync(), this.shape, this.dtype);
  }

  /** Prints `toString()` to the console. */
  print(): void {
    console.log(this.toString());
  }

  protected assertAlive(): void {
    if (this.disposed)
      throw new Error(`Tensor ${this.id} (shape [${this.shape.join(', ')}]) was disposed and cannot be used`);
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

function toNested(values: TypedArray, shape: readonly number[], dtype: DType): NestedArray {
  const isBool = dtype === 'bool';
  const conv = (v: number): number | boolean => (isBool ? v !== 0 : v);
  if (shape.length === 0) return conv(values[0]);
  const build = (offset: number, dim: number): NestedArray[] => {
    const n = shape[dim];
    const out: NestedArray[] = new Array(n);
    if (dim === shape.length - 1) {
      for (let i = 0; i < n; i++) out[i] = conv(values[offset + i]);
      return out;
    }
    let stride = 1;
    for (let d = dim + 1; d < shape.length; d++) stride *= shape[d];
    for (let i = 0; i < n; i++) out[i] = build(offset + i * stride, dim + 1);
    return out;
  };
  return build(0, 0);
}
