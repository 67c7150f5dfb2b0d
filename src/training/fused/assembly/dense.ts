// The matrix products of the fused dense training step, in float64 over byte addresses into
// this module's own memory (laid out by dense_kernels.ts). Compiled ahead of time, they run at
// full speed from the first step, where the same loops in JavaScript would still be interpreted.
// Matrices are row-major: x [rows, inDim], w [inDim, units], z and dz [rows, units].

/** z = x·w (+ b, when b is not 0). */
export function forward(x: usize, w: usize, b: usize, z: usize, rows: i32, inDim: i32, units: i32): void {
  for (let r = 0; r < rows; r++) {
    const zr = z + <usize>(r * units) * 8;
    const xr = x + <usize>(r * inDim) * 8;
    for (let j = 0; j < units; j++) store<f64>(zr + <usize>j * 8, b ? load<f64>(b + <usize>j * 8) : 0);
    for (let k = 0; k < inDim; k++) {
      const xv = load<f64>(xr + <usize>k * 8);
      const wk = w + <usize>(k * units) * 8;
      for (let j = 0; j < units; j++) {
        const at = zr + <usize>j * 8;
        store<f64>(at, load<f64>(at) + xv * load<f64>(wk + <usize>j * 8));
      }
    }
  }
}

/** dw = xᵀ·dz, and db = the column sums of dz (when db is not 0). */
export function weightGrads(x: usize, dz: usize, dw: usize, db: usize, rows: i32, inDim: i32, units: i32): void {
  memory.fill(dw, 0, <usize>(inDim * units) * 8);
  if (db) memory.fill(db, 0, <usize>units * 8);
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>(r * inDim) * 8;
    const dzr = dz + <usize>(r * units) * 8;
    for (let k = 0; k < inDim; k++) {
      const xv = load<f64>(xr + <usize>k * 8);
      const dwk = dw + <usize>(k * units) * 8;
      for (let j = 0; j < units; j++) {
        const at = dwk + <usize>j * 8;
        store<f64>(at, load<f64>(at) + xv * load<f64>(dzr + <usize>j * 8));
      }
    }
    if (db) {
      for (let j = 0; j < units; j++) {
        const at = db + <usize>j * 8;
        store<f64>(at, load<f64>(at) + load<f64>(dzr + <usize>j * 8));
      }
    }
  }
}

/** dx = dz·wᵀ. */
export function inputGrad(dz: usize, w: usize, dx: usize, rows: i32, inDim: i32, units: i32): void {
  for (let r = 0; r < rows; r++) {
    const dzr = dz + <usize>(r * units) * 8;
    const dxr = dx + <usize>(r * inDim) * 8;
    for (let k = 0; k < inDim; k++) {
      const wk = w + <usize>(k * units) * 8;
      let s: f64 = 0;
      for (let j = 0; j < units; j++) s += load<f64>(dzr + <usize>j * 8) * load<f64>(wk + <usize>j * 8);
      store<f64>(dxr + <usize>k * 8, s);
    }
  }
}
