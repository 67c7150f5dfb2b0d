// One-token steps of causal self-attention on a key/value cache kept head-major, the layout the
// per-head products read directly: a step appends one row per head and multiplies, where the
// [batch, length, heads, size] cache of `cachedCall` would be transposed whole at every step.
import type { Tensor } from '../core/tensor.js';
import { softmax } from '../ops/softmax.js';
import { mul } from '../ops/prims/binary.js';
import { concat } from '../ops/prims/concat.js';
import { matMul } from '../ops/prims/matmul.js';
import { reshape, transpose } from '../ops/prims/shape_ops.js';
import type { EinsumDense } from './einsum_dense.js';
import type { AttentionCache, MultiHeadAttention } from './multi_head_attention.js';

/** Keys and values of the positions so far, head-major: [batch, heads, length, size]. */
export interface HeadMajorCache {
  key: Tensor;
  value: Tensor;
}

/**
 * A `cachedCall` cache ([batch, length, heads, size]) in the head-major layout of `attentionDecodeStep`.
 * @example const heads = toHeadMajor(mha.cachedCall(prompt, null).cache); // key [1, heads, 5, keyDim]
 */
export function toHeadMajor(cache: AttentionCache): HeadMajorCache {
  return { key: transpose(cache.key, [0, 2, 1, 3]), value: transpose(cache.value, [0, 2, 1, 3]) };
}

/**
 * Why `attentionDecodeStep` cannot stand in for `mha.cachedCall` on one new position, or null:
 * it covers [batch, time, features] self-attention over the time axis without a sliding window.
 * @example if (!decodeStepUnsupported(mha)) ({ output, cache } = attentionDecodeStep(mha, x, cache));
 */
export function decodeStepUnsupported(mha: MultiHeadAttention): string | null {
  if (!mha.built || !mha.queryDense) return 'the layer is not built';
  if (mha.slidingWindow !== null) return 'a sliding window masks older keys';
  // The equation of [batch, time, features] inputs attended over the time axis alone.
  if (mha.dotProductEquation !== 'aecd,abcd->acbe')
    return 'it attends over other axes than the time axis of [batch, time, features] inputs';
  return null;
}

/**
 * Causal self-attention for one new position per sequence, `query` [batch, 1, dim], that also
 * sees the earlier ones held in `cache` (head-major, or null at the start): the new key and value
 * are appended and the query attends over all of them (causality allows every cached position).
 * The same values as `mha.cachedCall(query, cache)` at inference, with the cache in the layout
 * the per-head products read; returns the output [batch, 1, dim] and the grown cache.
 * @example
 * let cache = toHeadMajor(mha.cachedCall(prompt, null).cache);
 * ({ output, cache } = attentionDecodeStep(mha, nextToken, cache)); // nextToken [1, 1, dim]
 */
export function attentionDecodeStep(
  mha: MultiHeadAttention,
  query: Tensor,
  cache: HeadMajorCache | null,
): { output: Tensor; cache: HeadMajorCache } {
  const b = query.shape[0];
  // [batch, 1, heads, size] and [batch, heads, 1, size] are the same memory: a view, no copy.
  const heads = (dense: EinsumDense | null, size: number) =>
    reshape(dense?.apply(query) as Tensor, [b, mha.numHeads, 1, size]);
  const q = heads(mha.queryDense, mha.keyDim);
  let key = heads(mha.keyDense, mha.keyDim);
  let value = heads(mha.valueDense, mha.valueDim);
  if (cache) {
    key = concat([cache.key, key], 2);
    value = concat([cache.value, value], 2);
  }
  const scores = softmax(matMul(mul(q, 1 / Math.sqrt(mha.keyDim)), key, false, true), -1);
  const attended = reshape(matMul(scores, value), [b, 1, mha.numHeads, mha.valueDim]);
  return { output: mha.projectOutput(attended, query), cache: { key, value } };
}
