import { record } from '../../autograd/tape.js';
import { ValueError, fmtShape } from '../../core/errors.js';
import { isFloat, upcast } from '../../core/dtype.js';
import { broadcastShapes } from '../../core/shape.js';
import type { Tensor } from '../../core/tensor.js';
import { toTensor, wrap, type TensorLike } from '../convert.js';
import { cast, reshape } from './shape_ops.js';

/**
 * Matrix product of the last two dimensions, with optional transposes; leading (batch)
 * dimensions broadcast. Rank-1 operands are treated as a row (a) or a column (b) vector.
 * @example matMul(x, w)               // [batch, in] x [in, out]
 * @example matMul(q, k, false, true)  // q · kᵀ over batched heads
 */
export function matMul(a: TensorLike, b: TensorLike, transposeA = false, transposeB = false): Tensor {
  let ta = toTensor(a, 'a', 'matMul');
  let tb = toTensor(b, 'b', 'matMul');
  if (ta.rank === 0 || tb.rank === 0)
    throw new ValueError(
      `matMul: both operands need rank >= 1, got shapes ${fmtShape(ta.shape)} and ${fmtShape(tb.shape)}`,
    );
  const vecA = ta.rank === 1,
    vecB = tb.rank === 1;
  if (vecA) ta = reshape(ta, [1, ta.shape[0]]);
  if (vecB) tb = reshape(tb, [tb.shape[0], 1]);
  const dt = upcast(ta.dtype, tb.dtype);
  if (ta.dtype !== dt) ta = cast(ta, dt);
  if (tb.dtype !== dt) tb = cast(tb, dt);
  const [m, ka] = transposeA
    ? [ta.shape[ta.rank - 1], ta.shape[ta.rank - 2]]
    : [ta.shape[ta.rank - 2], ta.shape[ta.rank - 1]];
  const [kb, n] = transposeB
    ? [tb.shape[tb.rank - 1], tb.shape[tb.rank - 2]]
    : [tb.shape[tb.rank - 2], tb.shape[tb.rank - 1]];
  if (ka !== kb) {
    throw new ValueError(
      `matMul: inner dimensions do not match: a ${fmtShape(ta.shape)}${transposeA ? 'ᵀ' : ''} has ${ka} columns but b ${fmtShape(tb.shape)}${transposeB ? 'ᵀ' : ''} has ${kb} rows`,
    );
  }
  const batch = broadcastShapes(ta.shape.slice(0, -2), tb.shape.slice(0, -2), 'matMul (batch dimensions)');
  const outShape = [...batch, m, n];
  const A = ta,
    B = tb;
  let y = wrap(A.backend.matmul(A, B, transposeA, transposeB, outShape), outShape, dt);
  if (isFloat(dt)) {
    y = record('matMul', [A, B], y, (dy, needs) => {
      // d/dA = dy · Bᵀ and d/dB = Aᵀ · dy, arranged to honour each transpose flag; each only when
      // used (a first layer's product with the data batch needs no gradient for the batch). The
      // tape sums each over broadcast batch dimensions.
      const da = !needs[0] ? null : transposeA ? matMul(B, dy, transposeB, true) : matMul(dy, B, false, !transposeB);
      const db = !needs[1] ? null : transposeB ? matMul(dy, A, true, transposeA) : matMul(A, dy, !transposeA, false);
      return [da, db];
    });
  }
  if (vecA && vecB) return reshape(y, outShape.slice(0, -2));
  if (vecA) return reshape(y, [...outShape.slice(0, -2), n]);
  if (vecB) return reshape(y, [...outShape.slice(0, -2), m]);
  return y;
}
