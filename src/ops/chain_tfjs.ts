/**
 * The rest of TF.js' chainable Tensor methods: dtype conversions (`toFloat`, `asType`), rank
 * assertions (`as2D`), `clone`, `bufferSync`, convolutions and pooling as methods, and the
 * element-wise ops TF.js also exposes on tensors. Each calls the op of the same name.
 * @example tensor([1.7, -2.2]).toInt().arraySync(); // [1, -2]
 */
import type { DType } from '../core/dtype.js';
import { ValueError, fmtShape } from '../core/errors.js';
import { Tensor } from '../core/tensor.js';
import { Variable } from '../core/variable.js';
import { TensorBuffer } from './buffer.js';
import type { TensorLike } from './convert.js';
import type { Pair, PaddingMode } from './conv_geometry.js';
import {
  avgPool,
  conv1d,
  conv2d,
  conv2dTranspose,
  depthwiseConv2d,
  maxPool,
  separableConv2d,
  type TfjsPadding,
} from './conv_tfjs.js';
import { onesLike, zerosLike } from './creation.js';
import { dot, divNoNan, logicalXor, logSigmoid, step, topk } from './tfjs_ops.js';
import { where } from './prims/binary.js';
import { cast, clone, reshape } from './prims/shape_ops.js';
import * as u from './prims/unary.js';
import { atan2 } from './prims/binary.js';
import { norm } from './norm.js';

declare module '../core/tensor.js' {
  interface Tensor {
    toInt(): Tensor;
    toFloat(): Tensor;
    toBool(): Tensor;
    asType(dtype: DType): Tensor;
    asScalar(): Tensor;
    as1D(): Tensor;
    as2D(rows: number, columns: number): Tensor;
    as3D(rows: number, columns: number, depth: number): Tensor;
    as4D(rows: number, columns: number, depth: number, depth2: number): Tensor;
    as5D(rows: number, columns: number, depth: number, depth2: number, depth3: number): Tensor;
    clone(): Tensor;
    bufferSync(): TensorBuffer;
    buffer(): Promise<TensorBuffer>;
    variable(trainable?: boolean, name?: string, dtype?: DType): Variable;
    throwIfDisposed(): void;
    zerosLike(): Tensor;
    onesLike(): Tensor;
    where(condition: TensorLike, other: TensorLike): Tensor;
    logicalXor(b: TensorLike): Tensor;
    logSigmoid(): Tensor;
    step(alpha?: number): Tensor;
    divNoNan(b: TensorLike): Tensor;
    dot(b: TensorLike): Tensor;
    atan2(b: TensorLike): Tensor;
    tan(): Tensor;
    asin(): Tensor;
    acos(): Tensor;
    atan(): Tensor;
    sinh(): Tensor;
    cosh(): Tensor;
    asinh(): Tensor;
    acosh(): Tensor;
    atanh(): Tensor;
    isInf(): Tensor;
    euclideanNorm(axis?: number | readonly number[] | null, keepDims?: boolean): Tensor;
    topk(k?: number, sorted?: boolean): { values: Tensor; indices: Tensor };
    conv1d(
      filter: TensorLike,
      stride: number,
      pad: PaddingMode | number,
      dataFormat?: 'NWC',
      dilation?: number,
    ): Tensor;
    conv2d(filter: TensorLike, strides: Pair, pad: TfjsPadding, dataFormat?: 'NHWC', dilations?: Pair): Tensor;
    conv2dTranspose(filter: TensorLike, outputShape: readonly number[], strides: Pair, pad: PaddingMode): Tensor;
    depthwiseConv2d(filter: TensorLike, strides: Pair, pad: TfjsPadding, dataFormat?: 'NHWC', dilations?: Pair): Tensor;
    separableConv2d(
      depthwiseFilter: TensorLike,
      pointwiseFilter: TensorLike,
      strides: Pair,
      pad: TfjsPadding,
      dilation?: Pair,
      dataFormat?: 'NHWC',
    ): Tensor;
    maxPool(filterSize: Pair, strides: Pair, pad: TfjsPadding): Tensor;
    avgPool(filterSize: Pair, strides: Pair, pad: TfjsPadding): Tensor;
  }
}

const proto = Tensor.prototype;

/** TF.js' `asND`: a reshape that must keep the element count. */
function asShape(t: Tensor, shape: number[], method: string): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  // A -1 dimension is inferred, as in reshape (which checks it).
  if (!shape.includes(-1) && size !== t.size)
    throw new ValueError(
      `${method}: cannot view a tensor of shape ${fmtShape(t.shape)} (${t.size} values) as ${fmtShape(shape)}`,
    );
  return reshape(t, shape);
}

