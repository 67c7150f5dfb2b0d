import { ValueError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { Variable } from '../core/variable.js';
import { add, div, mul, sub } from '../ops/prims/binary.js';
import { sqrt, square } from '../ops/prims/unary.js';
import { Optimizer, type OptimizerArgs } from './optimizer.js';
import { optimizerFactory, registerOptimizer } from './registry.js';

export interface AdagradArgs extends OptimizerArgs {
  /** Starting value of the per-element accumulator; must be >= 0. */
  initialAccumulatorValue?: number;
  epsilon?: number;
}

/**
 * Adagrad, as Keras 3: `acc += g²; w -= lr·g / sqrt(acc + epsilon)`.
 * Defaults: learningRate 0.001, initialAccumulatorValue 0.1, epsilon 1e-7.
 * @example const opt = new Adagrad({ learningRate: 0.1 });
 */
export class Adagrad extends Optimizer {
  readonly className = 'Adagrad';
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;

  constructor(args: AdagradArgs = {}) {
    super(args, { learningRate: 0.001, name: 'adagrad' });
    this.initialAccumulatorValue = args.initialAccumulatorValue ?? 0.1;
    this.epsilon = args.epsilon ?? 1e-7;
    if (!(this.initialAccumulatorValue >= 0))
      throw new ValueError(`Adagrad: 'initialAccumulatorValue' must be >= 0, got ${this.initialAccumulatorValue}`);
  }

  protected updateStep(g: Tensor, v: Variable, lr: number): void {
    const acc = this.slot(v, 'accumulator', this.initialAccumulatorValue);
    acc.assign(add(acc, square(g)));
    v.assign(sub(v, div(mul(g, lr), sqrt(add(acc, this.epsilon)))));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), initialAccumulatorValue: this.initialAccumulatorValue, epsilon: this.epsilon };
  }
}

/** `new Adagrad(args)` with its options checked. @example adagrad({ learningRate: 0.1 }) */
export const adagrad = optimizerFactory('adagrad', (args: AdagradArgs = {}) => new Adagrad(args));
registerOptimizer('Adagrad', Adagrad);
