import type { BinaryOp, ReduceOp, UnaryOp } from '../../backend/backend.js';

/** Opcodes of the binary kernel, in the order assembly/elementwise.ts numbers them. */
export const BINARY_CODES: Partial<Record<BinaryOp, number>> = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  maximum: 4,
  minimum: 5,
  squaredDifference: 6,
  pow: 7,
  mod: 8,
  floorDiv: 9,
  atan2: 10,
  equal: 11,
  notEqual: 12,
  less: 13,
  lessEqual: 14,
  greater: 15,
  greaterEqual: 16,
  logicalAnd: 17,
  logicalOr: 18,
};

/** First binary opcode whose result is bool. */
export const FIRST_COMPARISON = 11;

/** Opcodes of the unary kernel; ops missing here (erf, the bool-valued ones) use the reference code. */
export const UNARY_CODES: Partial<Record<UnaryOp, number>> = {
  neg: 0,
  abs: 1,
  sign: 2,
  exp: 3,
  expm1: 4,
  log: 5,
  log1p: 6,
  sqrt: 7,
  rsqrt: 8,
  square: 9,
  reciprocal: 10,
  sin: 11,
  cos: 12,
  tan: 13,
  asin: 14,
  acos: 15,
  atan: 16,
  sinh: 17,
  cosh: 18,
  tanh: 19,
  asinh: 20,
  acosh: 21,
  atanh: 22,
  sigmoid: 23,
  softplus: 24,
  relu: 25,
  relu6: 26,
  elu: 27,
  selu: 28,
  floor: 29,
  ceil: 30,
  round: 31,
};

/** Opcodes of the reduce kernel; any/all use the reference code. */
export const REDUCE_CODES: Partial<Record<ReduceOp, number>> = { sum: 0, prod: 1, max: 2, min: 3 };
