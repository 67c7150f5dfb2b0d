import { ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { Config } from '../core/config.js';
import { reshape, transpose } from '../ops/prims/shape_ops.js';
import { Layer, type LayerArgs } from './layer.js';
import { registerLayerClass } from './registry.js';
import type { Shape } from './symbolic.js';

export type DataFormat = 'channels_last' | 'channels_first';

export interface FlattenArgs extends LayerArgs {
  /** 'channels_first' moves the channel axis last before flattening (Keras ordering). */
  dataFormat?: DataFormat | 'channelsLast' | 'channelsFirst';
}

/**
 * Flattens every sample to one dimension: [batch, ...dims] → [batch, prod(dims)].
 * @example new Flatten().apply(zeros([2, 3, 4])); // shape [2, 12]
 */
export class Flatten extends Layer {
  static override readonly className: string = 'Flatten';
  readonly dataFormat: DataFormat;

  constructor(args: FlattenArgs = {}) {
    super(args);
    const format = args.dataFormat ?? 'channels_last';
    if (format === 'channels_last' || format === 'channelsLast') this.dataFormat = 'channels_last';
    else if (format === 'channels_first' || format === 'channelsFirst') this.dataFormat = 'channels_first';
    else
      throw new ValueError(
        `Flatten '${this.name}': 'dataFormat' must be 'channels_last' or 'channels_first', got ${JSON.stringify(format)}`,
      );
    this.inputSpec = [{ minNdim: 1 }];
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    let x = inputs as Tensor;
    if (this.dataFormat === 'channels_first' && x.rank > 2) {
      x = transpose(x, [0, ...Array.from({ length: x.rank - 2 }, (_, i) => i + 2), 1]);
    }
    return reshape(x, [x.shape[0], x.shape.slice(1).reduce((a, b) => a * b, 1)]);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    const rest = shape.slice(1);
    const known = rest.every((d) => d !== null);
    return [shape[0], known ? (rest as number[]).reduce((a, b) => a * b, 1) : null];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), dataFormat: this.dataFormat };
  }
}

registerLayerClass(Flatten);

export interface ReshapeArgs extends LayerArgs {
  /** Shape of each output sample (no batch dimension); one entry may be -1. */
  targetShape: number[];
}

/**
 * Reshapes every sample to `targetShape` (the batch dimension is kept).
 * @example new Reshape({ targetShape: [3, -1] }).apply(zeros([2, 12])); // shape [2, 3, 4]
 */
export class Reshape extends Layer {
  static override readonly className: string = 'Reshape';
  readonly targetShape: number[];

  constructor(args: ReshapeArgs) {
    super(args);
    const target = args?.targetShape;
    if (
      !Array.isArray(target) ||
      target.some((d) => !Number.isInteger(d) || d < -1) ||
      target.filter((d) => d === -1).length > 1
    ) {
      throw new ValueError(
        `Reshape '${this.name}': 'targetShape' must be a list of non-negative integers with at most one -1, got ${JSON.stringify(target)}`,
      );
    }
    this.targetShape = [...target];
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    return reshape(x, [x.shape[0], ...(this.resolve(x.shape) as number[])]);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    return [shape[0], ...this.resolve(shape)];
  }

  /** The per-sample target with -1 filled in; null when the input size is unknown. */
  private resolve(inputShape: Shape): (number | null)[] {
    const rest = inputShape.slice(1);
    if (rest.some((d) => d === null)) return this.targetShape.map((d) => (d === -1 ? null : d));
    const size = (rest as number[]).reduce((a, b) => a * b, 1);
    const known = this.targetShape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    const unknown = this.targetShape.indexOf(-1);
    const fits = unknown >= 0 ? known > 0 && size % known === 0 : known === size;
    if (!fits) {
      throw new ValueError(
        `Reshape '${this.name}': cannot reshape an input of shape ${fmtShape(inputShape)} (${size} elements per sample) to target shape ${fmtShape(this.targetShape)}${unknown >= 0 ? '' : ` (${known} elements)`}`,
      );
    }
    return this.targetShape.map((d) => (d === -1 ? size / known : d));
  }

  override getConfig(): Config {
    return { ...super.getConfig(), targetShape: [...this.targetShape] };
  }
}

registerLayerClass(Reshape);

export interface PermuteArgs extends LayerArgs {
  /** The new order of the axes after the batch, 1-based: [2, 1] swaps the first two. */
  dims: number[];
}

/**
 * Reorders the axes of every sample (Keras `Permute`; the batch axis stays first), e.g. to
 * swap time and features.
 * @example new Permute({ dims: [2, 1] }).apply(zeros([2, 5, 3])); // shape [2, 3, 5]
 */
export class Permute extends Layer {
  static override readonly className: string = 'Permute';
  readonly dims: number[];

  constructor(args: PermuteArgs) {
    super(args);
    const dims = args?.dims;
    const valid =
      Array.isArray(dims) && dims.length > 0 && [...dims].sort((a, b) => a - b).every((d, i) => d === i + 1);
    if (!valid)
      throw new ValueError(
        `Permute '${this.name}': 'dims' must be a permutation of 1..n (the axes after the batch), got ${JSON.stringify(dims)}`,
      );
    this.dims = [...dims];
    this.inputSpec = [{ ndim: dims.length + 1 }];
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    return transpose(inputs as Tensor, [0, ...this.dims]);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    return [shape[0], ...this.dims.map((d) => shape[d])];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), dims: [...this.dims] };
  }
}

registerLayerClass(Permute);
