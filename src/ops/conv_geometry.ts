import { ValueError, fmtShape } from '../core/errors.js';

/** Keras/TF padding modes: 'valid' (no padding) or 'same' (output size = ceil(input / stride)). */
export type PaddingMode = 'valid' | 'same';

/** A pair of numbers given as one number (both axes) or as [height, width]. */
export type Pair = number | readonly [number, number] | readonly number[];

/** Where a 2-D window lands on an image: sizes, steps and the implicit zero padding. */
export interface Geometry2d {
  inH: number;
  inW: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  outH: number;
  outW: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
}

/**
 * Expands `1` or `[1, 2]` to `[1, 2]`, checking that both are positive integers.
 * @example toPair(3, 'kernelSize', 'conv2d') // [3, 3]
 */
export function toPair(value: Pair, arg: string, who: string): [number, number] {
  const pair = typeof value === 'number' ? [value, value] : Array.isArray(value) ? [...value] : [];
  if (pair.length !== 2 || pair.some((v) => !Number.isInteger(v) || v < 1)) {
    throw new ValueError(
      `${who}: '${arg}' must be a positive integer or a pair [height, width] of positive integers, got ${JSON.stringify(value)}`,
    );
  }
  return pair as [number, number];
}

/** Checks a padding mode, naming the valid ones. */
export function checkPadding(padding: string, who: string): PaddingMode {
  if (padding !== 'valid' && padding !== 'same')
    throw new ValueError(`${who}: 'padding' must be 'valid' or 'same', got ${JSON.stringify(padding)}`);
  return padding;
}

/**
 * Output length and the padding before/after along one axis, with TensorFlow's arithmetic.
 * @example axisGeometry(5, 3, 1, 2, 'same') // [5, 2, 2]
 */
export function axisGeometry(
  size: number,
  k: number,
  stride: number,
  dilation: number,
  padding: PaddingMode,
): [number, number, number] {
  const effective = (k - 1) * dilation + 1;
  if (padding === 'valid') return [size >= effective ? Math.floor((size - effective) / stride) + 1 : 0, 0, 0];
  const out = Math.ceil(size / stride);
  // TF puts the odd pixel of padding after (bottom/right), never before.
  const total = Math.max((out - 1) * stride + effective - size, 0);
  return [out, Math.floor(total / 2), total - Math.floor(total / 2)];
}

/**
 * The geometry of sliding a `kH x kW` window over an `inH x inW` image. Throws (naming `who`
 * and the sizes) when the window does not fit in the padded image, so no output would remain.
 * @example geometry2d(28, 28, [3, 3], [1, 1], [1, 1], 'valid', 'conv2d').outH // 26
 */
export function geometry2d(
  inH: number,
  inW: number,
  kernel: [number, number],
  strides: [number, number],
  dilations: [number, number],
  padding: PaddingMode,
  who: string,
): Geometry2d {
  const [outH, padTop, padBottom] = axisGeometry(inH, kernel[0], strides[0], dilations[0], padding);
  const [outW, padLeft, padRight] = axisGeometry(inW, kernel[1], strides[1], dilations[1], padding);
  if (outH <= 0 || outW <= 0) {
    const effH = (kernel[0] - 1) * dilations[0] + 1,
      effW = (kernel[1] - 1) * dilations[1] + 1;
    const dil =
      dilations[0] > 1 || dilations[1] > 1 ? ` (${kernel[0]}x${kernel[1]} dilated by ${dilations.join('x')})` : '';
    throw new ValueError(
      `${who}: the window of ${effH}x${effW}${dil} is larger than the ${padding}-padded input of ${inH + padTop + padBottom}x${inW + padLeft + padRight} (input height x width ${inH}x${inW}), which would leave an output of ${outH}x${outW}`,
    );
  }
  return {
    inH,
    inW,
    kH: kernel[0],
    kW: kernel[1],
    strideH: strides[0],
    strideW: strides[1],
    dilationH: dilations[0],
    dilationW: dilations[1],
    outH,
    outW,
    padTop,
    padBottom,
    padLeft,
    padRight,
  };
}

/**
 * The output length of a layer along one axis for a possibly unknown input length (`null`).
 * @example convOutputLength(28, 3, 1, 1, 'valid') // 26
 */
export function convOutputLength(
  size: number | null,
  k: number,
  stride: number,
  dilation: number,
  padding: PaddingMode,
): number | null {
  return size === null ? null : axisGeometry(size, k, stride, dilation, padding)[0];
}

/**
 * The output length of a transposed convolution (Keras' `deconv_output_length` without output padding).
 * @example deconvOutputLength(7, 3, 2, 1, 'same') // 14
 */
export function deconvOutputLength(
  size: number | null,
  k: number,
  stride: number,
  dilation: number,
  padding: PaddingMode,
): number | null {
  if (size === null) return null;
  const effective = (k - 1) * dilation + 1;
  return padding === 'valid' ? size * stride + Math.max(effective - stride, 0) : size * stride;
}

/** Throws unless `x` is a rank-4 NHWC image batch. */
export function assertImages(shape: readonly number[], arg: string, who: string): void {
  if (shape.length !== 4)
    throw new ValueError(
      `${who}: '${arg}' must be a rank-4 batch of images [batch, height, width, channels], got shape ${fmtShape(shape)} (rank ${shape.length})`,
    );
}
