import { StateError, ValueError } from '../core/errors.js';
import type { Config } from '../core/config.js';
import type { Tensor } from '../core/tensor.js';
import { zeros } from '../ops/creation.js';
import { noGrad } from '../autograd/tape.js';
import { BASE_LAYER_OPTIONS, Layer, isShapeList, type CallArgs, type LayerArgs } from './layer.js';
import type { Shape } from './symbolic.js';

/** What a Lambda layer computes: TypeScript code on the layer's input tensor (or list of them). */
export type LambdaFunction = (inputs: Tensor | Tensor[], args: Config) => Tensor | Tensor[];

export interface LambdaArgs extends LayerArgs {
  /** The computation, `(inputs, args) => outputs`, built from Myelin's differentiable ops. */
  function: LambdaFunction;
  /**
   * The output shape without the batch (or a function of the input shape with it); inferred by
   * running the function on zeros when omitted.
   */
  outputShape?: Shape | ((inputShape: Shape | Shape[]) => Shape | Shape[]) | null;
  /** The output mask: a function `(inputs, mask) => mask`; none when omitted. */
  mask?: ((inputs: Tensor | Tensor[], mask: Tensor | Tensor[] | null) => Tensor | Tensor[] | null) | null;
  /** Extra values passed to the function as its second argument. */
  arguments?: Config;
}

/**
 * Wraps TypeScript code as a layer (Keras' `Lambda`), for a small step that needs no weights:
 * it works in models built in a program (and gradients flow through it when the code uses
 * Myelin's ops), but code cannot be stored, so a model holding one cannot be saved; rebuild
 * the step as a registered custom layer to save it. Files with Keras Lambda layers (Python
 * code) are refused when loaded.
 * @example
 * const double = layers.lambda({ function: (x) => mul(x as Tensor, 2) });
 * double.apply(tensor([1, 2])); // [2, 4]
 */
export class Lambda extends Layer {
  static override readonly className: string = 'Lambda';
  readonly fn: LambdaFunction;
  readonly fixedOutputShape: LambdaArgs['outputShape'];
  readonly maskFn: LambdaArgs['mask'];
  readonly arguments: Config;

  constructor(args: LambdaArgs) {
    super(args);
    if (typeof args?.function !== 'function')
      throw new ValueError(
        `Lambda '${this.name}': 'function' must be a function (inputs, args) => outputs, got ${typeof args?.function}`,
      );
    this.fn = args.function;
    this.fixedOutputShape = args.outputShape ?? null;
    this.maskFn = args.mask ?? null;
    this.arguments = { ...(args.arguments ?? {}) };
  }

  call(inputs: Tensor | Tensor[]): Tensor | Tensor[] {
    return this.fn(inputs, this.arguments);
  }

  override computeMask(
    inputs: Tensor | Tensor[],
    mask: Tensor | Tensor[] | null | undefined,
  ): Tensor | Tensor[] | null {
    return this.maskFn ? this.maskFn(inputs, mask ?? null) : null;
  }

  /**
   * The given output shape, or the function's output shape on zeros: run with unknown axes at 2
   * and then at 3, an output axis that changes with them is unknown too.
   */
  override computeOutputShape(inputShape: Shape | Shape[], callArgs?: CallArgs): Shape | Shape[] {
    void callArgs;
    const given = this.fixedOutputShape;
    if (typeof given === 'function') return given(inputShape);
    const batch = (isShapeList(inputShape) ? inputShape[0] : inputShape)[0] ?? null;
    if (given) return [batch, ...given];
    const probe = (fill: number): number[][] =>
      noGrad(() => {
        const shapes = isShapeList(inputShape) ? inputShape : [inputShape];
        const xs = shapes.map((s) => zeros(s.map((d) => d ?? fill)));
        const out = this.fn(xs.length === 1 && !isShapeList(inputShape) ? xs[0] : xs, this.arguments);
        return (Array.isArray(out) ? out : [out]).map((t) => [...t.shape]);
      });
    const [a, b] = [probe(2), probe(3)];
    const shapes = a.map((s, k) => s.map((d, i) => (i === 0 ? batch : d === b[k][i] ? d : null)));
    return shapes.length === 1 ? shapes[0] : shapes;
  }

  override acceptedOptions(): readonly string[] {
    return [...BASE_LAYER_OPTIONS, 'function', 'outputShape', 'mask', 'arguments'];
  }

  /** Code cannot be written into a config: saving a model with a Lambda layer says so. */
  override getConfig(): Config {
    throw new StateError(
      `Lambda '${this.name}' holds TypeScript code, which cannot be stored in a model file (only configs and weights are); to save this model, write the step as a custom layer class and register it with registerLayerClass, then rebuild the model with it`,
    );
  }
}
