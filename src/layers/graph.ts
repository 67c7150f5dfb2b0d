import { fmtList, ValueError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { InputLayer } from './input_layer.js';
import type { CallArgs, Layer } from './layer.js';
import { isShapeList } from './layer.js';
import { type Node, SymbolicTensor, type Shape } from './symbolic.js';
import { MAX_LAYERS } from './limits.js';

/** A functional model's graph, in the order Keras executes and lists it. */
export interface Graph {
  readonly inputs: SymbolicTensor[];
  readonly outputs: SymbolicTensor[];
  /** Every node, producers before consumers (decreasing depth, then traversal order). */
  readonly nodes: Node[];
  /** Every layer once, by decreasing depth (inputs first), ties in traversal order. */
  readonly layers: Layer[];
  readonly nodeSet: ReadonlySet<Node>;
}

/**
 * Walks back from `outputs` to `inputs` and orders the nodes so that each runs after the nodes
 * it reads from (Keras' depth ordering). Throws when an output depends on a tensor that is not
 * derived from the given inputs.
 */
export function buildGraph(inputs: SymbolicTensor[], outputs: SymbolicTensor[], modelName: string): Graph {
  inputs.forEach((t, i) => {
    if (!(t instanceof SymbolicTensor))
      throw new ValueError(
        `Model '${modelName}': inputs[${i}] must be a SymbolicTensor from input(), got ${describe(t)}`,
      );
    if (!(t.sourceLayer instanceof InputLayer)) {
      throw new ValueError(
        `Model '${modelName}': inputs[${i}] must come from input() (an InputLayer), but it is the output of layer '${t.sourceLayer.name}' (${t.sourceLayer.getClassName()})`,
      );
    }
  });
  if (new Set(inputs).size !== inputs.length)
    throw new ValueError(`Model '${modelName}': the same input tensor is listed twice in 'inputs'`);
  outputs.forEach((t, i) => {
    if (!(t instanceof SymbolicTensor))
      throw new ValueError(
        `Model '${modelName}': outputs[${i}] must be a SymbolicTensor returned by layer.apply, got ${describe(t)}`,
      );
  });
  const inputNodes = new Set(inputs.map((t) => t.node));
  const postorder: Node[] = [];
  const visited = new Set<Node>();
  // Depth-first from each output, with an explicit stack: a chain of thousands of layers must
  // not overflow the call stack.
  const stack: { node: Node; next: number }[] = [];
  const enter = (node: Node, consumer: string): void => {
    if (visited.has(node)) return;
    if (node.inputs.length === 0 && !inputNodes.has(node)) {
      throw new ValueError(
        `Model '${modelName}': graph disconnected: layer '${consumer}' depends on '${node.layer.name}', which is not one of the model's inputs (${fmtList(inputs.map((t) => t.sourceLayer.name)) || 'none'})`,
      );
    }
    visited.add(node);
    stack.push({ node, next: 0 });
  };
  const visit = (node: Node, consumer: string): void => {
    enter(node, consumer);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.next < top.node.inputs.length) enter(top.node.inputs[top.next++].node, top.node.layer.name);
      else postorder.push((stack.pop() as { node: Node }).node);
    }
  };
  for (const node of inputNodes) visit(node, node.layer.name);
  for (const t of outputs) visit(t.node, t.sourceLayer.name);
  if (postorder.length > MAX_LAYERS + inputs.length)
    throw new ValueError(
      `Model '${modelName}': the graph has ${postorder.length} nodes; a model may have at most ${MAX_LAYERS} layers`,
    );

  const depth = new Map<Node, number>();
  for (let i = postorder.length - 1; i >= 0; i--) {
    const node = postorder[i];
    const d = depth.get(node) ?? 0;
    depth.set(node, d);
    for (const t of node.inputs) depth.set(t.node, Math.max(depth.get(t.node) ?? 0, d + 1));
  }
  const index = new Map(postorder.map((n, i) => [n, i]));
  const nodes = [...postorder].sort(
    (a, b) =>
      (depth.get(b) as number) - (depth.get(a) as number) || (index.get(a) as number) - (index.get(b) as number),
  );

  const layerDepth = new Map<Layer, number>();
  const layerIndex = new Map<Layer, number>();
  postorder.forEach((node, i) => {
    layerDepth.set(node.layer, Math.max(layerDepth.get(node.layer) ?? 0, depth.get(node) as number));
    if (!layerIndex.has(node.layer)) layerIndex.set(node.layer, i);
  });
  const layers = [...layerIndex.keys()].sort(
    (a, b) =>
      (layerDepth.get(b) as number) - (layerDepth.get(a) as number) ||
      (layerIndex.get(a) as number) - (layerIndex.get(b) as number),
  );
  const names = new Set<string>();
  for (const layer of layers) {
    if (names.has(layer.name))
      throw new ValueError(
        `Model '${modelName}': two different layers are named '${layer.name}'; layer names in a model must be unique`,
      );
    names.add(layer.name);
  }
  return { inputs, outputs, nodes, layers, nodeSet: new Set(nodes) };
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'object';
  return typeof x;
}