proto.toInt = function () {
  return cast(this, 'int32');
};
proto.toFloat = function () {
  return cast(this, 'float32');
};
proto.toBool = function () {
  return cast(this, 'bool');
};
proto.asType = function (dtype: DType) {
  return cast(this, dtype);
};
proto.asScalar = function () {
  if (this.size !== 1) throw new ValueError(`asScalar: the tensor has shape ${fmtShape(this.shape)}, not one value`);
  return reshape(this, []);
};
proto.as1D = function () {
  return reshape(this, [this.size]);
};
proto.as2D = function (rows: number, columns: number) {
  return asShape(this, [rows, columns], 'as2D');
};
proto.as3D = function (rows: number, columns: number, depth: number) {
  return asShape(this, [rows, columns, depth], 'as3D');
};
proto.as4D = function (rows: number, columns: number, depth: number, depth2: number) {
  return asShape(this, [rows, columns, depth, depth2], 'as4D');
};
proto.as5D = function (rows: number, columns: number, depth: number, depth2: number, depth3: number) {
  return asShape(this, [rows, columns, depth, depth2, depth3], 'as5D');
};
proto.clone = function () {
  return clone(this);
};
proto.bufferSync = function () {
  return new TensorBuffer(this.shape, this.dtype, this.dataSync());
};
proto.buffer = async function () {
  return new TensorBuffer(this.shape, this.dtype, await this.data());
};
proto.variable = function (trainable = true, name?: string, dtype?: DType) {
  return new Variable(dtype && dtype !== this.dtype ? cast(this, dtype) : this, trainable, name);
};
proto.throwIfDisposed = function () {
  if (this.isDisposed) throw new ValueError(`Tensor ${this.id} (shape ${fmtShape(this.shape)}) is disposed`);
};
proto.zerosLike = function () {
  return zerosLike(this);
};
proto.onesLike = function () {
  return onesLike(this);
};
proto.where = function (condition: TensorLike, other: TensorLike) {
  return where(condition, this, other);
};
proto.logicalXor = function (b: TensorLike) {
  return logicalXor(this, b);
};
proto.logSigmoid = function () {
  return logSigmoid(this);
};
proto.step = function (alpha?: number) {
  return step(this, alpha);
};
proto.divNoNan = function (b: TensorLike) {
  return divNoNan(this, b);
};
proto.dot = function (b: TensorLike) {
  return dot(this, b);
};
proto.atan2 = function (b: TensorLike) {
  return atan2(this, b);
};
const trig = {
  tan: u.tan,
  asin: u.asin,
  acos: u.acos,
  atan: u.atan,
  sinh: u.sinh,
  cosh: u.cosh,
  asinh: u.asinh,
  acosh: u.acosh,
  atanh: u.atanh,
  isInf: u.isInf,
} as const;
for (const [name, op] of Object.entries(trig)) {
  (proto as unknown as Record<string, unknown>)[name] = function (this: Tensor) {
    return op(this);
  };
}
proto.euclideanNorm = function (axis?: number | readonly number[] | null, keepDims?: boolean) {
  return norm(this, 'euclidean', axis, keepDims);
};
proto.topk = function (k?: number, sorted?: boolean) {
  return topk(this, k, sorted);
};
proto.conv1d = function (filter, stride, pad, dataFormat, dilation) {
  return conv1d(this, filter, stride, pad, dataFormat, dilation);
};
proto.conv2d = function (filter, strides, pad, dataFormat, dilations) {
  return conv2d(this, filter, strides, pad, dataFormat, dilations);
};
proto.conv2dTranspose = function (filter, outputShape, strides, pad) {
  return conv2dTranspose(this, filter, outputShape, strides, pad);
};
proto.depthwiseConv2d = function (filter, strides, pad, dataFormat, dilations) {
  return depthwiseConv2d(this, filter, strides, pad, dataFormat, dilations);
};
proto.separableConv2d = function (depthwiseFilter, pointwiseFilter, strides, pad, dilation, dataFormat) {
  return separableConv2d(this, depthwiseFilter, pointwiseFilter, strides, pad, dilation, dataFormat);
};
proto.maxPool = function (filterSize, strides, pad) {
  return maxPool(this, filterSize, strides, pad);
};
proto.avgPool = function (filterSize, strides, pad) {
  return avgPool(this, filterSize, strides, pad);
};
