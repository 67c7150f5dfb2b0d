import { fmtList, StateError, ValueError } from '../core/errors.js';
import { checkOptions, optionKeys } from '../core/options.js';
import type { Tensor } from '../core/tensor.js';
import type { Variable } from '../core/variable.js';
import type { Config } from '../core/config.js';
import type { SaveOptions } from '../io/native.js';
import type { SaveHandler, SaveResult } from '../io/tfjs_artifacts.js';
import { Layer, type CallArgs, type DisposeResult } from '../layers/layer.js';
import { collectLosses } from '../layers/losses_collector.js';
import type { Shape, SymbolicTensor } from '../layers/symbolic.js';
import {
  compileModel,
  evaluateDatasetModel,
  evaluateModel,
  fitDatasetModel,
  fitModel,
  predictModel,
  releaseInferenceCaptures,
  trainOnBatchModel,
  type CompiledState,
  type TrainableModel,
} from '../training/index.js';
import type {
  BatchDataset,
  CompileArgs,
  EvaluateArgs,
  FitArgs,
  FitDatasetArgs,
  ModelData,
  PredictArgs,
} from '../training/types.js';
import { buildGraph, executeGraph, inferGraphShapes, type Graph } from '../layers/graph.js';
import { EVALUATE_OPTIONS, FIT_DATASET_OPTIONS, FIT_OPTIONS, PREDICT_OPTIONS } from '../training/types.js';
import { functionalConfig } from './model_config.js';
import { printSummary } from './summary.js';

export interface ModelArgs {
  inputs: SymbolicTensor | SymbolicTensor[];
  outputs: SymbolicTensor | SymbolicTensor[];
  name?: string;
}

/** The keys of `ModelArgs`. */
export const MODEL_OPTIONS = optionKeys<ModelArgs>({ inputs: true, outputs: true, name: true });

/**
 * A model made of layers wired as a graph (Keras' functional `Model`): any DAG, several inputs
 * and outputs, shared layers. Training, evaluation and prediction are the trainer's, written
 * once for every model; a model is also a layer, so it can be called inside another model.
 *
 * @example
 * const x = input({ shape: [4] });
 * const h = layers.dense({ units: 8, activation: 'relu' }).apply(x) as SymbolicTensor;
 * const m = model({ inputs: x, outputs: layers.dense({ units: 1 }).apply(h) as SymbolicTensor });
 * m.compile({ optimizer: 'adam', loss: 'mse' });
 * await m.fit(xs, ys, { epochs: 10 });
 */
export class LayersModel extends Layer implements TrainableModel {
  static override readonly className: string = 'Functional';
  stopTraining = false;
  compiled?: CompiledState;
  protected graph: Graph | null = null;

  constructor(args: Partial<ModelArgs> = {}) {
    super({ name: args.name });
    if (new.target === LayersModel) checkOptions('model', args, MODEL_OPTIONS);
    if (args.inputs !== undefined || args.outputs !== undefined || new.target === LayersModel) {
      if (args.inputs === undefined || args.outputs === undefined) {
        throw new ValueError(
          `Model '${this.name}': both 'inputs' and 'outputs' are required (symbolic tensors from input() and layer.apply)`,
        );
      }
      this.setGraph(toList(args.inputs), toList(args.outputs));
    }
  }

  /** (Re)wires the model; used by the constructor and by Sequential as layers are added. */
  protected setGraph(inputs: SymbolicTensor[], outputs: SymbolicTensor[]): void {
    if (inputs.length === 0) throw new ValueError(`Model '${this.name}': 'inputs' is empty`);
    if (outputs.length === 0) throw new ValueError(`Model '${this.name}': 'outputs' is empty`);
    this.graph = buildGraph(inputs, outputs, this.name);
    this.setInputSpec(inputs);
  }

