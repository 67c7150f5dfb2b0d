import { ValueError, fmtShape } from '../core/errors.js';
import { Tensor } from '../core/tensor.js';
import { checkValues } from './check.js';
import { tensor, toTensor, wrap, type TensorLike } from './convert.js';

/**
 * Converts an index argument to an int32 tensor. Plain arrays become int32; a float tensor is
 * accepted only when every value is a whole number (labels often arrive as floats).
 */
export function toIndices(indices: TensorLike, op: string, arg = 'indices'): Tensor {
  if (!(indices instanceof Tensor)) {
    if (typeof indices === 'boolean') throw new ValueError(`${op}: '${arg}' must be integers, got a boolean`);
    const t = tensor(indices, undefined, 'float64');
    checkWhole(t, op, arg);
    return wrap(t.backend.cast(t, 'int32'), t.shape, 'int32');
  }
  const t = toTensor(indices, arg, op);
  if (t.dtype === 'int32') return t;
  if (t.dtype === 'bool')
    throw new ValueError(`${op}: '${arg}' must be an int32 tensor, got dtype bool (shape ${fmtShape(t.shape)})`);
  checkWhole(t, op, arg);
  return wrap(t.backend.cast(t, 'int32'), t.shape, 'int32');
}

function checkWhole(t: Tensor, op: string, arg: string): void {
  checkValues(t, (v) => {
    for (let i = 0; i < v.length; i++) {
      if (!Number.isInteger(v[i]))
        throw new ValueError(`${op}: '${arg}' must hold whole numbers, got ${v[i]} at flat position ${i}`);
      // The cast to int32 would wrap 4294967297 to 1, a valid index picking the wrong row.
      if (v[i] < -2147483648 || v[i] > 2147483647)
        throw new ValueError(`${op}: '${arg}' holds ${v[i]} at flat position ${i}, outside the int32 range of indices`);
    }
  });
}
