import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tensor } from '../../src/index.js';
import { constraints, getConstraint, serializeConstraint } from '../../src/constraints/index.js';
import { assertClose } from '../helpers/gradcheck.js';

const EPS = 1e-7;
// Columns have norms 5 and 1 (axis 0 is Keras' default: one norm per output unit of a kernel).
const w = tensor(
  [
    [3, 0],
    [4, 1],
  ],
  undefined,
  'float64',
);

describe('constraints', () => {
  it('maxNorm rescales only columns above maxValue', () => {
    const out = constraints.maxNorm({ maxValue: 2 }).apply(w);
    assertClose(out, [(3 * 2) / (5 + EPS), 0, (4 * 2) / (5 + EPS), 1 / (1 + EPS)], 1e-12);
  });
  it('maxNorm follows axis', () => {
    const out = constraints.maxNorm({ maxValue: 1, axis: 1 }).apply(w); // row norms 3 and sqrt(17)
    const r = Math.sqrt(17);
    assertClose(out, [3 / (3 + EPS), 0, 4 / (r + EPS), 1 / (r + EPS)], 1e-12);
  });
  it('nonNeg zeroes negatives', () => {
    assert.deepEqual(
      constraints
        .nonNeg()
        .apply(tensor([-1, 0, 2]))
        .arraySync(),
      [0, 0, 2],
    );
  });
  it('unitNorm divides by the norm plus epsilon', () => {
    assertClose(constraints.unitNorm().apply(w), [3 / (5 + EPS), 0, 4 / (5 + EPS), 1 / (1 + EPS)], 1e-12);
  });
  it('minMaxNorm pulls norms into range at the given rate', () => {
    const out = constraints.minMaxNorm({ minValue: 2, maxValue: 4, rate: 0.5 }).apply(w);
    const d0 = 0.5 * 4 + 0.5 * 5; // norm 5 clipped to 4
    const d1 = 0.5 * 2 + 0.5 * 1; // norm 1 clipped to 2
    assertClose(out, [(3 * d0) / (5 + EPS), 0, (4 * d0) / (5 + EPS), d1 / (1 + EPS)], 1e-12);
  });
  it('resolve by name and round-trip through configs', () => {
    assert.equal(getConstraint('non_neg').getClassName(), 'NonNeg');
    assert.equal(getConstraint('MaxNorm').getClassName(), 'MaxNorm');
    assert.throws(
      () => getConstraint('positive'),
      /Unknown constraint 'positive'; expected one of 'maxNorm', 'nonNeg', 'unitNorm', 'minMaxNorm'/,
    );
    for (const c of [
      constraints.maxNorm({ maxValue: 3, axis: [0, 1] }),
      constraints.unitNorm({ axis: 1 }),
      constraints.minMaxNorm({ minValue: 1, maxValue: 2, rate: 0.3 }),
    ]) {
      const copy = getConstraint(JSON.parse(JSON.stringify(serializeConstraint(c))));
      assert.deepEqual(serializeConstraint(copy), serializeConstraint(c));
      assertClose(copy.apply(w), c.apply(w), 1e-12);
    }
  });
});
