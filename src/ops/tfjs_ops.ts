/**
 * Ops TF.js programs call that are compositions of Myelin's primitives: `dot`, `divNoNan`,
 * `logSigmoid`, `step`, `logicalXor`, `outerProduct`, `topk`, `dropout`, and `multinomial`
 * sampling. None carries gradient code of its own.
 */
import { ValueError, fmtShape } from '../core/errors.js';
import { globalRng, Rng } from '../core/rng.js';
import type { Tensor } from '../core/tensor.js';
import { tensor, toFloat, toTensor, type TensorLike } from './convert.js';
import { div, equal, greater, logicalAnd, logicalOr, mul, where } from './prims/binary.js';
import { gather } from './prims/gather.js';
import { matMul } from './prims/matmul.js';
import { reshape } from './prims/shape_ops.js';
import { logicalNot, neg, softplus } from './prims/unary.js';
import { logSoftmax } from './softmax.js';

/**
 * Dot product of vectors, or matrix products with vectors and matrices (TF.js `dot`):
 * [n]·[n] is a scalar, [n]·[n, m] and [m, n]·[n] vectors, [m, n]·[n, k] a matrix.
 * @example dot(tensor([1, 2]), tensor([3, 4])).item(); // 11
 */
export function dot(a: TensorLike, b: TensorLike): Tensor {
  const x = toFloat(a, 'a', 'dot');
  const y = toFloat(b, 'b', 'dot', x.dtype);
  if (x.rank < 1 || x.rank > 2 || y.rank < 1 || y.rank > 2)
    throw new ValueError(
      `dot: both arguments must have rank 1 or 2, got shapes ${fmtShape(x.shape)} and ${fmtShape(y.shape)}`,
    );
  const left = x.rank === 1 ? reshape(x, [1, x.shape[0]]) : x;
  const right = y.rank === 1 ? reshape(y, [y.shape[0], 1]) : y;
  if (left.shape[1] !== right.shape[0])
    throw new ValueError(`dot: inner dimensions differ: ${fmtShape(x.shape)} and ${fmtShape(y.shape)}`);
  const product = matMul(left, right);
  if (x.rank === 1 && y.rank === 1) return reshape(product, []);
  if (x.rank === 1) return reshape(product, [product.shape[1]]);
  if (y.rank === 1) return reshape(product, [product.shape[0]]);
  return product;
}

/**
 * The outer product of two vectors, [n] x [m] -> [n, m].
 * @example outerProduct(tensor([1, 2]), tensor([3, 4, 5])); // [[3, 4, 5], [6, 8, 10]]
 */
export function outerProduct(v1: TensorLike, v2: TensorLike): Tensor {
  const a = toFloat(v1, 'v1', 'outerProduct');
  const b = toFloat(v2, 'v2', 'outerProduct', a.dtype);
  if (a.rank !== 1 || b.rank !== 1)
    throw new ValueError(
      `outerProduct: both arguments must be vectors, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`,
    );
  return matMul(reshape(a, [a.size, 1]), reshape(b, [1, b.size]));
}

/**
 * a / b, with 0 where b is 0 (and a zero gradient there, never NaN).
 * @example divNoNan(tensor([1, 2]), tensor([0, 4])); // [0, 0.5]
 */
export function divNoNan(a: TensorLike, b: TensorLike): Tensor {
  const x = toFloat(a, 'a', 'divNoNan');
  const y = toFloat(b, 'b', 'divNoNan', x.dtype);
  const zero = equal(y, 0);
  return where(zero, 0, div(x, where(zero, 1, y)));
}

/**
 * log(sigmoid(x)), computed as -softplus(-x) so that it stays finite for large |x|.
 * @example logSigmoid(tensor([0])).item(); // -0.693...
 */
export function logSigmoid(x: TensorLike): Tensor {
  return neg(softplus(neg(toFloat(x, 'x', 'logSigmoid'))));
}

/**
 * 1 where x > 0, `alpha` elsewhere (TF.js `step`; its gradient is zero).
 * @example step(tensor([-1, 2])); // [0, 1]
 */
export function step(x: TensorLike, alpha = 0): Tensor {
  const t = toFloat(x, 'x', 'step');
  return where(greater(t, 0), tensor(1, [], t.dtype), tensor(alpha, [], t.dtype));
}

/**
 * Element-wise exclusive or of two boolean tensors.
 * @example logicalXor(tensor([true, true]), tensor([true, false])); // [false, true]
 */
export function logicalXor(a: TensorLike, b: TensorLike): Tensor {
  return logicalAnd(logicalOr(a, b), logicalNot(logicalAnd(a, b)));
}

/**
 * The `k` largest values along the last axis and their indices (TF.js `topk`), largest first.
 * The values are gathered from x, so gradients flow back to the entries chosen.
 * @example const { values, indices } = topk(tensor([1, 5, 3]), 2); // [5, 3], [1, 2]
 */
