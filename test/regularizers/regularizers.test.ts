import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tensor } from '../../src/index.js';
import { getRegularizer, regularizers, serializeRegularizer } from '../../src/regularizers/index.js';
import { checkGradients, rand64 } from '../helpers/gradcheck.js';

const w = tensor([
  [1, -2],
  [3, -4],
]);

describe('regularizers', () => {
  it('use Keras formulas and defaults (no 1/2 in L2)', () => {
    assert.ok(Math.abs(regularizers.l1().call(w).item() - 0.01 * 10) < 1e-6);
    assert.ok(Math.abs(regularizers.l2().call(w).item() - 0.01 * 30) < 1e-6);
    assert.ok(Math.abs(regularizers.l1l2({ l1: 0.1, l2: 0.2 }).call(w).item() - (0.1 * 10 + 0.2 * 30)) < 1e-6);
    assert.equal(regularizers.l1l2().call(w).item(), 0, 'Keras L1L2 defaults to zero factors');
  });
  it('have the gradient of the penalty', () => {
    checkGradients((x) => regularizers.l1l2({ l1: 0.3, l2: 0.7 }).call(x), [rand64([3, 4], 1)]);
  });
  it('resolve names in Keras and TF.js spellings, listing the valid ones otherwise', () => {
    assert.equal(getRegularizer('l1_l2').getClassName(), 'L1L2');
    assert.equal(getRegularizer('L2').getClassName(), 'L2');
    assert.throws(
      () => getRegularizer('l3'),
      /Unknown regularizer 'l3'; expected one of 'l1', 'l2', 'l1l2'.*Did you mean 'l1'\?/,
    );
  });
  it('reject negative factors naming the argument', () => {
    assert.throws(() => regularizers.l2({ l2: -1 }), /L2: 'l2' must be a non-negative number, got -1/);
  });
  it('round-trip through their configs', () => {
    for (const reg of [
      regularizers.l1({ l1: 0.5 }),
      regularizers.l2({ l2: 0.25 }),
      regularizers.l1l2({ l1: 0.1, l2: 0.2 }),
    ]) {
      const copy = getRegularizer(JSON.parse(JSON.stringify(serializeRegularizer(reg))));
      assert.deepEqual(serializeRegularizer(copy), serializeRegularizer(reg));
      assert.equal(copy.call(w).item(), reg.call(w).item());
    }
  });
});
