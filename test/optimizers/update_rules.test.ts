import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tensor } from '../../src/ops/convert.js';
import { Variable } from '../../src/core/variable.js';
import type { Optimizer } from '../../src/optimizers/optimizer.js';
import { Adadelta, Adagrad, Adam, AdamW, Adamax, Nadam, RMSprop, SGD } from '../../src/optimizers/index.js';
import { assertClose } from '../helpers/gradcheck.js';

const W0 = [0.5, -1.5, 2];
/** Fixed gradients for steps 1, 2, 3. */
const G = [
  [0.1, -0.2, 0.3],
  [0.4, 0.1, -0.5],
  [-0.3, 0.6, 0.2],
];

/** Runs three steps in float64 and returns the weights after each. */
function run(opt: Optimizer): number[][] {
  const w = new Variable(tensor(W0, [3], 'float64'), true, 'w');
  return G.map((g) => {
    opt.applyGradients([{ grad: tensor(g, [3], 'float64'), variable: w }]);
    return Array.from(w.dataSync());
  });
}

/** The same three steps from a per-element plain-JS rule with state `s` (t counts from 1). */
function reference(
  step: (w: number, g: number, s: Record<string, number>, t: number) => number,
  init: Record<string, number> = {},
): number[][] {
  const w = [...W0];
  const state = W0.map(() => ({ ...init }));
  return G.map((g, k) => {
    for (let i = 0; i < w.length; i++) w[i] = step(w[i], g[i], state[i], k + 1);
    return [...w];
  });
}

function check(opt: Optimizer, expected: number[][]): void {
  run(opt).forEach((w, k) => assertClose(w, expected[k], 1e-12, `step ${k + 1}`));
  assert.equal(opt.iterations, 3);
}

