import { checkedRead } from '../backend/capture.js';
import type { TypedArray } from '../core/dtype.js';
import type { Tensor } from '../core/tensor.js';

/**
 * Reads `t`'s values only to check them: `check` throws on a value it refuses (an id outside a
 * vocabulary, a label that is not a whole number). A captured training step repeats the check
 * on every replay's values, so a replayed step refuses bad input as the ordinary one does;
 * reading values any other way during a step keeps it from being replayed.
 * @example checkValues(ids, (v) => { for (const id of v) if (id < 0) throw new ValueError(`negative id ${id}`); });
 */
export function checkValues(t: Tensor, check: (values: TypedArray) => void): void {
  if (t.isDisposed) t.dataSync(); // throws the usual error for a disposed tensor
  checkedRead(t.backend, t, check);
}
