import type { UnaryOp } from '../../../backend/backend.js';

/**
 * WGSL helpers for the unary ops whose built-in is inaccurate or undefined somewhere the
 * reference defines it (expm1/log1p near 0, trig beyond [-pi, pi], pow of negatives, ...).
 */
export const UNARY_HELPERS = /* wgsl */ `
fn expm1_f(x: f32) -> f32 {
  // Kahan's trick: exact to a few ulp near 0, where exp(x) - 1 cancels.
  let u = exp(x);
  if (u == 1.0) { return x; }
  let um1 = u - 1.0;
  if (um1 == -1.0) { return -1.0; }
  if (is_inf(u)) { return u; }
  return um1 * x / log(u);
}
fn log1p_f(x: f32) -> f32 {
  if (x < -1.0) { return nan_f(); }
  if (x == -1.0) { return -inf_f(); }
  let u = 1.0 + x;
  if (u == 1.0) { return x; }
  if (is_inf(u)) { return u; }
  return log(u) * x / (u - 1.0);
}
// Reduction to [-pi, pi] with a two-part 2*pi, since WGSL bounds sin/cos error only there.
fn reduce_angle(x: f32) -> f32 {
  let k = round(x * 0.15915494309189535);
  return (x - k * 6.28125) - k * 0.0019353071795864769;
}
fn sin_f(x: f32) -> f32 { if (is_inf(x)) { return nan_f(); } return sin(reduce_angle(x)); }
fn cos_f(x: f32) -> f32 { if (is_inf(x)) { return nan_f(); } return cos(reduce_angle(x)); }
fn tan_f(x: f32) -> f32 { let r = reduce_angle(x); return sin_f(r) / cos_f(r); }
fn tanh_f(x: f32) -> f32 {
  if (abs(x) > 9.0) { return sign(x); }
  if (abs(x) < 0.5) { let e = expm1_f(2.0 * x); return e / (e + 2.0); }
  return tanh(x);
}
fn sinh_f(x: f32) -> f32 {
  if (abs(x) < 1.0) { let e = expm1_f(x); return 0.5 * (e + e / (e + 1.0)); }
  if (abs(x) > 88.0) { return sign(x) * exp(abs(x) - 0.6931471805599453) ; }
  return sinh(x);
}
fn cosh_f(x: f32) -> f32 { if (abs(x) > 88.0) { return exp(abs(x) - 0.6931471805599453); } return cosh(x); }
fn asinh_f(x: f32) -> f32 {
  let a = abs(x);
  var r: f32;
  if (a > 1e18) { r = log(a) + 0.6931471805599453; }
  else { r = log1p_f(a + a * a / (1.0 + sqrt(1.0 + a * a))); }
  return select(r, -r, x < 0.0);
}
fn acosh_f(x: f32) -> f32 {
  if (x < 1.0) { return nan_f(); }
  if (x > 1e18) { return log(x) + 0.6931471805599453; }
  let t = x - 1.0;
  return log1p_f(t + sqrt(2.0 * t + t * t));
}
fn atanh_f(x: f32) -> f32 {
  if (abs(x) > 1.0) { return nan_f(); }
  return 0.5 * log1p_f(2.0 * x / (1.0 - x));
}
fn sigmoid_f(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}
fn softplus_f(x: f32) -> f32 {
  if (x > 0.0) { return x + log1p_f(exp(-x)); }
  return log1p_f(exp(x));
}
// Abramowitz and Stegun 7.1.26 refined by one Newton-free rational: absolute error < 1.5e-7.
fn erf_f(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  let a = abs(x);
  if (a > 4.0) { return sign(x); }
  if (a < 0.5) {
    let t = x * x;
    return x * (1.1283791670955126 + t * (-0.37612638903183754 + t * (0.11283791670955126 + t * (-0.026866170645131252 + t * (0.005223977625442188 - t * 0.000854832702345085)))));
  }
  let t = 1.0 / (1.0 + 0.5 * a);
  let y = t * exp(-a * a - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return sign(x) * (1.0 - y);
}
fn round_f(x: f32) -> f32 { return round(x); }
fn sign_f(x: f32) -> f32 { if (is_nan(x)) { return x; } if (x > 0.0) { return 1.0; } if (x < 0.0) { return -1.0; } return 0.0; }
fn relu_f(x: f32) -> f32 { if (x > 0.0 || is_nan(x)) { return x; } return 0.0; }
fn relu6_f(x: f32) -> f32 { if (is_nan(x)) { return x; } return clamp(x, 0.0, 6.0); }
fn asin_f(x: f32) -> f32 { if (abs(x) > 1.0) { return nan_f(); } return asin(x); }
fn acos_f(x: f32) -> f32 { if (abs(x) > 1.0) { return nan_f(); } return acos(x); }
fn log_f(x: f32) -> f32 { if (x < 0.0) { return nan_f(); } if (x == 0.0) { return -inf_f(); } return log(x); }
fn sqrt_f(x: f32) -> f32 { if (x < 0.0) { return nan_f(); } return sqrt(x); }
fn rsqrt_f(x: f32) -> f32 { if (x < 0.0) { return nan_f(); } if (x == 0.0) { return select(inf_f(), -inf_f(), bitcast<u32>(x) != 0u); } return 1.0 / sqrt(x); }
`;

/** The f32 expression of each unary op applied to `x`. */
export const UNARY_F32: Record<UnaryOp, string> = {
  neg: '-x',
  abs: 'abs(x)',
  sign: 'sign_f(x)',
  exp: 'exp(x)',
  expm1: 'expm1_f(x)',
  log: 'log_f(x)',
  log1p: 'log1p_f(x)',
  sqrt: 'sqrt_f(x)',
  rsqrt: 'rsqrt_f(x)',
  square: 'x * x',
  reciprocal: '1.0 / x',
  sin: 'sin_f(x)',
  cos: 'cos_f(x)',
  tan: 'tan_f(x)',
  asin: 'asin_f(x)',
  acos: 'acos_f(x)',
  atan: 'atan(x)',
  sinh: 'sinh_f(x)',
  cosh: 'cosh_f(x)',
  tanh: 'tanh_f(x)',
  asinh: 'asinh_f(x)',
  acosh: 'acosh_f(x)',
  atanh: 'atanh_f(x)',
  sigmoid: 'sigmoid_f(x)',
  softplus: 'softplus_f(x)',
  relu: 'relu_f(x)',
  relu6: 'relu6_f(x)',
  elu: 'select(expm1_f(x), x, x > 0.0)',
  selu: '1.0507009873554805 * select(1.6732632423543772 * expm1_f(x), x, x > 0.0)',
  floor: 'floor(x)',
  ceil: 'ceil(x)',
  round: 'round_f(x)',
  erf: 'erf_f(x)',
  logicalNot: 'select(1.0, 0.0, truthy_f(x))',
  isNaN: 'select(0.0, 1.0, is_nan(x))',
  isInf: 'select(0.0, 1.0, is_inf(x))',
  isFinite: 'select(1.0, 0.0, is_nan(x) || is_inf(x))',
};

/** Unary ops computed exactly on int32 (the rest go through f32, then ToInt32). */
export const UNARY_I32: Partial<Record<UnaryOp, string>> = {
  neg: '-x',
  abs: 'abs(x)',
  square: 'x * x',
  sign: 'sign(x)',
};
