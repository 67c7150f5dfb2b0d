import type { ReduceOp } from '../../../backend/backend.js';
import { ENTRY_1D, LINEAR_INDEX, PRELUDE } from './common.js';

type Storage = 'f32' | 'i32' | 'u32';

/** Threads that share one output in the workgroup-per-output reduction. */
export const REDUCE_GROUP = 256;

/** Accumulator type, initial value and fold step of each reduction (NaN sticks, as in the reference). */
function fold(op: ReduceOp, s: Storage): { acc: string; init: string; step: (a: string, v: string) => string } {
  const f = s === 'f32';
  const truthy = (v: string) => (f ? `truthy_f(${v})` : `(${v} != ${s === 'i32' ? '0' : '0u'})`);
  switch (op) {
    case 'sum':
      return { acc: s, init: f ? '0.0' : `${s}(0)`, step: (a, v) => `${a} + ${v}` };
    case 'prod':
      return { acc: s, init: f ? '1.0' : `${s}(1)`, step: (a, v) => `${a} * ${v}` };
    case 'max':
      return f
        ? { acc: s, init: '-inf_f()', step: (a, v) => `select(${a}, ${v}, ${v} > ${a} || is_nan(${v}))` }
        : { acc: s, init: s === 'i32' ? 'i32(-2147483647 - 1)' : '0u', step: (a, v) => `max(${a}, ${v})` };
    case 'min':
      return f
        ? { acc: s, init: 'inf_f()', step: (a, v) => `select(${a}, ${v}, ${v} < ${a} || is_nan(${v}))` }
        : { acc: s, init: s === 'i32' ? 'i32(2147483647)' : '4294967295u', step: (a, v) => `min(${a}, ${v})` };
    case 'any':
      return { acc: 'u32', init: '0u', step: (a, v) => `select(${a}, 1u, ${truthy(v)})` };
    case 'all':
      return { acc: 'u32', init: '1u', step: (a, v) => `select(${a}, 0u, !${truthy(v)})` };
  }
}

/** Combines two partial results in the tree reduction (NaN wins for max/min, as when folding). */
function combine(op: ReduceOp, s: Storage, a: string, b: string): string {
  if (s === 'f32' && op === 'max')
    return `select(select(${a}, ${b}, ${b} > ${a}), nan_f(), is_nan(${a}) || is_nan(${b}))`;
  if (s === 'f32' && op === 'min')
    return `select(select(${a}, ${b}, ${b} < ${a}), nan_f(), is_nan(${a}) || is_nan(${b}))`;
  if (op === 'any') return `max(${a}, ${b})`;
  if (op === 'all') return `min(${a}, ${b})`;
  return fold(op, s).step(a, b);
}

/**
 * One thread per output of x viewed as [outer, red, inner]: walks its `red` elements with
 * stride `inner`, so neighbouring threads read neighbouring addresses (a column sum is coalesced).
 * Params: outputs, red, inner.
 */
export function reduceThreadShader(op: ReduceOp, s: Storage): string {
  const { acc, init, step } = fold(op, s);
  return `${PRELUDE}
@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<${s}>;
@group(0) @binding(2) var<storage, read_write> y: array<${acc}>;
${ENTRY_1D}${LINEAR_INDEX}
  if (i >= p[0]) { return; }
  let red = p[1]; let inner = p[2];
  let base = (i / inner) * red * inner + i % inner;
  var acc: ${acc} = ${init};
  for (var r = 0u; r < red; r = r + 1u) { let v = x[base + r * inner]; acc = ${step('acc', 'v')}; }
  y[i] = acc;
}`;
}

/**
 * One workgroup per output row of x viewed as [rows, red]: threads stride over the row, then a
 * tree reduction in workgroup memory. For long rows (a sum of everything). Params: rows, red.
 */
export function reduceGroupShader(op: ReduceOp, s: Storage): string {
  const { acc, init, step } = fold(op, s);
  return `${PRELUDE}
@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<${s}>;
@group(0) @binding(2) var<storage, read_write> y: array<${acc}>;
var<workgroup> part: array<${acc}, ${REDUCE_GROUP}>;
@compute @workgroup_size(${REDUCE_GROUP})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = wg.x + wg.y * nwg.x;
  let red = p[1];
  var acc: ${acc} = ${init};
  if (row < p[0]) {
    let base = row * red;
    for (var r = lid.x; r < red; r = r + ${REDUCE_GROUP}u) { let v = x[base + r]; acc = ${step('acc', 'v')}; }
  }
  part[lid.x] = acc;
  workgroupBarrier();
  for (var half = ${REDUCE_GROUP / 2}u; half > 0u; half = half / 2u) {
    if (lid.x < half) { let a = part[lid.x]; let b = part[lid.x + half]; part[lid.x] = ${combine(op, s, 'a', 'b')}; }
    workgroupBarrier();
  }
  if (lid.x == 0u && row < p[0]) { y[row] = part[0]; }
}`;
}

/** Index of the max/min along the middle axis of [outer, len, inner]; first wins ties, first NaN wins. */
export function argReduceShader(op: 'argMax' | 'argMin', s: Storage): string {
  const better = op === 'argMax' ? '>' : '<';
  const nanOf = (v: string) => (s === 'f32' ? `is_nan(${v})` : 'false');
  return `${PRELUDE}
@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<${s}>;
@group(0) @binding(2) var<storage, read_write> y: array<i32>;
${ENTRY_1D}${LINEAR_INDEX}
  if (i >= p[0]) { return; }
  let len = p[1]; let inner = p[2];
  let base = (i / inner) * len * inner + i % inner;
  var best = x[base];
  var bestI = 0u;
  for (var k = 1u; k < len; k = k + 1u) {
    let v = x[base + k * inner];
    if (v ${better} best || (${nanOf('v')} && !${nanOf('best')})) { best = v; bestI = k; }
  }
  y[i] = i32(bestI);
}`;
}
