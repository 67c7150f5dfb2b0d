import { ValueError } from '../core/errors.js';
import type { Config } from '../core/config.js';
import { globalRng, Rng } from '../core/rng.js';
import type { Tensor } from '../core/tensor.js';
import { affineTransform, type FillMode } from '../ops/affine_transform.js';
import { clipByValue } from '../ops/clip.js';
import { tensor } from '../ops/convert.js';
import { mean } from '../ops/moments.js';
import { add, mul, sub } from '../ops/prims/binary.js';
import { checkDataFormat, describeLayer, imageShape, type ImageDataFormat } from './convolutional_base.js';
import { Layer, type CallArgs, type LayerArgs } from './layer.js';
import { registerLayerClass } from './registry.js';
import type { Shape } from './symbolic.js';

/** A factor: a number f (the range [-|f|, |f|]) or a [lower, upper] pair. */
export type Factor = number | [number, number];

/**
 * Keras' factor rule: a number f gives [-|f|, |f|] (its lower end raised to `bounds[0]`), a pair is
 * sorted; every value must lie within `bounds` (an open lower end when `openLower`).
 */
function factorRange(
  layer: Layer,
  key: string,
  factor: unknown,
  bounds: [number, number],
  openLower = false,
): [number, number] {
  const inRange = (v: unknown): v is number =>
    typeof v === 'number' && (openLower ? v > bounds[0] : v >= bounds[0]) && v <= bounds[1];
  const bad = () =>
    new ValueError(
      `${describeLayer(layer)}: '${key}' must be a number or a pair [lower, upper] within ${openLower ? '(' : '['}${bounds[0]}, ${bounds[1]}], got ${JSON.stringify(factor)}`,
    );
  if (Array.isArray(factor)) {
    if (factor.length !== 2 || !factor.every(inRange)) throw bad();
    return [Math.min(factor[0], factor[1]), Math.max(factor[0], factor[1])];
  }
  if (!inRange(factor)) throw bad();
  const f = Math.abs(factor);
  return [Math.max(-f, bounds[0]), f];
}

export interface RandomTransformArgs extends LayerArgs {
  /** How points outside the image are read: 'reflect' (default), 'wrap', 'constant' or 'nearest'. */
  fillMode?: FillMode;
  /** 'bilinear' (default) or 'nearest'. */
  interpolation?: 'bilinear' | 'nearest';
  seed?: number | null;
  /** The value of points outside the image with fillMode 'constant' (default 0). */
  fillValue?: number;
  dataFormat?: ImageDataFormat;
}

/**
 * Data augmentation by a random geometric transform per image, active only while training
 * (the identity in inference), resampled as TensorFlow's `ImageProjectiveTransformV3`.
 */
abstract class RandomAffine extends Layer {
  readonly fillMode: FillMode;
  readonly interpolation: 'bilinear' | 'nearest';
  readonly seed: number | null;
  readonly fillValue: number;
  protected readonly rng: Rng;

  constructor(args: RandomTransformArgs) {
    super(args);
    const who = describeLayer(this);
    this.fillMode = args.fillMode ?? 'reflect';
    if (!['reflect', 'wrap', 'constant', 'nearest'].includes(this.fillMode))
      throw new ValueError(
        `${who}: 'fillMode' must be 'reflect', 'wrap', 'constant' or 'nearest', got ${JSON.stringify(args.fillMode)}`,
      );
    this.interpolation = args.interpolation ?? 'bilinear';
    if (this.interpolation !== 'bilinear' && this.interpolation !== 'nearest')
      throw new ValueError(
        `${who}: 'interpolation' must be 'bilinear' or 'nearest', got ${JSON.stringify(args.interpolation)}`,
      );
    this.seed = args.seed ?? null;
    this.rng = this.seed === null ? globalRng : new Rng(this.seed);
    this.fillValue = args.fillValue ?? 0;
    checkDataFormat(args.dataFormat, who);
    this.inputSpec = [{ ndim: 4 }];
  }

  override build(inputShape: Shape | Shape[]): void {
    imageShape(this, inputShape as Shape);
  }

