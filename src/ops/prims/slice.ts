// slice and pad, each the other's gradient (the adjoint pair of a block copy).
import { record } from '../../autograd/tape.js';
import { ValueError, fmtShape } from '../../core/errors.js';
import { shapesEqual } from '../../core/shape.js';
import type { Tensor } from '../../core/tensor.js';
import { toTensor, wrap, type TensorLike } from '../convert.js';

/** Resolves TF.js-style begin/size (numbers, short lists, -1 sizes) against a shape. */
function sliceParams(
  shape: readonly number[],
  begin: number | readonly number[],
  size?: number | readonly number[],
): { b: number[]; s: number[] } {
  const rank = shape.length;
  const beginList = typeof begin === 'number' ? [begin] : [...begin];
  const sizeList = size === undefined ? [] : typeof size === 'number' ? [size] : [...size];
  if (beginList.length > rank || sizeList.length > rank) {
    throw new ValueError(
      `slice: begin ${JSON.stringify(begin)} and size ${JSON.stringify(size)} have more entries than the rank ${rank} of shape ${fmtShape(shape)}`,
    );
  }
  const b: number[] = [],
    s: number[] = [];
  for (let d = 0; d < rank; d++) {
    const bd = beginList[d] ?? 0;
    const sd = sizeList[d] ?? -1;
    if (!Number.isInteger(bd) || bd < 0 || bd > shape[d]) {
      throw new ValueError(
        `slice: begin ${bd} on axis ${d} is out of range for shape ${fmtShape(shape)} (expected an integer in [0, ${shape[d]}])`,
      );
    }
    const resolved = sd === -1 ? shape[d] - bd : sd;
    if (!Number.isInteger(resolved) || resolved < 0 || bd + resolved > shape[d]) {
      throw new ValueError(
        `slice: size ${sd} on axis ${d} with begin ${bd} runs past the end of shape ${fmtShape(shape)} (at most ${shape[d] - bd}, or -1 for the rest)`,
      );
    }
    b.push(bd);
    s.push(resolved);
  }
  return { b, s };
}

/**
 * Extracts a block starting at `begin` with `size` elements per axis (TF.js semantics: a size
 * of -1, or a missing entry, takes the rest of that axis; a number applies to the first axis).
 * @example slice(x, [0, 1], [-1, 2]) // all rows, columns 1..2
 */
export function slice(x: TensorLike, begin: number | readonly number[], size?: number | readonly number[]): Tensor {
  const t = toTensor(x, 'x', 'slice');
  const { b, s } = sliceParams(t.shape, begin, size);
  if (shapesEqual(s, t.shape)) return t;
  const y = wrap(t.backend.slice(t, b, s), s, t.dtype);
  return record('slice', [t], y, (dy) => [
    pad(
      dy,
      t.shape.map((d, i) => [b[i], d - b[i] - s[i]] as [number, number]),
    ),
  ]);
}

/**
 * Pads with `constantValue`: `paddings[i] = [before, after]` for axis i.
 * @example pad(tensor([1, 2]), [[1, 2]]) // [0, 1, 2, 0, 0]
 */
export function pad(x: TensorLike, paddings: readonly (readonly [number, number])[], constantValue = 0): Tensor {
  const t = toTensor(x, 'x', 'pad');
  if (
    !Array.isArray(paddings) ||
    paddings.length !== t.rank ||
    paddings.some((p) => !Array.isArray(p) || p.length !== 2 || p.some((v) => !Number.isInteger(v) || v < 0))
  ) {
    throw new ValueError(
      `pad: paddings must be ${t.rank} pairs [before, after] of non-negative integers for shape ${fmtShape(t.shape)}, got ${JSON.stringify(paddings)}`,
    );
  }
  if (paddings.every(([a, b]) => a === 0 && b === 0)) return t;
  const outShape = t.shape.map((d, i) => d + paddings[i][0] + paddings[i][1]);
  const y = wrap(t.backend.pad(t, paddings, constantValue), outShape, t.dtype);
  return record('pad', [t], y, (dy) => [
    slice(
      dy,
      paddings.map((p) => p[0]),
      t.shape,
    ),
  ]);
}
