import { ValueError, fmtShape } from '../core/errors.js';
import { Tensor } from '../core/tensor.js';
import type { Variable } from '../core/variable.js';
import type { Config } from '../core/config.js';
import type { Initializer } from '../initializers/initializer.js';
import { getInitializer, serializeInitializer, type InitializerIdentifier } from '../initializers/registry.js';
import { tensor } from '../ops/convert.js';
import { describeLayer } from './convolutional_base.js';
import { Layer, type CallArgs, type LayerArgs } from './layer.js';
import { registerLayer } from './registry.js';
import type { Shape, SymbolicTensor } from './symbolic.js';
import { broadcastTo } from '../ops/prims/binary.js';
import { slice } from '../ops/prims/slice.js';

/** Call arguments of the position layers (KerasHub's). */
export interface PositionCallArgs extends CallArgs {
  /**
   * Position of the input's first step, e.g. the cache length while generating (default 0): a
   * number or a one-element integer tensor.
   */
  startIndex?: number | Tensor;
}

/** The start index, read from a one-element tensor if need be, checked to be a non-negative integer. */
export function startIndexOf(layer: Layer, kwargs: PositionCallArgs): number {
  const given = kwargs.startIndex ?? 0;
  if (given instanceof Tensor && given.size !== 1)
    throw new ValueError(
      `${describeLayer(layer)}: 'startIndex' must be a number or a tensor of one element, got a tensor of shape ${fmtShape(given.shape)}`,
    );
  const start = given instanceof Tensor ? given.dataSync()[0] : given;
  if (!Number.isInteger(start) || start < 0)
    throw new ValueError(
      `${describeLayer(layer)}: 'startIndex' must be a non-negative integer, got ${JSON.stringify(start)}`,
    );
  return start;
}

/** Input shape [..., length, features] → [length, features], after checking the rank. */
function lengthAndFeatures(layer: Layer, shape: readonly (number | null)[]): [number | null, number | null] {
  if (shape.length < 2)
    throw new ValueError(
      `${describeLayer(layer)}: expected an input [..., sequence, features] of rank >= 2, got shape ${fmtShape(shape)}`,
    );
  return [shape[shape.length - 2], shape[shape.length - 1]];
}

export interface PositionEmbeddingArgs extends LayerArgs {
  /** Longest sequence the table holds. */
  sequenceLength: number;
  initializer?: InitializerIdentifier;
}

/**
 * A learned embedding per position (KerasHub `PositionEmbedding`): for an input
 * [..., length, features] it returns rows `startIndex .. startIndex + length - 1` of an
 * [sequenceLength, features] table, broadcast to the input's shape (add it to the input).
 *
 * @example
 * const pos = new PositionEmbedding({ sequenceLength: 64 });
 * const x = tokens.add(pos.apply(tokens) as Tensor); // tokens: [batch, 10, 32]
 */
export class PositionEmbedding extends Layer {
  static override readonly className: string = 'PositionEmbedding';
  readonly sequenceLength: number;
  readonly initializer: Initializer;
  embeddings: Variable | null = null;

  constructor(args: PositionEmbeddingArgs) {
    super(args);
    if (!Number.isInteger(args.sequenceLength) || args.sequenceLength <= 0)
      throw new ValueError(
        `${describeLayer(this)}: 'sequenceLength' must be a positive integer, got ${JSON.stringify(args.sequenceLength)}`,
      );
    this.sequenceLength = args.sequenceLength;
    this.initializer = getInitializer(args.initializer ?? 'glorotUniform');
  }

  override build(inputShape: Shape | Shape[]): void {
    const [, features] = lengthAndFeatures(this, inputShape as Shape);
    if (features === null)
      throw new ValueError(
        `${describeLayer(this)}: the feature size (last axis) must be known, got ${fmtShape(inputShape as Shape)}`,
      );
    this.embeddings = this.addWeight('embeddings', [this.sequenceLength, features], undefined, this.initializer);
    this.inputSpec = [{ minNdim: 2, axes: { [-1]: features } }];
  }

