import type { DType } from '../core/dtype.js';
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
import type { ConstraintIdentifier } from '../constraints/registry.js';
import type { Config } from '../core/config.js';
import { Initializer } from '../initializers/initializer.js';
import type { InitializerIdentifier } from '../initializers/registry.js';
import { VarianceScaling } from '../initializers/variance_scaling.js';
import { einsum } from '../ops/einsum.js';
import { linearFused } from '../ops/prims/linear.js';
import { sizeOf } from '../core/shape.js';
import type { RegularizerIdentifier } from '../regularizers/registry.js';
import { describeLayer, kernelSettings, serializeKernelSettings, type KernelSettings } from './convolutional_base.js';
import { Layer, type LayerArgs } from './layer.js';
import { registerLayer } from './registry.js';
import type { Shape } from './symbolic.js';
import { add } from '../ops/prims/binary.js';
import { reshape } from '../ops/prims/shape_ops.js';

export interface EinsumDenseArgs extends LayerArgs {
  /** `'<input>,<kernel>-><output>'`, e.g. `'abc,cd->abd'`; `...` may lead the input and output. */
  equation: string;
  /** The output shape without the batch axis (and without `...` axes); `null` where the input gives it. */
  outputShape: number | (number | null)[];
  activation?: ActivationIdentifier;
  /** Output indices that get a bias (e.g. `'d'`); none when omitted. */
  biasAxes?: string | null;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  biasRegularizer?: RegularizerIdentifier | null;
  kernelConstraint?: ConstraintIdentifier | null;
  biasConstraint?: ConstraintIdentifier | null;
}

/** What an equation and an input shape imply (Keras' `_analyze_einsum_string`). */
export interface EinsumDenseShapes {
  kernelShape: number[];
  biasShape: number[] | null;
  outputShape: Shape;
  /** Kernel axes that come from the input (the fan-in) and the output (the fan-out). */
  inputAxes: number[];
  outputAxes: number[];
}

/**
 * A dense layer whose product is an einsum (Keras 3 `EinsumDense`): the kernel's shape follows
 * from the equation, the input shape and `outputShape`. `'abc,cde->abde'` projects the last axis
 * of a [batch, seq, features] input to [heads, size] per position; this is how multi-head
 * attention lays out its projections.
 *
 * @example
 * const proj = new EinsumDense({ equation: 'abc,cd->abd', outputShape: [null, 64], biasAxes: 'd' });
 * proj.apply(ones([2, 32, 128])); // shape [2, 32, 64]; kernel [128, 64], bias [64]
 */
export class EinsumDense extends Layer {
  static override readonly className: string = 'EinsumDense';
  readonly equation: string;
  readonly partialOutputShape: (number | null)[];
  readonly biasAxes: string | null;
  readonly activation: Activation;
  readonly kernelSettings: KernelSettings;
  readonly biasSettings: KernelSettings;
  kernel: Variable | null = null;
  bias: Variable | null = null;
  /** The full output shape the layer was built for. */
  private fullOutputShape: Shape | null = null;
  /** The equation as a matrix product (see asDense), worked out at the first call. */
  private fold: { contracted: number } | null | undefined = undefined;

  constructor(args: EinsumDenseArgs) {
    super(args);
    if (typeof args.equation !== 'string')
      throw new ValueError(
        `${describeLayer(this)}: 'equation' must be a string such as 'ab,bc->ac', got ${JSON.stringify(args.equation)}`,
      );
    this.equation = args.equation;
    const shape = typeof args.outputShape === 'number' ? [args.outputShape] : args.outputShape;
    if (!Array.isArray(shape) || shape.some((d) => d !== null && !(Number.isInteger(d) && d > 0)))
      throw new ValueError(
        `${describeLayer(this)}: 'outputShape' must be a positive integer or a list of positive integers and nulls, got ${JSON.stringify(args.outputShape)}`,
      );
    this.partialOutputShape = [...shape];
    this.biasAxes = args.biasAxes ?? null;
    this.activation = getActivation(args.activation);
    this.kernelSettings = kernelSettings(args.kernelInitializer, args.kernelRegularizer, args.kernelConstraint);
    this.biasSettings = kernelSettings(args.biasInitializer ?? 'zeros', args.biasRegularizer, args.biasConstraint);
    // The equation is checked now, so a bad one fails where it is written rather than at first call.
    parseEinsumDense(this.equation, describeLayer(this));
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = inputShape as Shape;
    const s = analyzeEinsumDense(this.equation, this.biasAxes, shape, this.partialOutputShape, describeLayer(this));
    const k = this.kernelSettings;
    this.kernel = this.addWeight(
      'kernel',
      s.kernelShape,
      undefined,
      fansByAxes(k.initializer, s.inputAxes, s.outputAxes),
      k.regularizer,
      true,
      k.constraint,
    );
    if (s.biasShape) {
      const b = this.biasSettings;
      this.bias = this.addWeight('bias', s.biasShape, undefined, b.initializer, b.regularizer, true, b.constraint);
    }
    this.fullOutputShape = s.outputShape;
    this.inputSpec = [{ ndim: shape.length }];
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    const projected = this.asDense(x);
    if (projected) return projected;
    let y = einsum(this.equation, x, this.kernel as Variable);
    if (this.bias) y = add(y, this.bias);
    return this.activation.apply(y);
  }

