import { isRecording, record } from '../../autograd/tape.js';
import type { Tensor } from '../../core/tensor.js';
import { wrap } from '../convert.js';
import { zeros } from '../creation.js';
import { concat } from './concat.js';
import { matMul } from './matmul.js';
import { reshape } from './shape_ops.js';
import { slice } from './slice.js';

/**
 * A whole LSTM recurrence (sigmoid gates, tanh) on the backend's fused kernel: from z
 * [steps, batch, 4·units] (each step's input projection plus bias), the recurrent kernel u
 * [units, 4·units] and the initial states h0, c0 [batch, units], returns [hs, cs], every step's
 * h and c [steps, batch, units]; the same values as running the cell step by step, in one
 * kernel call instead of a dozen ops per step. Gradients reach z, u, h0 and c0: back-propagation
 * through time runs as one kernel, and u's gradient is one product Σ_t h_{t-1}ᵀ·dz_t over all
 * steps. Returns null when the backend has no such kernel (the layer then loops over steps).
 * @example const [hs, cs] = lstmSequenceFused(projected, recurrentKernel, h0, c0) ?? loopOverSteps();
 */
export function lstmSequenceFused(z: Tensor, u: Tensor, h0: Tensor, c0: Tensor): [Tensor, Tensor] | null {
  const be = z.backend;
  if (!be.lstmSequence || !be.lstmSequenceGrad) return null;
  if ([u, h0, c0].some((t) => t.backend !== be || t.dtype !== z.dtype)) return null;
  const [steps, batch, width] = z.shape;
  const units = width / 4;
  const recording = isRecording();
  const [hsH, csH, gatesH] = be.lstmSequence(z, u, h0, c0, recording);
  const stateShape = [steps, batch, units];
  if (!recording) return [wrap(hsH, stateShape, z.dtype), wrap(csH, stateShape, z.dtype)];

  const gates = wrap(gatesH!, z.shape, z.dtype);
  let dcs: Tensor | null = null;
  const hsPlain = wrap(hsH, stateShape, z.dtype),
    csPlain = wrap(csH, stateShape, z.dtype);
  const hs = record('lstmSequence', [z, u, h0, c0], hsPlain, (dhs, needs) => {
    const [dzH, dh0H, dc0H] = be.lstmSequenceGrad!(gates, csPlain, c0, u, dhs, dcs);
    dcs = null;
    const dz = wrap(dzH, z.shape, z.dtype);
    let du: Tensor | null = null;
    if (needs[1]) {
      // h_{t-1} for every step, as rows: h0 then hs without its last step.
      const previous =
        steps > 1 ? concat([reshape(h0, [1, batch, units]), slice(hsPlain, [0, 0, 0], [steps - 1, batch, units])]) : h0;
      du = matMul(reshape(previous, [steps * batch, units]), reshape(dz, [steps * batch, width]), true, false);
    }
    return [dz, du, needs[2] ? wrap(dh0H, h0.shape, z.dtype) : null, needs[3] ? wrap(dc0H, c0.shape, z.dtype) : null];
  });
  // The cell states' gradient is handed to the node above (the tape runs this one first, as it
  // is recorded later), with a zero gradient for hs so that node runs even when only cs is used.
  const cs = record('lstmSequenceCells', [hs], csPlain, (dy) => {
    dcs = dy;
    return [zeros(stateShape, z.dtype)];
  });
  return [hs, cs];
}
