// A whole LSTM recurrence, and its gradient through time, for a range of batch rows: rows never
// interact, so each thread takes its rows through every step with no synchronisation between
// steps, and a layer's recurrence is one kernel call instead of a dozen per step. Each step is
// the product h·u (the same kernels as matmul), the step's input added, and the cell of lstm.ts;
// the gradient repeats the cell gradients' formulas in the reference's order of operations.
import { gemm, gemmSmall, gemmThin } from './gemm';
import { lstmForward, tanhS, tanhV } from './lstm';
import { gemmThinPacked } from './thin_packed';

@inline function at(base: usize, i: i32): usize {
  return base + (<usize>i << 2);
}

// c[rows, n] = a[rows, k]·op(b): b is [k, n] row-major, or with `bT` the transpose of an [n, k] one.
function product(a: usize, k: i32, b: usize, bT: bool, c: usize, rows: i32, n: i32, scratch: usize): void {
  const brs = bT ? 1 : n, bcs = bT ? k : 1;
  if (rows < 4 && !bT) gemmThin(a, k, 1, b, brs, c, n, k, 0, rows, 0, n, 0, 0);
  else if (rows < 4) gemmSmall(a, k, 1, b, brs, bcs, c, n, k, 0, rows);
  else gemm(a, k, 1, b, brs, bcs, c, n, k, 0, rows, 0, n, scratch);
}

/**
 * Batch rows rowStart..rowEnd through every step: pre = z[t] + h·u, then the cell, writing h' and
 * c' into hs and cs [steps, batch, units] and the activated gates into `gates` [steps, batch,
 * 4·units] (or, when gates is 0, into `work`, rows·4·units floats of this thread's own).
 * `packedU` (0: none) is u packed by packThin, which one to three rows read instead of u (the
 * same results, read in order).
 */
export function lstmSequenceRows(z: usize, u: usize, packedU: usize, h0: usize, c0: usize, hs: usize, cs: usize,
  gates: usize, steps: i32, batch: i32, units: i32, work: usize, scratch: usize, rowStart: i32, rowEnd: i32): void {
  const rows = rowEnd - rowStart, width = 4 * units;
  for (let t = 0; t < steps; t++) {
    const hPrev = t == 0 ? at(h0, rowStart * units) : at(hs, ((t - 1) * batch + rowStart) * units);
    const cPrev = t == 0 ? at(c0, rowStart * units) : at(cs, ((t - 1) * batch + rowStart) * units);
    const pre = gates != 0 ? at(gates, (t * batch + rowStart) * width) : work;
    if (packedU != 0 && rows < 4) gemmThinPacked(hPrev, units, 1, packedU, pre, width, units, 0, rows, 0, width, 0, 0);
    else product(hPrev, units, u, false, pre, rows, width, scratch);
    const zt = at(z, (t * batch + rowStart) * width);
    const total = rows * width;
    let i = 0;
    for (; i + 4 <= total; i += 4) v128.store(at(pre, i), f32x4.add(v128.load(at(zt, i)), v128.load(at(pre, i))));
    for (; i < total; i++) store<f32>(at(pre, i), load<f32>(at(zt, i)) + load<f32>(at(pre, i)));
    // In place: the cell reads a unit's four gate inputs before writing its activated gates.
    const s = (t * batch + rowStart) * units;
    lstmForward(pre, cPrev, pre, at(cs, s), at(hs, s), units, 0, rows);
  }
}

/**
 * The gradient through time for batch rows rowStart..rowEnd, last step first: dh = dhs[t] +
 * dz_{t+1}·uᵀ, dc = (what h' = o·tanh(c') hands back) + dc_{t+1}·f_{t+1} + dcs[t] (dcs 0: none),
 * then dz_t for the four gates. Writes dz [steps, batch, 4·units] and the initial states'
 * gradients dh0, dc0 [batch, units]. `work` holds 2·rows·units floats of this thread's own.
 */
