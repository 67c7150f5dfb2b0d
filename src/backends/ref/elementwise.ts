import type { BinaryOp, UnaryOp } from '../../backend/backend.js';

/** Scalar definitions of every element-wise kernel: the numerical ground truth for all backends. */
export const UNARY: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  abs: Math.abs,
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : NaN),
  exp: Math.exp,
  expm1: Math.expm1,
  log: Math.log,
  log1p: Math.log1p,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  square: (x) => x * x,
  reciprocal: (x) => 1 / x,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  tanh: Math.tanh,
  asinh: Math.asinh,
  acosh: Math.acosh,
  atanh: Math.atanh,
  // Stable for large |x|: never evaluates exp of a large positive number.
  sigmoid: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  softplus: (x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))),
  relu: (x) => (x > 0 ? x : x === x ? 0 : x),
  relu6: (x) => (x > 6 ? 6 : x > 0 ? x : x === x ? 0 : x),
  elu: (x) => (x > 0 ? x : Math.expm1(x)),
  selu: (x) => 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * Math.expm1(x)),
  floor: Math.floor,
  ceil: Math.ceil,
  // Banker's rounding, as TF.js and NumPy round.
  round: (x) => {
    const r = Math.round(x);
    return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  },
  erf,
  logicalNot: (x) => (x ? 0 : 1),
  isNaN: (x) => (Number.isNaN(x) ? 1 : 0),
  isInf: (x) => (x === Infinity || x === -Infinity ? 1 : 0),
  isFinite: (x) => (Number.isFinite(x) ? 1 : 0),
};

export const BINARY: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  maximum: (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b),
  minimum: (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b),
  // Python/TF semantics: the result has the sign of the divisor.
  mod: (a, b) => {
    const r = a % b;
    return r !== 0 && r < 0 !== b < 0 ? r + b : r;
  },
  floorDiv: (a, b) => Math.floor(a / b),
  atan2: Math.atan2,
  squaredDifference: (a, b) => (a - b) * (a - b),
  equal: (a, b) => (a === b ? 1 : 0),
  notEqual: (a, b) => (a !== b ? 1 : 0),
  less: (a, b) => (a < b ? 1 : 0),
  lessEqual: (a, b) => (a <= b ? 1 : 0),
  greater: (a, b) => (a > b ? 1 : 0),
  greaterEqual: (a, b) => (a >= b ? 1 : 0),
  logicalAnd: (a, b) => (a && b ? 1 : 0),
  logicalOr: (a, b) => (a || b ? 1 : 0),
};

// W. J. Cody's rational approximations of erf and erfc (as in most libms).
const ERF_P = [
  3.1611237438705656, 1.13864154151050156e2, 3.77485237685302021e2, 3.20937758913846947e3, 1.85777706184603153e-1,
];
const ERF_Q = [2.36012909523441209e1, 2.44024637934444173e2, 1.28261652607737228e3, 2.84423683343917062e3];
const ERFC_C = [
  5.64188496988670089e-1, 8.88314979438837594, 6.61191906371416295e1, 2.98635138197400131e2, 8.8195222124176909e2,
  1.71204761263407058e3, 2.05107837782607147e3, 1.23033935479799725e3, 2.15311535474403846e-8,
];
const ERFC_D = [
  1.57449261107098347e1, 1.17693950891312499e2, 5.37181101862009858e2, 1.62138957456669019e3, 3.29079923573345963e3,
  4.36261909014324716e3, 3.43936767414372164e3, 1.23033935480374942e3,
];
const ERFC_P = [
  3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2,
  6.58749161529837803e-4, 1.63153871373020978e-2,
];
const ERFC_Q = [
  2.56852019228982242, 1.87295284992346725, 5.27905102951428412e-1, 6.05183413124413191e-2, 2.33520497626869185e-3,
];

/** erf for |x| < 0.5. */
function erfSmall(x: number): number {
  const t = x * x;
  let num = ERF_P[4] * t,
    den = t;
  for (let i = 0; i < 3; i++) {
    num = (num + ERF_P[i]) * t;
    den = (den + ERF_Q[i]) * t;
  }
  return (x * (num + ERF_P[3])) / (den + ERF_Q[3]);
}

/** erfc(ax) for ax >= 0.5, relatively accurate however small it is (0 past 26.6). */
function erfcLarge(ax: number): number {
  if (ax > 26.6) return 0;
  let erfcAbs: number;
  if (ax <= 4) {
    let num = ERFC_C[8] * ax,
      den = ax;
    for (let i = 0; i < 7; i++) {
      num = (num + ERFC_C[i]) * ax;
      den = (den + ERFC_D[i]) * ax;
    }
    erfcAbs = (num + ERFC_C[7]) / (den + ERFC_D[7]);
  } else {
    const z = 1 / (ax * ax);
    let num = ERFC_P[5] * z,
      den = z;
    for (let i = 0; i < 4; i++) {
      num = (num + ERFC_P[i]) * z;
      den = (den + ERFC_Q[i]) * z;
    }
    const r = (z * (num + ERFC_P[4])) / (den + ERFC_Q[4]);
    erfcAbs = (0.5641895835477563 - r) / ax;
  }
  const ysq = Math.trunc(ax * 16) / 16;
  const del = (ax - ysq) * (ax + ysq);
  return erfcAbs * Math.exp(-ysq * ysq) * Math.exp(-del);
}

/** erf to float64 accuracy. */
export function erf(x: number): number {
  if (x !== x) return NaN;
  const ax = Math.abs(x);
  if (ax < 0.5) return erfSmall(x);
  if (ax > 26) return x > 0 ? 1 : -1;
  const erfcAbs = erfcLarge(ax);
  return x > 0 ? 1 - erfcAbs : erfcAbs - 1;
}

/**
 * The standard normal CDF Φ(x) = (1 + erf(x/√2))/2 to float64 accuracy, relatively accurate in
 * the lower tail too (from erfc, not 1 + erf).
 * @example normalCdf(0) // 0.5
 */
export function normalCdf(x: number): number {
  if (x !== x) return NaN;
  const z = Math.abs(x) * Math.SQRT1_2;
  if (z < 0.5) return 0.5 + 0.5 * erfSmall(x * Math.SQRT1_2);
  const half = 0.5 * erfcLarge(z);
  return x > 0 ? 1 - half : half;
}
