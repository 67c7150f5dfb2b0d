import type { DType, TypedArray } from '../core/dtype.js';
import type { BinaryOp, ReduceOp, UnaryOp } from './op_table.js';

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

// The element-wise and reduce ops, with their opcodes and result types, are one table.
export type { BinaryOp, ReduceOp, UnaryOp } from './op_table.js';

/**
 * Where a 2-D window lands on NHWC images: sizes, steps and the implicit padding (the fields of
 * the ops' conv geometry, so the ops pass theirs unchanged).
 */
export interface WindowGeometry {
  readonly inH: number;
  readonly inW: number;
  readonly kH: number;
  readonly kW: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly dilationH: number;
  readonly dilationW: number;
  readonly outH: number;
  readonly outW: number;
  readonly padTop: number;
  readonly padLeft: number;
}

/** The activations the fused dense and bias kernels apply: none, or ReLU. */
export type FusedActivation = 'linear' | 'relu';

/**
 * Optional fused kernels. Ops use one when the active backend has it and otherwise build the
 * same result from the core kernels; a backend that implements one must agree with the
 * reference backend's version (the conformance suite checks each one a backend provides).
 */
export interface FusedKernels {
  /**
   * One Adam step over a whole parameter: m' = m + (g - m)(1 - beta1),
   * v' = v + (g² - v)(1 - beta2), p' = p - alpha·m' / (sqrt(v') + epsilon), each rounded as
   * the element-wise ops would. Returns [p', m', v'].
   */
  adam?(
    p: TensorInfo,
    g: TensorInfo,
    m: TensorInfo,
    v: TensorInfo,
    alpha: number,
    beta1: number,
    beta2: number,
    epsilon: number,
  ): [DataHandle, DataHandle, DataHandle];
  /** Softmax (or log-softmax) along the last axis, shifted by the row max (0 when it is not finite). */
  softmax?(x: TensorInfo, log: boolean): DataHandle;
  /**
   * Softmax along the last axis over the entries where the bool `mask` (x's rank, each axis x's
   * size or 1) is true, shifted by the max of those; 0 at masked entries and across rows where
   * none is allowed (attention's masked softmax).
   */
  maskedSoftmax?(x: TensorInfo, mask: TensorInfo): DataHandle;
  /**
   * The gradient of softmax along the last axis from its output: y·(dy - Σ dy·y), or with `log`
   * (y = log-softmax) dy - exp(y)·Σ dy.
   */
  softmaxGrad?(y: TensorInfo, dy: TensorInfo, log: boolean): DataHandle;
  /** gelu(x) = x·Φ(x) element-wise, or with `approximate` the tanh form 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))). */
  gelu?(x: TensorInfo, approximate: boolean): DataHandle;
  /**
   * [gelu(x), gelu'(x)] element-wise: the forward pass of training keeps the slope, so the
   * backward pass is one product with dy.
   */
  geluWithDerivative?(x: TensorInfo, approximate: boolean): [DataHandle, DataHandle];
  /**
   * Layer normalization over the last axis: y = (x - mean)·rstd·gamma + beta with
   * rstd = 1/sqrt(variance + epsilon) (biased variance); gamma and beta are vectors of the last
   * axis' size, or null for none. Returns [y, mean, rstd], the statistics shaped as x without
   * its last axis.
   */
  layerNorm?(
    x: TensorInfo,
    gamma: TensorInfo | null,
    beta: TensorInfo | null,
    epsilon: number,
  ): [DataHandle, DataHandle, DataHandle];
  /**
   * The gradient of layerNorm from the mean and rstd it returned: [dx, dgamma, dbeta], with
   * dgamma = Σ dy·x̂ and dbeta = Σ dy over every row (x̂ the normalized x).
   */
  layerNormGrad?(
    x: TensorInfo,
    mean: TensorInfo,
    rstd: TensorInfo,
    gamma: TensorInfo | null,
    dy: TensorInfo,
  ): [DataHandle, DataHandle, DataHandle];
  /**
   * im2col: every window of the NHWC images `x` as one row [n, outH, outW, kH * kW * channels],
   * pixels outside the image read as `padValue`.
   */
  im2col?(x: TensorInfo, g: WindowGeometry, padValue: number): DataHandle;
  /** The adjoint of im2col: each window row added back onto its pixels of an image of `imageShape`. */
  col2im?(cols: TensorInfo, g: WindowGeometry, imageShape: readonly number[]): DataHandle;
  /** Max over each window of NHWC images [n, outH, outW, channels]; padding never wins. */
  maxPool?(x: TensorInfo, g: WindowGeometry): DataHandle;
  /**
   * Gradient of maxPool: each window's dy split evenly between the pixels of x equal to the
   * window's max y; result shaped as x.
   */
  maxPoolGrad?(x: TensorInfo, y: TensorInfo, dy: TensorInfo, g: WindowGeometry): DataHandle;
  /**
   * An LSTM cell with sigmoid gates and tanh: z [batch, 4·units] (pre-activations in Keras order
   * i, f, c, o) and the cell state c [batch, units] give [activated gates, c' = f·c + i·tanh(zc),
   * h' = o·tanh(c')].
   */
  lstmCell?(z: TensorInfo, c: TensorInfo): [DataHandle, DataHandle, DataHandle];
  /**
   * The cell's gradients, one output at a time. 'cell': dy = dc', state = c, returns [dz, dc]
   * (dz zero in the o slot). 'hidden': dy = dh', state = c', returns [dz, dc'] (dz zero outside
   * the o slot).
   */
  lstmCellGrad?(
    which: 'cell' | 'hidden',
    gates: TensorInfo,
    state: TensorInfo,
    dy: TensorInfo,
  ): [DataHandle, DataHandle];
  /**
   * A dense layer in one kernel: activation(x·w + bias) for x [m, k], w [k, n] and bias [n] (or
   * none), each step rounded as matmul, add and relu would round it.
   */
  linear?(x: TensorInfo, w: TensorInfo, bias: TensorInfo | null, activation: FusedActivation): DataHandle;
  /** activation(x + bias), bias [n] (or none) broadcast along the last axis of x. */
  biasActivation?(x: TensorInfo, bias: TensorInfo | null, activation: FusedActivation): DataHandle;
  /** An activation's gradient from its output y in one pass; ReLU: dy where y > 0, else 0. */
  activationGrad?(activation: 'relu', y: TensorInfo, dy: TensorInfo): DataHandle;
  /**
   * A whole LSTM recurrence (sigmoid gates, tanh) in one call: z [steps, batch, 4·units] holds
   * each step's input projection plus bias, u [units, 4·units] the recurrent kernel, h0 and c0
   * [batch, units] the initial states. Step t runs the cell (lstmCell) on z[t] + h·u. Returns
   * [hs, cs, gates]: every step's h' and c' [steps, batch, units] and, when `withGates`, the
   * activated gates [steps, batch, 4·units] the gradient reads (otherwise null).
   */
  lstmSequence?(
    z: TensorInfo,
    u: TensorInfo,
    h0: TensorInfo,
    c0: TensorInfo,
    withGates: boolean,
  ): [DataHandle, DataHandle, DataHandle | null];
  /**
   * The gradient of lstmSequence through time, from its gates and cs, c0, u and the gradients
   * of hs (dhs) and of cs (dcs, null for none): returns [dz, dh0, dc0]. The recurrent kernel's
   * gradient is then one product, Σ_t h_{t-1}ᵀ·dz_t, which the op computes.
   */
  lstmSequenceGrad?(
    gates: TensorInfo,
    cs: TensorInfo,
    c0: TensorInfo,
    u: TensorInfo,
    dhs: TensorInfo,
    dcs: TensorInfo | null,
  ): [DataHandle, DataHandle, DataHandle];
}

