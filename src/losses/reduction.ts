import { ValueError, fmtShape } from '../core/errors.js';
import { broadcastShapes } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { div, mul } from '../ops/prims/binary.js';
import { toFloat, type TensorLike } from '../ops/convert.js';
import { sum } from '../ops/prims/reduce.js';
import { cast, reshape } from '../ops/prims/shape_ops.js';
import { squeezeOrExpand } from './common.js';

/** How a loss reduces per-sample values to what `compute` returns (Keras 3 names). */
export type Reduction = 'sum_over_batch_size' | 'sum' | 'mean' | 'mean_with_sample_weight' | 'none';

export const REDUCTIONS: readonly Reduction[] = [
  'sum_over_batch_size',
  'sum',
  'mean',
  'mean_with_sample_weight',
  'none',
];

/** Checks a reduction name, listing the valid ones in the error. */
export function checkReduction(reduction: unknown, loss: string): Reduction {
  const r = reduction === null ? 'none' : reduction;
  if (!REDUCTIONS.includes(r as Reduction))
    throw new ValueError(
      `${loss}: unknown reduction ${JSON.stringify(reduction)}; expected one of ${REDUCTIONS.map((x) => `'${x}'`).join(', ')}`,
    );
  return r as Reduction;
}

/**
 * Keras' `reduce_weighted_values`: multiplies per-sample values by the sample weights (ranks
 * matched, then broadcast) and reduces. 'sum_over_batch_size' and 'mean' divide the sum by the
 * number of weighted values, 'mean_with_sample_weight' by the sum of the weights.
 */
export function reduceWeighted(
  values: Tensor,
  sampleWeight: TensorLike | undefined | null,
  reduction: Reduction,
  loss: string,
): Tensor {
  let v = values;
  let w: Tensor | null = null;
  if (sampleWeight !== undefined && sampleWeight !== null) {
    const w0 = toFloat(sampleWeight, 'sampleWeight', loss);
    [v, w] = squeezeOrExpand(v, w0.dtype === v.dtype ? w0 : cast(w0, v.dtype));
    // Per-sample weights [batch] also weight every step of per-step losses [batch, steps].
    if (w.rank < v.rank) w = reshape(w, [...w.shape, ...new Array<number>(v.rank - w.rank).fill(1)]);
    try {
      broadcastShapes(v.shape, w.shape, loss);
    } catch {
      throw new ValueError(
        `${loss}: sampleWeight of shape ${fmtShape(w0.shape)} does not broadcast to the per-sample losses of shape ${fmtShape(values.shape)}`,
      );
    }
    v = mul(v, w);
  }
  if (reduction === 'none' || v.rank === 0) return v;
  const total = sum(v);
  if (reduction === 'sum') return total;
  if (reduction === 'mean_with_sample_weight' && w) {
    const weightSum = sum(w).item();
    return weightSum === 0 ? mul(total, 0) : div(total, weightSum);
  }
  return v.size > 0 ? div(total, v.size) : total;
}
