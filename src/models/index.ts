/**
 * Models: `sequential()` stacks, functional `model()` graphs over `input()` tensors, their
 * configs and summaries. Training methods delegate to the trainer (src/training).
 */
import { checkOptions } from '../core/options.js';
import { ValueError } from '../core/errors.js';
import { LayersModel, MODEL_OPTIONS, type ModelArgs } from './layers_model.js';

export { LayersModel, type ModelArgs } from './layers_model.js';
export { Sequential, sequential, type SequentialArgs } from './sequential.js';
export { modelFromConfig } from './model_from_config.js';
export { input, type InputArgs } from '../layers/input_layer.js';

/**
 * A functional model from symbolic inputs to outputs.
 * @example
 * const x = input({ shape: [4] });
 * const y = layers.dense({ units: 2 }).apply(x) as SymbolicTensor;
 * const m = model({ inputs: x, outputs: y });
 */
export function model(args: ModelArgs): LayersModel {
  checkOptions('model', args, MODEL_OPTIONS);
  if (!args || args.inputs === undefined || args.outputs === undefined) {
    throw new ValueError(
      `model: both 'inputs' and 'outputs' are required, e.g. model({ inputs: input({ shape: [4] }), outputs: y })`,
    );
  }
  return new LayersModel(args);
}