describe('Keras 3 update rules, first three steps', () => {
  it('SGD plain, momentum and Nesterov', () => {
    check(
      new SGD({ learningRate: 0.1 }),
      reference((w, g) => w - 0.1 * g),
    );
    check(
      new SGD({ learningRate: 0.1, momentum: 0.9 }),
      reference((w, g, s) => {
        s.m = 0.9 * (s.m ?? 0) - 0.1 * g;
        return w + s.m;
      }),
    );
    check(
      new SGD({ learningRate: 0.1, momentum: 0.9, nesterov: true }),
      reference((w, g, s) => {
        s.m = 0.9 * (s.m ?? 0) - 0.1 * g;
        return w + 0.9 * s.m - 0.1 * g;
      }),
    );
  });

  const adamRule =
    (lr: number, amsgrad: boolean, wd = 0) =>
    (w: number, g: number, s: Record<string, number>, t: number) => {
      w = w - w * wd * lr;
      const alpha = (lr * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t);
      s.m = (s.m ?? 0) + (g - (s.m ?? 0)) * 0.1;
      s.v = (s.v ?? 0) + (g * g - (s.v ?? 0)) * 0.001;
      s.vh = Math.max(s.vh ?? 0, s.v);
      return w - (s.m * alpha) / (Math.sqrt(amsgrad ? s.vh : s.v) + 1e-7);
    };

  it('Adam and AMSGrad', () => {
    check(new Adam({ learningRate: 0.01 }), reference(adamRule(0.01, false)));
    check(new Adam({ learningRate: 0.01, amsgrad: true }), reference(adamRule(0.01, true)));
  });

  it('AdamW decays the weights by weightDecay * lr before the Adam step (default 0.004)', () => {
    check(new AdamW({ learningRate: 0.01 }), reference(adamRule(0.01, false, 0.004)));
    check(new AdamW({ learningRate: 0.01, weightDecay: 0.1 }), reference(adamRule(0.01, false, 0.1)));
  });

  it('Adamax', () => {
    check(
      new Adamax({ learningRate: 0.01 }),
      reference((w, g, s, t) => {
        s.m = (s.m ?? 0) + (g - (s.m ?? 0)) * 0.1;
        s.u = Math.max(0.999 * (s.u ?? 0), Math.abs(g));
        return w - (0.01 * s.m) / ((1 - 0.9 ** t) * (s.u + 1e-7));
      }),
    );
  });

  it('Nadam with the momentum-cache product', () => {
    let uProduct = 1;
    let lastT = 0;
    check(
      new Nadam({ learningRate: 0.01 }),
      reference((w, g, s, t) => {
        if (t !== lastT) {
          uProduct *= 0.9 * (1 - 0.5 * 0.96 ** t);
          lastT = t;
        }
        const uT = 0.9 * (1 - 0.5 * 0.96 ** t);
        const uT1 = 0.9 * (1 - 0.5 * 0.96 ** (t + 1));
        s.m = (s.m ?? 0) + (g - (s.m ?? 0)) * 0.1;
        s.v = (s.v ?? 0) + (g * g - (s.v ?? 0)) * 0.001;
        const mHat = (uT1 * s.m) / (1 - uProduct * uT1) + ((1 - uT) * g) / (1 - uProduct);
        const vHat = s.v / (1 - 0.999 ** t);
        return w - (mHat * 0.01) / (Math.sqrt(vHat) + 1e-7);
      }),
    );
  });

  it('RMSprop plain, centred and with momentum', () => {
    const rule = (centered: boolean, momentum: number) => (w: number, g: number, s: Record<string, number>) => {
      s.v = 0.9 * (s.v ?? 0) + 0.1 * g * g;
      s.a = 0.9 * (s.a ?? 0) + 0.1 * g;
      const denom = centered ? s.v - s.a * s.a + 1e-7 : s.v + 1e-7;
      const inc = (0.01 * g) / Math.sqrt(denom);
      if (momentum > 0) {
        s.mom = momentum * (s.mom ?? 0) + inc;
        return w - s.mom;
      }
      return w - inc;
    };
    check(new RMSprop({ learningRate: 0.01 }), reference(rule(false, 0)));
    check(new RMSprop({ learningRate: 0.01, centered: true }), reference(rule(true, 0)));
    check(new RMSprop({ learningRate: 0.01, momentum: 0.5 }), reference(rule(false, 0.5)));
  });

  it('Adagrad starts its accumulator at initialAccumulatorValue', () => {
    check(
      new Adagrad({ learningRate: 0.1 }),
      reference(
        (w, g, s) => {
          s.acc += g * g;
          return w - (0.1 * g) / Math.sqrt(s.acc + 1e-7);
        },
        { acc: 0.1 },
      ),
    );
  });

  it('Adadelta', () => {
    check(
      new Adadelta({ learningRate: 1 }),
      reference((w, g, s) => {
        s.ag = 0.95 * (s.ag ?? 0) + 0.05 * g * g;
        const delta = (-Math.sqrt((s.ad ?? 0) + 1e-7) * g) / Math.sqrt(s.ag + 1e-7);
        s.ad = 0.95 * (s.ad ?? 0) + 0.05 * delta * delta;
        return w + delta;
      }),
    );
  });

  it('uses Keras 3 defaults', () => {
    const d = (o: Optimizer) => o.getConfig();
    assert.equal(new SGD().learningRate, 0.01);
    assert.deepEqual([d(new SGD()).momentum, d(new SGD()).nesterov], [0, false]);
    assert.deepEqual(
      [new Adam().learningRate, d(new Adam()).beta1, d(new Adam()).beta2, d(new Adam()).epsilon, d(new Adam()).amsgrad],
      [0.001, 0.9, 0.999, 1e-7, false],
    );
    assert.equal(new AdamW().weightDecay, 0.004);
    assert.deepEqual(
      [
        new RMSprop().learningRate,
        d(new RMSprop()).rho,
        d(new RMSprop()).momentum,
        d(new RMSprop()).epsilon,
        d(new RMSprop()).centered,
      ],
      [0.001, 0.9, 0, 1e-7, false],
    );
    assert.deepEqual(
      [new Adagrad().learningRate, d(new Adagrad()).initialAccumulatorValue, d(new Adagrad()).epsilon],
      [0.001, 0.1, 1e-7],
    );
    assert.deepEqual(
      [new Adadelta().learningRate, d(new Adadelta()).rho, d(new Adadelta()).epsilon],
      [0.001, 0.95, 1e-7],
    );
  });
});
