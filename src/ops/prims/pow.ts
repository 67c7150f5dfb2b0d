// pow sits above both binary.ts and unary.ts: its gradient with respect to the exponent needs log.
import { greater, mul, sub, where } from './binary.js';
import { arithmetic } from './elementwise.js';
import { log } from './unary.js';

/**
 * a ** b with broadcasting. The gradient with respect to b is taken where a > 0 and is 0 elsewhere.
 * @example pow(tensor([2, 3]), 2) // [4, 9]
 */
export const pow = arithmetic('pow', (dy, a, b, y) => {
  const da = mul(dy, mul(b, pow(a, sub(b, 1))));
  const safeA = where(greater(a, 0), a, 1);
  const db = mul(dy, where(greater(a, 0), mul(y, log(safeA)), 0));
  return [da, db];
});
