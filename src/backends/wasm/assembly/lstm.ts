// The LSTM cell (sigmoid gates, tanh activation) in SIMD: the same formulas as the reference's
// src/backends/ref/lstm.ts, four units at a time. Rows of z are [i, f, c, o] blocks of `units`.
// exp is Cephes' single-precision polynomial (about 1 ulp); sigmoid and tanh are built on it,
// accurate to about 1e-7 absolute, which is what float32 LSTM training needs.

const LOG2E: f32 = 1.44269504088896341;
const EXP_HI: f32 = 88.3762626647949;
const EXP_LO: f32 = -88.3762626647949;

@inline
function expV(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(EXP_LO)), f32x4.splat(EXP_HI));
  const fx = f32x4.floor(f32x4.add(f32x4.mul(x, f32x4.splat(LOG2E)), f32x4.splat(0.5)));
  let r = f32x4.sub(x, f32x4.mul(fx, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(fx, f32x4.splat(-2.12194440e-4)));
  let y = f32x4.splat(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(y, f32x4.mul(r, r)), r), f32x4.splat(1));
  // 2^n through the exponent bits (n is in [-127, 127] after the clamp).
  const pow2 = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(fx), i32x4.splat(127)), 23);
  return f32x4.mul(y, pow2);
}

@inline
function sigmoidV(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, expV(f32x4.neg(x))));
}

@inline
export function tanhV(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.sub(one, f32x4.div(f32x4.splat(2), f32x4.add(expV(f32x4.add(x, x)), one)));
}

// Scalar versions for the units past the last multiple of 4.
function sigmoidS(x: f32): f32 {
  return f32x4.extract_lane(sigmoidV(f32x4.splat(x)), 0);
}
export function tanhS(x: f32): f32 {
  return f32x4.extract_lane(tanhV(f32x4.splat(x)), 0);
}

@inline function at(base: usize, i: i32): usize {
  return base + (<usize>i << 2);
}

/**
 * Forward for batch rows rowStart..rowEnd: activated gates, c' = f·c + i·g, h' = o·tanh(c').
 * z and gates are [batch, 4·units]; c, cNew and h are [batch, units].
 */
export function lstmForward(z: usize, c: usize, gates: usize, cNew: usize, h: usize, units: i32, rowStart: i32, rowEnd: i32): void {
  for (let b = rowStart; b < rowEnd; b++) {
    const zr = b * 4 * units, sr = b * units;
    let j = 0;
    for (; j + 4 <= units; j += 4) {
      const i = sigmoidV(v128.load(at(z, zr + j))), f = sigmoidV(v128.load(at(z, zr + units + j)));
      const g = tanhV(v128.load(at(z, zr + 2 * units + j))), o = sigmoidV(v128.load(at(z, zr + 3 * units + j)));
      v128.store(at(gates, zr + j), i);
      v128.store(at(gates, zr + units + j), f);
      v128.store(at(gates, zr + 2 * units + j), g);
      v128.store(at(gates, zr + 3 * units + j), o);
      const cn = f32x4.add(f32x4.mul(f, v128.load(at(c, sr + j))), f32x4.mul(i, g));
      v128.store(at(cNew, sr + j), cn);
      v128.store(at(h, sr + j), f32x4.mul(o, tanhV(cn)));
    }
    for (; j < units; j++) {
      const i = sigmoidS(load<f32>(at(z, zr + j))), f = sigmoidS(load<f32>(at(z, zr + units + j)));
      const g = tanhS(load<f32>(at(z, zr + 2 * units + j))), o = sigmoidS(load<f32>(at(z, zr + 3 * units + j)));
      store<f32>(at(gates, zr + j), i);
      store<f32>(at(gates, zr + units + j), f);
      store<f32>(at(gates, zr + 2 * units + j), g);
      store<f32>(at(gates, zr + 3 * units + j), o);
      const cn = f * load<f32>(at(c, sr + j)) + i * g;
      store<f32>(at(cNew, sr + j), cn);
      store<f32>(at(h, sr + j), o * tanhS(cn));
    }
  }
}

