import type { Tensor } from '../core/tensor.js';
import type { Variable } from '../core/variable.js';
import type { CompiledState } from './compile.js';

/**
 * What the trainer needs from a model. `LayersModel` (sequential and functional) implements it;
 * the trainer (compile, fit, evaluate, predict) is written once against this interface.
 */
export interface TrainableModel {
  readonly name: string;
  /** One entry per model input: its layer name and shape with `null` for the batch dimension. */
  readonly inputNames: readonly string[];
  readonly inputShapes: readonly (readonly (number | null)[])[];
  readonly outputNames: readonly string[];
  readonly outputShapes: readonly (readonly (number | null)[])[];
  /**
   * Runs the model on concrete tensors (one per input, in order). Returns one tensor per output
   * and every regularization penalty incurred (weight and activity), as scalars, so that the
   * trainer adds them to the loss inside the gradient tape.
   */
  forward(inputs: Tensor[], training: boolean): { outputs: Tensor[]; regularizationLosses: Tensor[] };
  /** Variables the optimizer updates (each may carry a `constraint`). */
  readonly trainableWeights: Variable[];
  /** Every variable, trainable or not (e.g. batch-norm moving statistics). */
  readonly weights: Variable[];
  /** Set by a callback (e.g. earlyStopping) to end `fit` after the current batch. */
  stopTraining: boolean;
  /** Set by `compileModel`: optimizer, losses and metrics. Undefined until compiled. */
  compiled?: CompiledState;
}