  /** Records the input shapes and marks the model built (Sequential does this without rebuilding its graph). */
  protected setInputSpec(inputs: SymbolicTensor[]): void {
    const shapes = inputs.map((t) => t.shape);
    this.builtInputShape = shapes.length === 1 ? shapes[0] : shapes;
    this.inputSpec = shapes.map((s) => ({
      ndim: s.length,
      axes: Object.fromEntries(s.map((d, i) => [i, d]).filter(([i, d]) => i !== 0 && d !== null)),
    }));
    this.built = true;
  }

  /** The graph, or a StateError explaining how to build the model. */
  protected requireGraph(): Graph {
    if (!this.graph) {
      throw new StateError(
        `Model '${this.name}' has not been built yet: give its first layer an inputShape, or call it on data (fit, predict) first`,
      );
    }
    return this.graph;
  }

  /** The model's symbolic inputs. */
  get inputs(): SymbolicTensor[] {
    return [...this.requireGraph().inputs];
  }

  /** The model's symbolic outputs. */
  get outputs(): SymbolicTensor[] {
    return [...this.requireGraph().outputs];
  }

  /** The model's output shape (a list for several outputs), as Keras' `model.output_shape`. */
  override get outputShape(): Shape | Shape[] {
    const shapes = this.outputShapes;
    return shapes.length === 1 ? shapes[0] : shapes;
  }

  /** The model's symbolic output (a list for several outputs). */
  override get output(): SymbolicTensor | SymbolicTensor[] {
    const outs = this.outputs;
    return outs.length === 1 ? outs[0] : outs;
  }

  /** Every layer, inputs first (Keras order). */
  get layers(): Layer[] {
    return [...this.requireGraph().layers];
  }

  get inputNames(): string[] {
    return this.requireGraph().inputs.map((t) => t.sourceLayer.name);
  }

  get inputShapes(): Shape[] {
    return this.requireGraph().inputs.map((t) => [...t.shape]);
  }

  /** One name per output: the producing layer's, suffixed `_1`, `_2` when a layer repeats (as Keras). */
  get outputNames(): string[] {
    const seen = new Map<string, number>();
    return this.requireGraph().outputs.map((t) => {
      const n = seen.get(t.sourceLayer.name) ?? 0;
      seen.set(t.sourceLayer.name, n + 1);
      return n === 0 ? t.sourceLayer.name : `${t.sourceLayer.name}_${n}`;
    });
  }

  get outputShapes(): Shape[] {
    return this.requireGraph().outputs.map((t) => [...t.shape]);
  }

  /** The optimizer chosen by `compile` (undefined before). */
  get optimizer(): CompiledState['optimizer'] | undefined {
    return this.compiled?.optimizer;
  }

  /** Names of what `evaluate` returns and `fit` logs: 'loss', then per-output losses and metrics. */
  get metricsNames(): string[] {
    return this.compiled ? [...this.compiled.metricsNames] : [];
  }

  /** A model's weights are its layers': a layer it runs is never counted again as a called one. */
  protected override managesSublayer(layer: Layer): boolean {
    void layer;
    return true;
  }

  /** Layers the model reads weights from (Sequential: its layers; functional: the graph's). */
  protected weightLayers(): Layer[] {
    return this.graph ? this.graph.layers : [];
  }

  override get trainable(): boolean {
    return super.trainable;
  }

  /** Freezing a model freezes every layer in it (Keras). */
  override set trainable(value: boolean) {
    super.trainable = value;
    for (const layer of this.weightLayers()) layer.trainable = value;
  }

  /** Every weight once (shared layers count once), layer by layer. */
  override get weights(): Variable[] {
    return [...new Set(this.weightLayers().flatMap((l) => l.weights))];
  }

  override get trainableWeights(): Variable[] {
    return this.trainable ? this.weights.filter((v) => v.trainable) : [];
  }

  override get nonTrainableWeights(): Variable[] {
    const trainable = new Set(this.trainableWeights);
    return this.weights.filter((v) => !trainable.has(v));
  }

  override weightRegularizationLosses(): Tensor[] {
    return this.weightLayers().flatMap((l) => l.weightRegularizationLosses());
  }

  override countParams(): number {
    return this.weights.reduce((n, w) => n + w.size, 0);
  }

