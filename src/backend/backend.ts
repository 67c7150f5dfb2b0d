import type { DType, TypedArray } from '../core/dtype.js';

/**
 * The backend contract: the only code that touches memory and computes. Autodiff, ops, layers
 * and training are written once above it; a new backend (WebAssembly SIMD, WebGPU) implements
 * just these kernels and passes the shared conformance suite.
 *
 * Kernels receive `TensorInfo`s (handle, shape, dtype) and return a new handle holding a
 * contiguous row-major result. They never modify their inputs.
 */
export type DataHandle = object;

export interface TensorInfo {
  readonly handle: DataHandle;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export type UnaryOp =
  | 'neg' | 'abs' | 'sign' | 'exp' | 'expm1' | 'log' | 'log1p' | 'sqrt' | 'rsqrt' | 'square'
  | 'reciprocal' | 'sin' | 'cos' | 'tan' | 'asin' | 'acos' | 'atan' | 'sinh' | 'cosh' | 'tanh'
  | 'asinh' | 'acosh' | 'atanh' | 'sigmoid' | 'softplus' | 'relu' | 'relu6' | 'elu' | 'selu'
  | 'floor' | 'ceil' | 'round' | 'erf' | 'logicalNot' | 'isNaN' | 'isInf' | 'isFinite';

export type BinaryOp =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum' | 'mod' | 'floorDiv'
  | 'atan2' | 'squaredDifference' | 'equal' | 'notEqual' | 'less' | 'lessEqual' | 'greater'
  | 'greaterEqual' | 'logicalAnd' | 'logicalOr';

export type ReduceOp = 'sum' | 'prod' | 'max' | 'min' | 'any' | 'all';

export interface Backend {
  readonly name: string;

  /** Copies `values` into backend memory. */
  upload(values: TypedArray, dtype: DType): DataHandle;
  /** A fresh copy of the values as a typed array of the tensor's dtype. */
  read(t: TensorInfo): TypedArray;
  /** Same as `read`, for backends that can only read asynchronously (GPU). */
  readAsync(t: TensorInfo): Promise<TypedArray>;
  /** Frees memory early; handles that are never disposed are reclaimed by the garbage collector. */
  dispose(handle: DataHandle): void;

  fill(size: number, value: number, dtype: DType): DataHandle;
  cast(x: TensorInfo, dtype: DType): DataHandle;
  unary(op: UnaryOp, x: TensorInfo): DataHandle;
  /** Element-wise with NumPy broadcasting of `a` and `b` to `outShape`; result in `outDtype`. */
  binary(op: BinaryOp, a: TensorInfo, b: TensorInfo, outShape: readonly number[], outDtype: DType): DataHandle;
  /** `cond ? a : b` element-wise, all three broadcast to `outShape`. */
  where(cond: TensorInfo, a: TensorInfo, b: TensorInfo, outShape: readonly number[]): DataHandle;
  /** Reduces the (sorted, distinct) `axes`; the result has those axes removed. */
  reduce(op: ReduceOp, x: TensorInfo, axes: readonly number[]): DataHandle;
  /** Index (int32) of the max or min along `axis`, first one on ties; the axis is removed. */
  argReduce(op: 'argMax' | 'argMin', x: TensorInfo, axis: number): DataHandle;
  /**
   * Batched matrix multiply: the last two dims are the matrices (transposed per flag), leading
   * dims broadcast. `outShape` is `[...batch, m, n]`.
   */
  matmul(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean, outShape: readonly number[]): DataHandle;
  transpose(x: TensorInfo, perm: readonly number[]): DataHandle;
  /** Strided slice: out[i] = x[begin + i * stride] along each axis, `size` elements per axis. */
  slice(x: TensorInfo, begin: readonly number[], size: readonly number[], strides?: readonly number[]): DataHandle;
  pad(x: TensorInfo, paddings: readonly (readonly [number, number])[], value: number): DataHandle;
  concat(xs: readonly TensorInfo[], axis: number, outShape: readonly number[]): DataHandle;
  /** Picks slices of `x` along `axis` at integer `indices`; out shape = x.shape with axis replaced by indices.shape. */
  gather(x: TensorInfo, indices: TensorInfo, axis: number): DataHandle;
  /**
   * The adjoint of gather: a zero tensor of `outShape` into which each slice of `updates` is
   * added at its index along `axis` (indices repeated = contributions summed).
   */
  scatterAdd(updates: TensorInfo, indices: TensorInfo, axis: number, outShape: readonly number[]): DataHandle;
}
