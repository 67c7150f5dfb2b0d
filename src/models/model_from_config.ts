import { fmtList, ValueError } from '../core/errors.js';
import type { Config, SerializedObject } from '../core/config.js';
import type { Layer } from '../layers/layer.js';
import { deserializeLayer, registerLayer } from '../layers/registry.js';
import type { SymbolicTensor } from '../layers/symbolic.js';
import { LayersModel } from './layers_model.js';
import { MAX_LAYERS } from './limits.js';
import type { InboundRef, TensorRef } from './model_config.js';
import { Sequential } from './sequential.js';

interface LayerEntry {
  className: string;
  name?: string;
  config: Config;
  inboundNodes?: InboundRef[][];
}

/**
 * Rebuilds a model (Sequential or functional) from `{className, config}` or from a bare
 * model config (`getConfig()`); the weights are new (copy them with setWeights).
 *
 * @example
 * const copy = modelFromConfig({ className: m.getClassName(), config: m.getConfig() });
 */
export function modelFromConfig(serialized: SerializedObject | Config): LayersModel {
  const isWrapped = typeof serialized.className === 'string' && typeof serialized.config === 'object';
  const config = (isWrapped ? serialized.config : serialized) as Config;
  const className = isWrapped ? (serialized.className as string) : config.inputLayers ? 'Functional' : 'Sequential';
  if (className === 'Sequential') return sequentialFromConfig(config);
  if (className === 'Functional' || className === 'Model') return functionalFromConfig(config);
  throw new ValueError(`modelFromConfig: unknown model class '${className}'; expected 'Sequential' or 'Functional'`);
}

function layerEntries(config: Config, who: string): LayerEntry[] {
  const layers = config.layers;
  if (!Array.isArray(layers))
    throw new ValueError(`${who}: config.layers must be a list, got ${JSON.stringify(layers)?.slice(0, 200)}`);
  if (layers.length > MAX_LAYERS)
    throw new ValueError(`${who}: config.layers lists ${layers.length} layers; a model may have at most ${MAX_LAYERS}`);
  return layers as LayerEntry[];
}

function sequentialFromConfig(config: Config): Sequential {
  const model = new Sequential({ name: config.name as string | undefined });
  for (const entry of layerEntries(config, 'Sequential.fromConfig')) model.add(deserializeLayer(entry));
  return model;
}

/**
 * Replays the graph: each layer's inbound nodes are applied once their inputs exist. A node
 * waiting for an input is parked under the layer that produces it and woken when that layer
 * applies a node, so the replay is linear in the number of nodes whatever order the config
 * lists the layers in.
 */
function functionalFromConfig(config: Config): LayersModel {
  const entries = layerEntries(config, 'Functional.fromConfig');
  const created = new Map<string, Layer>();
  const produced = new Map<string, SymbolicTensor[][]>();
  const pending: { layer: Layer; nodes: InboundRef[][]; next: number }[] = [];
  for (const entry of entries) {
    const layer = deserializeLayer(entry);
    created.set(layer.name, layer);
    if ((entry.inboundNodes ?? []).length === 0) {
      // InputLayers own one node from construction.
      produced.set(
        layer.name,
        layer.inboundNodes.map((n) => n.outputs),
      );
    } else {
      produced.set(layer.name, []);
      pending.push({ layer, nodes: entry.inboundNodes as InboundRef[][], next: 0 });
    }
  }
  const lookup = (ref: TensorRef | InboundRef): SymbolicTensor | undefined => {
    if (!created.has(ref[0]))
      throw new ValueError(
        `Functional.fromConfig: a node refers to layer '${ref[0]}', which is not in config.layers (${fmtList([...created.keys()])})`,
      );
    return produced.get(ref[0])?.[ref[1]]?.[ref[2]];
  };
  type Pending = (typeof pending)[number];
  const waiting = new Map<string, Pending[]>();
  const ready: Pending[] = [...pending].reverse();
  while (ready.length > 0) {
    const p = ready.pop() as Pending;
    if (p.next >= p.nodes.length) continue;
    const refs = p.nodes[p.next];
    const inputs = refs.map(lookup);
    const missing = inputs.indexOf(undefined);
    if (missing >= 0) {
      const producer = refs[missing][0];
      const list = waiting.get(producer);
      if (list) list.push(p);
      else waiting.set(producer, [p]);
      continue;
    }
    const kwargs = refs[0]?.[3] ?? {};
    const out = p.layer.apply(
      inputs.length === 1 ? (inputs[0] as SymbolicTensor) : (inputs as SymbolicTensor[]),
      kwargs,
    );
    (produced.get(p.layer.name) as SymbolicTensor[][]).push(Array.isArray(out) ? out : [out]);
    p.next++;
    ready.push(p, ...(waiting.get(p.layer.name) ?? []));
    waiting.delete(p.layer.name);
  }
  const stuck = pending.find((p) => p.next < p.nodes.length);
  if (stuck)
    throw new ValueError(
      `Functional.fromConfig: cannot rebuild the graph: the inputs of layer '${stuck.layer.name}' (node ${stuck.next}) are never produced`,
    );
  const resolve = (refs: unknown, what: string): SymbolicTensor[] => {
    if (!Array.isArray(refs))
      throw new ValueError(
        `Functional.fromConfig: config.${what} must be a list of [layerName, nodeIndex, tensorIndex]`,
      );
    return (refs as TensorRef[]).map((ref) => {
      const t = lookup(ref);
      if (!t)
        throw new ValueError(
          `Functional.fromConfig: config.${what} refers to ${JSON.stringify(ref)}, which the graph does not produce`,
        );
      return t;
    });
  };
  return new LayersModel({
    inputs: resolve(config.inputLayers, 'inputLayers'),
    outputs: resolve(config.outputLayers, 'outputLayers'),
    name: config.name as string | undefined,
  });
}

registerLayer(LayersModel.className, functionalFromConfig);
registerLayer('Model', functionalFromConfig);
registerLayer(Sequential.className, sequentialFromConfig);
