// A whole LSTM recurrence and its gradient through time on typed arrays: the reference for the
// backends' lstmSequence kernels, built from the same pieces as the step-by-step layer (the
// reference product, z + h·u, the cell), so it computes exactly what that loop computes.
import type { DataHandle, TensorInfo } from '../../backend/backend.js';
import { allocArray, type DType, type TypedArray } from '../../core/dtype.js';
import { lstmCellForward, lstmCellGradC, lstmCellGradH } from './lstm.js';
import { matmul } from './matmul.js';

const info = (handle: TypedArray, shape: number[], dtype: DType): TensorInfo => ({ handle, shape, dtype });

/**
 * Runs every step: pre = z[t] + h·u, then the cell. Returns [hs, cs, gates | null].
 * @example const [hs, cs] = lstmSequence(z, u, h0, c0, false);
 */
export function lstmSequence(
  z: TensorInfo,
  u: TensorInfo,
  h0: TensorInfo,
  c0: TensorInfo,
  withGates: boolean,
): [DataHandle, DataHandle, DataHandle | null] {
  const [steps, batch, width] = z.shape;
  const units = width / 4,
    dt = z.dtype,
    zv = z.handle as TypedArray;
  const state = batch * units;
  const hs = allocArray(dt, steps * state),
    cs = allocArray(dt, steps * state);
  const gates = withGates ? allocArray(dt, steps * batch * width) : null;
  let h = h0.handle as TypedArray,
    c = c0.handle as TypedArray;
  for (let t = 0; t < steps; t++) {
    const product = matmul(info(h, [batch, units], dt), u, false, false, [batch, width]) as TypedArray;
    const pre = allocArray(dt, batch * width);
    for (let i = 0; i < pre.length; i++) pre[i] = zv[t * batch * width + i] + product[i];
    const g = gates ? gates.subarray(t * batch * width, (t + 1) * batch * width) : allocArray(dt, batch * width);
    const cNew = cs.subarray(t * state, (t + 1) * state),
      hNew = hs.subarray(t * state, (t + 1) * state);
    lstmCellForward(pre, c, g, cNew, hNew, units);
    h = hNew;
    c = cNew;
  }
  return [hs, cs, gates];
}

/**
 * Back-propagation through time: from the last step to the first, dh = dhs[t] + dz_{t+1}·uᵀ and
 * dc = dcs[t] + dc_{t+1}·f_{t+1} plus what h' = o·tanh(c') hands back. Returns [dz, dh0, dc0].
 * @example const [dz, dh0, dc0] = lstmSequenceGrad(gates, cs, c0, u, dhs, null);
 */
export function lstmSequenceGrad(
  gates: TensorInfo,
  cs: TensorInfo,
  c0: TensorInfo,
  u: TensorInfo,
  dhs: TensorInfo,
  dcs: TensorInfo | null,
): [DataHandle, DataHandle, DataHandle] {
  const [steps, batch, width] = gates.shape;
  const units = width / 4,
    dt = dhs.dtype,
    state = batch * units;
  const gv = gates.handle as TypedArray,
    csv = cs.handle as TypedArray,
    dhv = dhs.handle as TypedArray;
  const dcv = dcs ? (dcs.handle as TypedArray) : null;
  const dz = allocArray(dt, steps * batch * width);
  let dhNext: TypedArray = allocArray(dt, state),
    dcNext: TypedArray = allocArray(dt, state);
  const dh = allocArray(dt, state),
    dcNew = allocArray(dt, state),
    dzH = allocArray(dt, batch * width);
  for (let t = steps - 1; t >= 0; t--) {
    for (let i = 0; i < state; i++) dh[i] = dhv[t * state + i] + dhNext[i];
    const g = gv.subarray(t * batch * width, (t + 1) * batch * width);
    const cNew = csv.subarray(t * state, (t + 1) * state);
    const cPrev = t > 0 ? csv.subarray((t - 1) * state, t * state) : (c0.handle as TypedArray);
    lstmCellGradH(g, cNew, dh, dzH, dcNew, units);
    for (let i = 0; i < state; i++) dcNew[i] = dcNew[i] + dcNext[i] + (dcv ? dcv[t * state + i] : 0);
    const dzt = dz.subarray(t * batch * width, (t + 1) * batch * width);
    const dc = allocArray(dt, state);
    lstmCellGradC(g, cPrev, dcNew, dzt, dc, units);
    for (let i = 0; i < dzt.length; i++) dzt[i] += dzH[i];
    dhNext = matmul(info(dzt, [batch, width], dt), u, false, true, [batch, units]) as TypedArray;
    dcNext = dc;
  }
  return [dz, dhNext, dcNext];
}
