/**
 * A seeded stream of numbers in [-1, 1) (a linear congruential generator), for test data that
 * must be the same on every run and every backend.
 * @example const next = lcg(1); const values = Array.from({ length: 6 }, next);
 */
export function lcg(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
}
