import { ValueError, fmtShape } from '../core/errors.js';
import type { Config } from '../core/config.js';
import { isFloat } from '../core/dtype.js';
import type { Tensor } from '../core/tensor.js';
import { tensor } from '../ops/convert.js';
import { add, mul } from '../ops/prims/binary.js';
import { concat } from '../ops/prims/concat.js';
import { cast } from '../ops/prims/shape_ops.js';
import { slice } from '../ops/prims/slice.js';
import { resizeImages, type ResizeInterpolation } from '../ops/resize.js';
import { checkDataFormat, describeLayer, type ImageDataFormat } from './convolutional_base.js';
import { Layer, type LayerArgs } from './layer.js';
import { registerLayerClass } from './registry.js';
import type { Shape } from './symbolic.js';

export interface RescalingArgs extends LayerArgs {
  /** Multiplier: a number, or one per channel. */
  scale: number | number[];
  /** Added after scaling (default 0): a number, or one per channel. */
  offset?: number | number[];
}

/**
 * x · scale + offset (Keras' `Rescaling`), e.g. pixels in [0, 255] to [0, 1] or [-1, 1]. Any
 * input (integer pixels too) becomes the layer's float dtype.
 * @example new Rescaling({ scale: 1 / 127.5, offset: -1 }).apply(pixels); // [-1, 1]
 */
export class Rescaling extends Layer {
  static override readonly className: string = 'Rescaling';
  readonly scale: number | number[];
  readonly offset: number | number[];

  constructor(args: RescalingArgs) {
    super(args);
    const check = (key: string, v: unknown) => {
      const ok = typeof v === 'number' || (Array.isArray(v) && v.length > 0 && v.every((e) => typeof e === 'number'));
      if (!ok)
        throw new ValueError(
          `${describeLayer(this)}: '${key}' must be a number or a list of numbers, got ${JSON.stringify(v)}`,
        );
    };
    check('scale', args?.scale);
    check('offset', args.offset ?? 0);
    this.scale = Array.isArray(args.scale) ? [...args.scale] : args.scale;
    this.offset = Array.isArray(args.offset) ? [...args.offset] : (args.offset ?? 0);
    this.supportsMasking = true;
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    const v = isFloat(x.dtype) ? x : cast(x, this.dtype);
    const asTensor = (p: number | number[]) => (Array.isArray(p) ? tensor(p, [p.length], this.dtype) : p);
    return add(mul(v, asTensor(this.scale)), asTensor(this.offset));
  }

  protected override outputDtype(): Tensor['dtype'] {
    return this.dtype;
  }

  override getConfig(): Config {
    const copy = (p: number | number[]) => (Array.isArray(p) ? [...p] : p);
    return { ...super.getConfig(), scale: copy(this.scale), offset: copy(this.offset) };
  }
}

/** Checks a target size option (a positive integer), naming the layer. */
function targetSize(layer: Layer, key: string, value: unknown): number {
  if (!Number.isInteger(value) || (value as number) <= 0)
    throw new ValueError(`${describeLayer(layer)}: '${key}' must be a positive integer, got ${JSON.stringify(value)}`);
  return value as number;
}

/** The [height, width] of channels-last images, checked to be known. */
function imageSize(layer: Layer, shape: readonly (number | null)[]): [number, number] {
  if (shape.length !== 4 || shape[1] === null || shape[2] === null)
    throw new ValueError(
      `${describeLayer(layer)}: expected images [batch, height, width, channels] of known size, got shape ${fmtShape(shape as Shape)}`,
    );
  return [shape[1], shape[2]];
}

/** Keras' int(float(a·b) / c) on sizes. */
const ratio = (a: number, b: number, c: number) => Math.trunc((a * b) / c);

