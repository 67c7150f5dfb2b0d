import { isRecording, record } from '../../autograd/tape.js';
import { isFloat } from '../../core/dtype.js';
import type { Tensor } from '../../core/tensor.js';
import { wrap } from '../convert.js';
import { zeros } from '../creation.js';
import { concat } from './concat.js';
import { reshape } from './shape_ops.js';

/**
 * Splits a time-major tensor [T, ...] into its T steps, each without the time axis.
 *
 * Slicing step by step would make every step's gradient a zero-padded copy of the whole
 * sequence (O(T²) work in back-propagation). Here each step only hands its gradient over, and a
 * single node recorded before them stacks them (one kernel, on the device: no read back) as the
 * gradient of `x`: the tape replays nodes in reverse order, so that node runs after every step.
 *
 * @example const [x0, x1] = timeSteps(tensor([[1, 2], [3, 4]])); // [1, 2] and [3, 4]
 */
export function timeSteps(x: Tensor): Tensor[] {
  const steps = x.shape[0];
  const rest = x.shape.slice(1);
  const sliceAt = (t: number): Tensor =>
    wrap(x.backend.slice(x, [t, ...rest.map(() => 0)], [1, ...rest]), rest, x.dtype);
  if (!isRecording() || !isFloat(x.dtype)) return Array.from({ length: steps }, (_, t) => sliceAt(t));

  const stepGrads: (Tensor | null)[] = new Array<Tensor | null>(steps).fill(null);
  let started = false;
  const whole = record('timeSteps', [x], wrap(x.handle, x.shape, x.dtype), () => [
    concat(
      stepGrads.map((g) => (g ? reshape(g, [1, ...rest]) : zeros([1, ...rest], x.dtype))),
      0,
    ),
  ]);
  return Array.from({ length: steps }, (_, t) =>
    record('timeStep', [whole], sliceAt(t), (dy) => {
      stepGrads[t] = dy;
      // The first step to receive a gradient marks `whole` as reached, so its node runs.
      if (started) return [null];
      started = true;
      return [zeros(x.shape, x.dtype)];
    }),
  );
}
