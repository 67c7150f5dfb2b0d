import { ValueError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { Config } from '../core/config.js';
import { add, mul } from '../ops/prims/binary.js';
import { sum } from '../ops/prims/reduce.js';
import { abs, square } from '../ops/prims/unary.js';
import { scalar } from '../ops/creation.js';

/**
 * A penalty on a weight (or a layer's output) added to the training loss. Built from
 * differentiable ops, so the trainer gets its gradient for free.
 *
 * @example
 * new L2({ l2: 0.01 }).call(kernel); // 0.01 * sum(kernel²)
 */
export abstract class Regularizer {
  static readonly className: string = 'Regularizer';

  /** The penalty: a scalar tensor. */
  abstract call(x: Tensor): Tensor;

  abstract getConfig(): Config;

  getClassName(): string {
    return (this.constructor as typeof Regularizer).className;
  }
}

function factor(value: unknown, arg: string, who: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ValueError(`${who}: '${arg}' must be a non-negative number, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Keras' formulas: l1 * sum(|x|) + l2 * sum(x²) (no 1/2 factor), skipping zero terms. */
function penalty(x: Tensor, l1: number, l2: number): Tensor {
  let total: Tensor | null = null;
  if (l1 > 0) total = mul(sum(abs(x)), l1);
  if (l2 > 0) {
    const term = mul(sum(square(x)), l2);
    total = total ? add(total, term) : term;
  }
  return total ?? scalar(0, x.dtype);
}

/**
 * `l1 * sum(|x|)` (Keras `L1(l1=0.01)`).
 * @example layers.dense({ units: 4, kernelRegularizer: new L1({ l1: 0.001 }) })
 */
export class L1 extends Regularizer {
  static override readonly className: string = 'L1';
  readonly l1: number;

  constructor(args: { l1?: number } = {}) {
    super();
    this.l1 = factor(args.l1 ?? 0.01, 'l1', 'L1');
  }

  call(x: Tensor): Tensor {
    return penalty(x, this.l1, 0);
  }

  getConfig(): Config {
    return { l1: this.l1 };
  }
}

/**
 * `l2 * sum(x²)` (Keras `L2(l2=0.01)`, no 1/2 factor).
 * @example layers.dense({ units: 4, kernelRegularizer: new L2({ l2: 0.001 }) })
 */
export class L2 extends Regularizer {
  static override readonly className: string = 'L2';
  readonly l2: number;

  constructor(args: { l2?: number } = {}) {
    super();
    this.l2 = factor(args.l2 ?? 0.01, 'l2', 'L2');
  }

  call(x: Tensor): Tensor {
    return penalty(x, 0, this.l2);
  }

  getConfig(): Config {
    return { l2: this.l2 };
  }
}

/**
 * `l1 * sum(|x|) + l2 * sum(x²)` (Keras `L1L2(l1=0.0, l2=0.0)`).
 * @example new L1L2({ l1: 0.01, l2: 0.01 })
 */
export class L1L2 extends Regularizer {
  static override readonly className: string = 'L1L2';
  readonly l1: number;
  readonly l2: number;

  constructor(args: { l1?: number; l2?: number } = {}) {
    super();
    this.l1 = factor(args.l1 ?? 0, 'l1', 'L1L2');
    this.l2 = factor(args.l2 ?? 0, 'l2', 'L1L2');
  }

  call(x: Tensor): Tensor {
    return penalty(x, this.l1, this.l2);
  }

  getConfig(): Config {
    return { l1: this.l1, l2: this.l2 };
  }
}
