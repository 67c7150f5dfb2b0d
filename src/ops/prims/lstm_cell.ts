import { record } from '../../autograd/tape.js';
import type { Tensor } from '../../core/tensor.js';
import { wrap } from '../convert.js';

/**
 * One LSTM cell step with sigmoid gates and tanh, on the backend's fused kernel: from the gate
 * pre-activations z [batch, 4·units] (Keras order i, f, c, o) and the cell state c, returns
 * [h', c']. Recorded as two nodes (c' from z and c, then h' from z and c'), so each output's
 * gradient flows on its own. Returns null when the backend has no fused cell.
 * @example const [h1, c1] = lstmCellFused(add(x, matMul(h, u)), c) ?? fallback();
 */
export function lstmCellFused(z: Tensor, c: Tensor): [Tensor, Tensor] | null {
  const be = z.backend;
  if (!be.lstmCell || !be.lstmCellGrad || c.backend !== be || z.dtype !== c.dtype) return null;
  const [gatesH, cH, hH] = be.lstmCell(z, c);
  const gates = wrap(gatesH, z.shape, z.dtype);
  const cNew = record('lstmCellState', [z, c], wrap(cH, c.shape, c.dtype), (dc) => {
    const [dz, dPrev] = be.lstmCellGrad!('cell', gates, c, dc);
    return [wrap(dz, z.shape, z.dtype), wrap(dPrev, c.shape, c.dtype)];
  });
  const h = record('lstmCellOutput', [z, cNew], wrap(hH, c.shape, c.dtype), (dh) => {
    const [dz, dc] = be.lstmCellGrad!('hidden', gates, cNew, dh);
    return [wrap(dz, z.shape, z.dtype), wrap(dc, c.shape, c.dtype)];
  });
  return [h, cNew];
}
