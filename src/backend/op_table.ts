/**
 * The element-wise and reduce ops of the backend contract: one table, read by the contract's
 * types, the reference kernels, every other backend and the conformance suite. An op's opcode
 * is its position in its table; `scripts/build-wasm.mjs` generates the WebAssembly kernels'
 * opcode enums from these tables, so nothing else numbers them.
 *
 * Each entry says what dtype the op returns: `same` (the input's dtype; for binary ops the
 * promoted dtype the op layer asks for) or `bool`. Adding an op is one entry here plus its
 * kernel bodies (`backends/ref/elementwise.ts`, `backends/wasm/assembly/`, `backends/webgpu/shaders/`);
 * the conformance suite then runs it on every backend.
 *
 * This file has no imports: the build reads it before anything is compiled.
 */

/** What an op returns: the input's (or promoted) dtype, or bool. */
export type OpResult = 'same' | 'bool';

const SAME = 'same';
const BOOL = 'bool';

/** Unary ops in opcode order. */
export const UNARY_OPS = {
  neg: SAME,
  abs: SAME,
  sign: SAME,
  exp: SAME,
  expm1: SAME,
  log: SAME,
  log1p: SAME,
  sqrt: SAME,
  rsqrt: SAME,
  square: SAME,
  reciprocal: SAME,
  sin: SAME,
  cos: SAME,
  tan: SAME,
  asin: SAME,
  acos: SAME,
  atan: SAME,
  sinh: SAME,
  cosh: SAME,
  tanh: SAME,
  asinh: SAME,
  acosh: SAME,
  atanh: SAME,
  sigmoid: SAME,
  softplus: SAME,
  relu: SAME,
  relu6: SAME,
  elu: SAME,
  selu: SAME,
  floor: SAME,
  ceil: SAME,
  round: SAME,
  erf: SAME,
  logicalNot: BOOL,
  isNaN: BOOL,
  isInf: BOOL,
  isFinite: BOOL,
} as const satisfies Record<string, OpResult>;

/**
 * Binary ops in opcode order. The bool-valued ones come last, so a kernel tells a result's
 * type from the opcode with one comparison (`FIRST_BOOL_BINARY`).
 */
export const BINARY_OPS = {
  add: SAME,
  sub: SAME,
  mul: SAME,
  div: SAME,
  maximum: SAME,
  minimum: SAME,
  squaredDifference: SAME,
  pow: SAME,
  mod: SAME,
  floorDiv: SAME,
  atan2: SAME,
  equal: BOOL,
  notEqual: BOOL,
  less: BOOL,
  lessEqual: BOOL,
  greater: BOOL,
  greaterEqual: BOOL,
  logicalAnd: BOOL,
  logicalOr: BOOL,
} as const satisfies Record<string, OpResult>;

/** Reductions in opcode order. */
export const REDUCE_OPS = {
  sum: SAME,
  prod: SAME,
  max: SAME,
  min: SAME,
  any: BOOL,
  all: BOOL,
} as const satisfies Record<string, OpResult>;

export type UnaryOp = keyof typeof UNARY_OPS;
export type BinaryOp = keyof typeof BINARY_OPS;
export type ReduceOp = keyof typeof REDUCE_OPS;

/**
 * Every unary op, in opcode order.
 * @example for (const op of unaryOps) if (UNARY_OPS[op] === 'bool') console.log(op); // logicalNot, isNaN, ...
 */
export const unaryOps = Object.keys(UNARY_OPS) as UnaryOp[];
/** Every binary op, in opcode order. */
export const binaryOps = Object.keys(BINARY_OPS) as BinaryOp[];
/** Every reduction, in opcode order. */
export const reduceOps = Object.keys(REDUCE_OPS) as ReduceOp[];

const codes = <K extends string>(ops: readonly K[]) =>
  Object.fromEntries(ops.map((op, i) => [op, i])) as Record<K, number>;

/**
 * The opcode of each op (its position in the table).
 * @example UNARY_CODES.exp // 3
 */
export const UNARY_CODES = codes(unaryOps);
/** @example BINARY_CODES.mul // 2 */
export const BINARY_CODES = codes(binaryOps);
/** @example REDUCE_CODES.max // 2 */
export const REDUCE_CODES = codes(reduceOps);

/**
 * The first bool-valued binary opcode: every opcode from it on returns bool.
 * @example const outBytes = BINARY_CODES[op] >= FIRST_BOOL_BINARY ? 1 : 4;
 */
export const FIRST_BOOL_BINARY = binaryOps.findIndex((op) => BINARY_OPS[op] === BOOL);