/**
 * Backward of c' = f·c + i·g for dc': dz for the i, f and c slots (0 in the o slot), dc = dc'·f.
 * `state` is the previous cell state c.
 */
export function lstmGradCell(gates: usize, c: usize, dcNew: usize, dz: usize, dc: usize, units: i32, rowStart: i32, rowEnd: i32): void {
  const one = f32x4.splat(1), zero = f32x4.splat(0);
  for (let b = rowStart; b < rowEnd; b++) {
    const zr = b * 4 * units, sr = b * units;
    let j = 0;
    for (; j + 4 <= units; j += 4) {
      const i = v128.load(at(gates, zr + j)), f = v128.load(at(gates, zr + units + j)), g = v128.load(at(gates, zr + 2 * units + j));
      const d = v128.load(at(dcNew, sr + j));
      v128.store(at(dz, zr + j), f32x4.mul(f32x4.mul(f32x4.mul(d, g), i), f32x4.sub(one, i)));
      v128.store(at(dz, zr + units + j), f32x4.mul(f32x4.mul(f32x4.mul(d, v128.load(at(c, sr + j))), f), f32x4.sub(one, f)));
      v128.store(at(dz, zr + 2 * units + j), f32x4.mul(f32x4.mul(d, i), f32x4.sub(one, f32x4.mul(g, g))));
      v128.store(at(dz, zr + 3 * units + j), zero);
      v128.store(at(dc, sr + j), f32x4.mul(d, f));
    }
    for (; j < units; j++) {
      const i = load<f32>(at(gates, zr + j)), f = load<f32>(at(gates, zr + units + j)), g = load<f32>(at(gates, zr + 2 * units + j));
      const d = load<f32>(at(dcNew, sr + j));
      store<f32>(at(dz, zr + j), d * g * i * (1 - i));
      store<f32>(at(dz, zr + units + j), d * load<f32>(at(c, sr + j)) * f * (1 - f));
      store<f32>(at(dz, zr + 2 * units + j), d * i * (1 - g * g));
      store<f32>(at(dz, zr + 3 * units + j), 0);
      store<f32>(at(dc, sr + j), d * f);
    }
  }
}

/** Backward of h' = o·tanh(c') for dh: dz in the o slot (0 elsewhere), dc' = dh·o·(1 - tanh²(c')). */
export function lstmGradHidden(gates: usize, cNew: usize, dh: usize, dz: usize, dcNew: usize, units: i32, rowStart: i32, rowEnd: i32): void {
  const one = f32x4.splat(1), zero = f32x4.splat(0);
  for (let b = rowStart; b < rowEnd; b++) {
    const zr = b * 4 * units, sr = b * units;
    let j = 0;
    for (; j + 4 <= units; j += 4) {
      const o = v128.load(at(gates, zr + 3 * units + j)), t = tanhV(v128.load(at(cNew, sr + j))), d = v128.load(at(dh, sr + j));
      v128.store(at(dz, zr + j), zero);
      v128.store(at(dz, zr + units + j), zero);
      v128.store(at(dz, zr + 2 * units + j), zero);
      v128.store(at(dz, zr + 3 * units + j), f32x4.mul(f32x4.mul(f32x4.mul(d, t), o), f32x4.sub(one, o)));
      v128.store(at(dcNew, sr + j), f32x4.mul(f32x4.mul(d, o), f32x4.sub(one, f32x4.mul(t, t))));
    }
    for (; j < units; j++) {
      const o = load<f32>(at(gates, zr + 3 * units + j)), t = tanhS(load<f32>(at(cNew, sr + j))), d = load<f32>(at(dh, sr + j));
      store<f32>(at(dz, zr + j), 0);
      store<f32>(at(dz, zr + units + j), 0);
      store<f32>(at(dz, zr + 2 * units + j), 0);
      store<f32>(at(dz, zr + 3 * units + j), d * t * o * (1 - o));
      store<f32>(at(dcNew, sr + j), d * o * (1 - t * t));
    }
  }
}