export type FusedKernelName = keyof FusedKernels;

const FUSED_KERNELS: Record<FusedKernelName, true> = {
  adam: true,
  softmax: true,
  maskedSoftmax: true,
  softmaxGrad: true,
  gelu: true,
  geluWithDerivative: true,
  layerNorm: true,
  layerNormGrad: true,
  im2col: true,
  col2im: true,
  maxPool: true,
  maxPoolGrad: true,
  lstmCell: true,
  lstmCellGrad: true,
  lstmSequence: true,
  lstmSequenceGrad: true,
  linear: true,
  biasActivation: true,
  activationGrad: true,
};

/**
 * The optional fused kernels by name (a backend has the ones it defines; the conformance suite
 * checks each of those).
 * @example const provided = fusedKernelNames.filter((k) => backend()[k] !== undefined);
 */
export const fusedKernelNames = Object.keys(FUSED_KERNELS) as FusedKernelName[];

/** The contract's required kernels: its methods other than memory (upload, read, dispose) and the fused ones. */
type CoreKernelName = Exclude<
  { [K in keyof Backend]-?: Backend[K] extends (...args: never[]) => unknown ? K : never }[keyof Backend],
  'upload' | 'read' | 'readAsync' | 'dispose' | FusedKernelName
>;

const CORE_KERNELS: Record<CoreKernelName, true> = {
  fill: true,
  cast: true,
  unary: true,
  binary: true,
  where: true,
  reduce: true,
  argReduce: true,
  matmul: true,
  transpose: true,
  slice: true,
  pad: true,
  concat: true,
  gather: true,
  scatterAdd: true,
};

/**
 * Every kernel of the contract by name, required and fused: the calls that compute a new buffer
 * from their arguments alone (what a captured training step replays).
 * @example kernelNames.includes('matmul') // true
 */
export const kernelNames: readonly string[] = [...Object.keys(CORE_KERNELS), ...fusedKernelNames];

export interface Backend extends FusedKernels {
  readonly name: string;
  /** False for backends whose memory can only be read asynchronously (GPU); default true. */
  readonly syncReads?: boolean;
  /**
   * True when the memory tracker should dispose a buffer once every tensor using it has been
   * garbage collected, so the backend needs no finalizer of its own on every handle.
   */
  readonly freesOnCollect?: boolean;

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
  matmul(
    a: TensorInfo,
    b: TensorInfo,
    transposeA: boolean,
    transposeB: boolean,
    outShape: readonly number[],
  ): DataHandle;
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
