import type { Tensor } from '../core/tensor.js';
import type { Variable } from '../core/variable.js';
import { add, div, mul, sub } from '../ops/prims/binary.js';
import { sqrt, square } from '../ops/prims/unary.js';
import { Optimizer, type OptimizerArgs } from './optimizer.js';
import { optimizerFactory, registerOptimizer } from './registry.js';

export interface RMSpropArgs extends OptimizerArgs {
  rho?: number;
  momentum?: number;
  epsilon?: number;
  /** Divide by the estimated variance of the gradient instead of its uncentred second moment. */
  centered?: boolean;
}

/**
 * RMSprop, as Keras 3: `s = rho·s + (1 - rho)·g²`; centred: `a = rho·a + (1 - rho)·g`, denominator
 * `s - a² + epsilon`, else `s + epsilon`; `step = lr·g / sqrt(denominator)`; with momentum,
 * `mom = momentum·mom + step; w -= mom`, else `w -= step`.
 * Defaults: learningRate 0.001, rho 0.9, momentum 0, epsilon 1e-7, centered false.
 * @example const opt = new RMSprop({ learningRate: 0.01, centered: true });
 */
export class RMSprop extends Optimizer {
  readonly className = 'RMSprop';
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;

  constructor(args: RMSpropArgs = {}) {
    super(args, { learningRate: 0.001, name: 'rmsprop' });
    this.rho = args.rho ?? 0.9;
    this.momentum = args.momentum ?? 0;
    this.epsilon = args.epsilon ?? 1e-7;
    this.centered = args.centered ?? false;
  }

  protected updateStep(g: Tensor, v: Variable, lr: number): void {
    const s = this.slot(v, 'velocity');
    s.assign(add(mul(s, this.rho), mul(square(g), 1 - this.rho)));
    let denominator: Tensor;
    if (this.centered) {
      const a = this.slot(v, 'average_gradient');
      a.assign(add(mul(a, this.rho), mul(g, 1 - this.rho)));
      denominator = add(sub(s, square(a)), this.epsilon);
    } else {
      denominator = add(s, this.epsilon);
    }
    const increment = div(mul(g, lr), sqrt(denominator));
    if (this.momentum > 0) {
      const mom = this.slot(v, 'momentum');
      mom.assign(add(mul(mom, this.momentum), increment));
      v.assign(sub(v, mom));
    } else {
      v.assign(sub(v, increment));
    }
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      rho: this.rho,
      momentum: this.momentum,
      epsilon: this.epsilon,
      centered: this.centered,
    };
  }
}

/** `new RMSprop(args)` with its options checked. @example rmsprop({ learningRate: 0.01, centered: true }) */
export const rmsprop = optimizerFactory('rmsprop', (args: RMSpropArgs = {}) => new RMSprop(args));
registerOptimizer('RMSprop', RMSprop);
