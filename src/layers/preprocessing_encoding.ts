import { ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { allocArray, type DType } from '../core/dtype.js';
import { tensor, toTensor, type TensorLike } from '../ops/convert.js';
import type { Layer } from './layer.js';
import { describeLayer } from './convolutional_base.js';
import type { Shape } from './symbolic.js';

/** How categorical layers present ids: as they are, or as one-hot, multi-hot or count vectors. */
export type CategoryOutputMode = 'int' | 'one_hot' | 'multi_hot' | 'count';

/** Throws unless `mode` is one of `allowed`, naming the layer. */
export function checkOutputMode(
  layer: Layer,
  mode: unknown,
  allowed: readonly CategoryOutputMode[],
): CategoryOutputMode {
  if (!allowed.includes(mode as CategoryOutputMode))
    throw new ValueError(
      `${describeLayer(layer)}: 'outputMode' must be one of ${allowed.map((m) => `'${m}'`).join(', ')}, got ${JSON.stringify(mode)}`,
    );
  return mode as CategoryOutputMode;
}

/**
 * Keras' `encode_categorical_inputs`: ids in [0, depth) as one-hot vectors (a trailing axis of
 * size 1 is replaced), or, reducing the last axis, as multi-hot (which ids occur) or count (how
 * often, optionally weighted) vectors. Ids outside the range are an error naming the layer.
 */
export function encodeCategories(
  layer: Layer,
  ids: ArrayLike<number>,
  shape: readonly number[],
  mode: Exclude<CategoryOutputMode, 'int'>,
  depth: number,
  dtype: DType,
  weights?: ArrayLike<number> | null,
): Tensor {
  for (let i = 0; i < ids.length; i++)
    if (!(ids[i] >= 0 && ids[i] < depth))
      throw new ValueError(
        `${describeLayer(layer)}: input values must be in the range 0 <= values < ${depth} (numTokens), got ${ids[i]}`,
      );
  const rank = shape.length;
  if (mode === 'one_hot') {
    const outer = rank > 1 && shape[rank - 1] === 1 ? shape.slice(0, -1) : [...shape];
    const out = allocArray(dtype, ids.length * depth);
    for (let i = 0; i < ids.length; i++) out[i * depth + ids[i]] = 1;
    return tensor(out, [...outer, depth], dtype);
  }
  // Multi-hot and count reduce the last axis (a scalar or a vector is one group).
  const inner = rank === 0 ? 1 : shape[rank - 1];
  const groups = ids.length / Math.max(inner, 1);
  const out = allocArray(dtype, groups * depth);
  for (let g = 0; g < groups; g++)
    for (let j = 0; j < inner; j++) {
      const i = g * inner + j;
      const at = g * depth + ids[i];
      out[at] = mode === 'multi_hot' ? 1 : out[at] + (weights ? weights[i] : 1);
    }
  return tensor(out, [...(rank <= 1 ? [] : shape.slice(0, -1)), depth], dtype);
}

/** The output shape of `encodeCategories` (what Keras' `compute_output_shape` says). */
export function encodedShape(shape: Shape, mode: CategoryOutputMode, depth: number): Shape {
  if (mode === 'int') return shape;
  if (shape.length === 0) return [depth];
  if (mode === 'one_hot')
    return shape.length > 1 && shape[shape.length - 1] === 1 ? [...shape.slice(0, -1), depth] : [...shape, depth];
  return [...shape.slice(0, -1), depth];
}

/** Data given to `adapt`: one tensor (or nested array), or batches of them. */
export type AdaptData = TensorLike | Iterable<TensorLike>;

/**
 * The batches of `data`: a tensor or nested number array is one batch; any other iterable
 * (a list of tensors, a generator) yields the batches.
 */
export function adaptBatches(data: AdaptData, who: string): Tensor[] {
  const isBatchList =
    typeof data === 'object' &&
    data !== null &&
    Symbol.iterator in data &&
    !(Array.isArray(data) && (data.length === 0 || !isBatchLike(data[0])));
  const list = isBatchList ? [...(data as Iterable<TensorLike>)] : [data as TensorLike];
  if (list.length === 0) throw new ValueError(`${who}: adapt() received no data`);
  return list.map((b, i) => {
    const t = toTensor(b, `data[${i}]`, `${who}.adapt`);
    if (t.size === 0) throw new ValueError(`${who}: adapt() received an empty batch (shape ${fmtShape(t.shape)})`);
    return t;
  });
}

/** Whether an array's first element is itself a batch (a tensor or a nested array), not a number. */
function isBatchLike(first: unknown): boolean {
  return typeof first === 'object' && first !== null && !Array.isArray(first);
}
