import assert from 'node:assert/strict';
import { Rng } from '../../src/core/rng.js';
import { Tensor } from '../../src/core/tensor.js';
import { grads, mul, sum, tensor } from '../../src/index.js';

/** A float64 tensor of `shape` with values uniform in [lo, hi), from a fixed seed. */
export function rand64(shape: number[], seed = 1, lo = -1, hi = 1): Tensor {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = lo + (hi - lo) * rng.uniform();
  return tensor(v, shape, 'float64');
}

/**
 * Checks analytic gradients of `f` against central finite differences in float64. The output is
 * projected on fixed random weights first, so every output element's gradient is exercised.
 */
export function checkGradients(
  f: (...xs: Tensor[]) => Tensor,
  inputs: Tensor[],
  { eps = 1e-6, rtol = 1e-5, atol = 1e-8 }: { eps?: number; rtol?: number; atol?: number } = {},
): void {
  for (const x of inputs) assert.equal(x.dtype, 'float64', 'gradient checks need float64 inputs');
  const probe = f(...inputs);
  const weights = rand64(probe.shape, 99, 0.5, 1.5);
  const objective = (...xs: Tensor[]) => sum(mul(f(...xs), weights));
  const analytic = grads(objective)(inputs);
  inputs.forEach((x, k) => {
    const base = x.dataSync() as Float64Array;
    const got = analytic[k].dataSync();
    assert.deepEqual(analytic[k].shape, x.shape, `gradient ${k} shape`);
    for (let i = 0; i < base.length; i++) {
      const at = (delta: number): number => {
        const v = base.slice();
        v[i] += delta;
        const xs = inputs.map((t, j) => (j === k ? tensor(v, x.shape, 'float64') : t));
        return objective(...xs).dataSync()[0];
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      const err = Math.abs(got[i] - numeric);
      assert.ok(
        err <= atol + rtol * Math.max(Math.abs(numeric), Math.abs(got[i])) ||
          (Number.isNaN(numeric) && Number.isNaN(got[i])),
        `input ${k}, element ${i}: analytic ${got[i]} vs numeric ${numeric} (error ${err})`,
      );
    }
  });
}

/** Asserts two arrays (or tensors) are element-wise close. */
export function assertClose(
  actual: Tensor | ArrayLike<number>,
  expected: Tensor | ArrayLike<number>,
  tol = 1e-5,
  message = '',
): void {
  const a = actual instanceof Tensor ? actual.dataSync() : actual;
  const e = expected instanceof Tensor ? expected.dataSync() : expected;
  assert.equal(a.length, e.length, `${message} length ${a.length} vs ${e.length}`);
  for (let i = 0; i < a.length; i++) {
    const ok =
      Math.abs(a[i] - e[i]) <= tol * (1 + Math.abs(e[i])) ||
      (Number.isNaN(a[i]) && Number.isNaN(e[i])) ||
      a[i] === e[i];
    assert.ok(ok, `${message} element ${i}: ${a[i]} vs expected ${e[i]}`);
  }
}