export function lstmSequenceGradRows(gates: usize, cs: usize, c0: usize, u: usize, dhs: usize, dcs: usize,
  dz: usize, dh0: usize, dc0: usize, steps: i32, batch: i32, units: i32, work: usize, scratch: usize,
  rowStart: i32, rowEnd: i32): void {
  const rows = rowEnd - rowStart, width = 4 * units;
  const dhNext = work, dcNext = at(work, rows * units);
  memory.fill(work, 0, <usize>(2 * rows * units) << 2);
  const one = f32x4.splat(1);
  for (let t = steps - 1; t >= 0; t--) {
    const s = (t * batch + rowStart) * units, zr = (t * batch + rowStart) * width;
    const cPrevBase = t > 0 ? at(cs, ((t - 1) * batch + rowStart) * units) : at(c0, rowStart * units);
    for (let b = 0; b < rows; b++) {
      const g = at(gates, zr + b * width), d0 = at(dz, zr + b * width);
      const cNew = at(cs, s + b * units), cPrev = at(cPrevBase, b * units);
      const dhT = at(dhs, s + b * units), dcT = dcs != 0 ? at(dcs, s + b * units) : 0;
      const dhN = at(dhNext, b * units), dcN = at(dcNext, b * units);
      let j = 0;
      for (; j + 4 <= units; j += 4) {
        const i = v128.load(at(g, j)), f = v128.load(at(g, units + j)), gg = v128.load(at(g, 2 * units + j));
        const o = v128.load(at(g, 3 * units + j)), tc = tanhV(v128.load(at(cNew, j)));
        const d = f32x4.add(v128.load(at(dhT, j)), v128.load(at(dhN, j)));
        v128.store(at(d0, 3 * units + j), f32x4.mul(f32x4.mul(f32x4.mul(d, tc), o), f32x4.sub(one, o)));
        let dc = f32x4.add(f32x4.mul(f32x4.mul(d, o), f32x4.sub(one, f32x4.mul(tc, tc))), v128.load(at(dcN, j)));
        if (dcT != 0) dc = f32x4.add(dc, v128.load(at(dcT, j)));
        v128.store(at(d0, j), f32x4.mul(f32x4.mul(f32x4.mul(dc, gg), i), f32x4.sub(one, i)));
        v128.store(at(d0, units + j), f32x4.mul(f32x4.mul(f32x4.mul(dc, v128.load(at(cPrev, j))), f), f32x4.sub(one, f)));
        v128.store(at(d0, 2 * units + j), f32x4.mul(f32x4.mul(dc, i), f32x4.sub(one, f32x4.mul(gg, gg))));
        v128.store(at(dcN, j), f32x4.mul(dc, f));
      }
      for (; j < units; j++) {
        const i = load<f32>(at(g, j)), f = load<f32>(at(g, units + j)), gg = load<f32>(at(g, 2 * units + j));
        const o = load<f32>(at(g, 3 * units + j)), tc = tanhS(load<f32>(at(cNew, j)));
        const d = load<f32>(at(dhT, j)) + load<f32>(at(dhN, j));
        store<f32>(at(d0, 3 * units + j), d * tc * o * (1 - o));
        let dc = d * o * (1 - tc * tc) + load<f32>(at(dcN, j));
        if (dcT != 0) dc += load<f32>(at(dcT, j));
        store<f32>(at(d0, j), dc * gg * i * (1 - i));
        store<f32>(at(d0, units + j), dc * load<f32>(at(cPrev, j)) * f * (1 - f));
        store<f32>(at(d0, 2 * units + j), dc * i * (1 - gg * gg));
        store<f32>(at(dcN, j), dc * f);
      }
    }
    product(at(dz, zr), width, u, true, dhNext, rows, units, scratch);
  }
  memory.copy(at(dh0, rowStart * units), dhNext, <usize>(rows * units) << 2);
  memory.copy(at(dc0, rowStart * units), dcNext, <usize>(rows * units) << 2);
}
