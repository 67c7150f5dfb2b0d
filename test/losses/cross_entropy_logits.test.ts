// Cross-entropy from large logits keeps float32 precision: the log-softmax subtracts the max
// before anything is rounded at the logits' magnitude.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getBackend, setBackend, tensor } from '../../src/index.js';
import { categoricalCrossentropy, sparseCategoricalCrossentropy } from '../../src/losses/probabilistic.js';

/** -log softmax(row)[k] in float64, from the float32 logits the tensor really holds. */
function reference(row: Float32Array, target: number[]): number {
  const m = Math.max(...row);
  const lse = Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
  return -target.reduce((s, t, i) => s + t * (row[i] - m - lse), 0);
}

for (const be of ['ref', 'wasm']) {
  describe(`cross-entropy from logits on ${be}`, () => {
    for (const scale of [1e4, 1e5]) {
      it(`matches a float64 reference at logits of ${scale}`, () => {
        const previous = getBackend();
        setBackend(be);
        try {
          // Logits a few units apart at `scale`, so the loss is O(1) but the logits are large.
          const rows = [
            [scale, scale - 1, scale - 3, scale - 0.5],
            [-scale, -scale + 2, -scale + 0.25, -scale - 1],
            [scale, -scale, scale - 2, 0],
          ];
          const logits = Float32Array.from(rows.flat());
          const labels = [1, 2, 0];
          const oneHot = labels.map((k) => [0, 1, 2, 3].map((i) => (i === k ? 1 : 0)));
          const soft = [
            [0.1, 0.6, 0.2, 0.1],
            [0.25, 0.25, 0.25, 0.25],
            [0.5, 0, 0.5, 0],
          ];
          const row = (r: number) => logits.subarray(r * 4, r * 4 + 4);
          const x = tensor(logits, [3, 4], 'float32');
          const cases: [string, Float32Array | Int32Array, number[]][] = [
            [
              'sparse',
              sparseCategoricalCrossentropy(labels, x, true).dataSync() as Float32Array,
              labels.map((_, r) => reference(row(r), oneHot[r])),
            ],
            [
              'one-hot',
              categoricalCrossentropy(oneHot, x, true).dataSync() as Float32Array,
              oneHot.map((t, r) => reference(row(r), t)),
            ],
            [
              'soft',
              categoricalCrossentropy(soft, x, true).dataSync() as Float32Array,
              soft.map((t, r) => reference(row(r), t)),
            ],
          ];
          for (const [name, got, want] of cases) {
            want.forEach((w, r) => {
              // float32 rounding of an O(1) result, not of a 1e5-sized intermediate (spacing 0.008).
              const tol = 1e-6 * Math.max(1, Math.abs(w)) * 4;
              assert.ok(
                Math.abs(got[r] - w) <= tol,
                `${name} row ${r}: got ${got[r]}, float64 reference ${w} (error ${Math.abs(got[r] - w)})`,
              );
            });
          }
        } finally {
          setBackend(previous);
        }
      });
    }
  });
}
