import type { BinaryOp, UnaryOp } from '../../../backend/backend.js';
import { UNARY_OPS } from '../../../backend/op_table.js';
import { BINARY_F32, BINARY_HELPERS, BINARY_I32 } from './binary_ops.js';
import { ENTRY_1D, fromF32, LINEAR_INDEX, PRELUDE, toF32 } from './common.js';
import { offsetsCode } from './strided.js';
import { UNARY_F32, UNARY_HELPERS, UNARY_I32 } from './unary_ops.js';

type Storage = 'f32' | 'i32' | 'u32';

/** Arithmetic whose result is NaN when an operand is (pow, max, min and mod handle NaN themselves). */
const NAN_PROPAGATING: ReadonlySet<BinaryOp> = new Set([
  'add',
  'sub',
  'mul',
  'div',
  'floorDiv',
  'atan2',
  'squaredDifference',
]);

/** out[i] = the fill value (its bit pattern is params word 1). */
export function fillShader(out: Storage): string {
  return `@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read_write> y: array<${out}>;
${ENTRY_1D}${LINEAR_INDEX}
  if (i >= p[0]) { return; }
  y[i] = bitcast<${out}>(p[1]);
}`;
}

/** Converts between storage types with the reference's rules (ToInt32, non-zero is true). */
export function castShader(from: Storage, to: Storage): string {
  let expr: string;
  if (to === 'u32')
    expr = from === 'f32' ? 'select(0u, 1u, (bitcast<u32>(x[i]) & 0x7fffffffu) != 0u)' : 'select(0u, 1u, x[i] != 0)';
  else if (to === 'i32') expr = from === 'f32' ? 'to_i32(x[i])' : 'i32(x[i])';
  else expr = toF32('x[i]', from);
  if (from === 'u32' && to === 'u32') expr = 'x[i]';
  return `${PRELUDE}
@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<${from}>;
@group(0) @binding(2) var<storage, read_write> y: array<${to}>;
${ENTRY_1D}${LINEAR_INDEX}
  if (i >= p[0]) { return; }
  y[i] = ${expr};
}`;
}

/** One shader per unary op and storage types. */
export function unaryShader(op: UnaryOp, from: Storage, to: Storage): string {
  const exact = from === 'i32' && to === 'i32' ? UNARY_I32[op] : undefined;
  // Every float op but the predicates passes NaN through; GPU built-ins need not (log(NaN) may be finite).
  const value = UNARY_OPS[op] === 'bool' ? UNARY_F32[op] : `select(${UNARY_F32[op]}, x, is_nan(x))`;
  const body =
    exact !== undefined
      ? `let x = x_in[i]; y[i] = ${exact};`
      : `let x = ${toF32('x_in[i]', from)}; y[i] = ${fromF32(value, to)};`;
  return `${PRELUDE}${UNARY_HELPERS}
@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> x_in: array<${from}>;
@group(0) @binding(2) var<storage, read_write> y: array<${to}>;
${ENTRY_1D}${LINEAR_INDEX}
  if (i >= p[0]) { return; }
  ${body}
}`;
}

/**
 * One shader per binary op, operand storage types and broadcast rank: the output index is
 * decomposed over the merged dims to find each operand's element. Integer operands use exact
 * integer arithmetic where the op has it.
 */
export function binaryShader(op: BinaryOp, sa: Storage, sb: Storage, out: Storage, rank: number): string {
  const integer = sa !== 'f32' && sb !== 'f32' && out !== 'f32' && BINARY_I32[op] !== undefined;
  const load = (name: string, s: Storage) => (integer ? (s === 'i32' ? name : `i32(${name})`) : toF32(name, s));
  const f32 = NAN_PROPAGATING.has(op) ? `select(${BINARY_F32[op]}, nan_f(), is_nan(a) || is_nan(b))` : BINARY_F32[op];
  const result = integer ? (out === 'i32' ? BINARY_I32[op]! : `u32(${BINARY_I32[op]!}) & 255u`) : fromF32(f32, out);
  return `${PRELUDE}${BINARY_HELPERS}
@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> a_in: array<${sa}>;
@group(0) @binding(2) var<storage, read> b_in: array<${sb}>;
@group(0) @binding(3) var<storage, read_write> y: array<${out}>;
${ENTRY_1D}${LINEAR_INDEX}
  if (i >= p[0]) { return; }
${offsetsCode(rank, 2, 1)}
  let a = ${load('a_in[off0]', sa)};
  let b = ${load('b_in[off1]', sb)};
  y[i] = ${result};
}`;
}

/** cond ? a : b with all three broadcast to the output (values copied as bit patterns). */
export function whereShader(rank: number): string {
  return `@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> c: array<u32>;
@group(0) @binding(2) var<storage, read> a: array<u32>;
@group(0) @binding(3) var<storage, read> b: array<u32>;
@group(0) @binding(4) var<storage, read_write> y: array<u32>;
${ENTRY_1D}${LINEAR_INDEX}
  if (i >= p[0]) { return; }
${offsetsCode(rank, 3, 1)}
  y[i] = select(b[off2], a[off1], c[off0] != 0u);
}`;
}