export interface ResizingArgs extends LayerArgs {
  height: number;
  width: number;
  /** 'bilinear' (default) or 'nearest'. */
  interpolation?: ResizeInterpolation;
  /** Crop the largest centred window of the target's aspect ratio first, instead of distorting. */
  cropToAspectRatio?: boolean;
  /** Pad (with `fillValue`) to the target's aspect ratio first, instead of distorting. */
  padToAspectRatio?: boolean;
  /** Only 'constant' (Keras' only mode for resizing). */
  fillMode?: 'constant';
  fillValue?: number;
  /** Shrink with TensorFlow's antialiasing filter (bilinear only; default false). */
  antialias?: boolean;
  dataFormat?: ImageDataFormat;
}

/**
 * Resizes images to `height` × `width` (Keras' `Resizing`; TensorFlow's half-pixel sampling),
 * optionally cropping or padding to the target's aspect ratio first.
 * @example new Resizing({ height: 32, width: 32 }).apply(images); // [batch, 32, 32, channels]
 */
export class Resizing extends Layer {
  static override readonly className: string = 'Resizing';
  readonly height: number;
  readonly width: number;
  readonly interpolation: ResizeInterpolation;
  readonly cropToAspectRatio: boolean;
  readonly padToAspectRatio: boolean;
  readonly fillValue: number;
  readonly antialias: boolean;

  constructor(args: ResizingArgs) {
    super(args);
    const who = describeLayer(this);
    this.height = targetSize(this, 'height', args?.height);
    this.width = targetSize(this, 'width', args.width);
    this.interpolation = args.interpolation ?? 'bilinear';
    if (this.interpolation !== 'bilinear' && this.interpolation !== 'nearest')
      throw new ValueError(
        `${who}: 'interpolation' must be 'bilinear' or 'nearest' (the ones implemented), got ${JSON.stringify(args.interpolation)}`,
      );
    this.cropToAspectRatio = args.cropToAspectRatio ?? false;
    this.padToAspectRatio = args.padToAspectRatio ?? false;
    if (this.cropToAspectRatio && this.padToAspectRatio)
      throw new ValueError(`${who}: only one of 'cropToAspectRatio' and 'padToAspectRatio' can be true`);
    if ((args.fillMode ?? 'constant') !== 'constant')
      throw new ValueError(`${who}: 'fillMode' must be 'constant', got ${JSON.stringify(args.fillMode)}`);
    this.fillValue = args.fillValue ?? 0;
    this.antialias = args.antialias ?? false;
    if (typeof this.antialias !== 'boolean')
      throw new ValueError(`${who}: 'antialias' must be true or false, got ${JSON.stringify(args.antialias)}`);
    checkDataFormat(args.dataFormat, who);
    this.inputSpec = [{ ndim: 4 }];
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    let x = inputs as Tensor;
    if (!isFloat(x.dtype)) x = cast(x, this.dtype);
    const [h, w] = imageSize(this, x.shape);
    if (this.cropToAspectRatio) {
      const [top, left, ch, cw] = this.aspectCrop(h, w);
      x = slice(x, [0, top, left, 0], [-1, ch, cw, -1]);
    } else if (this.padToAspectRatio) x = this.padToRatio(x, h, w);
    return resizeImages(x, [this.height, this.width], this.interpolation, this.antialias);
  }

  /**
   * The centred window [top, left, height, width] of the target's aspect ratio that
   * `cropToAspectRatio` keeps of an h × w image.
   * @example new Resizing({ height: 2, width: 2, cropToAspectRatio: true }).aspectCrop(4, 3) // [0, 0, 3, 3]
   */
  aspectCrop(h: number, w: number): [number, number, number, number] {
    const ch = Math.max(Math.min(h, ratio(w, this.height, this.width)), 1);
    const cw = Math.max(Math.min(w, ratio(h, this.width, this.height)), 1);
    return [Math.trunc((h - ch) / 2), Math.trunc((w - cw) / 2), ch, cw];
  }

