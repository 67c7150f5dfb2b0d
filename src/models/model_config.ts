import type { Config } from '../core/config.js';
import type { SymbolicTensor } from '../layers/symbolic.js';
import { nodeIndexIn, type Graph } from './graph.js';

/** `[layerName, nodeIndex, tensorIndex]`: a tensor in a serialized graph (Keras' format). */
export type TensorRef = [string, number, number];

/** A serialized graph node input: the tensor ref plus the call's arguments. */
export type InboundRef = [string, number, number, Config];

/**
 * The config of a functional model, as Keras writes it (camelCase keys):
 * `{name, layers: [{className, name, config, inboundNodes}], inputLayers, outputLayers}`.
 */
export function functionalConfig(name: string, graph: Graph): Config {
  const ref = (t: SymbolicTensor): TensorRef => [t.sourceLayer.name, nodeIndexIn(graph, t.node), t.tensorIndex];
  const layers = graph.layers.map((layer) => ({
    className: layer.getClassName(),
    name: layer.name,
    config: layer.getConfig(),
    inboundNodes: layer.inboundNodes
      .filter((node) => graph.nodeSet.has(node) && node.inputs.length > 0)
      .map((node) => node.inputs.map((t): InboundRef => [...ref(t), serializableCallArgs(node.callArgs)])),
  }));
  return { name, layers, inputLayers: graph.inputs.map(ref), outputLayers: graph.outputs.map(ref) };
}

/** Only plain call arguments (e.g. `training`) survive serialization; masks are tensors. */
function serializableCallArgs(args: Config): Config {
  const out: Config = {};
  if (typeof args.training === 'boolean') out.training = args.training;
  return out;
}
