import { ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { Variable } from '../core/variable.js';
import {
  fusedActivation,
  getActivation,
  serializeActivation,
  type Activation,
  type ActivationIdentifier,
} from '../activations/index.js';
import { getConstraint, serializeConstraint, type ConstraintIdentifier } from '../constraints/registry.js';
import type { Constraint } from '../constraints/constraint.js';
import type { Config } from '../core/config.js';
import { getInitializer, serializeInitializer, type InitializerIdentifier } from '../initializers/registry.js';
import type { Initializer } from '../initializers/initializer.js';
import { add } from '../ops/prims/binary.js';
import { linearFused } from '../ops/prims/linear.js';
import { matMul } from '../ops/prims/matmul.js';
import { reshape } from '../ops/prims/shape_ops.js';
import { getRegularizer, serializeRegularizer, type RegularizerIdentifier } from '../regularizers/registry.js';
import type { Regularizer } from '../regularizers/regularizer.js';
import { Layer, type LayerArgs } from './layer.js';
import { registerLayerClass } from './registry.js';
import type { Shape } from './symbolic.js';

export interface DenseArgs extends LayerArgs {
  units: number;
  activation?: ActivationIdentifier;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  biasRegularizer?: RegularizerIdentifier | null;
  kernelConstraint?: ConstraintIdentifier | null;
  biasConstraint?: ConstraintIdentifier | null;
  /** TF.js shorthand for `inputShape: [inputDim]`. */
  inputDim?: number;
}

/**
 * `activation(x · kernel + bias)` over the last axis; the kernel is [inputDim, units] as in
 * Keras. Inputs of rank > 2 are transformed along their last axis.
 *
 * @example
 * const layer = new Dense({ units: 3, activation: 'relu', inputShape: [4] });
 * layer.apply(ones([2, 4])); // shape [2, 3]
 */
export class Dense extends Layer {
  static override readonly className: string = 'Dense';
  readonly units: number;
  readonly activation: Activation;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  readonly kernelConstraint: Constraint | null;
  readonly biasConstraint: Constraint | null;
  kernel: Variable | null = null;
  bias: Variable | null = null;

  constructor(args: DenseArgs) {
    const inputShape = args?.inputShape ?? (args?.inputDim !== undefined ? [args.inputDim] : undefined);
    super({ ...args, inputShape });
    if (!Number.isInteger(args.units) || args.units <= 0)
      throw new ValueError(
        `Dense '${this.name}': 'units' must be a positive integer, got ${JSON.stringify(args.units)}`,
      );
    this.units = args.units;
    this.supportsMasking = true; // as in Keras 3: the input mask passes through
    this.activation = getActivation(args.activation);
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = getInitializer(args.kernelInitializer ?? 'glorotUniform');
    this.biasInitializer = getInitializer(args.biasInitializer ?? 'zeros');
    this.kernelRegularizer = args.kernelRegularizer ? getRegularizer(args.kernelRegularizer) : null;
    this.biasRegularizer = args.biasRegularizer ? getRegularizer(args.biasRegularizer) : null;
    this.kernelConstraint = args.kernelConstraint ? getConstraint(args.kernelConstraint) : null;
    this.biasConstraint = args.biasConstraint ? getConstraint(args.biasConstraint) : null;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = inputShape as Shape;
    const inputDim = shape[shape.length - 1];
    if (shape.length < 1 || inputDim === null || inputDim === undefined) {
      throw new ValueError(
        `Dense '${this.name}': the last dimension of the input must be known, got input shape ${fmtShape(shape)}`,
      );
    }
    this.kernel = this.addWeight(
      'kernel',
      [inputDim, this.units],
      undefined,
      this.kernelInitializer,
      this.kernelRegularizer,
      true,
      this.kernelConstraint,
    );
    if (this.useBias)
      this.bias = this.addWeight(
        'bias',
        [this.units],
        undefined,
        this.biasInitializer,
        this.biasRegularizer,
        true,
        this.biasConstraint,
      );
    this.inputSpec = [{ minNdim: 2, axes: { [-1]: inputDim } }];
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    const kernel = this.kernel as Variable;
    // Product, bias and ReLU in one kernel where the backend has it; other activations after it.
    // Rank > 2: fold the leading axes into rows, multiply, unfold (reshapes are views).
    const rows = x.rank === 2 ? x : reshape(x, [-1, x.shape[x.rank - 1]]);
    const unfold = (y: Tensor) => (x.rank === 2 ? y : reshape(y, [...x.shape.slice(0, -1), this.units]));
    const fusable = fusedActivation(this.activation);
    const fused = linearFused(rows, kernel, this.bias, fusable ?? 'linear');
    if (fused) return unfold(fusable ? fused : this.activation.apply(fused));
    let y = unfold(matMul(rows, kernel));
    if (this.bias) y = add(y, this.bias);
    return this.activation.apply(y);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(inputShape as Shape).slice(0, -1), this.units];
  }

  /** `inputDim` (TF.js' shorthand) is accepted but saved as `batchInputShape`. */
  override acceptedOptions(): readonly string[] {
    return [...super.acceptedOptions(), 'inputDim'];
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: serializeActivation(this.activation),
      useBias: this.useBias,
      kernelInitializer: serializeInitializer(this.kernelInitializer),
      biasInitializer: serializeInitializer(this.biasInitializer),
      kernelRegularizer: this.kernelRegularizer && serializeRegularizer(this.kernelRegularizer),
      biasRegularizer: this.biasRegularizer && serializeRegularizer(this.biasRegularizer),
      kernelConstraint: this.kernelConstraint && serializeConstraint(this.kernelConstraint),
      biasConstraint: this.biasConstraint && serializeConstraint(this.biasConstraint),
    };
  }
}

registerLayerClass(Dense);
