import type { Tensor } from '../core/tensor.js';
import { equal, greater } from '../ops/prims/binary.js';
import { tensor, toFloat, toTensor, type TensorLike } from '../ops/convert.js';
import { argMax } from '../ops/prims/reduce.js';
import { mean } from '../ops/moments.js';
import { cast, reshape } from '../ops/prims/shape_ops.js';
import { prepare } from '../losses/common.js';

/**
 * 1 where `yPred > threshold` agrees with the 0/1 label, averaged over the last axis.
 * @example binaryAccuracy([[1], [0]], [[0.7], [0.6]]) // [1, 0]
 */
export function binaryAccuracy(yTrue: TensorLike, yPred: TensorLike, threshold = 0.5): Tensor {
  const [t, p] = prepare(yTrue, yPred, 'binaryAccuracy');
  return mean(cast(equal(t, cast(greater(p, threshold), t.dtype)), p.dtype), -1);
}

/**
 * 1 where the arg-max of the prediction is the arg-max of the one-hot label.
 * @example categoricalAccuracy([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]) // [0, 1]
 */
export function categoricalAccuracy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepare(yTrue, yPred, 'categoricalAccuracy');
  return cast(equal(argMax(t, -1), argMax(p, -1)), p.dtype);
}

/** Integer labels with a trailing axis of 1 dropped to match yPred without its class axis. */
function sparseLabels(yTrue: TensorLike, p: Tensor, metric: string): Tensor {
  let t = toTensor(yTrue, 'yTrue', metric);
  if (t.rank === p.rank && t.shape[t.rank - 1] === 1) t = reshape(t, t.shape.slice(0, -1));
  return t;
}

/**
 * 1 where the arg-max of the prediction equals the integer label ([batch] or [batch, 1]).
 * @example sparseCategoricalAccuracy([2, 1], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]]) // [0, 1]
 */
export function sparseCategoricalAccuracy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const p = toFloat(yPred, 'yPred', 'sparseCategoricalAccuracy');
  const t = sparseLabels(yTrue, p, 'sparseCategoricalAccuracy');
  return cast(equal(cast(t, p.dtype), cast(argMax(p, -1), p.dtype)), p.dtype);
}

/**
 * TF's `in_top_k`: the target is in the top k when fewer than k classes score strictly higher
 * (so ties at the boundary count as in), and never when its score is not finite.
 */
function inTopK(targets: ArrayLike<number>, p: Tensor, k: number): Tensor {
  const classes = p.shape[p.rank - 1];
  const scores = p.dataSync();
  const out = new Float32Array(targets.length);
  for (let i = 0; i < targets.length; i++) {
    const target = targets[i];
    const s = scores[i * classes + target];
    if (!Number.isFinite(s)) continue;
    let higher = 0;
    for (let j = 0; j < classes; j++) if (scores[i * classes + j] > s) higher++;
    out[i] = higher < k ? 1 : 0;
  }
  return tensor(out, p.shape.slice(0, -1), p.dtype);
}

/**
 * 1 where the one-hot label's class is among the k highest predictions (default k = 5).
 * @example topKCategoricalAccuracy([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], 1) // [0, 1]
 */
export function topKCategoricalAccuracy(yTrue: TensorLike, yPred: TensorLike, k = 5): Tensor {
  const [t, p] = prepare(yTrue, yPred, 'topKCategoricalAccuracy');
  return inTopK(argMax(t, -1).dataSync(), p, k);
}

/**
 * 1 where the integer label is among the k highest predictions (default k = 5).
 * @example sparseTopKCategoricalAccuracy([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], 1) // [0, 1]
 */
export function sparseTopKCategoricalAccuracy(yTrue: TensorLike, yPred: TensorLike, k = 5): Tensor {
  const p = toFloat(yPred, 'yPred', 'sparseTopKCategoricalAccuracy');
  const t = sparseLabels(yTrue, p, 'sparseTopKCategoricalAccuracy');
  return inTopK(t.dataSync(), p, k);
}
