import assert from 'node:assert/strict';
import { valueAndGradsOf } from '../../src/autograd/gradients.js';
import type { Tensor } from '../../src/core/tensor.js';
import { Variable } from '../../src/core/variable.js';
import { add, mul, sum, tensor } from '../../src/index.js';
import { rand64 } from '../helpers/gradcheck.js';

/** Projects one or several outputs on fixed random weights, so every element's gradient counts. */
function objectiveOf(f: () => Tensor | Tensor[]): () => Tensor {
  const probe = f();
  const outs = Array.isArray(probe) ? probe : [probe];
  const weights = outs.map((o, i) => rand64([...o.shape], 99 + i, 0.5, 1.5));
  return () => {
    const y = f();
    const list = Array.isArray(y) ? y : [y];
    return list.map((o, i) => sum(mul(o, weights[i]))).reduce((a, b) => add(a, b));
  };
}

/**
 * Checks the gradients of `f` (a layer call reading the float64 variables `params`: its
 * weights and its input wrapped as a Variable) against central finite differences.
 */
export function checkVariableGradients(
  f: () => Tensor | Tensor[],
  params: Variable[],
  { eps = 1e-6, rtol = 1e-5, atol = 1e-8 } = {},
): void {
  for (const p of params) assert.equal(p.dtype, 'float64', `gradient checks need float64 (${p.name})`);
  const objective = objectiveOf(f);
  const { grads } = valueAndGradsOf(objective, params);
  params.forEach((p, k) => {
    const base = p.dataSync() as Float64Array;
    const got = grads[k].dataSync();
    assert.deepEqual(grads[k].shape, p.shape, `gradient shape of ${p.name}`);
    for (let i = 0; i < base.length; i++) {
      const at = (delta: number): number => {
        const v = base.slice();
        v[i] += delta;
        p.assign(tensor(v, p.shape, 'float64'));
        return objective().dataSync()[0];
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      p.assign(tensor(base, p.shape, 'float64'));
      const err = Math.abs(got[i] - numeric);
      assert.ok(
        err <= atol + rtol * Math.max(Math.abs(numeric), Math.abs(got[i])),
        `${p.name}[${i}]: analytic ${got[i]} vs numeric ${numeric} (error ${err})`,
      );
    }
  });
}

/** A float64 Variable of `shape` with seeded uniform values, standing for a layer input. */
export function inputVariable(shape: number[], seed = 7, name = 'input'): Variable {
  return new Variable(rand64(shape, seed), true, name);
}
