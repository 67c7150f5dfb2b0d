/**
 * The layers API: classes, the `layers` namespace of TF.js-style factories, the base `Layer`
 * for custom layers and the class registry used by model configs.
 */
import { Activation, type ActivationArgs } from './activation.js';
import { Dense, type DenseArgs } from './dense.js';
import { Dropout, type DropoutArgs } from './dropout.js';
import { InputLayer, type InputLayerArgs } from './input_layer.js';
import { Flatten, Reshape, type FlattenArgs, type ReshapeArgs } from './reshaping.js';

export { Layer, isShapeList, type LayerArgs, type CallArgs } from './layer.js';
export { SymbolicTensor, Node, type Shape } from './symbolic.js';
export { type InputSpec } from './input_spec.js';
export { registerLayer, deserializeLayer, serializeLayer, layerClassNames, type LayerFactory } from './registry.js';
export { collectLosses, addLoss } from './losses_collector.js';
export { Activation, type ActivationArgs } from './activation.js';
export { Dense, type DenseArgs } from './dense.js';
export { Dropout, type DropoutArgs } from './dropout.js';
export { InputLayer, input, type InputLayerArgs, type InputArgs } from './input_layer.js';
export { Flatten, Reshape, type FlattenArgs, type ReshapeArgs, type DataFormat } from './reshaping.js';

/**
 * Layer factories, as in TF.js.
 * @example
 * const m = sequential({ layers: [
 *   layers.dense({ units: 16, activation: 'relu', inputShape: [13] }),
 *   layers.dropout({ rate: 0.2 }),
 *   layers.dense({ units: 1 }),
 * ] });
 */
export const layers = {
  dense: (args: DenseArgs) => new Dense(args),
  activation: (args: ActivationArgs) => new Activation(args),
  dropout: (args: DropoutArgs) => new Dropout(args),
  flatten: (args: FlattenArgs = {}) => new Flatten(args),
  reshape: (args: ReshapeArgs) => new Reshape(args),
  inputLayer: (args: InputLayerArgs) => new InputLayer(args),
};