  /**
   * A projection of the input's last axis (multi-head attention's 'abc,cde->abde' and
   * 'abcd,cde->abe', and 'abc,cd->abd'), as a dense layer computes it: rows of the input times
   * the kernel folded to a matrix, the bias and a ReLU in the same kernel where the backend has
   * it. The same values as the einsum without parsing it at every call; null for other equations.
   */
  private asDense(x: Tensor): Tensor | null {
    const plan = this.denseFold();
    if (!plan || x.size === 0) return null;
    const kernel = this.kernel as Variable;
    const contracted = kernel.shape.slice(0, plan.contracted);
    if (x.rank < plan.contracted || contracted.some((d, i) => x.shape[x.rank - plan.contracted + i] !== d)) return null;
    const depth = sizeOf(contracted);
    const width = kernel.size / Math.max(1, depth);
    const rows = reshape(x, [-1, depth]);
    const fusable = fusedActivation(this.activation);
    const bias = this.bias && reshape(this.bias, [width]);
    const fused = linearFused(rows, reshape(kernel, [depth, width]), bias, fusable ?? 'linear');
    if (!fused) return null;
    return reshape(fusable ? fused : this.activation.apply(fused), [
      ...x.shape.slice(0, x.rank - plan.contracted),
      ...kernel.shape.slice(plan.contracted),
    ]);
  }

  /** How many leading kernel axes the equation contracts with the input's last ones, when it is a plain projection. */
  private denseFold(): { contracted: number } | null {
    if (this.fold !== undefined) return this.fold;
    this.fold = plainProjection(this.equation, this.biasAxes);
    return this.fold;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return analyzeEinsumDense(
      this.equation,
      this.biasAxes,
      inputShape as Shape,
      this.partialOutputShape,
      describeLayer(this),
    ).outputShape;
  }

  /** The output shape `build` computed (null before the layer is built). */
  get builtOutputShape(): Shape | null {
    return this.fullOutputShape && [...this.fullOutputShape];
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      outputShape: [...this.partialOutputShape],
      equation: this.equation,
      activation: serializeActivation(this.activation),
      biasAxes: this.biasAxes,
      ...serializeKernelSettings('kernel', this.kernelSettings),
      ...serializeKernelSettings('bias', this.biasSettings),
    };
  }
}

/**
 * Keras 3 computes a projection kernel's fans from its input and output axes (a [dim, heads,
 * size] kernel has fan-in dim and fan-out heads·size), not as a convolution's. Drawing a
 * [fanIn, fanOut] matrix and reshaping it gives exactly that distribution.
 */
function fansByAxes(init: Initializer, inputAxes: number[], outputAxes: number[]): Initializer {
  if (!(init instanceof VarianceScaling)) return init;
  return new (class extends Initializer {
    call(shape: readonly number[], dtype?: DType): Tensor {
      const prod = (axes: number[]) => axes.reduce((p, a) => p * shape[a], 1);
      return reshape(init.call([prod(inputAxes), prod(outputAxes)], dtype), shape);
    }
    getConfig(): Config {
      return init.getConfig();
    }
  })();
}

interface ParsedEquation {
  input: string;
  kernel: string;
  output: string;
  /** Where the input's unnamed (`...`) axes sit: before the named ones, after them, or nowhere. */
  elided: 'left' | 'right' | 'none';
}