/**
 * Runs the graph on concrete tensors (one per model input), replaying each node's call
 * arguments; `training` applies where a node did not fix it.
 */
export function executeGraph(graph: Graph, inputs: Tensor[], training: boolean): Tensor[] {
  const values = new Map<number, Tensor>();
  // Masks of padded timesteps travel beside the values (Keras' `_keras_mask`).
  const masks = new Map<number, Tensor>();
  graph.inputs.forEach((t, i) => values.set(t.id, inputs[i]));
  for (const node of graph.nodes) {
    if (node.inputs.length === 0) continue;
    const args = node.inputs.map((t) => values.get(t.id) as Tensor);
    const kwargs: CallArgs = { ...(node.callArgs as CallArgs) };
    if (kwargs.training === undefined) kwargs.training = training;
    const inMasks = node.inputs.map((t) => masks.get(t.id) ?? null);
    const inMask = inMasks.every((m) => m === null) ? null : inMasks.length === 1 ? inMasks[0] : (inMasks as Tensor[]);
    if (kwargs.mask === undefined && inMask !== null) kwargs.mask = inMask;
    const input = args.length === 1 ? args[0] : args;
    const out = node.layer.apply(input, kwargs) as Tensor | Tensor[];
    const outs = Array.isArray(out) ? out : [out];
    node.outputs.forEach((t, i) => values.set(t.id, outs[i]));
    const outMask = node.layer.computeMask(input, kwargs.mask ?? null, kwargs);
    const outMasks = Array.isArray(outMask) ? outMask : [outMask];
    node.outputs.forEach((t, i) => {
      if (outMasks[i]) masks.set(t.id, outMasks[i] as Tensor);
    });
  }
  return graph.outputs.map((t) => values.get(t.id) as Tensor);
}

/** Shape inference through the graph, for calling a model on symbolic inputs. */
export function inferGraphShapes(graph: Graph, inputShapes: Shape[]): Shape[] {
  const shapes = new Map<number, Shape>();
  graph.inputs.forEach((t, i) => shapes.set(t.id, inputShapes[i]));
  for (const node of graph.nodes) {
    if (node.inputs.length === 0) continue;
    const args = node.inputs.map((t) => shapes.get(t.id) as Shape);
    const out = node.layer.computeOutputShape(args.length === 1 ? args[0] : args, node.callArgs as CallArgs);
    const outs = isShapeList(out) ? out : [out];
    node.outputs.forEach((t, i) => shapes.set(t.id, outs[i]));
  }
  return graph.outputs.map((t) => shapes.get(t.id) as Shape);
}

/** The index of `node` among its layer's nodes that belong to the graph (configs and summaries use it). */
export function nodeIndexIn(graph: Graph, node: Node): number {
  return node.layer.inboundNodes.filter((n) => graph.nodeSet.has(n)).indexOf(node);
}
