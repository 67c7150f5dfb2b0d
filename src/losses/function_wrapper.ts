import type { Tensor } from '../core/tensor.js';
import type { TensorLike } from '../ops/convert.js';
import { Loss, type LossArgs } from './loss.js';

/** A per-sample loss function `(yTrue, yPred) => Tensor`. */
export type LossFunction = (yTrue: TensorLike, yPred: TensorLike) => Tensor;

/**
 * Turns any per-sample function into a `Loss`, named after the function unless told otherwise.
 * @example const l = new LossFunctionWrapper((t, p) => mean(abs(sub(t, p)), -1), { name: 'my_mae' });
 */
export class LossFunctionWrapper extends Loss {
  readonly className = 'LossFunctionWrapper';
  constructor(
    readonly fn: LossFunction,
    args: LossArgs = {},
  ) {
    super(args, fn.name || 'loss');
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return this.fn(yTrue, yPred);
  }
}
