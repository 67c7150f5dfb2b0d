/**
 * Broadcast geometry: each input's element stride along each output axis (0 where it is
 * broadcast), with adjacent axes merged where every input stays contiguous across them, so a
 * shader walks as few axes as possible.
 */
export interface Strided {
  /** Output dims after merging (empty for a scalar or one flat run). */
  dims: number[];
  /** Per input, its stride along each merged dim. */
  strides: number[][];
}

/** Strides of `inShape` broadcast (right-aligned) to `outShape`, then merged. */
export function broadcastStrides(inShapes: readonly (readonly number[])[], outShape: readonly number[]): Strided {
  const rank = outShape.length;
  const full = inShapes.map((s) => {
    const st = new Array<number>(rank).fill(0);
    let acc = 1;
    for (let i = s.length - 1; i >= 0; i--) {
      const o = rank - s.length + i;
      st[o] = s[i] === 1 ? 0 : acc;
      acc *= s[i];
    }
    return st;
  });
  return mergeDims([...outShape], full);
}

/** Drops size-1 dims and merges neighbours where every stride list is contiguous across them. */
export function mergeDims(shape: number[], strides: number[][]): Strided {
  const dims: number[] = [];
  const out: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && strides.every((s, k) => out[k][last] === s[d] * shape[d])) {
      dims[last] *= shape[d];
      strides.forEach((s, k) => {
        out[k][last] = s[d];
      });
    } else {
      dims.push(shape[d]);
      strides.forEach((s, k) => out[k].push(s[d]));
    }
  }
  return { dims, strides: out };
}

/**
 * WGSL that turns the linear output index `i` into one offset per input (`off0`, `off1`, ...),
 * reading dims and strides from the params array starting at word `base`. The rank is baked
 * in so the loop unrolls; params hold dims then each input's strides.
 */
export function offsetsCode(rank: number, inputs: number, base: number): string {
  const lines = [`  var rem = i;`];
  for (let k = 0; k < inputs; k++) lines.push(`  var off${k} = 0u;`);
  for (let d = rank - 1; d >= 0; d--) {
    lines.push(`  { let dim = p[${base + d}]; let c = rem % dim; rem = rem / dim;`);
    for (let k = 0; k < inputs; k++) lines.push(`    off${k} = off${k} + c * p[${base + rank * (k + 1) + d}];`);
    lines.push('  }');
  }
  return lines.join('\n');
}

/** Params words for `offsetsCode`: dims then each input's strides. */
export function offsetsParams(g: Strided): number[] {
  return [...g.dims, ...g.strides.flat()];
}
