import { allocArray, checkDType, type DType, type TypedArray } from '../core/dtype.js';
import { ValueError, fmtShape } from '../core/errors.js';
import { sizeOf, stridesOf, validateShape } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { tensor } from './convert.js';

/**
 * A mutable, CPU-side array of values with a shape (TF.js' `TensorBuffer`): set values one at a
 * time, then make an (immutable) tensor with `toTensor()`. What TF.js programs use to build
 * one-hot encodings and other sparse inputs.
 *
 * @example
 * const buf = buffer([2, 3]);
 * buf.set(1, 0, 2);          // value 1 at row 0, column 2
 * buf.toTensor();            // [[0, 0, 1], [0, 0, 0]]
 */
export class TensorBuffer {
  readonly shape: number[];
  readonly dtype: DType;
  readonly size: number;
  readonly values: TypedArray;
  /** Elements to skip for one step along each axis but the last. */
  readonly strides: number[];

  constructor(shape: readonly number[], dtype: DType = 'float32', values?: TypedArray | ArrayLike<number>) {
    validateShape(shape, 'TensorBuffer(shape)');
    this.shape = [...shape];
    this.dtype = checkDType(dtype ?? 'float32', 'TensorBuffer');
    this.size = sizeOf(shape);
    if (values !== undefined && values.length !== this.size)
      throw new ValueError(
        `TensorBuffer: a buffer of shape ${fmtShape(shape)} holds ${this.size} values, got ${values.length}`,
      );
    const store = allocArray(this.dtype, this.size);
    if (values !== undefined) store.set(values as ArrayLike<number>);
    this.values = store;
    this.strides = stridesOf(shape).slice(0, -1);
  }

  get rank(): number {
    return this.shape.length;
  }

  /** Sets the value at `locs` (one index per axis). @example buf.set(5, 1, 2); */
  set(value: number | boolean, ...locs: number[]): void {
    this.values[this.locToIndex(locs.length === 0 ? [0] : locs)] = Number(value);
  }

  /** The value at `locs` (one index per axis). @example buf.get(1, 2); */
  get(...locs: number[]): number {
    return this.values[this.locToIndex(locs.length === 0 ? [0] : locs)];
  }

  /** The flat index of `locs`, checked against the shape. */
  locToIndex(locs: readonly number[]): number {
    if (this.rank === 0) {
      if (locs.length === 1 && locs[0] === 0) return 0;
    } else if (locs.length !== this.rank)
      throw new ValueError(
        `TensorBuffer: expected ${this.rank} indices for shape ${fmtShape(this.shape)}, got ${locs.length} ([${locs.join(', ')}])`,
      );
    let index = 0;
    locs.forEach((loc, axis) => {
      const dim = this.shape[axis] ?? 1;
      if (!Number.isInteger(loc) || loc < 0 || loc >= dim)
        throw new ValueError(
          `TensorBuffer: index ${loc} on axis ${axis} is out of range for shape ${fmtShape(this.shape)}`,
        );
      index += loc * (axis < this.strides.length ? this.strides[axis] : 1);
    });
    return index;
  }

  /** The indices of the flat position `index`. */
  indexToLoc(index: number): number[] {
    if (this.rank === 0) return [];
    const locs: number[] = [];
    let rest = index;
    for (const stride of this.strides) {
      locs.push(Math.floor(rest / stride));
      rest %= stride;
    }
    locs.push(rest);
    return locs;
  }

  /** A tensor holding a copy of the values. */
  toTensor(): Tensor {
    return tensor(this.values.slice(), this.shape, this.dtype);
  }
}

/**
 * Creates a TensorBuffer of `shape`, zero-filled or holding `values`.
 * @example const buf = buffer([3], 'int32'); buf.set(7, 1); buf.toTensor(); // [0, 7, 0]
 */
export function buffer(shape: readonly number[], dtype: DType = 'float32', values?: TypedArray | ArrayLike<number>) {
  return new TensorBuffer(shape, dtype, values);
}
