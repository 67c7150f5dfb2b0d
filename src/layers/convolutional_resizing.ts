import { ValueError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { Config } from '../core/config.js';
import { broadcastTo } from '../ops/prims/binary.js';
import { pad, slice } from '../ops/prims/slice.js';
import { reshape } from '../ops/prims/shape_ops.js';
import { toPair, type Pair } from '../ops/conv_geometry.js';
import { resizeImages } from '../ops/resize.js';
import { checkDataFormat, describeLayer, imageShape, type ImageDataFormat } from './convolutional_base.js';
import { Layer, type LayerArgs } from './layer.js';
import { registerLayerClass } from './registry.js';
import type { Shape } from './symbolic.js';

/** [[top, bottom], [left, right]] from `n`, `[h, w]` or the full form (Keras' accepted forms). */
type Margins = number | readonly [number, number] | readonly [readonly [number, number], readonly [number, number]];

function toMargins(value: Margins, arg: string, who: string): [[number, number], [number, number]] {
  const bad = () =>
    new ValueError(
      `${who}: '${arg}' must be a non-negative integer, [height, width] or [[top, bottom], [left, right]], got ${JSON.stringify(value)}`,
    );
  const ok = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
  if (ok(value))
    return [
      [value, value],
      [value, value],
    ];
  if (!Array.isArray(value) || value.length !== 2) throw bad();
  if (ok(value[0]) && ok(value[1]))
    return [
      [value[0], value[0]],
      [value[1], value[1]],
    ];
  const [hh, ww] = value as unknown as [number[], number[]];
  if (Array.isArray(hh) && Array.isArray(ww) && hh.length === 2 && ww.length === 2 && [...hh, ...ww].every(ok))
    return [
      [hh[0], hh[1]],
      [ww[0], ww[1]],
    ];
  throw bad();
}

export interface ZeroPadding2DArgs extends LayerArgs {
  /** Rows/columns of zeros: n, [h, w] or [[top, bottom], [left, right]] (default 1). */
  padding?: Margins;
  dataFormat?: ImageDataFormat;
}

/**
 * Adds rows and columns of zeros around each image, Keras' ZeroPadding2D.
 * @example new ZeroPadding2D({ padding: [[1, 0], [2, 2]] }).apply(zeros([1, 3, 3, 1])); // [1, 4, 7, 1]
 */
export class ZeroPadding2D extends Layer {
  static override readonly className: string = 'ZeroPadding2D';
  readonly padding: [[number, number], [number, number]];

  constructor(args: ZeroPadding2DArgs = {}) {
    super(args);
    this.padding = toMargins(args.padding ?? 1, 'padding', describeLayer(this));
    checkDataFormat(args.dataFormat, describeLayer(this));
    this.inputSpec = [{ ndim: 4 }];
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    return pad(inputs as Tensor, [[0, 0], this.padding[0], this.padding[1], [0, 0]]);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = inputShape as Shape;
    const [h, w, c] = imageShape(this, s);
    const [[t, b], [l, r]] = this.padding;
    return [s[0], h === null ? null : h + t + b, w === null ? null : w + l + r, c];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), padding: this.padding.map((p) => [...p]), dataFormat: 'channels_last' };
  }
}

export interface Cropping2DArgs extends LayerArgs {
  /** Rows/columns removed: n, [h, w] or [[top, bottom], [left, right]] (default 0). */
  cropping?: Margins;
  dataFormat?: ImageDataFormat;
}

/**
 * Removes rows and columns at the image borders, Keras' Cropping2D.
 * @example new Cropping2D({ cropping: [[2, 2], [4, 4]] }).apply(zeros([1, 28, 28, 1])); // [1, 24, 20, 1]
 */
export class Cropping2D extends Layer {
  static override readonly className: string = 'Cropping2D';
  readonly cropping: [[number, number], [number, number]];

  constructor(args: Cropping2DArgs = {}) {
    super(args);
    this.cropping = toMargins(args.cropping ?? 0, 'cropping', describeLayer(this));
    checkDataFormat(args.dataFormat, describeLayer(this));
    this.inputSpec = [{ ndim: 4 }];
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    const [, h, w] = this.computeOutputShape(x.shape) as number[];
    return slice(x, [0, this.cropping[0][0], this.cropping[1][0], 0], [-1, h, w, -1]);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = inputShape as Shape;
    const [h, w, c] = imageShape(this, s);
    const [[t, b], [l, r]] = this.cropping;
    if ((h !== null && t + b >= h) || (w !== null && l + r >= w)) {
      throw new ValueError(
        `${describeLayer(this)}: cropping [[${t}, ${b}], [${l}, ${r}]] removes everything from input shape [${s.join(', ')}] (expected an input larger than ${t + b}x${l + r})`,
      );
    }
    return [s[0], h === null ? null : h - t - b, w === null ? null : w - l - r, c];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), cropping: this.cropping.map((p) => [...p]), dataFormat: 'channels_last' };
  }
}

export interface UpSampling2DArgs extends LayerArgs {
  /** Repeat factors [rows, columns] (default [2, 2]). */
  size?: Pair;
  /** 'nearest' (Keras' default: each pixel repeated) or 'bilinear' (resized with TensorFlow's half-pixel sampling). */
  interpolation?: 'nearest' | 'bilinear';
  dataFormat?: ImageDataFormat;
}

/**
 * Repeats every row and column `size` times (nearest-neighbour upsampling), or with
 * `interpolation: 'bilinear'` resizes by those factors blending neighbours, Keras' UpSampling2D.
 * @example new UpSampling2D({ size: 2 }).apply(zeros([1, 7, 7, 4])); // [1, 14, 14, 4]
 */
export class UpSampling2D extends Layer {
  static override readonly className: string = 'UpSampling2D';
  readonly size: [number, number];
  readonly interpolation: 'nearest' | 'bilinear';

  constructor(args: UpSampling2DArgs = {}) {
    super(args);
    const who = describeLayer(this);
    this.size = toPair(args.size ?? 2, 'size', who);
    this.interpolation = args.interpolation ?? 'nearest';
    if (this.interpolation !== 'nearest' && this.interpolation !== 'bilinear')
      throw new ValueError(
        `${who}: 'interpolation' must be 'nearest' or 'bilinear' (the ones implemented), got ${JSON.stringify(args.interpolation)}`,
      );
    checkDataFormat(args.dataFormat, who);
    this.inputSpec = [{ ndim: 4 }];
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    const [n, h, w, c] = x.shape;
    const [sh, sw] = this.size;
    if (this.interpolation === 'bilinear') return resizeImages(x, [h * sh, w * sw], 'bilinear');
    // A broadcast along two new axes; its gradient sums each block back to its pixel.
    const tiled = broadcastTo(reshape(x, [n, h, 1, w, 1, c]), [n, h, sh, w, sw, c]);
    return reshape(tiled, [n, h * sh, w * sw, c]);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = inputShape as Shape;
    const [h, w, c] = imageShape(this, s);
    return [s[0], h === null ? null : h * this.size[0], w === null ? null : w * this.size[1], c];
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      size: [...this.size],
      interpolation: this.interpolation,
      dataFormat: 'channels_last',
    };
  }
}

registerLayerClass(ZeroPadding2D);
registerLayerClass(Cropping2D);
registerLayerClass(UpSampling2D);
