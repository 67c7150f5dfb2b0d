import { ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { Variable } from '../core/variable.js';
import { getConstraint, serializeConstraint, type ConstraintIdentifier } from '../constraints/registry.js';
import type { Constraint } from '../constraints/constraint.js';
import type { Config } from '../core/config.js';
import type { Initializer } from '../initializers/initializer.js';
import { getInitializer, serializeInitializer, type InitializerIdentifier } from '../initializers/registry.js';
import { notEqual } from '../ops/prims/binary.js';
import { checkValues } from '../ops/check.js';
import { gather } from '../ops/prims/gather.js';
import { cast } from '../ops/prims/shape_ops.js';
import { getRegularizer, serializeRegularizer, type RegularizerIdentifier } from '../regularizers/registry.js';
import type { Regularizer } from '../regularizers/regularizer.js';
import { Layer, type LayerArgs } from './layer.js';
import { registerLayerClass } from './registry.js';
import type { Shape } from './symbolic.js';

export interface EmbeddingArgs extends LayerArgs {
  /** Vocabulary size: ids must lie in [0, inputDim). */
  inputDim: number;
  /** Size of each embedding vector. */
  outputDim: number;
  /** Treat id 0 as padding: the layer emits a mask that recurrent layers honour. */
  maskZero?: boolean;
  /** Fixed sequence length (TF.js shorthand for `inputShape: [inputLength]`). */
  inputLength?: number | null;
  embeddingsInitializer?: InitializerIdentifier;
  embeddingsRegularizer?: RegularizerIdentifier | null;
  embeddingsConstraint?: ConstraintIdentifier | null;
}

/**
 * Maps integer ids to dense vectors: row `id` of an [inputDim, outputDim] table (Keras
 * `Embedding`). Input [batch, ...] of ids, output [batch, ..., outputDim]. The gradient is
 * gather's scatter-add, so repeated ids accumulate.
 *
 * @example
 * const emb = new Embedding({ inputDim: 100, outputDim: 8, maskZero: true });
 * emb.apply(tensor([[4, 7, 0]], undefined, 'int32')); // shape [1, 3, 8]
 */
export class Embedding extends Layer {
  static override readonly className: string = 'Embedding';
  readonly inputDim: number;
  readonly outputDim: number;
  readonly maskZero: boolean;
  readonly inputLength: number | null;
  readonly embeddingsInitializer: Initializer;
  readonly embeddingsRegularizer: Regularizer | null;
  readonly embeddingsConstraint: Constraint | null;
  embeddings: Variable | null = null;

  constructor(args: EmbeddingArgs) {
    const inputLength = args?.inputLength ?? null;
    const inputShape =
      args?.inputShape ?? (args?.batchInputShape ? undefined : inputLength !== null ? [inputLength] : undefined);
    super({ ...args, inputShape });
    for (const key of ['inputDim', 'outputDim'] as const) {
      if (!Number.isInteger(args[key]) || args[key] <= 0)
        throw new ValueError(
          `${this.getClassName()} '${this.name}': '${key}' must be a positive integer, got ${JSON.stringify(args[key])}`,
        );
    }
    this.inputDim = args.inputDim;
    this.outputDim = args.outputDim;
    this.maskZero = args.maskZero ?? false;
    this.inputLength = inputLength;
    this.embeddingsInitializer = getInitializer(args.embeddingsInitializer ?? 'randomUniform');
    this.embeddingsRegularizer = args.embeddingsRegularizer ? getRegularizer(args.embeddingsRegularizer) : null;
    this.embeddingsConstraint = args.embeddingsConstraint ? getConstraint(args.embeddingsConstraint) : null;
    this.supportsMasking = this.maskZero;
  }

  override build(): void {
    this.embeddings = this.addWeight(
      'embeddings',
      [this.inputDim, this.outputDim],
      undefined,
      this.embeddingsInitializer,
      this.embeddingsRegularizer,
      true,
      this.embeddingsConstraint,
    );
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    const ids = this.checkedIds(inputs as Tensor);
    return gather(this.embeddings as Variable, ids, 0);
  }

  /** Ids as int32, after checking each lies in [0, inputDim) and is a whole number. */
  private checkedIds(x: Tensor): Tensor {
    checkValues(x, (values) => {
      for (let i = 0; i < values.length; i++) {
        const id = values[i];
        if (!Number.isInteger(id) || id < 0 || id >= this.inputDim) {
          throw new ValueError(
            `${this.getClassName()} '${this.name}': token id ${id} (at flat position ${i} of input shape ${fmtShape(x.shape)}) is outside the vocabulary; expected integers in [0, ${this.inputDim}) (inputDim ${this.inputDim})`,
          );
        }
      }
    });
    return x.dtype === 'int32' ? x : cast(x, 'int32');
  }

  override computeMask(inputs: Tensor | Tensor[]): Tensor | null {
    return this.maskZero ? notEqual(inputs as Tensor, 0) : null;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(inputShape as Shape), this.outputDim];
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      inputDim: this.inputDim,
      outputDim: this.outputDim,
      maskZero: this.maskZero,
      inputLength: this.inputLength,
      embeddingsInitializer: serializeInitializer(this.embeddingsInitializer),
      embeddingsRegularizer: this.embeddingsRegularizer && serializeRegularizer(this.embeddingsRegularizer),
      embeddingsConstraint: this.embeddingsConstraint && serializeConstraint(this.embeddingsConstraint),
    };
  }
}

registerLayerClass(Embedding);
