import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tensor } from '../../src/ops/convert.js';
import { Variable } from '../../src/core/variable.js';
import { ValueError } from '../../src/core/errors.js';
import { minimum, maximum, sub, mul } from '../../src/ops/prims/binary.js';
import { sum } from '../../src/ops/prims/reduce.js';
import { square } from '../../src/ops/prims/unary.js';
import {
  Adam,
  SGD,
  getOptimizer,
  optimizers,
  schedules,
  serializeOptimizer,
  train,
} from '../../src/optimizers/index.js';
import type { Optimizer } from '../../src/optimizers/index.js';
import { assertClose } from '../helpers/gradcheck.js';

const v64 = (values: number[], name: string) => new Variable(tensor(values, [values.length], 'float64'), true, name);
const t64 = (values: number[]) => tensor(values, [values.length], 'float64');

describe('gradient clipping', () => {
  it('clipNorm rescales each gradient to norm <= clipNorm separately', () => {
    const a = v64([0, 0], 'a');
    const b = v64([0], 'b');
    new SGD({ learningRate: 1, clipNorm: 1 }).applyGradients([
      { grad: t64([3, 4]), variable: a },
      { grad: t64([0.5]), variable: b },
    ]);
    assertClose(a.dataSync(), [-0.6, -0.8], 1e-12);
    assertClose(b.dataSync(), [-0.5], 1e-12); // under the limit: unchanged
  });
  it('globalClipNorm rescales all gradients by one factor', () => {
    const a = v64([0, 0], 'a');
    const b = v64([0], 'b');
    // global norm sqrt(9 + 16 + 144) = 13
    new SGD({ learningRate: 1, globalClipNorm: 6.5 }).applyGradients([
      { grad: t64([3, 4]), variable: a },
      { grad: t64([12]), variable: b },
    ]);
    assertClose(a.dataSync(), [-1.5, -2], 1e-12);
    assertClose(b.dataSync(), [-6], 1e-12);
  });
  it('clipValue clips each element', () => {
    const a = v64([0, 0, 0], 'a');
    new SGD({ learningRate: 1, clipValue: 0.5 }).applyGradients([{ grad: t64([2, -3, 0.25]), variable: a }]);
    assertClose(a.dataSync(), [-0.5, 0.5, -0.25], 1e-12);
  });
  it('refuses more than one clipping argument', () => {
    assert.throws(
      () => new SGD({ clipNorm: 1, clipValue: 1 }),
      /only one of 'clipNorm', 'clipValue' and 'globalClipNorm'/,
    );
  });
});

