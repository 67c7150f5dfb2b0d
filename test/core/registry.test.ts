import type { LossName } from '../../src/training/names.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Constraint,
  Initializer,
  LearningRateSchedule,
  Loss,
  Metric,
  Optimizer,
  Regularizer,
  ValueError,
  add,
  fill,
  getActivation,
  getConstraint,
  getInitializer,
  getLoss,
  getMetric,
  getOptimizer,
  getRegularizer,
  layers,
  loadFromBuffers,
  mean,
  mul,
  ones,
  registerActivation,
  registerClass,
  saveToBuffers,
  schedules,
  sequential,
  serialization,
  sign,
  square,
  sub,
  sum,
  tensor,
  type Config,
  type DType,
  type Tensor,
} from '../../src/index.js';
import { Registry } from '../../src/core/registry.js';
import type { TensorLike } from '../../src/ops/convert.js';
import type { Variable } from '../../src/core/variable.js';
import { Dense, deserializeLayer } from '../../src/layers/index.js';

abstract class Shape2 {
  abstract readonly kind: string;
  constructor(readonly config: Config = {}) {}
  getConfig(): Config {
    return { ...this.config };
  }
}
class Square extends Shape2 {
  static readonly className = 'Square';
  readonly kind = 'square';
}
class Circle extends Shape2 {
  static readonly className = 'Circle';
  readonly kind = 'circle';
}

function shapes(): Registry<Shape2> {
  const reg = new Registry<Shape2>({
    kind: 'shape',
    getter: 'getShape',
    registerWith: 'registerShape',
    alsoAccepts: 'a Shape2',
    isInstance: (v): v is Shape2 => v instanceof Shape2,
    classNameOf: (s) => (s.constructor as { className?: string }).className ?? '',
    configOf: (s) => s.getConfig(),
  });
  reg.registerClass(Square, { names: ['square', 'sq'] });
  reg.registerClass(Circle, { names: ['circle'], aliases: ['round_thing'] });
  return reg;
}

describe('Registry', () => {
  it('resolves names in any case and with or without underscores, aliases and class names', () => {
    const reg = shapes();
    for (const name of ['square', 'SQUARE', 'Square', 'sq', 's_q_uare'])
      assert.ok(reg.get(name) instanceof Square, name);
    for (const name of ['circle', 'roundThing', 'round_thing', 'Circle'])
      assert.ok(reg.get(name) instanceof Circle, name);
    assert.deepEqual(reg.names(), ['square', 'sq', 'circle']);
    assert.deepEqual(reg.classNames(), ['Square', 'Circle']);
  });

  it('passes instances through, rebuilds {className, config} and serializes', () => {
    const reg = shapes();
    const c = new Circle({ r: 2 });
    assert.equal(reg.get(c), c);
    const back = reg.get(reg.serialize(c));
    assert.ok(back instanceof Circle);
    assert.deepEqual(back.getConfig(), { r: 2 });
    assert.deepEqual(reg.serialize(c), { className: 'Circle', config: { r: 2 } });
  });

  it('words unknown names with the valid ones, the closest one and how to register', () => {
    const reg = shapes();
    assert.throws(
      () => reg.get('cirle'),
      (e: unknown) =>
        e instanceof ValueError &&
        e.message ===
          "Unknown shape 'cirle'; expected one of 'square', 'sq', 'circle', or a Shape2 (custom ones are registered with registerShape). Did you mean 'circle'?",
    );
    assert.throws(
      () => reg.get('hexagon'),
      (e: unknown) => e instanceof ValueError && !/Did you mean/.test(e.message),
    );
    assert.throws(
      () => reg.get(42 as never),
      /getShape: expected a name, a \{className, config\} object or a Shape2, got number 42/,
    );
    assert.throws(() => reg.fromConfig({ className: 'Hexagon', config: {} }), /Unknown shape 'Hexagon'/);
  });

  it('lets a later registration replace an earlier one, and needs a class name', () => {
    const reg = shapes();
    reg.register('Square', () => new Circle({ replaced: true }));
    assert.deepEqual(reg.get('Square').getConfig(), { replaced: true });
    assert.equal(reg.lookup('sq'), undefined, "the replaced entry's other names are gone");
    class Anonymous extends Shape2 {
      readonly kind = 'anonymous';
    }
    assert.throws(
      () => reg.registerClass(Anonymous),
      /registerShape: class Anonymous has no static 'className'; give one/,
    );
    assert.throws(() => reg.register('', () => new Square()), /the class name must be a non-empty string/);
  });
});

