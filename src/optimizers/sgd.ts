import { ValueError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { Variable } from '../core/variable.js';
import { add, mul, sub } from '../ops/prims/binary.js';
import { Optimizer, type OptimizerArgs } from './optimizer.js';
import { optimizerFactory, registerOptimizer } from './registry.js';

export interface SGDArgs extends OptimizerArgs {
  /** Defaults to 0 (plain gradient descent); must be in [0, 1]. */
  momentum?: number;
  nesterov?: boolean;
}

/**
 * Gradient descent with optional (Nesterov) momentum, as Keras 3:
 * `velocity = momentum * velocity - lr * g; w += velocity` (Nesterov: `w += momentum * velocity - lr * g`).
 * Defaults: learningRate 0.01, momentum 0, nesterov false.
 * @example const opt = new SGD({ learningRate: 0.1, momentum: 0.9 });
 */
export class SGD extends Optimizer {
  readonly className = 'SGD';
  readonly momentum: number;
  readonly nesterov: boolean;

  constructor(args: SGDArgs = {}) {
    super(args, { learningRate: 0.01, name: 'SGD' });
    this.momentum = args.momentum ?? 0;
    this.nesterov = args.nesterov ?? false;
    if (!(typeof this.momentum === 'number' && this.momentum >= 0 && this.momentum <= 1)) {
      throw new ValueError(`SGD: 'momentum' must be a number in [0, 1], got ${String(args.momentum)}`);
    }
  }

  protected updateStep(g: Tensor, v: Variable, lr: number): void {
    if (this.momentum === 0) {
      v.assign(sub(v, mul(g, lr)));
      return;
    }
    const m = this.slot(v, 'momentum');
    m.assign(sub(mul(m, this.momentum), mul(g, lr)));
    v.assign(add(v, this.nesterov ? sub(mul(m, this.momentum), mul(g, lr)) : m));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), momentum: this.momentum, nesterov: this.nesterov };
  }
}

/** `new SGD(args)` with its options checked. @example sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true }) */
export const sgd = optimizerFactory('sgd', (args: SGDArgs = {}) => new SGD(args));
registerOptimizer('SGD', SGD);