  /** A uniform draw in [lo, hi). */
  protected uniform([lo, hi]: [number, number]): number {
    return lo + (hi - lo) * this.rng.uniform();
  }

  /** The transform [a0, a1, a2, b0, b1, b2, c0, c1] of one image, drawn at random. */
  protected abstract drawTransform(height: number, width: number): number[];

  call(inputs: Tensor | Tensor[], kwargs: CallArgs): Tensor {
    const x = inputs as Tensor;
    if (!kwargs.training) return x;
    const [n, h, w] = x.shape;
    const transforms = Array.from({ length: n }, () => this.drawTransform(h, w));
    return affineTransform(x, transforms, this.interpolation, this.fillMode, this.fillValue);
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      fillMode: this.fillMode,
      interpolation: this.interpolation,
      seed: this.seed,
      fillValue: this.fillValue,
      dataFormat: 'channels_last',
    };
  }
}

export interface RandomTranslationArgs extends RandomTransformArgs {
  /** Vertical shift as a fraction of the height: f in [-1, 1] (range [-f, f]) or [lower, upper]. */
  heightFactor: Factor;
  /** Horizontal shift as a fraction of the width, likewise. */
  widthFactor: Factor;
}

/**
 * Shifts each image by a random fraction of its height and width while training (Keras'
 * `RandomTranslation`); points shifted in are filled by `fillMode`.
 * @example new RandomTranslation({ heightFactor: 0.1, widthFactor: 0.1 }).apply(images, { training: true });
 */
export class RandomTranslation extends RandomAffine {
  static override readonly className: string = 'RandomTranslation';
  readonly heightFactor: Factor;
  readonly widthFactor: Factor;
  private readonly heightRange: [number, number];
  private readonly widthRange: [number, number];

  constructor(args: RandomTranslationArgs) {
    super(args);
    this.heightRange = factorRange(this, 'heightFactor', args?.heightFactor, [-1, 1]);
    this.widthRange = factorRange(this, 'widthFactor', args.widthFactor, [-1, 1]);
    this.heightFactor = args.heightFactor;
    this.widthFactor = args.widthFactor;
  }

  protected drawTransform(height: number, width: number): number[] {
    const dy = this.uniform(this.heightRange) * height;
    const dx = this.uniform(this.widthRange) * width;
    return [1, 0, -dx, 0, 1, -dy, 0, 0];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), heightFactor: this.heightFactor, widthFactor: this.widthFactor };
  }
}

export interface RandomRotationArgs extends RandomTransformArgs {
  /** Rotation as a fraction of a full turn: f in [-1, 1] (range [-f, f]) or [lower, upper]. */
  factor: Factor;
}

/**
 * Rotates each image by a random angle about its centre while training (Keras'
 * `RandomRotation`; a factor of 0.25 allows up to a quarter turn either way).
 * @example new RandomRotation({ factor: 0.1 }).apply(images, { training: true });
 */
export class RandomRotation extends RandomAffine {
  static override readonly className: string = 'RandomRotation';
  readonly factor: Factor;
  private readonly range: [number, number];

  constructor(args: RandomRotationArgs) {
    super(args);
    this.range = factorRange(this, 'factor', args?.factor, [-1, 1]);
    this.factor = args.factor;
  }

  /** Keras' `_compute_affine_matrix` for a rotation about the centre. */
  protected drawTransform(height: number, width: number): number[] {
    const angle = this.uniform([this.range[0] * 360, this.range[1] * 360]) * (Math.PI / 180);
    const cx = 0.5 * (width - 1),
      cy = 0.5 * (height - 1);
    const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
    const [a0, a1, b0, b1] = [cos, -sin, sin, cos];
    return [a0, a1, cx - cx * a0 - cy * a1, b0, b1, cy - cx * b0 - cy * b1, 0, 0];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), factor: this.factor };
  }
}

