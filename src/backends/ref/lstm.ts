// The LSTM cell (sigmoid gates, tanh activation) as loops over typed arrays, shared by the
// reference backend and the wasm backend (which runs it on views of its heap: the cell is a few
// passes over [batch, 4·units] values, where one call beats a dozen element-wise kernels).
import type { TypedArray } from '../../core/dtype.js';

const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/**
 * Forward: z [batch, 4u] (gate pre-activations in Keras order i, f, c, o) and c [batch, u] give
 * the activated gates, c' = f·c + i·tanh(zc) and h' = o·tanh(c').
 * @example lstmCellForward(z, c, gates, cNew, h, units)
 */
export function lstmCellForward(
  z: TypedArray,
  c: TypedArray,
  gates: TypedArray,
  cNew: TypedArray,
  h: TypedArray,
  units: number,
): void {
  const batch = c.length / units;
  for (let b = 0; b < batch; b++) {
    const zr = b * 4 * units,
      sr = b * units;
    for (let j = 0; j < units; j++) {
      const i = sigmoid(z[zr + j]),
        f = sigmoid(z[zr + units + j]);
      const g = Math.tanh(z[zr + 2 * units + j]),
        o = sigmoid(z[zr + 3 * units + j]);
      gates[zr + j] = i;
      gates[zr + units + j] = f;
      gates[zr + 2 * units + j] = g;
      gates[zr + 3 * units + j] = o;
      const cn = f * c[sr + j] + i * g;
      cNew[sr + j] = cn;
      h[sr + j] = o * Math.tanh(cNew[sr + j]);
    }
  }
}

/**
 * Backward of c' = f·c + i·g for dc' : dz for the i, f, c slots (0 in the o slot), and dc = dc'·f.
 * @example lstmCellGradC(gates, c, dcNew, dz, dc, units)
 */
export function lstmCellGradC(
  gates: TypedArray,
  c: TypedArray,
  dcNew: TypedArray,
  dz: TypedArray,
  dc: TypedArray,
  units: number,
): void {
  const batch = c.length / units;
  for (let b = 0; b < batch; b++) {
    const zr = b * 4 * units,
      sr = b * units;
    for (let j = 0; j < units; j++) {
      const i = gates[zr + j],
        f = gates[zr + units + j],
        g = gates[zr + 2 * units + j];
      const d = dcNew[sr + j];
      dz[zr + j] = d * g * i * (1 - i);
      dz[zr + units + j] = d * c[sr + j] * f * (1 - f);
      dz[zr + 2 * units + j] = d * i * (1 - g * g);
      dz[zr + 3 * units + j] = 0;
      dc[sr + j] = d * f;
    }
  }
}

/**
 * Backward of h' = o·tanh(c') for dh: dz in the o slot (0 elsewhere), and dc' = dh·o·(1 - tanh²(c')).
 * @example lstmCellGradH(gates, cNew, dh, dz, dcNew, units)
 */
export function lstmCellGradH(
  gates: TypedArray,
  cNew: TypedArray,
  dh: TypedArray,
  dz: TypedArray,
  dcNew: TypedArray,
  units: number,
): void {
  const batch = cNew.length / units;
  for (let b = 0; b < batch; b++) {
    const zr = b * 4 * units,
      sr = b * units;
    for (let j = 0; j < units; j++) {
      const o = gates[zr + 3 * units + j],
        t = Math.tanh(cNew[sr + j]),
        d = dh[sr + j];
      dz[zr + j] = 0;
      dz[zr + units + j] = 0;
      dz[zr + 2 * units + j] = 0;
      dz[zr + 3 * units + j] = d * t * o * (1 - o);
      dcNew[sr + j] = d * o * (1 - t * t);
    }
  }
}
