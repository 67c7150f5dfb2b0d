// Element-wise float32 kernels. Arithmetic that f32 rounds exactly (+ - * / min max sqrt) runs
// on f32x4 lanes; transcendental functions are evaluated in f64 and rounded once, which is
// what the reference backend does, so the two agree to the last bit there.

// Binary opcodes (kept in step with BINARY_CODES in ../opcodes.ts).
const ADD = 0, SUB = 1, MUL = 2, DIV = 3, MAX = 4, MIN = 5, SQDIFF = 6, POW = 7, MOD = 8, FLOORDIV = 9, ATAN2 = 10;
const EQ = 11, NE = 12, LT = 13, LE = 14, GT = 15, GE = 16, AND = 17, OR = 18;

@inline function binF64(op: i32, x: f64, y: f64): f64 {
  switch (op) {
    case ADD: return x + y;
    case SUB: return x - y;
    case MUL: return x * y;
    case DIV: return x / y;
    case MAX: return x != x || y != y ? NaN : x > y ? x : y;
    case MIN: return x != x || y != y ? NaN : x < y ? x : y;
    case SQDIFF: return (x - y) * (x - y);
    case POW: return Math.pow(x, y);
    case MOD: { const r = x % y; return r != 0 && (r < 0) != (y < 0) ? r + y : r; }
    case FLOORDIV: return Math.floor(x / y);
    case ATAN2: return Math.atan2(x, y);
    case EQ: return x == y ? 1 : 0;
    case NE: return x != y ? 1 : 0;
    case LT: return x < y ? 1 : 0;
    case LE: return x <= y ? 1 : 0;
    case GT: return x > y ? 1 : 0;
    case GE: return x >= y ? 1 : 0;
    case AND: return x != 0 && x == x && y != 0 && y == y ? 1 : 0; // NaN is falsy, as in JavaScript
    case OR: return (x != 0 && x == x) || (y != 0 && y == y) ? 1 : 0;
  }
  return NaN;
}

@inline function binV(op: i32, x: v128, y: v128): v128 {
  switch (op) {
    case ADD: return f32x4.add(x, y);
    case SUB: return f32x4.sub(x, y);
    case MUL: return f32x4.mul(x, y);
    case DIV: return f32x4.div(x, y);
    case MAX: return f32x4.max(x, y);
    case MIN: return f32x4.min(x, y);
    default: { const d = f32x4.sub(x, y); return f32x4.mul(d, d); }
  }
}

// One row of n outputs; sa/sb are 1 (contiguous) or 0 (the same value repeated).
function binaryRow(op: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize, n: i32): void {
  let i = 0;
  if (op <= SQDIFF) {
    if (sa == 1 && sb == 1) {
      switch (op) {
        case ADD: for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(out + o, f32x4.add(v128.load(a + o), v128.load(b + o))); } break;
        case SUB: for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(out + o, f32x4.sub(v128.load(a + o), v128.load(b + o))); } break;
        case MUL: for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(out + o, f32x4.mul(v128.load(a + o), v128.load(b + o))); } break;
        case DIV: for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(out + o, f32x4.div(v128.load(a + o), v128.load(b + o))); } break;
        default: for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(out + o, binV(op, v128.load(a + o), v128.load(b + o))); }
      }
    } else if (sa == 1) {
      const y = v128.load32_splat(b);
      switch (op) {
        case ADD: for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(out + o, f32x4.add(v128.load(a + o), y)); } break;
        case SUB: for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(out + o, f32x4.sub(v128.load(a + o), y)); } break;
        case MUL: for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(out + o, f32x4.mul(v128.load(a + o), y)); } break;
        default: for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(out + o, binV(op, v128.load(a + o), y)); }
      }
    } else if (sb == 1) {
      const x = v128.load32_splat(a);
      switch (op) {
        case ADD: for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(out + o, f32x4.add(x, v128.load(b + o))); } break;
        case MUL: for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(out + o, f32x4.mul(x, v128.load(b + o))); } break;
        default: for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(out + o, binV(op, x, v128.load(b + o))); }
      }
    }
    for (; i < n; i++) {
      const r = binF64(op, <f64>load<f32>(a + (<usize>(i * sa) << 2)), <f64>load<f32>(b + (<usize>(i * sb) << 2)));
      store<f32>(out + (<usize>i << 2), <f32>r);
    }
  } else if (op < EQ) {
    for (; i < n; i++) {
      const r = binF64(op, <f64>load<f32>(a + (<usize>(i * sa) << 2)), <f64>load<f32>(b + (<usize>(i * sb) << 2)));
      store<f32>(out + (<usize>i << 2), <f32>r);
    }
  } else {
    if (op <= GE && (sa | sb) == 1) i = compareRows(op, a, sa, b, sb, out, n);
    for (; i < n; i++) {
      const r = binF64(op, <f64>load<f32>(a + (<usize>(i * sa) << 2)), <f64>load<f32>(b + (<usize>(i * sb) << 2)));
      store<u8>(out + <usize>i, <u8>r);
    }
  }
}

