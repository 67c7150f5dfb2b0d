import type { Tensor } from '../core/tensor.js';
import type { Variable } from '../core/variable.js';
import { add, div, mul } from '../ops/prims/binary.js';
import { sqrt, square } from '../ops/prims/unary.js';
import { Optimizer, type OptimizerArgs } from './optimizer.js';
import { optimizerFactory, registerOptimizer } from './registry.js';

export interface AdadeltaArgs extends OptimizerArgs {
  rho?: number;
  epsilon?: number;
}

/**
 * Adadelta, as Keras 3: `G = rho·G + (1 - rho)·g²`, `Δ = -sqrt(D + epsilon)·g / sqrt(G + epsilon)`,
 * `D = rho·D + (1 - rho)·Δ²`, `w += lr·Δ`. Defaults: learningRate 0.001, rho 0.95, epsilon 1e-7.
 * @example const opt = new Adadelta({ learningRate: 1.0 }); // the paper's form
 */
export class Adadelta extends Optimizer {
  readonly className = 'Adadelta';
  readonly rho: number;
  readonly epsilon: number;

  constructor(args: AdadeltaArgs = {}) {
    super(args, { learningRate: 0.001, name: 'adadelta' });
    this.rho = args.rho ?? 0.95;
    this.epsilon = args.epsilon ?? 1e-7;
  }

  protected updateStep(g: Tensor, v: Variable, lr: number): void {
    const accGrad = this.slot(v, 'accumulated_grad');
    const accDelta = this.slot(v, 'accumulated_delta_var');
    accGrad.assign(add(mul(accGrad, this.rho), mul(square(g), 1 - this.rho)));
    const delta = mul(div(mul(sqrt(add(accDelta, this.epsilon)), g), sqrt(add(accGrad, this.epsilon))), -1);
    accDelta.assign(add(mul(accDelta, this.rho), mul(square(delta), 1 - this.rho)));
    v.assign(add(v, mul(delta, lr)));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rho: this.rho, epsilon: this.epsilon };
  }
}

/** `new Adadelta(args)` with its options checked. @example adadelta({ learningRate: 1 }) */
export const adadelta = optimizerFactory('adadelta', (args: AdadeltaArgs = {}) => new Adadelta(args));
registerOptimizer('Adadelta', Adadelta);
