import { fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { Config } from '../core/config.js';
import {
  checkPadding,
  convOutputLength,
  geometry2d,
  toPair,
  type Pair,
  type PaddingMode,
} from '../ops/conv_geometry.js';
import { avgPool2d, maxPool2d } from '../ops/pool.js';
import { max } from '../ops/prims/reduce.js';
import { mean } from '../ops/moments.js';
import { checkDataFormat, describeLayer, imageShape, type ImageDataFormat } from './convolutional_base.js';
import { Layer, type LayerArgs } from './layer.js';
import { registerLayerClass } from './registry.js';
import type { Shape } from './symbolic.js';

export interface Pooling2DArgs extends LayerArgs {
  /** Window [height, width] (default [2, 2]). */
  poolSize?: Pair;
  /** Step between windows (default: the window size). */
  strides?: Pair | null;
  padding?: PaddingMode;
  dataFormat?: ImageDataFormat;
}

/** Window bookkeeping shared by max and average pooling. */
abstract class Pooling2D extends Layer {
  readonly poolSize: [number, number];
  readonly strides: [number, number];
  readonly padding: PaddingMode;
  readonly dataFormat = 'channels_last' as const;

  constructor(args: Pooling2DArgs = {}) {
    super(args);
    const who = describeLayer(this);
    this.poolSize = toPair(args.poolSize ?? 2, 'poolSize', who);
    this.strides = toPair(args.strides ?? this.poolSize, 'strides', who);
    this.padding = checkPadding(args.padding ?? 'valid', who);
    checkDataFormat(args.dataFormat, who);
    this.inputSpec = [{ ndim: 4 }];
  }

  override build(inputShape: Shape | Shape[]): void {
    this.computeOutputShape(inputShape);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    const [h, w, c] = imageShape(this, shape);
    if (h !== null && w !== null)
      geometry2d(
        h,
        w,
        this.poolSize,
        this.strides,
        [1, 1],
        this.padding,
        `${describeLayer(this)} with input shape ${fmtShape(shape)}`,
      );
    return [
      shape[0],
      convOutputLength(h, this.poolSize[0], this.strides[0], 1, this.padding),
      convOutputLength(w, this.poolSize[1], this.strides[1], 1, this.padding),
      c,
    ];
  }

  protected options(x: Tensor) {
    this.computeOutputShape(x.shape);
    return { strides: this.strides, padding: this.padding };
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      poolSize: [...this.poolSize],
      strides: [...this.strides],
      padding: this.padding,
      dataFormat: this.dataFormat,
    };
  }
}

/**
 * Max over each window, Keras' MaxPooling2D (2x2 windows, stride = window, 'valid').
 * @example new MaxPooling2D({ poolSize: 2 }).apply(zeros([1, 26, 26, 32])); // [1, 13, 13, 32]
 */
export class MaxPooling2D extends Pooling2D {
  static override readonly className: string = 'MaxPooling2D';
  call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    return maxPool2d(x, this.poolSize, this.options(x));
  }
}

/**
 * Mean over each window, Keras' AveragePooling2D ('same' padding leaves padded pixels out of the mean).
 * @example new AveragePooling2D({ poolSize: 2 }).apply(zeros([1, 4, 4, 3])); // [1, 2, 2, 3]
 */
export class AveragePooling2D extends Pooling2D {
  static override readonly className: string = 'AveragePooling2D';
  call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    return avgPool2d(x, this.poolSize, this.options(x));
  }
}

export interface GlobalPooling2DArgs extends LayerArgs {
  dataFormat?: ImageDataFormat;
  /** Keep the height and width axes as size 1 (default false). */
  keepdims?: boolean;
}

abstract class GlobalPooling2D extends Layer {
  readonly dataFormat = 'channels_last' as const;
  readonly keepdims: boolean;

  constructor(args: GlobalPooling2DArgs = {}) {
    super(args);
    checkDataFormat(args.dataFormat, describeLayer(this));
    this.keepdims = args.keepdims ?? false;
    this.inputSpec = [{ ndim: 4 }];
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    const [, , c] = imageShape(this, shape);
    return this.keepdims ? [shape[0], 1, 1, c] : [shape[0], c];
  }

  override build(inputShape: Shape | Shape[]): void {
    imageShape(this, inputShape as Shape);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), dataFormat: this.dataFormat, keepdims: this.keepdims };
  }
}

/**
 * Mean over height and width: [batch, h, w, c] → [batch, c].
 * @example new GlobalAveragePooling2D().apply(zeros([2, 5, 5, 8])); // [2, 8]
 */
export class GlobalAveragePooling2D extends GlobalPooling2D {
  static override readonly className: string = 'GlobalAveragePooling2D';
  call(inputs: Tensor | Tensor[]): Tensor {
    return mean(inputs as Tensor, [1, 2], this.keepdims);
  }
}

/**
 * Max over height and width: [batch, h, w, c] → [batch, c].
 * @example new GlobalMaxPooling2D().apply(zeros([2, 5, 5, 8])); // [2, 8]
 */
export class GlobalMaxPooling2D extends GlobalPooling2D {
  static override readonly className: string = 'GlobalMaxPooling2D';
  call(inputs: Tensor | Tensor[]): Tensor {
    return max(inputs as Tensor, [1, 2], this.keepdims);
  }
}

registerLayerClass(MaxPooling2D);
registerLayerClass(AveragePooling2D);
registerLayerClass(GlobalAveragePooling2D);
registerLayerClass(GlobalMaxPooling2D);
