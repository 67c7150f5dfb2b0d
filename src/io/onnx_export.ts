import { ValueError } from '../core/errors.js';
import { InputLayer } from '../layers/input_layer.js';
import type { Layer } from '../layers/layer.js';
import type { Emitter } from './onnx_layers.js';
import type { SymbolicTensor } from '../layers/symbolic.js';
import { buildGraph } from '../layers/graph.js';
import type { LayersModel } from '../models/layers_model.js';
import { atomicWriteFile, checkSavePath } from './atomic_write.js';
import { OnnxGraphBuilder } from './onnx_builder.js';
import { TRANSFORMER_EMITTERS, TRANSFORMER_MERGE_EMITTERS } from './onnx_attention.js';
import { ONNX_EMITTERS as LAYER_EMITTERS } from './onnx_layers.js';
import { ONNX_CATEGORY_EMITTERS } from './onnx_category_layers.js';
import { ONNX_CONV_EMITTERS } from './onnx_conv_layers.js';
import { ONNX_IMAGE_EMITTERS } from './onnx_image_layers.js';
import { ONNX_KERAS_EMITTERS } from './onnx_keras_layers.js';
import { ONNX_DOT_ATTENTION_EMITTERS } from './onnx_dot_attention.js';
import { ONNX_MERGE_EMITTERS as MERGE_EMITTERS } from './onnx_merge_layers.js';
import { ONNX_SEQUENCE_EMITTERS, timeDistributed } from './onnx_sequence_layers.js';
import { TimeDistributed } from '../layers/recurrent_wrappers.js';
import { maskingOutput, outputMask } from './onnx_masks.js';
import { Masking } from '../layers/masking.js';
import { encodeModel, ONNX_FLOAT, type OnnxValueInfo } from './onnx_proto.js';

/** Every layer class with a translation, by class. */
const ONNX_EMITTERS = [...LAYER_EMITTERS, ...TRANSFORMER_EMITTERS];

/** Layers called on several inputs, by class. */
const ONNX_MERGE_EMITTERS = [...MERGE_EMITTERS, ...ONNX_DOT_ATTENTION_EMITTERS, ...TRANSFORMER_MERGE_EMITTERS];

/** The default-domain operator set the exported graphs use. */
export const ONNX_OPSET = 17;

/** The layer classes `exportOnnx` translates. @example onnxSupportedLayers().includes('LSTM') // true */
export function onnxSupportedLayers(): string[] {
  const names = [...EMITTERS, ...ONNX_MERGE_EMITTERS].map(
    ([cls]) => (cls as unknown as { className: string }).className,
  );
  return [...new Set(names)];
}

const EMITTERS = [
  ...ONNX_EMITTERS,
  ...ONNX_SEQUENCE_EMITTERS,
  ...ONNX_KERAS_EMITTERS,
  ...ONNX_CONV_EMITTERS,
  ...ONNX_IMAGE_EMITTERS,
  ...ONNX_CATEGORY_EMITTERS,
  [TimeDistributed, timeDistributed((layer) => emitterFor(layer))],
  [Masking, (b, layer, x, _shape, _callArgs, mask) => maskingOutput(b, layer, x, mask as string)],
] as [abstract new (...args: never[]) => Layer, Emitter][];

/**
 * Exports a model to ONNX (a serialized ModelProto, opset 17) for inference, e.g. with ONNX
 * Runtime. Images stay channels-last at the model's edges: convolutions and pooling are
 * wrapped in transposes to ONNX's NCHW. The batch dimension is dynamic ('batch'), weights are
 * written as float32, dropout and noise layers become identities and batch normalization uses
 * its moving statistics. A layer without a translation is an error naming it and listing the
 * supported classes.
 *
 * @example
 * const bytes = exportOnnx(model);
 * // ort.InferenceSession.create(bytes).run({ [model.inputNames[0]]: input })
 */