  /**
   * The rows and columns of `fillValue` that `padToAspectRatio` adds on each side of an h × w image.
   * @example new Resizing({ height: 3, width: 3, padToAspectRatio: true }).aspectPadding(2, 4) // [1, 0]
   */
  aspectPadding(h: number, w: number): [number, number] {
    return [
      Math.trunc((Math.max(h, ratio(w, this.height, this.width)) - h) / 2),
      Math.trunc((Math.max(w, ratio(h, this.width, this.height)) - w) / 2),
    ];
  }

  /** Keras pads the same number of rows (or columns) of `fillValue` on both sides. */
  private padToRatio(x: Tensor, h: number, w: number): Tensor {
    const [top, left] = this.aspectPadding(h, w);
    const band = (shape: number[]) =>
      tensor(new Float64Array(shape.reduce((a, b) => a * b, 1)).fill(this.fillValue), shape, x.dtype);
    const [n, , , c] = x.shape;
    if (top > 0) x = concat([band([n, top, w, c]), x, band([n, top, w, c])], 1);
    if (left > 0) x = concat([band([n, x.shape[1], left, c]), x, band([n, x.shape[1], left, c])], 2);
    return x;
  }

  protected override outputDtype(): Tensor['dtype'] {
    return this.dtype;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = inputShape as Shape;
    return [s[0], this.height, this.width, s[3]];
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      height: this.height,
      width: this.width,
      interpolation: this.interpolation,
      cropToAspectRatio: this.cropToAspectRatio,
      padToAspectRatio: this.padToAspectRatio,
      fillMode: 'constant',
      fillValue: this.fillValue,
      antialias: this.antialias,
      dataFormat: 'channels_last',
    };
  }
}

export interface CenterCropArgs extends LayerArgs {
  height: number;
  width: number;
  dataFormat?: ImageDataFormat;
}

/**
 * Crops the centre `height` × `width` window of each image (Keras' `CenterCrop`); an image
 * smaller than that is cropped to the target's aspect ratio and resized (bilinear) instead.
 * @example new CenterCrop({ height: 24, width: 24 }).apply(images); // [batch, 24, 24, channels]
 */
export class CenterCrop extends Layer {
  static override readonly className: string = 'CenterCrop';
  readonly height: number;
  readonly width: number;

  constructor(args: CenterCropArgs) {
    super(args);
    this.height = targetSize(this, 'height', args?.height);
    this.width = targetSize(this, 'width', args.width);
    checkDataFormat(args.dataFormat, describeLayer(this));
    this.inputSpec = [{ ndim: 4 }];
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    let x = inputs as Tensor;
    if (!isFloat(x.dtype)) x = cast(x, this.dtype);
    const [h, w] = imageSize(this, x.shape);
    const [top, left, ch, cw] = this.window(h, w);
    const window = slice(x, [0, top, left, 0], [-1, ch, cw, -1]);
    return ch === this.height && cw === this.width
      ? window
      : resizeImages(window, [this.height, this.width], 'bilinear');
  }

  /**
   * The centred window [top, left, height, width] kept of an h × w image: the target itself
   * when it fits, else (Keras' smart_resize) the largest one of the target's aspect ratio,
   * which is then resized.
   * @example new CenterCrop({ height: 2, width: 3 }).window(4, 5) // [1, 1, 2, 3]
   */
  window(h: number, w: number): [number, number, number, number] {
    if (h >= this.height && w >= this.width)
      return [Math.floor((h - this.height) / 2), Math.floor((w - this.width) / 2), this.height, this.width];
    const ch = Math.min(h, ratio(w, this.height, this.width));
    const cw = Math.min(w, ratio(h, this.width, this.height));
    return [Math.trunc((h - ch) / 2), Math.trunc((w - cw) / 2), ch, cw];
  }

  protected override outputDtype(): Tensor['dtype'] {
    return this.dtype;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = inputShape as Shape;
    return [s[0], this.height, this.width, s[3]];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), height: this.height, width: this.width, dataFormat: 'channels_last' };
  }
}

registerLayerClass(Rescaling);
registerLayerClass(Resizing);
registerLayerClass(CenterCrop);
