// firstNonFiniteWeight clears all-finite weights with one sum each and checks exactly only the
// weights whose sum is not finite: a sum that overflows is not a non-finite weight.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Variable, getBackend, setBackend, tensor } from '../../src/index.js';
import { firstNonFiniteWeight } from '../../src/training/rollback.js';

function onBackend(name: string, fn: () => Promise<void>): () => Promise<void> {
  return async () => {
    const previous = getBackend();
    setBackend(name);
    try {
      await fn();
    } finally {
      setBackend(previous);
    }
  };
}

const weight = (name: string, values: number[], dtype: 'float32' | 'float64' = 'float32') =>
  new Variable(tensor(values, [values.length], dtype), true, name);

for (const be of ['ref', 'wasm']) {
  describe(`firstNonFiniteWeight on ${be}`, () => {
    it(
      'is null for finite weights, also when their sum overflows',
      onBackend(be, async () => {
        const ws = [
          weight('small', [1, -2, 0.5]),
          weight('huge', [3e38, 3e38, 3e38]),
          weight('mixed', [-3e38, -3e38, 1]),
          weight('wide', [1e300, 1e300], 'float64'),
        ];
        assert.equal(await firstNonFiniteWeight(ws), null);
        for (const w of ws) w.dispose();
      }),
    );

    it(
      'names the first weight holding NaN or an infinity, in order',
      onBackend(be, async () => {
        const ok = weight('ok', [1, 2, 3]);
        const huge = weight('huge', [3e38, 3e38]);
        const nan = weight('nan', [1, Number.NaN, 2]);
        const both = weight('both', [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
        const neg = weight('neg', [0, Number.NEGATIVE_INFINITY]);
        assert.equal(await firstNonFiniteWeight([ok, huge, nan, both]), 'nan');
        assert.equal(await firstNonFiniteWeight([huge, both, nan]), 'both');
        assert.equal(await firstNonFiniteWeight([ok, huge, neg]), 'neg');
        for (const w of [ok, huge, nan, both, neg]) w.dispose();
      }),
    );
  });
}
