import { checkPendingOptions, deferOptionCheck } from '../core/options.js';
import type { Tensor } from '../core/tensor.js';
import type { TensorLike } from '../ops/convert.js';
import { checkReduction, reduceWeighted, type Reduction } from './reduction.js';

/** Arguments every loss object accepts. */
export interface LossArgs {
  /** Defaults to 'sum_over_batch_size', the mean over all per-sample values. */
  reduction?: Reduction;
  name?: string;
}

/**
 * A loss object (Keras `Loss`): `call` gives the per-sample values, `compute` the reduced scalar
 * with optional sample weights. Subclass it and implement `call` for a custom loss.
 * @example
 * const mse = new MeanSquaredError();
 * mse.call(yTrue, yPred);                 // shape [batch]
 * mse.compute(yTrue, yPred, weights);     // scalar
 */
export abstract class Loss {
  abstract readonly className: string;
  readonly name: string;
  readonly reduction: Reduction;

  constructor(args: LossArgs, defaultName: string) {
    deferOptionCheck(this, args);
    this.name = args.name ?? defaultName;
    this.reduction = checkReduction(args.reduction ?? 'sum_over_batch_size', this.name);
  }

  /** Per-sample loss values (the last axis reduced where Keras reduces it). */
  abstract call(yTrue: TensorLike, yPred: TensorLike): Tensor;

  /** The loss reduced by `reduction`, each sample weighted by `sampleWeight` when given. */
  compute(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike | null): Tensor {
    checkPendingOptions(this, this.className);
    return reduceWeighted(this.call(yTrue, yPred), sampleWeight, this.reduction, this.name);
  }

  /** The arguments that rebuild this loss. */
  getConfig(): Record<string, unknown> {
    return { name: this.name, reduction: this.reduction };
  }
}
