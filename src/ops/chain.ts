/**
 * TF.js-style chainable methods: `x.square().sum().sqrt()`. Each method calls the op of the
 * same name with `this` as the first argument; importing the ops index installs them.
 * @example tensor([[1, -2]]).relu().sum().item() // 1
 */
import type { DType } from '../core/dtype.js';
import { Tensor } from '../core/tensor.js';
import * as b from './prims/binary.js';
import * as u from './prims/unary.js';
import * as r from './prims/reduce.js';
import { pow } from './prims/pow.js';
import { mean } from './moments.js';
import { norm } from './norm.js';
import { matMul } from './prims/matmul.js';
import { cast, reshape, transpose } from './prims/shape_ops.js';
import { expandDims, flatten, squeeze } from './dims.js';
import { slice, pad } from './prims/slice.js';
import { split, stack, unstack } from './stack.js';
import { concat } from './prims/concat.js';
import { gather } from './prims/gather.js';
import { tile } from './tile.js';
import { reverse } from './reverse.js';
import { cumsum } from './cumsum.js';
import { clipByValue } from './clip.js';
import { leakyRelu, prelu } from './activation_ops.js';
import { logSoftmax, logSumExp, softmax } from './softmax.js';
import { oneHot } from './one_hot.js';
import type { TensorLike } from './convert.js';

type Axis = number | readonly number[] | null;

declare module '../core/tensor.js' {
  interface Tensor {
    add(b: TensorLike): Tensor;
    sub(b: TensorLike): Tensor;
    mul(b: TensorLike): Tensor;
    div(b: TensorLike): Tensor;
    pow(b: TensorLike): Tensor;
    mod(b: TensorLike): Tensor;
    floorDiv(b: TensorLike): Tensor;
    maximum(b: TensorLike): Tensor;
    minimum(b: TensorLike): Tensor;
    squaredDifference(b: TensorLike): Tensor;
    equal(b: TensorLike): Tensor;
    notEqual(b: TensorLike): Tensor;
    less(b: TensorLike): Tensor;
    lessEqual(b: TensorLike): Tensor;
    greater(b: TensorLike): Tensor;
    greaterEqual(b: TensorLike): Tensor;
    logicalAnd(b: TensorLike): Tensor;
    logicalOr(b: TensorLike): Tensor;
    logicalNot(): Tensor;
    neg(): Tensor;
    abs(): Tensor;
    sign(): Tensor;
    exp(): Tensor;
    expm1(): Tensor;
    log(): Tensor;
    log1p(): Tensor;
    sqrt(): Tensor;
    rsqrt(): Tensor;
    square(): Tensor;
    reciprocal(): Tensor;
    sin(): Tensor;
    cos(): Tensor;
    tanh(): Tensor;
    sigmoid(): Tensor;
    softplus(): Tensor;
    relu(): Tensor;
    relu6(): Tensor;
    elu(alpha?: number): Tensor;
    selu(): Tensor;
    leakyRelu(alpha?: number): Tensor;
    prelu(alpha: TensorLike): Tensor;
    erf(): Tensor;
    floor(): Tensor;
    ceil(): Tensor;
    round(): Tensor;
    isNaN(): Tensor;
    isFinite(): Tensor;
    softmax(axis?: number): Tensor;
    logSoftmax(axis?: number): Tensor;
    clipByValue(min: number, max: number): Tensor;
    matMul(b: TensorLike, transposeA?: boolean, transposeB?: boolean): Tensor;
    transpose(perm?: readonly number[]): Tensor;
    reshape(shape: readonly number[]): Tensor;
    reshapeAs(other: Tensor): Tensor;
    expandDims(axis?: number): Tensor;
    squeeze(axis?: number | readonly number[]): Tensor;
    flatten(): Tensor;
    cast(dtype: DType): Tensor;
    sum(axis?: Axis, keepDims?: boolean): Tensor;
    mean(axis?: Axis, keepDims?: boolean): Tensor;
    prod(axis?: Axis, keepDims?: boolean): Tensor;
    max(axis?: Axis, keepDims?: boolean): Tensor;
    min(axis?: Axis, keepDims?: boolean): Tensor;
    any(axis?: Axis, keepDims?: boolean): Tensor;
    all(axis?: Axis, keepDims?: boolean): Tensor;
    logSumExp(axis?: Axis, keepDims?: boolean): Tensor;
    norm(ord?: number | 'euclidean' | 'fro', axis?: Axis, keepDims?: boolean): Tensor;
    argMax(axis?: number): Tensor;
    argMin(axis?: number): Tensor;
    slice(begin: number | readonly number[], size?: number | readonly number[]): Tensor;
    split(numOrSizeSplits: number | readonly number[], axis?: number): Tensor[];
    pad(paddings: readonly (readonly [number, number])[], constantValue?: number): Tensor;
    concat(others: TensorLike | readonly TensorLike[], axis?: number): Tensor;
    stack(others: TensorLike | readonly TensorLike[], axis?: number): Tensor;
    unstack(axis?: number): Tensor[];
    gather(indices: TensorLike, axis?: number): Tensor;
    tile(reps: readonly number[]): Tensor;
    reverse(axis?: number | readonly number[]): Tensor;
    cumsum(axis?: number, exclusive?: boolean, reverse?: boolean): Tensor;
    broadcastTo(shape: readonly number[]): Tensor;
    oneHot(depth: number, onValue?: number, offValue?: number): Tensor;
    stopGradient(): Tensor;
  }
}