  override apply(
    inputs: SymbolicTensor | SymbolicTensor[],
    kwargs?: PositionCallArgs,
  ): SymbolicTensor | SymbolicTensor[];
  override apply(inputs: Tensor | Tensor[], kwargs?: PositionCallArgs): Tensor | Tensor[];
  override apply(
    inputs: Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[],
    kwargs?: PositionCallArgs,
  ): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[];
  /** Options: `startIndex`, the position of the first step (while generating with a cache). */
  override apply(
    inputs: Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[],
    kwargs: PositionCallArgs = {},
  ): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[] {
    return super.apply(inputs, kwargs);
  }

  call(inputs: Tensor | Tensor[], kwargs: PositionCallArgs): Tensor {
    const x = inputs as Tensor;
    const start = startIndexOf(this, kwargs);
    const [length, features] = lengthAndFeatures(this, x.shape) as [number, number];
    if (start + length > this.sequenceLength)
      throw new ValueError(
        `${describeLayer(this)}: positions ${start}..${start + length - 1} (an input of length ${length}${start ? ` from startIndex ${start}` : ''}, shape ${fmtShape(x.shape)}) exceed the table's sequenceLength ${this.sequenceLength}`,
      );
    return broadcastTo(slice(this.embeddings as Variable, [start, 0], [length, features]), x.shape);
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      sequenceLength: this.sequenceLength,
      initializer: serializeInitializer(this.initializer),
    };
  }
}

export interface SinePositionEncodingArgs extends LayerArgs {
  /** The longest wavelength, 10000 in "Attention Is All You Need". */
  maxWavelength?: number;
}

/**
 * Fixed sinusoidal position encodings (KerasHub `SinePositionEncoding`, Vaswani et al. 2017):
 * for an input [..., length, features] it returns, broadcast to that shape,
 * `sin(p / w^(2⌊i/2⌋/features))` at even features i and `cos(...)` at odd ones, p being the
 * position from `startIndex`. No weights; add it to the input.
 *
 * @example
 * const x = embedded.add(new SinePositionEncoding().apply(embedded) as Tensor);
 */
export class SinePositionEncoding extends Layer {
  static override readonly className: string = 'SinePositionEncoding';
  readonly maxWavelength: number;

  constructor(args: SinePositionEncodingArgs = {}) {
    super(args);
    this.maxWavelength = args.maxWavelength ?? 10000;
    if (typeof this.maxWavelength !== 'number' || !(this.maxWavelength > 0))
      throw new ValueError(
        `${describeLayer(this)}: 'maxWavelength' must be a positive number, got ${JSON.stringify(args.maxWavelength)}`,
      );
    this.supportsMasking = true;
  }

  override apply(
    inputs: SymbolicTensor | SymbolicTensor[],
    kwargs?: PositionCallArgs,
  ): SymbolicTensor | SymbolicTensor[];
  override apply(inputs: Tensor | Tensor[], kwargs?: PositionCallArgs): Tensor | Tensor[];
  override apply(
    inputs: Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[],
    kwargs?: PositionCallArgs,
  ): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[];
  /** Options: `startIndex`, the position of the first step (while generating with a cache). */
  override apply(
    inputs: Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[],
    kwargs: PositionCallArgs = {},
  ): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[] {
    return super.apply(inputs, kwargs);
  }

  call(inputs: Tensor | Tensor[], kwargs: PositionCallArgs): Tensor {
    const x = inputs as Tensor;
    const start = startIndexOf(this, kwargs);
    const [length, features] = lengthAndFeatures(this, x.shape) as [number, number];
    const v = new Float64Array(length * features);
    for (let p = 0; p < length; p++)
      for (let i = 0; i < features; i++) {
        const angle = (p + start) * (1 / this.maxWavelength) ** ((2 * Math.floor(i / 2)) / features);
        v[p * features + i] = i % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
      }
    return broadcastTo(tensor(v, [length, features], x.dtype), x.shape);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), maxWavelength: this.maxWavelength };
  }
}

registerLayer(
  PositionEmbedding.className,
  (config) => new PositionEmbedding(config as unknown as PositionEmbeddingArgs),
);
registerLayer(SinePositionEncoding.className, (config) => new SinePositionEncoding(config as SinePositionEncodingArgs));
