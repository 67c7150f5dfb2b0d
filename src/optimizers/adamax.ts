import type { Tensor } from '../core/tensor.js';
import type { Variable } from '../core/variable.js';
import { add, div, maximum, mul, sub } from '../ops/prims/binary.js';
import { abs } from '../ops/prims/unary.js';
import { Optimizer, type OptimizerArgs } from './optimizer.js';
import { optimizerFactory, registerOptimizer } from './registry.js';

export interface AdamaxArgs extends OptimizerArgs {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/**
 * Adamax (Adam with the infinity norm), as Keras 3: with t = iterations + 1,
 * `m += (g - m)(1 - beta1); u = max(beta2·u, |g|); w -= lr·m / ((1 - beta1^t)(u + epsilon))`.
 * Defaults: learningRate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7.
 * @example const opt = new Adamax({ learningRate: 0.002 });
 */
export class Adamax extends Optimizer {
  readonly className = 'Adamax';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;

  constructor(args: AdamaxArgs = {}) {
    super(args, { learningRate: 0.001, name: 'adamax' });
    this.beta1 = args.beta1 ?? 0.9;
    this.beta2 = args.beta2 ?? 0.999;
    this.epsilon = args.epsilon ?? 1e-7;
  }

  protected updateStep(g: Tensor, v: Variable, lr: number): void {
    const t = this.iterations + 1;
    const m = this.slot(v, 'momentum');
    const u = this.slot(v, 'norm');
    m.assign(add(m, mul(sub(g, m), 1 - this.beta1)));
    u.assign(maximum(mul(u, this.beta2), abs(g)));
    v.assign(sub(v, div(mul(m, lr), mul(add(u, this.epsilon), 1 - Math.pow(this.beta1, t)))));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

/** `new Adamax(args)` with its options checked. @example adamax({ learningRate: 0.002 }) */
export const adamax = optimizerFactory('adamax', (args: AdamaxArgs = {}) => new Adamax(args));
registerOptimizer('Adamax', Adamax);