const proto = Tensor.prototype;

const binaryOps = {
  add: b.add,
  sub: b.sub,
  mul: b.mul,
  div: b.div,
  pow,
  mod: b.mod,
  floorDiv: b.floorDiv,
  maximum: b.maximum,
  minimum: b.minimum,
  squaredDifference: b.squaredDifference,
  equal: b.equal,
  notEqual: b.notEqual,
  less: b.less,
  lessEqual: b.lessEqual,
  greater: b.greater,
  greaterEqual: b.greaterEqual,
  logicalAnd: b.logicalAnd,
  logicalOr: b.logicalOr,
} as const;
for (const [name, op] of Object.entries(binaryOps)) {
  (proto as unknown as Record<string, unknown>)[name] = function (this: Tensor, other: TensorLike) {
    return op(this, other);
  };
}

const unaryOps = {
  logicalNot: u.logicalNot,
  neg: u.neg,
  abs: u.abs,
  sign: u.sign,
  exp: u.exp,
  expm1: u.expm1,
  log: u.log,
  log1p: u.log1p,
  sqrt: u.sqrt,
  rsqrt: u.rsqrt,
  square: u.square,
  reciprocal: u.reciprocal,
  sin: u.sin,
  cos: u.cos,
  tanh: u.tanh,
  sigmoid: u.sigmoid,
  softplus: u.softplus,
  relu: u.relu,
  relu6: u.relu6,
  selu: u.selu,
  erf: u.erf,
  floor: u.floor,
  ceil: u.ceil,
  round: u.round,
  isNaN: u.isNaN,
  isFinite: u.isFinite,
  flatten,
  stopGradient: u.stopGradient,
} as const;
for (const [name, op] of Object.entries(unaryOps)) {
  (proto as unknown as Record<string, unknown>)[name] = function (this: Tensor) {
    return op(this);
  };
}

const reductions = {
  sum: r.sum,
  mean,
  prod: r.prod,
  max: r.max,
  min: r.min,
  any: r.any,
  all: r.all,
  logSumExp,
} as const;
for (const [name, op] of Object.entries(reductions)) {
  (proto as unknown as Record<string, unknown>)[name] = function (this: Tensor, axis?: Axis, keepDims?: boolean) {
    return op(this, axis, keepDims);
  };
}

const asList = (x: TensorLike | readonly TensorLike[]): TensorLike[] =>
  Array.isArray(x) && x.length > 0 && x.every((v) => v instanceof Tensor) ? [...x] : [x as TensorLike];

proto.elu = function (alpha?: number) {
  return u.elu(this, alpha);
};
proto.leakyRelu = function (alpha?: number) {
  return leakyRelu(this, alpha);
};
proto.prelu = function (alpha: TensorLike) {
  return prelu(this, alpha);
};
proto.softmax = function (axis?: number) {
  return softmax(this, axis);
};
proto.logSoftmax = function (axis?: number) {
  return logSoftmax(this, axis);
};
proto.clipByValue = function (min: number, max: number) {
  return clipByValue(this, min, max);
};
proto.matMul = function (other: TensorLike, transposeA?: boolean, transposeB?: boolean) {
  return matMul(this, other, transposeA, transposeB);
};
proto.transpose = function (perm?: readonly number[]) {
  return transpose(this, perm);
};
proto.reshape = function (shape: readonly number[]) {
  return reshape(this, shape);
};
proto.reshapeAs = function (other: Tensor) {
  return reshape(this, other.shape);
};
proto.expandDims = function (axis?: number) {
  return expandDims(this, axis);
};
proto.squeeze = function (axis?: number | readonly number[]) {
  return squeeze(this, axis);
};
proto.cast = function (dtype: DType) {
  return cast(this, dtype);
};
proto.norm = function (ord?: number | 'euclidean' | 'fro', axis?: Axis, keepDims?: boolean) {
  return norm(this, ord, axis, keepDims);
};
proto.argMax = function (axis?: number) {
  return r.argMax(this, axis);
};
proto.argMin = function (axis?: number) {
  return r.argMin(this, axis);
};
proto.slice = function (begin: number | readonly number[], size?: number | readonly number[]) {
  return slice(this, begin, size);
};
proto.split = function (numOrSizeSplits: number | readonly number[], axis?: number) {
  return split(this, numOrSizeSplits, axis);
};
proto.pad = function (paddings: readonly (readonly [number, number])[], constantValue?: number) {
  return pad(this, paddings, constantValue);
};
proto.concat = function (others: TensorLike | readonly TensorLike[], axis?: number) {
  return concat([this, ...asList(others)], axis);
};
proto.stack = function (others: TensorLike | readonly TensorLike[], axis?: number) {
  return stack([this, ...asList(others)], axis);
};
proto.unstack = function (axis?: number) {
  return unstack(this, axis);
};
proto.gather = function (indices: TensorLike, axis?: number) {
  return gather(this, indices, axis);
};
proto.tile = function (reps: readonly number[]) {
  return tile(this, reps);
};
proto.reverse = function (axis?: number | readonly number[]) {
  return reverse(this, axis);
};
proto.cumsum = function (axis?: number, exclusive?: boolean, rev?: boolean) {
  return cumsum(this, axis, exclusive, rev);
};
proto.broadcastTo = function (shape: readonly number[]) {
  return b.broadcastTo(this, shape);
};
proto.oneHot = function (depth: number, onValue?: number, offValue?: number) {
  return oneHot(this, depth, onValue, offValue);
};
