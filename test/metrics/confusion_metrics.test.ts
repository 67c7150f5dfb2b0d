import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import '../../src/index.js';
import * as M from '../../src/metrics/index.js';

const near = (a: number, b: number, tol = 1e-6) =>
  assert.ok(Math.abs(a - b) <= tol * (1 + Math.abs(b)), `${a} vs ${b}`);

describe('precision and recall', () => {
  it('count predictions above the threshold as positive, with weights', () => {
    const p = new M.Precision();
    p.updateState([0, 1, 1, 1], [1, 0, 1, 1]);
    near(p.result(), 2 / 3);
    p.resetState();
    p.updateState([0, 1, 1, 1], [1, 0, 1, 1], [0, 0, 1, 0]);
    near(p.result(), 1);
    const r = new M.Recall();
    r.updateState([0, 1, 1, 1], [1, 0, 1, 1]);
    near(r.result(), 2 / 3);
    r.updateState([1], [0.5]); // 0.5 is not above 0.5: a false negative
    near(r.result(), 2 / 4);
  });
  it('accumulate across batches and support several thresholds, topK and classId', () => {
    const p = new M.Precision({ thresholds: [0.3, 0.7] });
    p.updateState([[0], [1]], [[0.5], [0.8]]);
    p.updateState([[1]], [[0.4]]);
    assert.deepEqual(p.resultPerThreshold(), [2 / 3, 1]);
    assert.throws(() => p.result(), /2 thresholds were given; use resultPerThreshold/);
    const top2 = new M.Precision({ topK: 2 });
    top2.updateState([0, 0, 1, 1], [1, 1, 1, 1]);
    near(top2.result(), 0);
    const top4 = new M.Precision({ topK: 4 });
    top4.updateState([0, 0, 1, 1], [1, 1, 1, 1]);
    near(top4.result(), 0.5);
    const cls = new M.Recall({ classId: 1 });
    cls.updateState(
      [
        [0, 1],
        [1, 0],
        [0, 1],
      ],
      [
        [0.9, 0.8],
        [0.2, 0.9],
        [0.6, 0.4],
      ],
    );
    near(cls.result(), 0.5);
  });
  it('rejects predictions outside [0, 1]', () => {
    assert.throws(
      () => new M.Precision().updateState([1], [1.5]),
      /precision: predictions must be probabilities in \[0, 1\], got 1.5/,
    );
  });
});

describe('AUC', () => {
  it('matches the Keras documented case (3 thresholds) with and without weights', () => {
    const m = new M.AUC({ numThresholds: 3 });
    assert.deepEqual(m.thresholds, [-1e-7, 0.5, 1 + 1e-7]);
    m.updateState([0, 0, 1, 1], [0, 0.5, 0.3, 0.9]);
    near(m.result(), 0.75);
    m.resetState();
    m.updateState([0, 0, 1, 1], [0, 0.5, 0.3, 0.9], [1, 0, 0, 1]);
    near(m.result(), 1);
  });
  it('equals the fraction of correctly ordered pairs when no pair shares a bucket (200 thresholds)', () => {
    const m = new M.AUC();
    // positives 0.4, 0.8 vs negatives 0.1, 0.5: 3 of 4 pairs ordered correctly
    m.updateState([0, 1, 0, 1], [0.1, 0.4, 0.5, 0.8]);
    near(m.result(), 0.75);
    m.updateState([0], [0.95]); // a negative above both positives: 3 of 6 pairs
    near(m.result(), 0.5);
  });
  it('PR curve with interpolation (hand-computed), minoring and logits', () => {
    const m = new M.AUC({ numThresholds: 3, curve: 'PR' });
    m.updateState([0, 0, 1, 1], [0, 0.5, 0.3, 0.9]);
    // tp [2,1,0], fp [2,0,0], fn [0,1,2]: (1/3)(1 + (2/3)ln 4)/2 + 1·1/2
    near(m.result(), ((1 / 3) * (1 + (2 / 3) * Math.log(4))) / 2 + 0.5);
    const roc = new M.AUC({ numThresholds: 3, summationMethod: 'minoring' });
    roc.updateState([0, 0, 1, 1], [0, 0.5, 0.3, 0.9]);
    near(roc.result(), 0.5);
    const logits = new M.AUC({ fromLogits: true });
    logits.updateState([0, 1], [-3, 3]);
    near(logits.result(), 1);
    assert.throws(() => new M.AUC({ curve: 'XY' as never }), /'curve' must be 'ROC' or 'PR'/);
  });
});
