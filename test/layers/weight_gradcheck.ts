import assert from 'node:assert/strict';
import type { Tensor } from '../../src/core/tensor.js';
import type { Variable } from '../../src/core/variable.js';
import { mul, sum, tensor, variableGrads } from '../../src/index.js';
import { rand64 } from '../helpers/gradcheck.js';

/**
 * Checks the gradients of `f()` (projected on fixed random weights) with respect to each
 * variable against central finite differences, perturbing the variables in place.
 */
export function checkVariableGradients(
  f: () => Tensor,
  variables: Variable[],
  { eps = 1e-6, rtol = 1e-5, atol = 1e-8 } = {},
): void {
  for (const v of variables) assert.equal(v.dtype, 'float64', `variable ${v.name} must be float64`);
  const weights = rand64(f().shape, 77, 0.5, 1.5);
  const objective = () => sum(mul(f(), weights));
  const { grads } = variableGrads(objective, variables);
  for (const v of variables) {
    const base = v.dataSync() as Float64Array;
    const got = grads[v.name].dataSync();
    for (let i = 0; i < base.length; i++) {
      const at = (delta: number): number => {
        const values = base.slice();
        values[i] += delta;
        v.assign(tensor(values, v.shape, 'float64'));
        return objective().item();
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      v.assign(tensor(base, v.shape, 'float64'));
      const err = Math.abs(got[i] - numeric);
      assert.ok(
        err <= atol + rtol * Math.max(Math.abs(numeric), Math.abs(got[i])),
        `${v.name}[${i}]: analytic ${got[i]} vs numeric ${numeric}`,
      );
    }
  }
}
