import type { Layer } from '../../layers/layer.js';
import type { SymbolicTensor } from '../../layers/symbolic.js';
import type { TrainableModel } from '../trainable_model.js';

/** What a Keras model shows of its graph: symbolic inputs and outputs, and its layers. */
interface WiredModel {
  readonly inputs: readonly SymbolicTensor[];
  readonly outputs: readonly SymbolicTensor[];
  readonly layers: readonly Layer[];
}

function isWired(model: object): model is WiredModel {
  return 'inputs' in model && 'outputs' in model && 'layers' in model;
}

/**
 * The model's layers in order when its graph is a plain chain (one input, one output, each layer
 * applied once to the previous one's output, no side branches), read from the model's public
 * `inputs`, `outputs` and `layers`; else null.
 */
export function layerChain(model: TrainableModel): Layer[] | null {
  if (!isWired(model)) return null;
  let inputs: readonly SymbolicTensor[], outputs: readonly SymbolicTensor[];
  try {
    ({ inputs, outputs } = model);
  } catch {
    return null; // not built yet
  }
  if (inputs.length !== 1 || outputs.length !== 1) return null;
  const chain: Layer[] = [];
  for (let t = outputs[0]; t.node !== inputs[0].node; t = t.node.inputs[0]) {
    const node = t.node;
    if (node.inputs.length !== 1 || node.outputs.length !== 1 || Object.keys(node.callArgs).length > 0) return null;
    chain.unshift(node.layer);
  }
  // No layer applied twice (shared weights), and no layer off the chain (a side branch).
  const onChain = new Set(chain);
  if (onChain.size !== chain.length) return null;
  const inputLayer = inputs[0].sourceLayer;
  if (model.layers.some((l) => l !== inputLayer && !onChain.has(l))) return null;
  return chain;
}
