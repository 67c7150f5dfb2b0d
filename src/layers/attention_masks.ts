import { ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { tensor } from '../ops/convert.js';
import { expandDims } from '../ops/dims.js';
import { softmax } from '../ops/softmax.js';
import { add, greater, logicalAnd, mul, sub } from '../ops/prims/binary.js';
import { cast, reshape } from '../ops/prims/shape_ops.js';
import { fusedMaskedSoftmax } from '../ops/prims/softmax.js';

/** What Keras puts at masked scores before the softmax: exp(-1e9 - max) is exactly 0. */
export const MASKED_SCORE = -1e9;

/**
 * A [1, queryLength, keyLength] bool mask where query position i (counted from `offset`, the
 * number of cached positions before it) may see key positions j <= i + offset.
 * @example causalMask(3, 3) // [[[1,0,0],[1,1,0],[1,1,1]]]
 */
export function causalMask(queryLength: number, keyLength: number, offset = 0): Tensor {
  const v = new Uint8Array(queryLength * keyLength);
  for (let i = 0; i < queryLength; i++)
    for (let j = 0; j < keyLength; j++) v[i * keyLength + j] = j <= i + offset ? 1 : 0;
  return tensor(v, [1, queryLength, keyLength], 'bool');
}

/**
 * A [1, queryLength, keyLength] bool band: query position i (from `offset`) may see key positions
 * j with |i + offset - j| < window (Keras' `sliding_window`; with the causal mask, the last
 * `window` positions).
 * @example slidingWindowMask(3, 3, 2) // [[[1,1,0],[1,1,1],[0,1,1]]]
 */
export function slidingWindowMask(queryLength: number, keyLength: number, window: number, offset = 0): Tensor {
  const v = new Uint8Array(queryLength * keyLength);
  for (let i = 0; i < queryLength; i++)
    for (let j = 0; j < keyLength; j++) v[i * keyLength + j] = Math.abs(i + offset - j) < window ? 1 : 0;
  return tensor(v, [1, queryLength, keyLength], 'bool');
}

/** A mask as bool: bool masks as they are, numeric ones true above 0.5 (Keras' rule). */
export function boolMask(mask: Tensor): Tensor {
  return mask.dtype === 'bool' ? mask : greater(mask, 0.5);
}

/** The logical and of the masks that are present (null when none is). */
export function andMasks(...masks: (Tensor | null | undefined)[]): Tensor | null {
  let out: Tensor | null = null;
  for (const m of masks) if (m) out = out ? logicalAnd(out, boolMask(m)) : boolMask(m);
  return out;
}

/**
 * Keras' masked softmax over the last `axes` axes: masked scores are pushed down by 1e9 before
 * the softmax (exp of them is exactly 0) and their probabilities multiplied by 0 after it, so a
 * row whose every position is masked gives all-zero probabilities rather than NaN or a uniform
 * spread. Written with a 0/1 float mask (an add and a multiply that broadcast on every backend's
 * fast path) rather than selects; the values and gradients are those of Keras' replacement.
 */
export function maskedSoftmax(scores: Tensor, mask: Tensor | null, axes = 1): Tensor {
  let keep: Tensor | null = null;
  if (mask) {
    let m = mask;
    // Missing axes (heads, batch) are added in front of the attention axes and broadcast.
    while (m.rank < scores.rank) m = expandDims(m, m.rank - 2 * axes);
    const fused = axes === 1 ? fusedMaskedSoftmax(scores, boolMask(m)) : null;
    if (fused) return fused;
    keep = cast(boolMask(m), scores.dtype);
    scores = add(scores, mul(sub(keep, 1), -MASKED_SCORE));
  }
  let probs: Tensor;
  if (axes === 1) probs = softmax(scores, -1);
  else {
    const lead = scores.shape.slice(0, scores.rank - axes);
    probs = reshape(softmax(reshape(scores, [...lead, -1]), -1), scores.shape);
  }
  return keep ? mul(probs, keep) : probs;
}

/**
 * Checks that an attention mask broadcasts to `[batch, ...query axes, ...key axes]` before any
 * work is done, naming the layer and both shapes.
 */
export function checkAttentionMask(who: string, mask: Tensor, expected: readonly number[], what: string): void {
  const ok =
    mask.rank <= expected.length &&
    mask.shape.every((d, i) => d === 1 || d === expected[expected.length - mask.rank + i]);
  if (!ok)
    throw new ValueError(
      `${who}: attentionMask of shape ${fmtShape(mask.shape)} does not match ${what} ${fmtShape(expected)} (each axis must equal it or be 1; missing leading axes broadcast)`,
    );
}
