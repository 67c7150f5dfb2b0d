import type { BinaryOp } from '../../../backend/backend.js';

/** WGSL helpers for binary ops with JavaScript semantics at the edges (pow of negatives, mod's sign). */
export const BINARY_HELPERS = /* wgsl */ `
fn pow_f(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (is_nan(a) || is_nan(b)) { return nan_f(); }
  if (is_inf(b)) {
    let m = abs(a);
    if (m == 1.0) { return nan_f(); }
    return select(0.0, inf_f(), (m > 1.0) == (b > 0.0));
  }
  if (a == 0.0) {
    let odd = fract(b * 0.5) != 0.0 && fract(b) == 0.0;
    let r = select(0.0, inf_f(), b < 0.0);
    return select(r, select(r, -r, bitcast<u32>(a) != 0u), odd);
  }
  if (is_inf(a)) {
    let odd = fract(b * 0.5) != 0.0 && fract(b) == 0.0;
    let r = select(0.0, inf_f(), b > 0.0);
    return select(r, -r, a < 0.0 && odd);
  }
  if (a < 0.0) {
    if (fract(b) != 0.0) { return nan_f(); }
    let r = exp2(b * log2(-a));
    return select(r, -r, fract(b * 0.5) != 0.0);
  }
  return exp2(b * log2(a));
}
fn mod_f(a: f32, b: f32) -> f32 {
  if (is_nan(a) || is_nan(b) || is_inf(a) || b == 0.0) { return nan_f(); }
  if (is_inf(b)) { if (a != 0.0 && (a < 0.0) != (b < 0.0)) { return b; } return a; }
  let r = a - b * trunc(a / b);
  if (r != 0.0 && (r < 0.0) != (b < 0.0)) { return r + b; }
  return r;
}
// A quotient that underflows to -0 still floors to -1, as in the reference's float64 division.
fn floordiv_f(a: f32, b: f32) -> f32 {
  let q = a / b;
  if (q == 0.0 && a != 0.0 && !is_inf(b) && ((a < 0.0) != (b < 0.0))) { return -1.0; }
  return floor(q);
}
fn neg_zero(x: f32) -> bool { return bitcast<u32>(x) == 0x80000000u; }
// Signed zeros decide the quadrant, as in Math.atan2; GPU built-ins ignore the sign of zero.
fn atan2_f(a: f32, b: f32) -> f32 {
  if (a == 0.0) {
    if (b > 0.0 || (b == 0.0 && !neg_zero(b))) { return a; }
    return select(3.141592653589793, -3.141592653589793, neg_zero(a));
  }
  return atan2(a, b);
}
fn max_f(a: f32, b: f32) -> f32 { if (is_nan(a) || is_nan(b)) { return nan_f(); } return select(b, a, a > b); }
fn min_f(a: f32, b: f32) -> f32 { if (is_nan(a) || is_nan(b)) { return nan_f(); } return select(b, a, a < b); }
fn floordiv_i(a: i32, b: i32) -> i32 {
  if (b == 0) { return 0; }
  let q = a / b;
  if (q * b != a && ((a < 0) != (b < 0))) { return q - 1; }
  return q;
}
fn mod_i(a: i32, b: i32) -> i32 {
  if (b == 0) { return 0; }
  let r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) { return r + b; }
  return r;
}
`;

/** The f32 expression of each binary op on `a` and `b`. */
export const BINARY_F32: Record<BinaryOp, string> = {
  add: 'a + b',
  sub: 'a - b',
  mul: 'a * b',
  div: 'a / b',
  pow: 'pow_f(a, b)',
  maximum: 'max_f(a, b)',
  minimum: 'min_f(a, b)',
  mod: 'mod_f(a, b)',
  floorDiv: 'floordiv_f(a, b)',
  atan2: 'atan2_f(a, b)',
  squaredDifference: '(a - b) * (a - b)',
  equal: 'select(0.0, 1.0, a == b && !is_nan(a))',
  notEqual: 'select(1.0, 0.0, a == b && !is_nan(a))',
  less: 'select(0.0, 1.0, a < b)',
  lessEqual: 'select(0.0, 1.0, a <= b)',
  greater: 'select(0.0, 1.0, a > b)',
  greaterEqual: 'select(0.0, 1.0, a >= b)',
  logicalAnd: 'select(0.0, 1.0, truthy_f(a) && truthy_f(b))',
  logicalOr: 'select(0.0, 1.0, truthy_f(a) || truthy_f(b))',
};

/** Binary ops computed exactly on int32 operands (the rest go through f32). */
export const BINARY_I32: Partial<Record<BinaryOp, string>> = {
  add: 'a + b',
  sub: 'a - b',
  mul: 'a * b',
  maximum: 'max(a, b)',
  minimum: 'min(a, b)',
  mod: 'mod_i(a, b)',
  floorDiv: 'floordiv_i(a, b)',
  squaredDifference: '(a - b) * (a - b)',
  equal: 'select(0, 1, a == b)',
  notEqual: 'select(0, 1, a != b)',
  less: 'select(0, 1, a < b)',
  lessEqual: 'select(0, 1, a <= b)',
  greater: 'select(0, 1, a > b)',
  greaterEqual: 'select(0, 1, a >= b)',
  logicalAnd: 'select(0, 1, a != 0 && b != 0)',
  logicalOr: 'select(0, 1, a != 0 || b != 0)',
};
