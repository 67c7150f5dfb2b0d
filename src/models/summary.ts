import type { Layer } from '../layers/layer.js';
import type { Shape } from '../layers/symbolic.js';
import { nodeIndexIn, type Graph } from '../layers/graph.js';

/** What the summary needs from a model. */
export interface Summarizable {
  readonly name: string;
  /** Layers to list (Sequential omits its InputLayer, as Keras does). */
  readonly layers: Layer[];
  readonly trainableWeights: { size: number }[];
  readonly nonTrainableWeights: { size: number }[];
  getClassName(): string;
}

/**
 * Prints Keras' model summary: a ruled table of layers (name and class), output shapes and
 * parameter counts, plus "Connected to" for non-sequential graphs; then the totals. Column
 * `positions` are fractions of `lineLength` (or absolute columns when > 1). Trailing spaces
 * are trimmed.
 */
export function printSummary(
  model: Summarizable,
  graph: Graph,
  lineLength?: number,
  positions?: number[],
  printFn: (line: string) => void = console.log,
): void {
  const sequentialLike = model.getClassName() === 'Sequential' || isSequentialLike(graph);
  const width = lineLength ?? (sequentialLike ? 65 : 98);
  const fractions = positions ?? (sequentialLike ? [0.45, 0.85, 1] : [0.33, 0.55, 0.67, 1]);
  const cols = fractions[fractions.length - 1] <= 1 ? fractions.map((p) => Math.floor(width * p)) : fractions;
  const headers = ['Layer (type)', 'Output Shape', 'Param #', ...(sequentialLike ? [] : ['Connected to'])];
  const row = (fields: string[]): void => {
    let line = '';
    fields.forEach((field, i) => {
      if (i > 0) line = line.slice(0, -1) + ' ';
      line = (line + field).slice(0, cols[i]);
      line += ' '.repeat(Math.max(0, cols[i] - line.length));
    });
    printFn(line.trimEnd());
  };

  printFn(`Model: "${model.name}"`);
  printFn('_'.repeat(width));
  row(headers);
  printFn('='.repeat(width));
  const layers = model.layers;
  layers.forEach((layer, i) => {
    const first = [
      `${layer.name} (${layer.getClassName()})`,
      outputShapeText(layer, graph),
      String(layer.countParams()),
    ];
    if (sequentialLike) row(first);
    else {
      const connections = connectionsOf(layer, graph);
      row([...first, connections[0] ?? '']);
      for (const c of connections.slice(1)) row(['', '', '', c]);
    }
    printFn((i === layers.length - 1 ? '=' : '_').repeat(width));
  });
  const trainable = model.trainableWeights.reduce((n, w) => n + w.size, 0);
  const nonTrainable = model.nonTrainableWeights.reduce((n, w) => n + w.size, 0);
  printFn(`Total params: ${thousands(trainable + nonTrainable)}`);
  printFn(`Trainable params: ${thousands(trainable)}`);
  printFn(`Non-trainable params: ${thousands(nonTrainable)}`);
  printFn('_'.repeat(width));
}

/** Keras calls a graph sequential-like when it is a chain: one node per depth, one input each, no shared layer. */
function isSequentialLike(graph: Graph): boolean {
  const layersSeen = new Set<Layer>();
  for (const node of graph.nodes) {
    if (node.inputs.length > 1 || layersSeen.has(node.layer)) return false;
    layersSeen.add(node.layer);
  }
  // A chain has exactly one node without inputs and each node feeds the next.
  return graph.nodes.every((node, i) =>
    i === 0 ? node.inputs.length === 0 : node.inputs[0]?.node === graph.nodes[i - 1],
  );
}

/** Python-style shapes, as Keras prints them: `(None, 3)`, `(None,)`; 'multiple' for varying calls. */
function outputShapeText(layer: Layer, graph: Graph): string {
  const nodes = layer.inboundNodes.filter((n) => graph.nodeSet.has(n));
  const texts = [
    ...new Set(
      nodes.map((n) => {
        const shapes = n.outputs.map((t) => pythonShape(t.shape));
        return shapes.length === 1 ? shapes[0] : `[${shapes.join(', ')}]`;
      }),
    ),
  ];
  return texts.length === 1 ? texts[0] : 'multiple';
}

function pythonShape(shape: Shape): string {
  const dims = shape.map((d) => (d === null ? 'None' : String(d)));
  return dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
}

function connectionsOf(layer: Layer, graph: Graph): string[] {
  return layer.inboundNodes
    .filter((n) => graph.nodeSet.has(n))
    .flatMap((n) => n.inputs.map((t) => `${t.sourceLayer.name}[${nodeIndexIn(graph, t.node)}][${t.tensorIndex}]`));
}

function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