// A comparison's lane masks (all ones where true); NaN compares as the scalar code does.
@inline function compareV(op: i32, x: v128, y: v128): v128 {
  switch (op) {
    case EQ: return f32x4.eq(x, y);
    case NE: return f32x4.ne(x, y);
    case LT: return f32x4.lt(x, y);
    case LE: return f32x4.le(x, y);
    case GT: return f32x4.gt(x, y);
    default: return f32x4.ge(x, y);
  }
}

// Comparisons 16 at a time: four f32x4 masks narrowed to 16 bytes of 0/1 (the bool layout).
// Returns how many outputs it wrote; the caller finishes the tail. sa/sb: 1 contiguous, 0 repeated.
function compareRows(op: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize, n: i32): i32 {
  const one = i8x16.splat(1);
  const ya = v128.load32_splat(a), yb = v128.load32_splat(b);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const o = <usize>i << 2;
    const m0 = compareV(op, sa ? v128.load(a + o) : ya, sb ? v128.load(b + o) : yb);
    const m1 = compareV(op, sa ? v128.load(a + o, 16) : ya, sb ? v128.load(b + o, 16) : yb);
    const m2 = compareV(op, sa ? v128.load(a + o, 32) : ya, sb ? v128.load(b + o, 32) : yb);
    const m3 = compareV(op, sa ? v128.load(a + o, 48) : ya, sb ? v128.load(b + o, 48) : yb);
    const bytes = i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(m0, m1), i16x8.narrow_i32x4_s(m2, m3));
    v128.store(out + <usize>i, v128.and(bytes, one));
  }
  return i;
}

/**
 * out[r, c] = a[r*ars + c*acs] op b[r*brs + c*bcs] for rows rowStart..rowEnd of a rows x cols
 * output (float32, or bool bytes for comparisons). acs and bcs are 0 or 1.
 */
export function binary(op: i32, a: usize, ars: i32, acs: i32, b: usize, brs: i32, bcs: i32, out: usize, cols: i32, rowStart: i32, rowEnd: i32): void {
  const outBytes: i32 = op >= EQ ? 1 : 4;
  for (let r = rowStart; r < rowEnd; r++) {
    binaryRow(op, a + (<usize>(r * ars) << 2), acs, b + (<usize>(r * brs) << 2), bcs, out + <usize>(r * cols * outBytes), cols);
  }
}

// Unary opcodes (kept in step with UNARY_CODES in ../opcodes.ts).
const NEG = 0, ABS = 1, SIGN = 2, EXP = 3, EXPM1 = 4, LOG = 5, LOG1P = 6, SQRT = 7, RSQRT = 8, SQUARE = 9, RECIP = 10;
const SIN = 11, COS = 12, TAN = 13, ASIN = 14, ACOS = 15, ATAN = 16, SINH = 17, COSH = 18, TANH = 19, ASINH = 20;
const ACOSH = 21, ATANH = 22, SIGMOID = 23, SOFTPLUS = 24, RELU = 25, RELU6 = 26, ELU = 27, SELU = 28, FLOOR = 29;
const CEIL = 30, ROUND = 31;

