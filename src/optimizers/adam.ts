import { ValueError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { Variable } from '../core/variable.js';
import { add, div, maximum, mul, sub } from '../ops/prims/binary.js';
import { sqrt, square } from '../ops/prims/unary.js';
import { Optimizer, type OptimizerArgs } from './optimizer.js';
import { optimizerFactory, registerOptimizer } from './registry.js';

export interface AdamArgs extends OptimizerArgs {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Use the AMSGrad variant (the running maximum of the second moment). */
  amsgrad?: boolean;
}

/**
 * Adam, as Keras 3: with t = iterations + 1,
 * `m += (g - m)(1 - beta1); v += (g² - v)(1 - beta2); w -= lr·sqrt(1 - beta2^t)/(1 - beta1^t) · m / (sqrt(v) + epsilon)`.
 * Defaults: learningRate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7, amsgrad false.
 * @example const opt = new Adam({ learningRate: 0.01 });
 */
export class Adam extends Optimizer {
  readonly className: string = 'Adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly amsgrad: boolean;

  constructor(args: AdamArgs = {}, defaults = { learningRate: 0.001, name: 'adam' }) {
    super(args, defaults);
    this.beta1 = args.beta1 ?? 0.9;
    this.beta2 = args.beta2 ?? 0.999;
    this.epsilon = args.epsilon ?? 1e-7;
    this.amsgrad = args.amsgrad ?? false;
  }

  protected updateStep(g: Tensor, v: Variable, lr: number): void {
    const t = this.iterations + 1;
    const alpha = (lr * Math.sqrt(1 - Math.pow(this.beta2, t))) / (1 - Math.pow(this.beta1, t));
    const m = this.slot(v, 'momentum');
    const vel = this.slot(v, 'velocity');
    const be = v.backend;
    if (be.adam && !this.amsgrad && g.backend === be && m.backend === be && vel.backend === be) {
      // One pass over the parameter instead of a dozen element-wise ops, same rounding.
      const [p1, m1, v1] = be.adam(v, g, m, vel, alpha, this.beta1, this.beta2, this.epsilon);
      m.handle = m1;
      vel.handle = v1;
      v.handle = p1;
      return;
    }
    m.assign(add(m, mul(sub(g, m), 1 - this.beta1)));
    vel.assign(add(vel, mul(sub(square(g), vel), 1 - this.beta2)));
    let second: Tensor = vel;
    if (this.amsgrad) {
      const vHat = this.slot(v, 'velocity_hat');
      vHat.assign(maximum(vHat, vel));
      second = vHat;
    }
    v.assign(sub(v, div(mul(m, alpha), add(sqrt(second), this.epsilon))));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, amsgrad: this.amsgrad };
  }
}

/**
 * Adam with decoupled weight decay (Keras 3 `AdamW`): each step first shrinks the weights by
 * `w -= w · weightDecay · lr`, then takes an Adam step. Defaults as Adam plus weightDecay 0.004.
 * @example const opt = new AdamW({ learningRate: 0.001, weightDecay: 0.01 });
 */
export class AdamW extends Adam {
  override readonly className: string = 'AdamW';
  constructor(args: AdamArgs = {}) {
    super(
      { ...args, weightDecay: args.weightDecay === undefined ? 0.004 : args.weightDecay },
      { learningRate: 0.001, name: 'adamw' },
    );
    if (this.weightDecay === null) throw new ValueError(`AdamW: 'weightDecay' must be a number, got null`);
  }
}

/** `new Adam(args)` with its options checked. @example adam({ learningRate: 0.001 }) */
export const adam = optimizerFactory('adam', (args: AdamArgs = {}) => new Adam(args));
registerOptimizer('Adam', Adam);

/** `new AdamW(args)` with its options checked. @example adamw({ weightDecay: 0.01 }) */
export const adamw = optimizerFactory('adamw', (args: AdamArgs = {}) => new AdamW(args));
registerOptimizer('AdamW', AdamW);