  /**
   * Runs the model on one tensor per input; returns the outputs and the regularization
   * penalties of this pass (weight regularizers, then activity regularizers).
   */
  forward(inputs: Tensor[], training: boolean): { outputs: Tensor[]; regularizationLosses: Tensor[] } {
    const graph = this.graphFor(inputs);
    if (inputs.length !== graph.inputs.length) {
      throw new ValueError(
        `Model '${this.name}' expects ${graph.inputs.length} input(s) (${fmtList(this.inputNames)}), got ${inputs.length}`,
      );
    }
    const { result, losses } = collectLosses(() => this.run(graph, inputs, training));
    return { outputs: result, regularizationLosses: [...this.weightRegularizationLosses(), ...losses] };
  }

  /** The graph to run `inputs` through (Sequential builds it here from the data's shape). */
  protected graphFor(inputs: Tensor[]): Graph {
    void inputs;
    return this.requireGraph();
  }

  private run(graph: Graph, inputs: Tensor[], training: boolean): Tensor[] {
    inputs.forEach((t, i) => this.checkInputShape(i, t.shape));
    return executeGraph(graph, inputs, training);
  }

  call(inputs: Tensor | Tensor[], kwargs: CallArgs): Tensor | Tensor[] {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    const graph = this.graphFor(list);
    if (list.length !== graph.inputs.length) {
      throw new ValueError(
        `Model '${this.name}' expects ${graph.inputs.length} input(s) (${fmtList(this.inputNames)}), got ${list.length}`,
      );
    }
    const outs = executeGraph(graph, list, kwargs.training ?? false);
    return outs.length === 1 ? outs[0] : outs;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const graph = this.requireGraph();
    const shapes = graph.inputs.length === 1 ? [inputShape as Shape] : (inputShape as Shape[]);
    const outs = inferGraphShapes(graph, shapes);
    return outs.length === 1 ? outs[0] : outs;
  }

  /**
   * A layer by name or by index in `layers`.
   * @example model.getLayer('dense_1').getWeights();
   */
  getLayer(nameOrIndex: string | number): Layer {
    const layers = this.layers;
    if (typeof nameOrIndex === 'number') {
      if (!Number.isInteger(nameOrIndex) || nameOrIndex < 0 || nameOrIndex >= layers.length) {
        throw new ValueError(
          `Model '${this.name}': layer index ${nameOrIndex} is out of range; the model has ${layers.length} layers (0 to ${layers.length - 1})`,
        );
      }
      return layers[nameOrIndex];
    }
    const found = layers.find((l) => l.name === nameOrIndex);
    if (!found)
      throw new ValueError(
        `Model '${this.name}' has no layer named '${nameOrIndex}'; its layers are ${fmtList(layers.map((l) => l.name))}`,
      );
    return found;
  }

  /** Builds from data before training when the model still needs an input shape (Sequential). */
  protected buildFromData(x: ModelData): void {
    void x;
  }

  /** Configures training. @example model.compile({ optimizer: 'adam', loss: 'mse', metrics: ['mae'] }) */
  compile(args: CompileArgs): void {
    this.assertNotDisposed('compile');
    compileModel(this, args);
  }

  /** Trains for a number of epochs. @example const history = await model.fit(x, y, { epochs: 10, batchSize: 32 }); */
  async fit(x: ModelData, y: ModelData, args?: FitArgs): ReturnType<typeof fitModel> {
    this.assertNotDisposed('fit');
    checkOptions('fit', args, FIT_OPTIONS);
    this.buildFromData(x);
    return fitModel(this, x, y, args);
  }

  /** Loss and metrics on data (inference mode). @example const [loss, mae] = model.evaluate(x, y) as Tensor[]; */
  evaluate(x: ModelData, y: ModelData, args?: EvaluateArgs): Tensor | Tensor[] {
    this.assertNotDisposed('evaluate');
    checkOptions('evaluate', args, EVALUATE_OPTIONS);
    this.buildFromData(x);
    return evaluateModel(this, x, y, args);
  }