@inline function unF64(op: i32, x: f64): f64 {
  switch (op) {
    case NEG: return -x;
    case ABS: return Math.abs(x);
    case SIGN: return x > 0 ? 1 : x < 0 ? -1 : x == 0 ? 0 : NaN;
    case EXP: return Math.exp(x);
    case EXPM1: return Math.expm1(x);
    case LOG: return Math.log(x);
    case LOG1P: return Math.log1p(x);
    case SQRT: return Math.sqrt(x);
    case RSQRT: return 1 / Math.sqrt(x);
    case SQUARE: return x * x;
    case RECIP: return 1 / x;
    case SIN: return Math.sin(x);
    case COS: return Math.cos(x);
    case TAN: return Math.tan(x);
    case ASIN: return Math.asin(x);
    case ACOS: return Math.acos(x);
    case ATAN: return Math.atan(x);
    case SINH: return Math.sinh(x);
    case COSH: return Math.cosh(x);
    case TANH: return Math.tanh(x);
    case ASINH: return Math.asinh(x);
    case ACOSH: return Math.acosh(x);
    case ATANH: return Math.atanh(x);
    case SIGMOID: return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    case SOFTPLUS: return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    case RELU: return x > 0 ? x : x == x ? 0 : x;
    case RELU6: return x > 6 ? 6 : x > 0 ? x : x == x ? 0 : x;
    case ELU: return x > 0 ? x : Math.expm1(x);
    case SELU: return 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * Math.expm1(x));
    case FLOOR: return Math.floor(x);
    case CEIL: return Math.ceil(x);
    case ROUND: return nearest<f64>(x);
  }
  return NaN;
}

/** out[i] = f(x[i]) for i in start..end, float32. */
export function unary(op: i32, x: usize, out: usize, start: i32, end: i32): void {
  let i = start;
  const zero = f32x4.splat(0), six = f32x4.splat(6), one = f32x4.splat(1);
  switch (op) {
    case NEG: for (; i + 4 <= end; i += 4) { const o = <usize>i << 2; v128.store(out + o, f32x4.neg(v128.load(x + o))); } break;
    case ABS: for (; i + 4 <= end; i += 4) { const o = <usize>i << 2; v128.store(out + o, f32x4.abs(v128.load(x + o))); } break;
    case SQRT: for (; i + 4 <= end; i += 4) { const o = <usize>i << 2; v128.store(out + o, f32x4.sqrt(v128.load(x + o))); } break;
    case SQUARE: for (; i + 4 <= end; i += 4) { const o = <usize>i << 2; const v = v128.load(x + o); v128.store(out + o, f32x4.mul(v, v)); } break;
    case RECIP: for (; i + 4 <= end; i += 4) { const o = <usize>i << 2; v128.store(out + o, f32x4.div(one, v128.load(x + o))); } break;
    case RELU: for (; i + 4 <= end; i += 4) { const o = <usize>i << 2; v128.store(out + o, f32x4.max(v128.load(x + o), zero)); } break;
    case RELU6: for (; i + 4 <= end; i += 4) { const o = <usize>i << 2; v128.store(out + o, f32x4.min(f32x4.max(v128.load(x + o), zero), six)); } break;
    case FLOOR: for (; i + 4 <= end; i += 4) { const o = <usize>i << 2; v128.store(out + o, f32x4.floor(v128.load(x + o))); } break;
    case CEIL: for (; i + 4 <= end; i += 4) { const o = <usize>i << 2; v128.store(out + o, f32x4.ceil(v128.load(x + o))); } break;
    case ROUND: for (; i + 4 <= end; i += 4) { const o = <usize>i << 2; v128.store(out + o, f32x4.nearest(v128.load(x + o))); } break;
  }
  for (; i < end; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, <f32>unF64(op, <f64>load<f32>(x + o)));
  }
}

/**
 * out[i] = cond[i] ? a[i*sa] : b[i*sb] for i in start..end; cond is bool bytes, a and b float32
 * with strides 1 (full) or 0 (a scalar).
 */
export function select(cond: usize, a: usize, sa: i32, b: usize, sb: i32, out: usize, start: i32, end: i32): void {
  let i = start;
  // A scalar side (a gradient mask's 0) is one splat register.
  const ya = v128.load32_splat(a), yb = v128.load32_splat(b);
  const zero = i32x4.splat(0);
  for (; i + 4 <= end; i += 4) {
    // Four condition bytes widened to four lane masks.
    const c8 = v128.load32_zero(cond + <usize>i);
    const mask = i32x4.ne(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(c8)), zero);
    const o = <usize>i << 2;
    v128.store(out + o, v128.bitselect(sa ? v128.load(a + o) : ya, sb ? v128.load(b + o) : yb, mask));
  }
  for (; i < end; i++) {
    const v = load<u8>(cond + <usize>i) != 0 ? load<f32>(a + (<usize>(i * sa) << 2)) : load<f32>(b + (<usize>(i * sb) << 2));
    store<f32>(out + (<usize>i << 2), v);
  }
}