export function exportOnnx(model: LayersModel): Uint8Array {
  const inputs = model.inputs;
  const graph = buildGraph(inputs, model.outputs, model.name);
  const b = new OnnxGraphBuilder();
  const names = new Map<SymbolicTensor, string>();
  const masks = new Map<SymbolicTensor, string>(); // padding masks beside the outputs that have one
  const graphInputs: OnnxValueInfo[] = inputs.map((t) => {
    const name = b.fresh(t.sourceLayer.name);
    names.set(t, name);
    return { name, elemType: ONNX_FLOAT, shape: dims(t.shape, name) };
  });
  for (const node of graph.nodes) {
    const layer = node.layer;
    if (layer instanceof InputLayer) continue;
    // Attention layers and decoders take one input (self-attention) or several (cross-attention).
    const merge =
      node.inputs.length > 1 ? ONNX_MERGE_EMITTERS.find(([cls]) => layer.constructor === cls)?.[1] : undefined;
    if (merge) {
      const masked = node.inputs.find((t) => masks.has(t));
      if (masked)
        throw new ValueError(
          `exportOnnx: ${layer.getClassName()} '${layer.name}' receives a padding mask (from maskZero or Masking); masks are not exported into layers with several inputs`,
        );
      const xs = node.inputs.map((t) => names.get(t) as string);
      names.set(
        node.outputs[0],
        merge(
          b,
          layer,
          xs,
          node.inputs.map((t) => t.shape),
          node.callArgs,
        ),
      );
      continue;
    }
    const emit = emitterFor(layer);
    if (node.inputs.length !== 1 || node.outputs.length !== 1) {
      throw new ValueError(
        `exportOnnx: layer '${layer.name}' (${layer.getClassName()}) takes ${node.inputs.length} inputs and gives ${node.outputs.length} outputs; only single-input, single-output layers are exported`,
      );
    }
    const input = names.get(node.inputs[0]) as string;
    const inputMask = masks.get(node.inputs[0]) ?? null;
    const mask = outputMask(b, layer, input, inputMask, node.callArgs);
    // Masking reads the mask it makes; every other layer its input's.
    const read = layer instanceof Masking ? mask : inputMask;
    names.set(node.outputs[0], emit(b, layer, input, node.inputs[0].shape, node.callArgs, read));
    if (mask !== null) masks.set(node.outputs[0], mask);
  }
  const outputNames = model.outputNames;
  const graphOutputs: OnnxValueInfo[] = model.outputs.map((t, i) => {
    // Each output gets the Keras output name; an Identity also covers outputs that are inputs.
    const name = b.fresh(outputNames[i]);
    b.nodes.push({
      op: 'Identity',
      inputs: [names.get(t) as string],
      outputs: [name],
      name: b.fresh(`${name}/output`),
    });
    return { name, elemType: ONNX_FLOAT, shape: dims(t.shape, `${name}_dim`) };
  });
  return encodeModel({
    name: model.name,
    nodes: b.nodes,
    initializers: b.initializers,
    inputs: graphInputs,
    outputs: graphOutputs,
    opset: ONNX_OPSET,
    producer: 'Myelin',
    producerVersion: '0.1.0',
  });
}

function emitterFor(layer: Layer): (typeof EMITTERS)[number][1] {
  // Exact classes only: a subclass may compute something else.
  const found = EMITTERS.find(([cls]) => layer.constructor === cls);
  if (!found)
    throw new ValueError(
      `exportOnnx: layer '${layer.name}' (${layer.getClassName()}) has no ONNX translation; supported layers: ${onnxSupportedLayers().join(', ')}`,
    );
  return found[1];
}

/** The batch dimension (and any other unknown one) becomes a named, dynamic dimension. */
function dims(shape: readonly (number | null)[], name: string): (number | string)[] {
  return shape.map((d, i) => (d === null ? (i === 0 ? 'batch' : `${name}_${i}`) : d));
}

/**
 * Writes `exportOnnx(model)` to `path` atomically (Node).
 * @example await saveOnnx(model, 'out/model.onnx');
 */
export async function saveOnnx(model: LayersModel, path: string): Promise<void> {
  checkSavePath(path, 'saveOnnx', "give a file path ('out/model.onnx')");
  await atomicWriteFile(path, exportOnnx(model));
}
