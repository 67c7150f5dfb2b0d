import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { schedules } from '../../src/optimizers/index.js';
import { assertClose } from '../helpers/gradcheck.js';

const at = (s: schedules.LearningRateSchedule, steps: number[]) => steps.map((k) => s.call(k));

describe('learning-rate schedules (Keras 3 formulas)', () => {
  it('exponentialDecay, smooth and staircase', () => {
    const s = schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 });
    assertClose(at(s, [0, 5, 10, 25]), [0.1, 0.1 * 0.5 ** 0.5, 0.05, 0.1 * 0.5 ** 2.5], 1e-12);
    const st = schedules.exponentialDecay({
      initialLearningRate: 0.1,
      decaySteps: 10,
      decayRate: 0.5,
      staircase: true,
    });
    assertClose(at(st, [0, 9, 10, 25]), [0.1, 0.1, 0.05, 0.025], 1e-12);
    assert.throws(
      () => schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 0, decayRate: 0.5 }),
      /'decaySteps' must be > 0, got 0/,
    );
  });

  it('piecewiseConstantDecay uses step <= boundary for the lower value', () => {
    const s = schedules.piecewiseConstantDecay({ boundaries: [10, 20], values: [1, 0.5, 0.1] });
    assert.deepEqual(at(s, [0, 10, 11, 20, 21, 1000]), [1, 1, 0.5, 0.5, 0.1, 0.1]);
    assert.throws(
      () => schedules.piecewiseConstantDecay({ boundaries: [10], values: [1] }),
      /one entry fewer than 'values'/,
    );
  });

  it('cosineDecay without warm-up decays to alpha * initial and stays there', () => {
    const s = schedules.cosineDecay({ initialLearningRate: 0.2, decaySteps: 100, alpha: 0.1 });
    const f = (k: number) => 0.2 * (0.9 * 0.5 * (1 + Math.cos((Math.PI * Math.min(k, 100)) / 100)) + 0.1);
    assertClose(at(s, [0, 25, 50, 100, 150]), [0, 25, 50, 100, 150].map(f), 1e-12);
    assertClose(at(s, [150]), [0.02], 1e-12);
  });

  it('cosineDecay warms up linearly from initial to target, then decays from the target', () => {
    const s = schedules.cosineDecay({
      initialLearningRate: 0,
      decaySteps: 10,
      warmupTarget: 1,
      warmupSteps: 4,
      alpha: 0,
    });
    const expected = [0, 0.25, 0.5, 0.75, 1, 0.5 * (1 + Math.cos(Math.PI * 0.1)), 0.5, 0, 0];
    assertClose(at(s, [0, 1, 2, 3, 4, 5, 9, 14, 20]), expected, 1e-12);
  });

  it('inverseTimeDecay, smooth and staircase', () => {
    const s = schedules.inverseTimeDecay({ initialLearningRate: 0.1, decaySteps: 2, decayRate: 0.5 });
    assertClose(at(s, [0, 1, 4]), [0.1, 0.1 / 1.25, 0.1 / 2], 1e-12);
    const st = schedules.inverseTimeDecay({ initialLearningRate: 0.1, decaySteps: 2, decayRate: 0.5, staircase: true });
    assertClose(at(st, [1, 3]), [0.1, 0.1 / 1.5], 1e-12);
  });

  it('polynomialDecay, capped and cycling', () => {
    const s = schedules.polynomialDecay({ initialLearningRate: 1, decaySteps: 10, endLearningRate: 0.1, power: 2 });
    assertClose(at(s, [0, 5, 10, 20]), [1, 0.9 * 0.25 + 0.1, 0.1, 0.1], 1e-12);
    const c = schedules.polynomialDecay({ initialLearningRate: 1, decaySteps: 10, endLearningRate: 0, cycle: true });
    // step 15 decays over 20 steps: 1 - 15/20
    assertClose(at(c, [0, 15]), [1, 0.25], 1e-12);
    assert.equal(schedules.polynomialDecay({ initialLearningRate: 1, decaySteps: 10 }).endLearningRate, 0.0001);
  });

  it('every schedule rebuilds from its config', () => {
    const all = [
      schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true }),
      schedules.piecewiseConstantDecay({ boundaries: [3], values: [1, 2] }),
      schedules.cosineDecay({ initialLearningRate: 0, decaySteps: 10, warmupTarget: 1, warmupSteps: 4 }),
      schedules.inverseTimeDecay({ initialLearningRate: 0.1, decaySteps: 2, decayRate: 0.5 }),
      schedules.polynomialDecay({ initialLearningRate: 1, decaySteps: 10, power: 2, cycle: true }),
    ];
    for (const s of all) {
      const back = schedules.deserializeSchedule(JSON.parse(JSON.stringify(schedules.serializeSchedule(s))));
      assert.deepEqual(back.getConfig(), s.getConfig());
      assert.deepEqual(at(back, [0, 3, 7, 30]), at(s, [0, 3, 7, 30]));
    }
    assert.throws(
      () => schedules.deserializeSchedule({ className: 'Nope', config: {} }),
      /Unknown schedule 'Nope'; expected one of 'ExponentialDecay'/,
    );
  });
});
