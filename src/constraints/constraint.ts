import { ValueError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { Config } from '../core/config.js';
import { add, div, greaterEqual, maximum, minimum, mul, where } from '../ops/prims/binary.js';
import { sum } from '../ops/prims/reduce.js';
import { sqrt, square } from '../ops/prims/unary.js';

/** Keras' backend epsilon, added to norms before dividing. */
const EPSILON = 1e-7;

/**
 * A projection applied to a weight after every optimizer update (Keras `kernel_constraint`).
 * Layers install it on the variable (`variable.constraint`), where the optimizer finds it.
 *
 * @example
 * new NonNeg().apply(tensor([-1, 2])); // [0, 2]
 */
export abstract class Constraint {
  static readonly className: string = 'Constraint';

  abstract apply(w: Tensor): Tensor;

  abstract getConfig(): Config;

  getClassName(): string {
    return (this.constructor as typeof Constraint).className;
  }
}

type Axis = number | number[];

function l2Norms(w: Tensor, axis: Axis): Tensor {
  return sqrt(sum(square(w), axis, true));
}

function checkAxis(axis: unknown, who: string): Axis {
  const ok = (a: unknown) => typeof a === 'number' && Number.isInteger(a);
  if (ok(axis) || (Array.isArray(axis) && axis.every(ok))) return axis as Axis;
  throw new ValueError(`${who}: 'axis' must be an integer or a list of integers, got ${JSON.stringify(axis)}`);
}

/**
 * Rescales slices whose L2 norm along `axis` exceeds `maxValue`
 * (Keras `MaxNorm(max_value=2, axis=0)`: w * clip(n, 0, max) / (eps + n)).
 * @example layers.dense({ units: 4, kernelConstraint: new MaxNorm({ maxValue: 3 }) })
 */
export class MaxNorm extends Constraint {
  static override readonly className: string = 'MaxNorm';
  readonly maxValue: number;
  readonly axis: Axis;

  constructor(args: { maxValue?: number; axis?: Axis } = {}) {
    super();
    this.maxValue = args.maxValue ?? 2;
    this.axis = checkAxis(args.axis ?? 0, 'MaxNorm');
  }

  apply(w: Tensor): Tensor {
    const norms = l2Norms(w, this.axis);
    const desired = minimum(maximum(norms, 0), this.maxValue);
    return mul(w, div(desired, add(norms, EPSILON)));
  }

  getConfig(): Config {
    return { maxValue: this.maxValue, axis: this.axis };
  }
}

/**
 * Zeroes negative entries (Keras `NonNeg`).
 * @example new NonNeg().apply(tensor([-0.5, 1])); // [0, 1]
 */
export class NonNeg extends Constraint {
  static override readonly className: string = 'NonNeg';

  apply(w: Tensor): Tensor {
    // where() rather than Keras' w * (w >= 0), which would print negatives as -0.
    return where(greaterEqual(w, 0), w, 0);
  }

  getConfig(): Config {
    return {};
  }
}

/**
 * Divides slices along `axis` by their L2 norm (Keras `UnitNorm(axis=0)`: w / (eps + n)).
 * @example new UnitNorm({ axis: 0 }).apply(kernel); // each column has norm ≈ 1
 */
export class UnitNorm extends Constraint {
  static override readonly className: string = 'UnitNorm';
  readonly axis: Axis;

  constructor(args: { axis?: Axis } = {}) {
    super();
    this.axis = checkAxis(args.axis ?? 0, 'UnitNorm');
  }

  apply(w: Tensor): Tensor {
    return div(w, add(l2Norms(w, this.axis), EPSILON));
  }

  getConfig(): Config {
    return { axis: this.axis };
  }
}

/**
 * Pulls slice norms into [minValue, maxValue], at speed `rate` (Keras
 * `MinMaxNorm(min_value=0.0, max_value=1.0, rate=1.0, axis=0)`:
 * w * (rate * clip(n, min, max) + (1 - rate) * n) / (eps + n)).
 * @example new MinMaxNorm({ minValue: 0.5, maxValue: 1 })
 */
export class MinMaxNorm extends Constraint {
  static override readonly className: string = 'MinMaxNorm';
  readonly minValue: number;
  readonly maxValue: number;
  readonly rate: number;
  readonly axis: Axis;

  constructor(args: { minValue?: number; maxValue?: number; rate?: number; axis?: Axis } = {}) {
    super();
    this.minValue = args.minValue ?? 0;
    this.maxValue = args.maxValue ?? 1;
    this.rate = args.rate ?? 1;
    this.axis = checkAxis(args.axis ?? 0, 'MinMaxNorm');
    if (!(this.maxValue >= this.minValue))
      throw new ValueError(`MinMaxNorm: 'maxValue' (${this.maxValue}) must be >= 'minValue' (${this.minValue})`);
  }

  apply(w: Tensor): Tensor {
    const norms = l2Norms(w, this.axis);
    const clipped = minimum(maximum(norms, this.minValue), this.maxValue);
    const desired = add(mul(clipped, this.rate), mul(norms, 1 - this.rate));
    return mul(w, div(desired, add(norms, EPSILON)));
  }

  getConfig(): Config {
    return { minValue: this.minValue, maxValue: this.maxValue, rate: this.rate, axis: this.axis };
  }
}
