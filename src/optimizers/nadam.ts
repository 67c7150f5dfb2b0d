import type { Tensor } from '../core/tensor.js';
import type { Variable } from '../core/variable.js';
import { add, div, mul, sub } from '../ops/prims/binary.js';
import { sqrt, square } from '../ops/prims/unary.js';
import { Optimizer, type OptimizerArgs } from './optimizer.js';
import { optimizerFactory, registerOptimizer } from './registry.js';

export interface NadamArgs extends OptimizerArgs {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

const U_PRODUCT = 'u_product';

/**
 * Nadam (Adam with Nesterov momentum) with Keras 3's momentum cache: with t = iterations + 1,
 * `u_t = beta1(1 - 0.5·0.96^t)`, `u_{t+1} = beta1(1 - 0.5·0.96^(t+1))`, and `Π` the running
 * product of the `u_t` (advanced once per step),
 * `m̂ = u_{t+1}·m / (1 - Π·u_{t+1}) + (1 - u_t)·g / (1 - Π)`, `v̂ = v / (1 - beta2^t)`,
 * `w -= lr·m̂ / (sqrt(v̂) + epsilon)`. Defaults: learningRate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7.
 * @example const opt = new Nadam({ learningRate: 0.002 });
 */
export class Nadam extends Optimizer {
  readonly className = 'Nadam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;

  constructor(args: NadamArgs = {}) {
    super(args, { learningRate: 0.001, name: 'nadam' });
    this.beta1 = args.beta1 ?? 0.9;
    this.beta2 = args.beta2 ?? 0.999;
    this.epsilon = args.epsilon ?? 1e-7;
  }

  protected override beforeUpdates(): void {
    const u = this.scalars.get(U_PRODUCT) ?? 1;
    this.scalars.set(U_PRODUCT, u * this.beta1 * (1 - 0.5 * Math.pow(0.96, this.iterations + 1)));
  }

  protected override isScalarState(name: string): boolean {
    return name === U_PRODUCT;
  }

  protected updateStep(g: Tensor, v: Variable, lr: number): void {
    const t = this.iterations + 1;
    const uT = this.beta1 * (1 - 0.5 * Math.pow(0.96, t));
    const uNext = this.beta1 * (1 - 0.5 * Math.pow(0.96, t + 1));
    const uProduct = this.scalars.get(U_PRODUCT) ?? 1;
    const uProductNext = uProduct * uNext;
    const m = this.slot(v, 'momentum');
    const vel = this.slot(v, 'velocity');
    m.assign(add(m, mul(sub(g, m), 1 - this.beta1)));
    vel.assign(add(vel, mul(sub(square(g), vel), 1 - this.beta2)));
    const mHat = add(mul(m, uNext / (1 - uProductNext)), mul(g, (1 - uT) / (1 - uProduct)));
    const vHat = div(vel, 1 - Math.pow(this.beta2, t));
    v.assign(sub(v, div(mul(mHat, lr), add(sqrt(vHat), this.epsilon))));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

/** `new Nadam(args)` with its options checked. @example nadam({ learningRate: 0.002 }) */
export const nadam = optimizerFactory('nadam', (args: NadamArgs = {}) => new Nadam(args));
registerOptimizer('Nadam', Nadam);