// Custom objects of every kind, as users write them, registered with TF.js' registerClass.
class SignSGD extends Optimizer {
  static readonly className = 'SignSGD';
  readonly className = 'SignSGD';
  constructor(args: { learningRate?: number; name?: string } = {}) {
    super(args, { learningRate: 0.1, name: 'sign_sgd' });
  }
  protected updateStep(g: Tensor, v: Variable, lr: number): void {
    v.assign(sub(v, mul(sign(g), lr)));
  }
}
class QuarticLoss extends Loss {
  static readonly className = 'QuarticLoss';
  readonly className = 'QuarticLoss';
  constructor(args: { name?: string; reduction?: 'sum' | 'none' | 'sum_over_batch_size' } = {}) {
    super(args, 'quartic');
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return mean(square(square(sub(yPred as Tensor, yTrue as Tensor))), -1);
  }
}
class MaxError extends Metric {
  static readonly className = 'MaxError';
  readonly className = 'MaxError';
  private worst = 0;
  constructor(args: { name?: string } = {}) {
    super(args.name ?? 'max_error', args);
  }
  updateState(yTrue: TensorLike, yPred: TensorLike): void {
    const d = sub(yPred as Tensor, yTrue as Tensor).dataSync();
    for (const v of d) this.worst = Math.max(this.worst, Math.abs(v));
  }
  result(): number {
    return this.worst;
  }
  resetState(): void {
    this.worst = 0;
  }
}
class Halves extends Initializer {
  static override readonly className = 'Halves';
  call(shape: readonly number[], dtype?: DType): Tensor {
    return fill(shape, 0.5, dtype);
  }
  getConfig(): Config {
    return {};
  }
}
class SumPenalty extends Regularizer {
  static override readonly className = 'SumPenalty';
  constructor(readonly args: { weight?: number } = {}) {
    super();
  }
  call(x: Tensor): Tensor {
    return mul(sum(x), this.args.weight ?? 1);
  }
  getConfig(): Config {
    return { weight: this.args.weight ?? 1 };
  }
}
class Shift extends Constraint {
  static override readonly className = 'Shift';
  apply(w: Tensor): Tensor {
    return add(w, 0);
  }
  getConfig(): Config {
    return {};
  }
}

describe('custom objects for every kind', () => {
  for (const cls of [SignSGD, QuarticLoss, MaxError, Halves, SumPenalty, Shift]) registerClass(cls as never);
  registerActivation('doubled', (x) => mul(x, 2), ['twice']);

  it('resolve by name once registered', () => {
    assert.ok(getOptimizer('SignSGD') instanceof SignSGD);
    assert.ok(getOptimizer('sign_sgd') instanceof SignSGD);
    assert.ok(getLoss('QuarticLoss') instanceof QuarticLoss);
    assert.ok(getMetric('MaxError') instanceof MaxError);
    assert.ok(getInitializer('halves') instanceof Halves);
    assert.ok(getRegularizer({ className: 'SumPenalty', config: { weight: 2 } }) instanceof SumPenalty);
    assert.ok(getConstraint('Shift') instanceof Shift);
    assert.equal(getActivation('twice').name, 'doubled');
    assert.deepEqual(
      getActivation('doubled')
        .apply(tensor([1, -2]))
        .arraySync(),
      [2, -4],
    );
  });

  it('round-trip through a saved, compiled model', () => {
    const model = sequential({
      layers: [
        layers.dense({
          units: 2,
          inputShape: [3],
          activation: 'doubled',
          kernelInitializer: 'halves',
          kernelRegularizer: new SumPenalty({ weight: 0.5 }),
          kernelConstraint: 'shift',
        }),
      ],
    });
    model.compile({ optimizer: new SignSGD({ learningRate: 0.01 }), loss: 'QuarticLoss' as LossName });
    const back = loadFromBuffers(saveToBuffers(model));
    assert.deepEqual(back.getConfig(), model.getConfig());
    assert.ok(back.compiled?.optimizer instanceof SignSGD);
    assert.equal(back.compiled?.optimizer.learningRate, 0.01);
    assert.ok(back.compiled?.losses[0] instanceof QuarticLoss);
    assert.deepEqual((back.predict(ones([1, 3])) as Tensor).arraySync(), [[3, 3]]);
  });

  it('serialization.registerClass refuses a class of no registrable kind', () => {
    class Stranger {
      static readonly className = 'Stranger';
      greet(): string {
        return 'hello';
      }
    }
    assert.throws(
      () => serialization.registerClass(Stranger as never),
      /registerClass: class Stranger extends none of the registrable bases \(.*layer class.*optimizer.*\)/,
    );
  });

  it('a custom layer registers with registerClass too', () => {
    class Twice extends Dense {
      static override readonly className = 'TwiceDense';
    }
    serialization.registerClass(Twice as never);
    assert.ok(deserializeLayer({ className: 'TwiceDense', config: { units: 2 } }) instanceof Twice);
  });

  it('schedules too', () => {
    class Flat extends LearningRateSchedule {
      static readonly className = 'Flat';
      readonly className = 'Flat';
      constructor(readonly args: { value?: number } = {}) {
        super();
      }
      call(): number {
        return this.args.value ?? 0.1;
      }
      getConfig(): Config {
        return { value: this.args.value ?? 0.1 };
      }
    }
    registerClass(Flat as never);
    assert.equal(schedules.deserializeSchedule({ className: 'Flat', config: { value: 0.3 } }).call(5), 0.3);
  });
});
