import { ValueError, fmtShape } from '../core/errors.js';
import type { Config } from '../core/config.js';
import type { Tensor } from '../core/tensor.js';
import { broadcastTo } from '../ops/prims/binary.js';
import { reshape } from '../ops/prims/shape_ops.js';
import { pad, slice } from '../ops/prims/slice.js';
import { describeLayer } from './convolutional_base.js';
import { Layer, type LayerArgs } from './layer.js';
import { registerLayerClass } from './registry.js';
import { checkFormat, type SequenceDataFormat } from './sequence_format.js';
import type { Shape } from './symbolic.js';

/** `n` or `[before, after]` as a pair of non-negative integers (Keras' `standardize_tuple`). */
function toMargins(layer: Layer, arg: string, value: unknown): [number, number] {
  const ok = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
  if (ok(value)) return [value, value];
  if (Array.isArray(value) && value.length === 2 && ok(value[0]) && ok(value[1])) return [value[0], value[1]];
  throw new ValueError(
    `${describeLayer(layer)}: '${arg}' must be a non-negative integer or [before, after], got ${JSON.stringify(value)}`,
  );
}

export interface UpSampling1DArgs extends LayerArgs {
  /** How many times each timestep is repeated (default 2). */
  size?: number;
}

/**
 * Repeats every timestep `size` times (Keras `UpSampling1D`): [batch, steps, features] →
 * [batch, steps·size, features].
 * @example new UpSampling1D({ size: 2 }).apply(zeros([1, 3, 4])); // shape [1, 6, 4]
 */
export class UpSampling1D extends Layer {
  static override readonly className: string = 'UpSampling1D';
  readonly size: number;

  constructor(args: UpSampling1DArgs = {}) {
    super(args);
    const size = args.size ?? 2;
    if (!Number.isInteger(size) || size <= 0)
      throw new ValueError(`${describeLayer(this)}: 'size' must be a positive integer, got ${JSON.stringify(size)}`);
    this.size = size;
    this.inputSpec = [{ ndim: 3 }];
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    const [n, t, c] = x.shape;
    // A broadcast along a new axis; its gradient sums the copies back to their step.
    return reshape(broadcastTo(reshape(x, [n, t, 1, c]), [n, t, this.size, c]), [n, t * this.size, c]);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [n, t, c] = inputShape as Shape;
    return [n, t === null ? null : t * this.size, c];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), size: this.size };
  }
}

export interface ZeroPadding1DArgs extends LayerArgs {
  /** Zero steps added: n on both ends, or [before, after] (default 1). */
  padding?: number | [number, number];
  /** 'channels_last' (default, [batch, steps, features]) or 'channels_first'. */
  dataFormat?: SequenceDataFormat;
}

/**
 * Adds zero timesteps at the start and end of every sequence (Keras `ZeroPadding1D`).
 * @example new ZeroPadding1D({ padding: [1, 2] }).apply(zeros([1, 3, 4])); // shape [1, 6, 4]
 */
export class ZeroPadding1D extends Layer {
  static override readonly className: string = 'ZeroPadding1D';
  readonly padding: [number, number];
  readonly dataFormat: SequenceDataFormat;

  constructor(args: ZeroPadding1DArgs = {}) {
    super(args);
    this.padding = toMargins(this, 'padding', args.padding ?? 1);
    this.dataFormat = checkFormat(args.dataFormat, describeLayer(this));
    this.inputSpec = [{ ndim: 3 }];
  }

  private get axis(): number {
    return this.dataFormat === 'channels_first' ? 2 : 1;
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    const margins: [number, number][] = [
      [0, 0],
      [0, 0],
      [0, 0],
    ];
    margins[this.axis] = this.padding;
    return pad(inputs as Tensor, margins);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const out = [...(inputShape as Shape)];
    const d = out[this.axis];
    out[this.axis] = d === null ? null : d + this.padding[0] + this.padding[1];
    return out;
  }

  override getConfig(): Config {
    return { ...super.getConfig(), padding: [...this.padding], dataFormat: this.dataFormat };
  }
}

export interface Cropping1DArgs extends LayerArgs {
  /** Steps removed: n from both ends, or [start, end] (default [1, 1]). */
  cropping?: number | [number, number];
}

/**
 * Removes timesteps from the start and end of every sequence (Keras `Cropping1D`).
 * @example new Cropping1D({ cropping: [1, 2] }).apply(zeros([1, 6, 4])); // shape [1, 3, 4]
 */
export class Cropping1D extends Layer {
  static override readonly className: string = 'Cropping1D';
  readonly cropping: [number, number];

  constructor(args: Cropping1DArgs = {}) {
    super(args);
    this.cropping = toMargins(this, 'cropping', args.cropping ?? [1, 1]);
    this.inputSpec = [{ ndim: 3 }];
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    const length = this.croppedLength(x.shape) as number;
    return slice(x, [0, this.cropping[0], 0], [-1, length, -1]);
  }

  private croppedLength(shape: Shape): number | null {
    const t = shape[1];
    if (t === null) return null;
    const length = t - this.cropping[0] - this.cropping[1];
    if (length <= 0)
      throw new ValueError(
        `${describeLayer(this)}: cropping [${this.cropping.join(', ')}] must leave at least one step of an input of shape ${fmtShape(shape)}`,
      );
    return length;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    return [shape[0], this.croppedLength(shape), shape[2]];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), cropping: [...this.cropping] };
  }
}

registerLayerClass(UpSampling1D);
registerLayerClass(ZeroPadding1D);
registerLayerClass(Cropping1D);