  /** Outputs for `x` in inference mode, in batches. @example const yHat = model.predict(x) as Tensor; */
  predict(x: ModelData, args?: PredictArgs): Tensor | Tensor[] {
    this.assertNotDisposed('predict');
    checkOptions('predict', args, PREDICT_OPTIONS);
    this.buildFromData(x);
    return predictModel(this, x, args);
  }

  /** One optimizer step on one batch; returns the loss (and metrics). */
  async trainOnBatch(x: ModelData, y: ModelData): Promise<number | number[]> {
    this.assertNotDisposed('trainOnBatch');
    this.buildFromData(x);
    return trainOnBatchModel(this, x, y);
  }

  /** Trains on an iterable of `{xs, ys}` batches. */
  async fitDataset(dataset: BatchDataset, args: FitDatasetArgs = {}): ReturnType<typeof fitDatasetModel> {
    this.assertNotDisposed('fitDataset');
    checkOptions('fitDataset', args, FIT_DATASET_OPTIONS);
    return fitDatasetModel(this, dataset, args);
  }

  /** Loss and metrics over an iterable of batches. */
  async evaluateDataset(
    dataset: BatchDataset,
    args?: Parameters<typeof evaluateDatasetModel>[2],
  ): Promise<Tensor | Tensor[]> {
    this.assertNotDisposed('evaluateDataset');
    checkOptions('evaluateDataset', args, ['batches']);
    return evaluateDatasetModel(this, dataset, args);
  }

  /**
   * Prints Keras' table of layers, output shapes and parameter counts.
   * @example model.summary(); model.summary(80, undefined, (line) => lines.push(line));
   */
  summary(lineLength?: number, positions?: number[], printFn: (line: string) => void = console.log): void {
    printSummary(this, this.requireGraph(), lineLength, positions, printFn);
  }

  /**
   * Saves the model. A plain path (Node) writes Myelin's native format: a directory with
   * model.json + model.safetensors, or one `.safetensors` file; a compiled model keeps its
   * optimizer state (load with `loadModel`). TF.js' URLs write TF.js' layers format:
   * `file://dir` (Node), `indexeddb://name`, `localstorage://name`, `downloads://name`
   * (browsers), `http(s)://` (a POST of the files); a TF.js save handler gets the artifacts.
   * Any other scheme is an error.
   * @example await model.save('out/boston'); await model.save('indexeddb://boston');
   */
  async save(pathOrUrl: string | SaveHandler, options?: SaveOptions): Promise<SaveResult> {
    // Imported on use, so that pages which never save never load the saving code.
    const { saveModelTo } = await import('../io/model_urls.js');
    return saveModelTo(this, pathOrUrl, options);
  }

  /**
   * Frees the model's weights and its optimizer's state now, as TF.js `LayersModel.dispose`
   * does; the model cannot be used afterwards. Layers shared with another model lose their
   * weights too.
   * @example const { numDisposedVariables } = model.dispose();
   */
  override dispose(): DisposeResult {
    if (this.isDisposed) throw new StateError(`Model '${this.name}' is already disposed`);
    let numDisposedVariables = super.dispose().numDisposedVariables;
    for (const layer of this.graph?.layers ?? [])
      if (!layer.isDisposed) numDisposedVariables += layer.dispose().numDisposedVariables;
    this.compiled?.optimizer.dispose();
    releaseInferenceCaptures(this);
    return { refCountAfterDispose: 0, numDisposedVariables };
  }

  private assertNotDisposed(call: string): void {
    if (this.isDisposed)
      throw new StateError(`${call}: model '${this.name}' was disposed (model.dispose()); its weights are freed`);
  }

  /** A model's options are those of `model()` (Sequential: `sequential()`), not its config's. */
  override acceptedOptions(): readonly string[] {
    return MODEL_OPTIONS;
  }

  /** Keras-style config: layers with class names and configs, inbound nodes, input and output layers. */
  override getConfig(): Config {
    return functionalConfig(this.name, this.requireGraph());
  }
}

function toList<T>(x: T | T[]): T[] {
  return Array.isArray(x) ? [...x] : [x];
}
