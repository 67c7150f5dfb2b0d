import { record } from '../../autograd/tape.js';
import { ValueError, fmtShape } from '../../core/errors.js';
import { normAxis, shapesEqual } from '../../core/shape.js';
import type { Tensor } from '../../core/tensor.js';
import { toTensor, wrap, type TensorLike } from '../convert.js';
import { pad } from './pad.js';

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
 * Splits `x` along `axis` into `numOrSizeSplits` equal parts, or parts of the listed sizes
 * (one size may be -1 for the remainder).
 * @example const [a, b] = split(x, 2, 1);
 * @example split(x, [1, -1], 0) // first row, then the rest
 */
export function split(x: TensorLike, numOrSizeSplits: number | readonly number[], axis = 0): Tensor[] {
  const t = toTensor(x, 'x', 'split');
  const a = normAxis(axis, t.rank, 'split');
  const dim = t.shape[a];
  let sizes: number[];
  if (typeof numOrSizeSplits === 'number') {
    if (!Number.isInteger(numOrSizeSplits) || numOrSizeSplits < 1 || dim % numOrSizeSplits !== 0) {
      throw new ValueError(
        `split: axis ${a} of shape ${fmtShape(t.shape)} (size ${dim}) cannot be split into ${numOrSizeSplits} equal parts`,
      );
    }
    sizes = new Array<number>(numOrSizeSplits).fill(dim / numOrSizeSplits);
  } else {
    sizes = [...numOrSizeSplits];
    const unknown = sizes.filter((s) => s === -1).length;
    if (unknown > 1 || sizes.some((s) => !Number.isInteger(s) || s < -1)) {
      throw new ValueError(
        `split: sizes ${JSON.stringify(numOrSizeSplits)} must be non-negative integers with at most one -1`,
      );
    }
    const known = sizes.reduce((acc, s) => acc + (s === -1 ? 0 : s), 0);
    if (unknown) sizes[sizes.indexOf(-1)] = dim - known;
    if (known > dim || (!unknown && known !== dim)) {
      throw new ValueError(
        `split: sizes ${JSON.stringify(numOrSizeSplits)} sum to ${known}, but axis ${a} of shape ${fmtShape(t.shape)} has size ${dim}`,
      );
    }
  }
  let offset = 0;
  return sizes.map((s) => {
    const begin = t.shape.map((_, i) => (i === a ? offset : 0));
    const size = t.shape.map((d, i) => (i === a ? s : d));
    offset += s;
    return slice(t, begin, size);
  });
}