/** The three forms Keras accepts: `ab,bc->ac`, `...b,bc->...c` and `ab...,bc->ac...`. */
function parseEinsumDense(equation: string, who: string): ParsedEquation {
  let m = /^([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$/.exec(equation);
  if (m) return { input: m[1], kernel: m[2], output: m[3], elided: 'none' };
  m = /^\.\.\.([a-zA-Z]+),([a-zA-Z]+)->\.\.\.([a-zA-Z]+)$/.exec(equation);
  if (m) return { input: m[1], kernel: m[2], output: m[3], elided: 'left' };
  m = /^([a-zA-Z]{2,})\.\.\.,([a-zA-Z]+)->([a-zA-Z]+)\.\.\.$/.exec(equation);
  if (m) return { input: m[1], kernel: m[2], output: m[3], elided: 'right' };
  throw new ValueError(
    `${who}: invalid equation '${equation}'; expected the form [X],[Y]->[Z], ...[X],[Y]->...[Z] or [X]...,[Y]->[Z]...`,
  );
}

/**
 * The kernel, bias and output shapes of an EinsumDense layer (Keras' `_analyze_split_string`).
 * @example analyzeEinsumDense('abc,cd->abd', 'd', [null, 5, 8], [null, 4], 'layer').kernelShape // [8, 4]
 */
export function analyzeEinsumDense(
  equation: string,
  biasAxes: string | null,
  inputShape: Shape,
  partialOutputShape: (number | null)[],
  who: string,
): EinsumDenseShapes {
  const { input, kernel, output, elided: where } = parseEinsumDense(equation, who);
  const elided = inputShape.length - input.length;
  if (elided < 0 || (where === 'none' && elided !== 0))
    throw new ValueError(
      `${who}: equation '${equation}' names ${input.length} input axes but the input has rank ${inputShape.length} (shape ${fmtShape(inputShape)})`,
    );
  const outputShape: Shape = [inputShape[0], ...partialOutputShape];
  if (elided > 0 && where === 'left') outputShape.splice(1, 0, ...inputShape.slice(1, elided));
  else if (elided > 0) outputShape.push(...inputShape.slice(inputShape.length - elided));
  const expectedRank = output.length + (where === 'none' ? 0 : elided);
  if (outputShape.length !== expectedRank)
    throw new ValueError(
      `${who}: 'outputShape' ${fmtShape(partialOutputShape)} gives ${outputShape.length - 1} axes after the batch but equation '${equation}' has ${expectedRank - 1}`,
    );
  const inputAt = (i: number) => (where === 'left' ? i + elided : i);
  const outputAt = (i: number) => (where === 'left' ? i + elided : i);
  [...input].forEach((dim, i) => {
    const j = output.indexOf(dim);
    if (j < 0) return;
    const have = inputShape[inputAt(i)],
      want = outputShape[outputAt(j)];
    if (want !== null && have !== null && want !== have)
      throw new ValueError(
        `${who}: input and output shapes do not match at shared index '${dim}': input ${have}, output ${want} (input shape ${fmtShape(inputShape)}, outputShape ${fmtShape(partialOutputShape)})`,
      );
    if (want === null) outputShape[outputAt(j)] = have;
  });
  for (const dim of output)
    if (!input.includes(dim) && !kernel.includes(dim))
      throw new ValueError(
        `${who}: output index '${dim}' of equation '${equation}' appears in neither the input '${input}' nor the kernel '${kernel}'`,
      );
  const kernelShape: number[] = [];
  const inputAxes: number[] = [],
    outputAxes: number[] = [];
  [...kernel].forEach((dim, i) => {
    const j = output.indexOf(dim);
    const k = input.indexOf(dim);
    const size = j >= 0 ? outputShape[outputAt(j)] : k >= 0 ? inputShape[inputAt(k)] : undefined;
    if (size === undefined)
      throw new ValueError(
        `${who}: kernel index '${dim}' of equation '${equation}' appears in neither the input '${input}' nor the output '${output}'; the kernel must be fully specified`,
      );
    if (size === null)
      throw new ValueError(
        `${who}: the size of kernel index '${dim}' is unknown (input shape ${fmtShape(inputShape)}, outputShape ${fmtShape(partialOutputShape)}); give it in 'outputShape' or the input shape`,
      );
    kernelShape.push(size);
    (j >= 0 ? outputAxes : inputAxes).push(i);
  });
  let biasShape: number[] | null = null;
  if (biasAxes !== null) {
    for (const c of biasAxes)
      if (!output.includes(c))
        throw new ValueError(
          `${who}: bias index '${c}' is not part of the output '${output}' of equation '${equation}'`,
        );
    const first = Math.min(...[...biasAxes].map((c) => output.indexOf(c)));
    biasShape = [...output.slice(first)].map((c) => {
      const d = outputShape[outputAt(output.indexOf(c))];
      if (!biasAxes.includes(c)) return 1;
      if (d === null)
        throw new ValueError(
          `${who}: the size of bias index '${c}' is unknown (output shape ${fmtShape(outputShape)})`,
        );
      return d;
    });
    if (where === 'right') for (let i = 0; i < elided; i++) biasShape.push(1);
  }
  return { kernelShape, biasShape, outputShape, inputAxes, outputAxes };
}

/**
 * 'PC,CR->PR' with distinct letters, no '...', the contracted axes C last in the input and first
 * in the kernel, and the bias (if any) on all of R in order: the einsum is then a matrix product
 * of the input's rows with the kernel folded to [|C|, |R|]. Returns |C|'s length, or null.
 */
function plainProjection(equation: string, biasAxes: string | null): { contracted: number } | null {
  const m = /^([a-z]*),([a-z]+)->([a-z]*)$/.exec(equation.replace(/\s/g, ''));
  if (!m) return null;
  const [, input, kernel, output] = m;
  const distinct = (s: string) => new Set(s).size === s.length;
  if (!distinct(input) || !distinct(kernel)) return null;
  const c = [...kernel].filter((l) => input.includes(l)).length;
  const contracted = kernel.slice(0, c),
    free = input.slice(0, input.length - c),
    rest = kernel.slice(c);
  if (c === 0 || !input.endsWith(contracted) || output !== free + rest || !distinct(output)) return null;
  if (biasAxes !== null && biasAxes !== rest) return null;
  return { contracted: c };
}

registerLayer(EinsumDense.className, (config) => new EinsumDense(config as unknown as EinsumDenseArgs));