export function topk(x: TensorLike, k = 1, sorted = true): { values: Tensor; indices: Tensor } {
  void sorted; // always sorted, largest first, which TF.js' sorted=false also allows
  const t = toTensor(x, 'x', 'topk');
  if (t.rank < 1) throw new ValueError('topk: x must have rank >= 1, got a scalar');
  const n = t.shape[t.rank - 1];
  if (!Number.isInteger(k) || k < 0 || k > n)
    throw new ValueError(
      `topk: 'k' must be an integer in [0, ${n}] (the last dimension of ${fmtShape(t.shape)}), got ${k}`,
    );
  const rows = t.size / Math.max(n, 1);
  const values = t.dataSync();
  const picked = new Int32Array(rows * k);
  const flat = new Int32Array(rows * k);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let r = 0; r < rows; r++) {
    // Stable: among equal values the lower index comes first, as in TF.js.
    order.sort((i, j) => values[r * n + j] - values[r * n + i] || i - j);
    for (let c = 0; c < k; c++) {
      picked[r * k + c] = order[c];
      flat[r * k + c] = r * n + order[c];
    }
  }
  const outShape = [...t.shape.slice(0, -1), k];
  return {
    values: reshape(gather(reshape(t, [t.size]), tensor(flat, [flat.length], 'int32')), outShape),
    indices: tensor(picked, outShape, 'int32'),
  };
}

/**
 * Inverted dropout: each element is zeroed with probability `rate` and the rest scaled by
 * 1 / (1 - rate). `noiseShape` (broadcast against x) shares one draw along its unit axes.
 * @example dropout(x, 0.5);
 */
export function dropout(x: TensorLike, rate: number, noiseShape?: readonly number[], seed?: number): Tensor {
  const t = toFloat(x, 'x', 'dropout');
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1))
    throw new ValueError(`dropout: 'rate' must be a number in [0, 1), got ${rate}`);
  if (rate === 0) return t;
  const shape = noiseShape ? [...noiseShape] : t.shape;
  const rng = seed === undefined ? globalRng : new Rng(seed);
  const keep = 1 - rate;
  const size = shape.reduce((a, b) => a * b, 1);
  const mask = new Float64Array(size);
  for (let i = 0; i < size; i++) mask[i] = rng.uniform() < keep ? 1 / keep : 0;
  return mul(t, tensor(mask, shape, t.dtype));
}

/**
 * Draws `numSamples` class indices from the categorical distribution each row of `logits`
 * describes (TF.js `multinomial`): logits [classes] or [batch, classes], unnormalized log
 * probabilities unless `normalized` says they are probabilities. Returns int32 [numSamples] or
 * [batch, numSamples]. `seed` uses a private generator, otherwise the global one (`setSeed`).
 * @example multinomial(tensor([Math.log(0.2), Math.log(0.8)]), 5); // mostly 1s
 */
export function multinomial(logits: TensorLike, numSamples: number, seed?: number | null, normalized = false): Tensor {
  const t = toFloat(logits, 'logits', 'multinomial');
  if (t.rank !== 1 && t.rank !== 2)
    throw new ValueError(`multinomial: 'logits' must have rank 1 or 2, got shape ${fmtShape(t.shape)}`);
  if (!Number.isInteger(numSamples) || numSamples < 1)
    throw new ValueError(`multinomial: 'numSamples' must be a positive integer, got ${numSamples}`);
  const [batch, classes] = t.rank === 1 ? [1, t.shape[0]] : t.shape;
  const probs = (normalized ? t : logSoftmax(t, -1)).dataSync();
  const rng = seed === undefined || seed === null ? globalRng : new Rng(seed);
  const out = new Int32Array(batch * numSamples);
  for (let b = 0; b < batch; b++) {
    const row = Array.from(probs.subarray(b * classes, (b + 1) * classes), (v) => (normalized ? v : Math.exp(v)));
    const total = row.reduce((a, v) => a + v, 0);
    for (let s = 0; s < numSamples; s++) {
      let u = rng.uniform() * total;
      let k = 0;
      while (k < classes - 1 && u >= row[k]) u -= row[k++];
      out[b * numSamples + s] = k;
    }
  }
  return tensor(out, t.rank === 1 ? [numSamples] : [batch, numSamples], 'int32');
}

/**
 * Integers drawn uniformly from [minval, maxval) (TF.js `randomUniformInt`).
 * @example randomUniformInt([3], 0, 10);
 */
export function randomUniformInt(shape: readonly number[], minval: number, maxval: number, seed?: number): Tensor {
  if (!Number.isInteger(minval) || !Number.isInteger(maxval) || maxval <= minval)
    throw new ValueError(
      `randomUniformInt: minval and maxval must be integers with minval < maxval, got ${minval} and ${maxval}`,
    );
  const rng = seed === undefined ? globalRng : new Rng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Int32Array(size);
  for (let i = 0; i < size; i++) out[i] = minval + rng.int(maxval - minval);
  return tensor(out, shape, 'int32');
}

/**
 * Prints a tensor (TF.js `tf.print`); `verbose` adds its dtype, rank and shape.
 * @example print(tensor([1, 2]));
 */
export function print(x: Tensor, verbose = false): void {
  if (verbose) console.log(`Tensor\n  dtype: ${x.dtype}\n  rank: ${x.rank}\n  shape: ${fmtShape(x.shape)}\n  values:`);
  console.log(x.toString());
}

/** Resolves once the backend is ready (TF.js `tf.ready`); Myelin's backends are ready on import. */
export async function ready(): Promise<void> {}
