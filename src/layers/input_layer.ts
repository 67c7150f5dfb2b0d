import { checkOptions, optionKeys } from '../core/options.js';
import { getFloatX, type DType } from '../core/dtype.js';
import { ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { Config } from '../core/config.js';
import { checkShapeArg, Layer } from './layer.js';
import { registerLayerClass } from './registry.js';
import { Node, SymbolicTensor, type Shape } from './symbolic.js';

export interface InputLayerArgs {
  /** Shape of one sample, without the batch dimension. */
  inputShape?: Shape;
  batchSize?: number;
  /** Full shape including the batch dimension; use instead of inputShape/batchSize. */
  batchInputShape?: Shape;
  dtype?: DType;
  name?: string;
  sparse?: boolean;
}

const INPUT_LAYER_OPTIONS = optionKeys<InputLayerArgs>({
  inputShape: true,
  batchSize: true,
  batchInputShape: true,
  dtype: true,
  name: true,
  sparse: true,
});

/**
 * The entry point of a functional model: a layer with no inputs whose output is a
 * SymbolicTensor. Usually created through `input()`.
 *
 * @example
 * const layer = new InputLayer({ inputShape: [4] }); // layer.output: SymbolicTensor [null, 4]
 */
export class InputLayer extends Layer {
  static override readonly className: string = 'InputLayer';
  readonly sparse: boolean;

  constructor(args: InputLayerArgs) {
    checkOptions('InputLayer', args, INPUT_LAYER_OPTIONS);
    checkShapeArg(args.inputShape, 'inputShape', 'InputLayer');
    checkShapeArg(args.batchInputShape, 'batchInputShape', 'InputLayer');
    const batchInputShape =
      args.batchInputShape ?? (args.inputShape ? [args.batchSize ?? null, ...args.inputShape] : undefined);
    if (!batchInputShape)
      throw new ValueError(
        `InputLayer: give 'inputShape' (shape of one sample) or 'batchInputShape', got ${JSON.stringify(args)}`,
      );
    if (args.batchInputShape && args.inputShape)
      throw new ValueError(`InputLayer: give only one of 'inputShape' and 'batchInputShape'`);
    super({ name: args.name, batchInputShape, dtype: args.dtype ?? getFloatX(), trainable: false });
    if (args.sparse) throw new ValueError(`InputLayer '${this.name}': sparse inputs are not supported`);
    this.sparse = false;
    this.built = true;
    const node = new Node(this, []);
    node.outputs = [new SymbolicTensor(this.dtype, batchInputShape, this, node, 0)];
    this.inboundNodes.push(node);
  }

  call(inputs: Tensor | Tensor[]): Tensor | Tensor[] {
    return inputs;
  }

  override getConfig(): Config {
    return {
      batchInputShape: [...(this.batchInputShape as Shape)],
      dtype: this.dtype,
      sparse: this.sparse,
      name: this.name,
    };
  }
}

registerLayerClass(InputLayer);

export interface InputArgs {
  /** Shape of one sample, without the batch dimension (`null` for unknown sizes). */
  shape?: Shape;
  /** Shape including the batch dimension. */
  batchShape?: Shape;
  batchSize?: number;
  name?: string;
  dtype?: DType;
}

/**
 * A symbolic input for a functional model.
 * @example
 * const x = input({ shape: [13] });
 * const y = layers.dense({ units: 1 }).apply(x) as SymbolicTensor;
 * const m = model({ inputs: x, outputs: y });
 */
export function input(args: InputArgs): SymbolicTensor {
  checkOptions(
    'input',
    args,
    optionKeys<InputArgs>({ shape: true, batchShape: true, batchSize: true, name: true, dtype: true }),
  );
  checkShapeArg(args?.shape, 'shape', 'input');
  checkShapeArg(args?.batchShape, 'batchShape', 'input');
  if (!args || (!args.shape && !args.batchShape))
    throw new ValueError(
      `input: give 'shape' (shape of one sample, e.g. [13]) or 'batchShape', got ${JSON.stringify(args)}`,
    );
  if (args.shape && args.batchShape)
    throw new ValueError(
      `input: give only one of 'shape' ${fmtShape(args.shape)} and 'batchShape' ${fmtShape(args.batchShape)}`,
    );
  const layer = new InputLayer({
    inputShape: args.shape,
    batchInputShape: args.batchShape,
    batchSize: args.batchSize,
    name: args.name,
    dtype: args.dtype,
  });
  return layer.output as SymbolicTensor;
}