export interface RandomZoomArgs extends RandomTransformArgs {
  /** Vertical zoom: f in (-1, 1] gives scales 1 + [-f, f] (positive: zoom out), or [lower, upper]. */
  heightFactor: Factor;
  /** Horizontal zoom likewise; null (default) keeps the aspect ratio (the height's zoom). */
  widthFactor?: Factor | null;
}

/**
 * Zooms each image in or out by a random factor about its centre while training (Keras'
 * `RandomZoom`).
 * @example new RandomZoom({ heightFactor: [-0.2, 0.2] }).apply(images, { training: true });
 */
export class RandomZoom extends RandomAffine {
  static override readonly className: string = 'RandomZoom';
  readonly heightFactor: Factor;
  readonly widthFactor: Factor | null;
  private readonly heightRange: [number, number];
  private readonly widthRange: [number, number] | null;

  constructor(args: RandomZoomArgs) {
    super(args);
    this.heightRange = factorRange(this, 'heightFactor', args?.heightFactor, [-1, 1], true);
    const wf = args.widthFactor ?? null;
    this.widthRange = wf === null ? null : factorRange(this, 'widthFactor', wf, [-1, 1], true);
    this.heightFactor = args.heightFactor;
    this.widthFactor = wf;
  }

  protected drawTransform(height: number, width: number): number[] {
    const zy = 1 + this.uniform(this.heightRange);
    const zx = this.widthRange ? 1 + this.uniform(this.widthRange) : zy;
    return [zx, 0, ((width - 1) / 2) * (1 - zx), 0, zy, ((height - 1) / 2) * (1 - zy), 0, 0];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), heightFactor: this.heightFactor, widthFactor: this.widthFactor };
  }
}

export interface RandomContrastArgs extends LayerArgs {
  /** Contrast change: f in [0, 1] or a pair [lower, upper]; factors are drawn from [1 − lower, 1 + upper]. */
  factor: Factor;
  /** The pixel range the output is clipped to (default [0, 255]). */
  valueRange?: [number, number];
  seed?: number | null;
}

/**
 * Scales each image's deviation from its per-channel mean by a random factor while training,
 * clipped to `valueRange` (Keras' `RandomContrast`; as Keras 3 reads it, a single factor f draws
 * from [1, 1 + f]).
 * @example new RandomContrast({ factor: 0.2 }).apply(images, { training: true });
 */
export class RandomContrast extends Layer {
  static override readonly className: string = 'RandomContrast';
  readonly factor: Factor;
  readonly valueRange: [number, number];
  readonly seed: number | null;
  private readonly range: [number, number];
  private readonly rng: Rng;

  constructor(args: RandomContrastArgs) {
    super(args);
    this.range = factorRange(this, 'factor', args?.factor, [0, 1]);
    this.factor = args.factor;
    const vr = args.valueRange ?? [0, 255];
    if (!Array.isArray(vr) || vr.length !== 2 || !(vr[0] < vr[1]))
      throw new ValueError(
        `${describeLayer(this)}: 'valueRange' must be [low, high] with low < high, got ${JSON.stringify(args.valueRange)}`,
      );
    this.valueRange = [vr[0], vr[1]];
    this.seed = args.seed ?? null;
    this.rng = this.seed === null ? globalRng : new Rng(this.seed);
    this.inputSpec = [{ ndim: 4 }];
  }

  call(inputs: Tensor | Tensor[], kwargs: CallArgs): Tensor {
    const x = inputs as Tensor;
    if (!kwargs.training) return x;
    const [lo, hi] = [1 - this.range[0], 1 + this.range[1]];
    const n = x.shape[0];
    const factors = tensor(
      Float64Array.from({ length: n }, () => lo + (hi - lo) * this.rng.uniform()),
      [n, 1, 1, 1],
      x.dtype,
    );
    const centre = mean(x, [1, 2], true);
    return clipByValue(add(mul(sub(x, centre), factors), centre), this.valueRange[0], this.valueRange[1]);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), factor: this.factor, valueRange: [...this.valueRange], seed: this.seed };
  }
}

registerLayerClass(RandomTranslation);
registerLayerClass(RandomRotation);
registerLayerClass(RandomZoom);
registerLayerClass(RandomContrast);