describe('optimizer base', () => {
  it('applies the variable constraint after the update', () => {
    const w = v64([1, -1], 'w');
    w.constraint = (x) => minimum(maximum(x, 0), 1.5);
    new SGD({ learningRate: 1 }).applyGradients([{ grad: t64([-1, 1]), variable: w }]);
    assertClose(w.dataSync(), [1.5, 0], 1e-12);
  });

  it('accepts gradients keyed by variable name with varList, and minimize', () => {
    const w = v64([1, 2], 'w');
    const opt = new SGD({ learningRate: 0.25 });
    opt.applyGradients({ w: t64([4, 4]) }, [w]);
    assertClose(w.dataSync(), [0, 1], 1e-12);
    assert.throws(() => opt.applyGradients({ w: t64([1, 1]) }), /need 'varList'/);
    assert.throws(() => opt.applyGradients({ q: t64([1, 1]) }, [w]), /gradient for 'q' but no variable of that name/);
    const cost = opt.minimize(() => sum(square(w)), true, [w]);
    assert.equal(cost?.item(), 1);
    assertClose(w.dataSync(), [0, 0.5], 1e-12); // grad 2w = [0, 2]
  });

  it('names the variable when a gradient has the wrong shape', () => {
    const w = v64([1, 2], 'kernel');
    assert.throws(
      () => new SGD().applyGradients([{ grad: t64([1, 2, 3]), variable: w }]),
      (e: Error) =>
        e instanceof ValueError &&
        /gradient for variable 'kernel' has shape \[3\] but the variable has shape \[2\]/.test(e.message),
    );
  });

  it('evaluates a schedule at iterations, and lets callbacks set a numeric learning rate', () => {
    const lr = schedules.exponentialDecay({ initialLearningRate: 1, decaySteps: 1, decayRate: 0.5 });
    const w = v64([0], 'w');
    const opt = new SGD({ learningRate: lr });
    for (let i = 0; i < 3; i++) opt.applyGradients([{ grad: t64([1]), variable: w }]);
    assertClose(w.dataSync(), [-(1 + 0.5 + 0.25)], 1e-12);
    assert.equal(opt.learningRate, 0.125);
    assert.throws(() => {
      opt.learningRate = 0.1;
    }, /schedule and cannot be set/);
    const plain = new SGD({ learningRate: 0.1 });
    plain.learningRate = 0.05;
    assert.equal(plain.learningRate, 0.05);
    assert.equal(plain.getConfig().learningRate, 0.05);
  });

  it('slot state round-trips through getWeights/setWeights, so training resumes exactly', () => {
    const steps = (opt: Optimizer, w: Variable, n: number) => {
      for (let i = 0; i < n; i++) opt.applyGradients([{ grad: mul(sub(w, 3), 2), variable: w }]);
    };
    for (const name of ['adam', 'nadam', 'rmsprop', 'adadelta', 'adagrad', 'adamax'] as const) {
      const straight = v64([0, 1], 'w');
      const opt = getOptimizer(name);
      steps(opt, straight, 4);

      const resumed = v64([0, 1], 'w');
      const first = getOptimizer(name);
      steps(first, resumed, 2);
      const state = first.getWeights();
      assert.equal(state[0].name, 'iteration');
      assert.ok(
        state.some((s) => s.name.startsWith('w/')),
        `${name} slots are named after the variable`,
      );
      const second = getOptimizer(name);
      second.setWeights(
        state.map((s) => ({ name: s.name, tensor: tensor(s.tensor.dataSync(), s.tensor.shape, s.tensor.dtype) })),
      );
      assert.equal(second.iterations, 2);
      steps(second, resumed, 2);
      assertClose(resumed.dataSync(), straight.dataSync(), 1e-12, name);
    }
  });

  it('converges on a quadratic', () => {
    const target = [1, -2, 3];
    const cases: [Optimizer, number][] = [
      [optimizers.sgd({ learningRate: 0.1 }), 200],
      [optimizers.sgd({ learningRate: 0.05, momentum: 0.9, nesterov: true }), 300],
      [optimizers.adam({ learningRate: 0.1 }), 500],
      [optimizers.adamw({ learningRate: 0.1, weightDecay: 0 }), 500],
      [optimizers.adamax({ learningRate: 0.1 }), 500],
      [optimizers.nadam({ learningRate: 0.1 }), 500],
      [optimizers.rmsprop({ learningRate: 0.01 }), 800],
      [optimizers.adagrad({ learningRate: 0.5 }), 500],
      [optimizers.adadelta({ learningRate: 50 }), 800],
    ];
    for (const [opt, n] of cases) {
      const w = v64([0, 0, 0], 'w');
      for (let i = 0; i < n; i++) opt.minimize(() => sum(square(sub(w, t64(target)))), false, [w]);
      assertClose(w.dataSync(), target, 2e-2, opt.className);
    }
  });
});

describe('registry and configs', () => {
  it('resolves names in any case and lists valid names on error', () => {
    assert.ok(getOptimizer('Adam') instanceof Adam);
    assert.equal(getOptimizer('RMSprop').className, 'RMSprop');
    assert.equal(getOptimizer('adamW').className, 'AdamW');
    assert.throws(
      () => getOptimizer('adamm'),
      /Unknown optimizer 'adamm'; expected one of 'sgd', 'adam', 'adamw', 'adamax', 'nadam', 'rmsprop', 'adagrad', 'adadelta'/,
    );
  });
  it('rebuilds every optimizer from its config, schedules included', () => {
    for (const name of ['sgd', 'adam', 'adamw', 'adamax', 'nadam', 'rmsprop', 'adagrad', 'adadelta']) {
      const opt = getOptimizer(name);
      const rebuilt = getOptimizer(serializeOptimizer(opt));
      assert.deepEqual(rebuilt.getConfig(), opt.getConfig(), name);
    }
    const withSchedule = new Adam({
      learningRate: schedules.cosineDecay({ initialLearningRate: 0.1, decaySteps: 10 }),
      amsgrad: true,
      clipNorm: 2,
    });
    const rebuilt = getOptimizer(serializeOptimizer(withSchedule));
    assert.deepEqual(rebuilt.getConfig(), withSchedule.getConfig());
    assert.equal(rebuilt.learningRate, 0.1);
  });
  it('train.* builds TF.js-style optimizers', () => {
    assert.equal(train.sgd(0.3).learningRate, 0.3);
    const m = train.momentum(0.1, 0.9, true).getConfig();
    assert.deepEqual([m.momentum, m.nesterov], [0.9, true]);
    assert.equal(train.adam().getConfig().beta2, 0.999);
    assert.equal(train.rmsprop(0.01, 0.8).getConfig().rho, 0.8);
  });
});
