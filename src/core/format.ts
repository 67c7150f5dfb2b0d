import type { DType, TypedArray } from './dtype.js';

const MAX_ITEMS = 6; // per axis before eliding with "..."

/** Renders a tensor like NumPy/TF.js: `Tensor float32 [2, 2]` then nested rows. */
export function formatTensor(values: TypedArray, shape: readonly number[], dtype: DType): string {
  const fmt = (v: number): string => {
    if (dtype === 'bool') return v ? 'true' : 'false';
    if (dtype === 'int32') return String(v);
    if (Number.isInteger(v) && Math.abs(v) < 1e15) return v.toFixed(0) + '.';
    const a = Math.abs(v);
    return a !== 0 && (a < 1e-4 || a >= 1e6)
      ? v.toExponential(4)
      : String(Number(v.toPrecision(dtype === 'float64' ? 10 : 6)));
  };
  const header = `Tensor ${dtype} [${shape.join(', ')}]`;
  if (shape.length === 0) return `${header}\n${fmt(values[0])}`;
  const strides: number[] = [];
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  const render = (offset: number, dim: number, indent: string): string => {
    const n = shape[dim];
    const idx = n > MAX_ITEMS ? [0, 1, 2, -1, n - 3, n - 2, n - 1] : Array.from({ length: n }, (_, i) => i);
    if (dim === shape.length - 1) {
      return '[' + idx.map((i) => (i < 0 ? '...' : fmt(values[offset + i]))).join(', ') + ']';
    }
    const rows = idx.map((i) => (i < 0 ? '...' : render(offset + i * strides[dim], dim + 1, indent + ' ')));
    return '[' + rows.join(',\n' + indent + ' ') + ']';
  };
  return `${header}\n${render(0, 0, '')}`;
}
