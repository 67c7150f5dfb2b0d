import { record } from '../../autograd/tape.js';
import { isFloat } from '../../core/dtype.js';
import { ValueError, fmtShape } from '../../core/errors.js';
import { normAxis } from '../../core/shape.js';
import type { Tensor } from '../../core/tensor.js';
import { toTensor, wrap, type TensorLike } from '../convert.js';
import { checkValues } from '../check.js';
import { toIndices } from '../indices.js';

/**
 * Picks slices of `x` along `axis` at integer `indices`. The result has `x`'s shape with that
 * axis replaced by `indices.shape`. Repeated indices are fine (their gradients add up).
 * @example gather(embeddings, tokenIds)       // rows of a lookup table
 * @example gather(x, [2, 0], 1)              // columns 2 and 0
 */
export function gather(x: TensorLike, indices: TensorLike, axis = 0): Tensor {
  const t = toTensor(x, 'x', 'gather');
  if (t.rank === 0) throw new ValueError('gather: x must have rank >= 1, got a scalar');
  const a = normAxis(axis, t.rank, 'gather');
  const idx = toIndices(indices, 'gather');
  checkRange(idx, t.shape, a, 'gather');
  const outShape = [...t.shape.slice(0, a), ...idx.shape, ...t.shape.slice(a + 1)];
  const y = wrap(t.backend.gather(t, idx, a), outShape, t.dtype);
  if (!isFloat(t.dtype)) return y;
  return record('gather', [t], y, (dy) => [scatterAdd(dy, idx, a, t.shape)]);
}

function checkRange(idx: Tensor, shape: readonly number[], axis: number, op: string): void {
  const n = shape[axis];
  checkValues(idx, (v) => {
    for (let i = 0; i < v.length; i++) {
      if (v[i] < 0 || v[i] >= n) {
        throw new ValueError(
          `${op}: index ${v[i]} (at flat position ${i}) is out of range for axis ${axis} of size ${n} (x shape ${fmtShape(shape)}); expected indices in [0, ${n - 1}]`,
        );
      }
    }
  });
}

/** The adjoint of gather; its own gradient is a gather, so higher-order gradients work. */
function scatterAdd(updates: Tensor, idx: Tensor, axis: number, outShape: readonly number[]): Tensor {
  const y = wrap(updates.backend.scatterAdd(updates, idx, axis, outShape), outShape, updates.dtype);
  return record('scatterAdd', [updates], y, (dy) => [gather(dy, idx, axis)]);
}
