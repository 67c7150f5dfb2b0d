import { StateError, ValueError } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { Tensor } from '../core/tensor.js';
import type { Config } from '../core/config.js';
import { InputLayer } from '../layers/input_layer.js';
import { Layer } from '../layers/layer.js';
import { serializeLayer } from '../layers/registry.js';
import type { Shape, SymbolicTensor } from '../layers/symbolic.js';
import type { ModelData } from '../training/types.js';
import type { Graph } from '../layers/graph.js';
import { LayersModel } from './layers_model.js';
import { MAX_LAYERS } from '../layers/limits.js';

export interface SequentialArgs {
  layers?: Layer[];
  name?: string;
}

/**
 * A linear stack of layers. The first layer's `inputShape` builds the model at once;
 * without one, the model builds the first time it sees data (fit, predict, apply). Adding a
 * layer costs the same however many there are (up to MAX_LAYERS, 20,000): the graph is
 * assembled once, when first used.
 *
 * @example
 * const m = new Sequential();
 * m.add(layers.dense({ units: 16, activation: 'relu', inputShape: [13] }));
 * m.add(layers.dense({ units: 1 }));
 */
export class Sequential extends LayersModel {
  static override readonly className: string = 'Sequential';
  private stack: Layer[] = [];
  private names = new Set<string>();
  private inputLayer: InputLayer | null = null;
  /** The symbolic output after each layer of `stack` (empty until built). */
  private stackOutputs: SymbolicTensor[] = [];

  constructor(args: SequentialArgs = {}) {
    checkOptions('sequential', args, ['layers', 'name']);
    super({ name: args.name });
    for (const layer of args.layers ?? []) this.add(layer);
  }

  /** Appends a layer (an InputLayer may only come first). */
  add(layer: Layer): void {
    if (!(layer instanceof Layer))
      throw new ValueError(
        `Sequential '${this.name}': add() expects a Layer, got ${layer === null ? 'null' : typeof layer}`,
      );
    if (layer instanceof InputLayer) {
      if (this.inputLayer || this.stack.length > 0)
        throw new ValueError(`Sequential '${this.name}': an InputLayer ('${layer.name}') can only be the first layer`);
      this.inputLayer = layer;
      return;
    }
    if (this.names.has(layer.name)) {
      throw new ValueError(
        `Sequential '${this.name}': all layers must have unique names; '${layer.name}' is already the name of a layer in this model`,
      );
    }
    if (this.stack.length >= MAX_LAYERS)
      throw new ValueError(
        `Sequential '${this.name}': cannot add layer '${layer.name}': a model may have at most ${MAX_LAYERS} layers`,
      );
    this.stack.push(layer);
    this.names.add(layer.name);
    if (!this.inputLayer && this.stack.length === 1 && layer.batchInputShape) {
      this.inputLayer = new InputLayer({ batchInputShape: layer.batchInputShape, dtype: layer.dtype });
    }
    if (this.inputLayer) this.connect(layer);
  }

  /** Removes the last layer. */
  pop(): void {
    const popped = this.stack.pop();
    if (!popped) throw new ValueError(`Sequential '${this.name}': there are no layers to pop`);
    this.names.delete(popped.name);
    if (this.stackOutputs.length === 0) return;
    this.stackOutputs.pop();
    this.graph = null;
    if (this.stackOutputs.length === 0) this.built = false;
  }

  private connect(layer: Layer): void {
    const previous = this.stackOutputs[this.stackOutputs.length - 1] ?? (this.inputLayer?.output as SymbolicTensor);
    const out = layer.apply(previous);
    if (Array.isArray(out)) {
      this.names.delete((this.stack.pop() as Layer).name);
      throw new ValueError(
        `Sequential '${this.name}': layer '${layer.name}' returns ${out.length} tensors; every layer of a Sequential model must have one output (use the functional API)`,
      );
    }
    this.stackOutputs.push(out);
    // The graph is assembled when first used: rebuilding it on every add made building quadratic.
    this.graph = null;
    this.setInputSpec([this.inputLayer?.output as SymbolicTensor]);
  }

  /** True once every layer is applied to the input (the graph can be assembled). */
  private get wired(): boolean {
    return this.stackOutputs.length > 0;
  }

  protected override requireGraph(): Graph {
    if (!this.graph && this.wired)
      this.setGraph([this.inputLayer?.output as SymbolicTensor], [this.stackOutputs[this.stackOutputs.length - 1]]);
    return super.requireGraph();
  }

  /** Wires every layer from an input of `batchInputShape` (deferred build). */
  private buildWith(batchInputShape: Shape): void {
    if (this.stack.length === 0)
      throw new StateError(`Sequential '${this.name}' has no layers; add() some before using it`);
    this.inputLayer ??= new InputLayer({ batchInputShape, dtype: this.stack[0].dtype });
    for (const layer of this.stack.slice(this.stackOutputs.length)) this.connect(layer);
  }

  /** The layers added (without the InputLayer, as in Keras). */
  override get layers(): Layer[] {
    return [...this.stack];
  }

  protected override weightLayers(): Layer[] {
    return this.stack;
  }

  override get outputNames(): string[] {
    if (!this.wired && this.stack.length > 0) return [this.stack[this.stack.length - 1].name];
    return super.outputNames;
  }

  override build(inputShape: Shape | Shape[]): void {
    // The batch size of the first call must not be baked into the model's input.
    if (!this.wired) this.buildWith([null, ...(inputShape as Shape).slice(1)]);
  }

  protected override graphFor(inputs: Tensor[]): Graph {
    if (!this.wired && inputs.length === 1) this.buildWith([null, ...inputs[0].shape.slice(1)]);
    return this.requireGraph();
  }

  protected override buildFromData(x: ModelData): void {
    if (this.wired) return;
    const first = x instanceof Tensor ? x : Array.isArray(x) ? x[0] : Object.values(x ?? {})[0];
    if (first instanceof Tensor) this.buildWith([null, ...first.shape.slice(1)]);
  }

  /** `{name, layers}`, the InputLayer first when the model is built (Keras 3). */
  override getConfig(): Config {
    const layers = [...(this.inputLayer ? [this.inputLayer] : []), ...this.stack].map(serializeLayer);
    return { name: this.name, layers };
  }
}

/**
 * Creates a Sequential model.
 * @example
 * const m = sequential({ layers: [layers.dense({ units: 1, inputShape: [3] })] });
 */
export function sequential(args: SequentialArgs = {}): Sequential {
  return new Sequential(args);
}
