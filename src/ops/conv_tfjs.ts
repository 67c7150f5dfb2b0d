/**
 * Convolutions and pooling with TF.js' positional signatures (`tf.conv2d(x, filter, strides,
 * pad, dataFormat, dilations)`, `tf.maxPool(x, filterSize, strides, pad)`, `tf.conv1d`,
 * `tf.separableConv2d`, ...), built on Myelin's options-form ops. Single images (rank 3, or rank
 * 2 for conv1d) get a batch of one and lose it again, as in TF.js; a numeric or explicit
 * padding is applied with `pad` before a 'valid' window.
 */
import { ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { toFloat, type TensorLike } from './convert.js';
import {
  conv2d as conv2dOptions,
  conv2dTranspose as conv2dTransposeOptions,
  depthwiseConv2d as dwOptions,
  type Conv2dOptions,
  type Conv2dTransposeOptions,
} from './conv.js';
import type { Pair, PaddingMode } from './conv_geometry.js';
import { expandDims, squeeze } from './dims.js';
import { avgPool2d, maxPool2d } from './pool.js';
import { pad as padOp } from './prims/slice.js';
import { reshape } from './prims/shape_ops.js';

/** TF.js' padding argument: a mode, one number for every side, or [[0, 0], [top, bottom], [left, right], [0, 0]]. */
export type TfjsPadding = PaddingMode | number | readonly (readonly [number, number])[];

/** A batch of NHWC images (a single image gains a batch of one); `single` says to drop it again. */
function asBatch(x: Tensor, rank: number, who: string): { t: Tensor; single: boolean } {
  if (x.rank === rank - 1) return { t: expandDims(x, 0), single: true };
  if (x.rank !== rank)
    throw new ValueError(
      `${who}: 'x' must have rank ${rank} (a batch) or ${rank - 1} (one sample), got shape ${fmtShape(x.shape)}`,
    );
  return { t: x, single: false };
}

function checkDataFormat(format: string | undefined, channelsLast: string, who: string): void {
  if (format === undefined || format === null || format === channelsLast) return;
  throw new ValueError(
    `${who}: dataFormat '${format}' is not supported; Myelin computes channels-last ('${channelsLast}'): transpose the input to ${channelsLast}`,
  );
}

function checkRounding(mode: unknown, who: string): void {
  if (mode !== undefined && mode !== null)
    throw new ValueError(
      `${who}: dimRoundingMode is not supported; give the padding as 'same', 'valid' or explicit [[0, 0], [top, bottom], [left, right], [0, 0]]`,
    );
}

/** The padding mode to convolve with, after padding `t` explicitly where TF.js asked for numbers. */
function applyPadding(t: Tensor, padding: TfjsPadding | undefined, who: string): { t: Tensor; mode: PaddingMode } {
  if (padding === undefined || padding === 'valid' || padding === 'same') return { t, mode: padding ?? 'valid' };
  if (typeof padding === 'number') {
    if (!Number.isInteger(padding) || padding < 0)
      throw new ValueError(`${who}: a numeric 'pad' must be a non-negative integer, got ${padding}`);
    return {
      t: padOp(t, [
        [0, 0],
        [padding, padding],
        [padding, padding],
        [0, 0],
      ]),
      mode: 'valid',
    };
  }
  if (Array.isArray(padding) && padding.length === 4) return { t: padOp(t, padding), mode: 'valid' };
  throw new ValueError(
    `${who}: 'pad' must be 'valid', 'same', a number or [[0, 0], [top, bottom], [left, right], [0, 0]], got ${JSON.stringify(padding)}`,
  );
}

/**
 * TF.js' `tf.conv2d(x, filter, strides, pad, dataFormat?, dilations?)`: a 2-D convolution of NHWC
 * images (or one HWC image) with a filter [filterHeight, filterWidth, inChannels, outChannels].
 * @example conv2dTfjs(images, filter, 1, 'same');
 */
export function conv2dTfjs(
  x: TensorLike,
  filter: TensorLike,
  strides: Pair = 1,
  pad: TfjsPadding = 'valid',
  dataFormat?: 'NHWC' | 'NCHW',
  dilations: Pair = 1,
  dimRoundingMode?: string,
): Tensor {
  const who = 'conv2d';
  checkDataFormat(dataFormat, 'NHWC', who);
  checkRounding(dimRoundingMode, who);
  const { t, single } = asBatch(toFloat(x, 'x', who), 4, who);
  const padded = applyPadding(t, pad, who);
  const y = conv2dOptions(padded.t, filter, { strides, padding: padded.mode, dilations });
  return single ? squeeze(y, 0) : y;
}

/**
 * TF.js' `tf.depthwiseConv2d(x, filter, strides, pad, dataFormat?, dilations?)`: filter
 * [filterHeight, filterWidth, inChannels, channelMultiplier].
 * @example depthwiseConv2dTfjs(images, filter, 1, 'same');
 */
export function depthwiseConv2dTfjs(
  x: TensorLike,
  filter: TensorLike,
  strides: Pair = 1,
  pad: TfjsPadding = 'valid',
  dataFormat?: 'NHWC' | 'NCHW',
  dilations: Pair = 1,
  dimRoundingMode?: string,
): Tensor {
  const who = 'depthwiseConv2d';
  checkDataFormat(dataFormat, 'NHWC', who);
  checkRounding(dimRoundingMode, who);
  const { t, single } = asBatch(toFloat(x, 'x', who), 4, who);
  const padded = applyPadding(t, pad, who);
  const y = dwOptions(padded.t, filter, { strides, padding: padded.mode, dilations });
  return single ? squeeze(y, 0) : y;
}

/**
 * TF.js' `tf.separableConv2d(x, depthwiseFilter, pointwiseFilter, strides, pad, dilation?,
 * dataFormat?)`: a depthwise convolution followed by a 1x1 convolution mixing the channels.
 * @example separableConv2d(images, dw /* [3, 3, c, 1] *\/, pw /* [1, 1, c, 16] *\/, 1, 'same');
 */
export function separableConv2d(
  x: TensorLike,
  depthwiseFilter: TensorLike,
  pointwiseFilter: TensorLike,
  strides: Pair = 1,
  pad: TfjsPadding = 'valid',
  dilation: Pair = 1,
  dataFormat?: 'NHWC' | 'NCHW',
): Tensor {
  const who = 'separableConv2d';
  checkDataFormat(dataFormat, 'NHWC', who);
  const { t, single } = asBatch(toFloat(x, 'x', who), 4, who);
  const padded = applyPadding(t, pad, who);
  const depthwise = dwOptions(padded.t, depthwiseFilter, { strides, padding: padded.mode, dilations: dilation });
  const y = conv2dOptions(depthwise, pointwiseFilter, { strides: 1, padding: 'valid' });
  return single ? squeeze(y, 0) : y;
}

/**
 * TF.js' `tf.conv2dTranspose(x, filter, outputShape, strides, pad)`: filter [filterHeight,
 * filterWidth, outChannels, inChannels]; `outputShape` [batch, height, width, outChannels] or
 * [height, width, outChannels].
 * @example conv2dTransposeTfjs(x, filter, [8, 16, 16, 3], 2, 'same');
 */
export function conv2dTransposeTfjs(
  x: TensorLike,
  filter: TensorLike,
  outputShape: readonly number[],
  strides: Pair = 1,
  pad: PaddingMode = 'valid',
  dimRoundingMode?: string,
): Tensor {
  const who = 'conv2dTranspose';
  checkRounding(dimRoundingMode, who);
  if (!Array.isArray(outputShape) || (outputShape.length !== 3 && outputShape.length !== 4))
    throw new ValueError(
      `${who}: 'outputShape' must be [batch, height, width, channels] or [height, width, channels], got ${JSON.stringify(outputShape)}`,
    );
  const { t, single } = asBatch(toFloat(x, 'x', who), 4, who);
  const [h, w] = outputShape.length === 4 ? outputShape.slice(1, 3) : outputShape.slice(0, 2);
  const y = conv2dTransposeOptions(t, filter, { strides, padding: pad, outputSize: [h, w] });
  return single ? squeeze(y, 0) : y;
}

/**
 * TF.js' `tf.conv1d(x, filter, stride, pad, dataFormat?, dilation?)`: a 1-D convolution of
 * [batch, width, inChannels] sequences (or one [width, inChannels]) with a filter [filterWidth,
 * inChannels, outChannels].
 * @example conv1d(sequences, filter, 1, 'same');
 */
export function conv1d(
  x: TensorLike,
  filter: TensorLike,
  stride = 1,
  pad: PaddingMode | number = 'valid',
  dataFormat?: 'NWC' | 'NCW',
  dilation = 1,
  dimRoundingMode?: string,
): Tensor {
  const who = 'conv1d';
  checkDataFormat(dataFormat, 'NWC', who);
  checkRounding(dimRoundingMode, who);
  const { t, single } = asBatch(toFloat(x, 'x', who), 3, who);
  const f = toFloat(filter, 'filter', who, t.dtype);
  if (f.rank !== 3)
    throw new ValueError(
      `${who}: 'filter' must have rank 3 [filterWidth, inChannels, outChannels], got shape ${fmtShape(f.shape)}`,
    );
  let images = expandDims(t, 1);
  let mode: PaddingMode = 'valid';
  if (typeof pad === 'number') {
    if (!Number.isInteger(pad) || pad < 0)
      throw new ValueError(`${who}: a numeric 'pad' must be a non-negative integer, got ${pad}`);
    images = padOp(images, [
      [0, 0],
      [0, 0],
      [pad, pad],
      [0, 0],
    ]);
  } else mode = pad;
  const y = conv2dOptions(images, reshape(f, [1, ...f.shape]), {
    strides: [1, stride],
    padding: mode,
    dilations: [1, dilation],
  });
  const out = reshape(y, [y.shape[0], y.shape[2], y.shape[3]]);
  return single ? squeeze(out, 0) : out;
}

/**
 * TF.js' `tf.maxPool(x, filterSize, strides, pad)`: the maximum over each window of NHWC
 * images (or one HWC image). Strides default to the window.
 * @example maxPool(images, 2, 2, 'valid'); // halves height and width
 */
export function maxPool(
  x: TensorLike,
  filterSize: Pair,
  strides?: Pair,
  pad: TfjsPadding = 'valid',
  dimRoundingMode?: string,
): Tensor {
  return pool(maxPool2d, 'maxPool', x, filterSize, strides, pad, dimRoundingMode, -Infinity);
}

/**
 * TF.js' `tf.avgPool(x, filterSize, strides, pad)`: the mean over each window (padded pixels
 * left out of the count with 'same').
 * @example avgPool(images, [2, 2], 2, 'same');
 */
export function avgPool(
  x: TensorLike,
  filterSize: Pair,
  strides?: Pair,
  pad: TfjsPadding = 'valid',
  dimRoundingMode?: string,
): Tensor {
  return pool(avgPool2d, 'avgPool', x, filterSize, strides, pad, dimRoundingMode, 0);
}

function pool(
  op: typeof maxPool2d,
  who: string,
  x: TensorLike,
  filterSize: Pair,
  strides: Pair | undefined,
  pad: TfjsPadding,
  dimRoundingMode: string | undefined,
  fill: number,
): Tensor {
  checkRounding(dimRoundingMode, who);
  const { t, single } = asBatch(toFloat(x, 'x', who), 4, who);
  let padded = { t, mode: 'valid' as PaddingMode };
  if (pad === 'valid' || pad === 'same') padded.mode = pad;
  else {
    padded = applyPadding(t, pad, who);
    // Explicit padding of a max pool must never win: pad with -Infinity instead of zeros.
    if (fill !== 0) padded.t = applyFill(t, pad, fill, who);
  }
  const y = op(padded.t, filterSize, { strides: strides ?? filterSize, padding: padded.mode });
  return single ? squeeze(y, 0) : y;
}

function applyFill(t: Tensor, pad: TfjsPadding, fill: number, who: string): Tensor {
  const n = typeof pad === 'number' ? pad : null;
  const paddings =
    n === null
      ? (pad as readonly (readonly [number, number])[])
      : ([
          [0, 0],
          [n, n],
          [n, n],
          [0, 0],
        ] as const);
  if (!Array.isArray(paddings) || paddings.length !== 4)
    throw new ValueError(`${who}: 'pad' must be 'valid', 'same', a number or 4 [before, after] pairs`);
  return padOp(t, paddings, fill);
}

const isOptionsObject = (v: unknown): boolean =>
  v === undefined || (typeof v === 'object' && v !== null && !Array.isArray(v));

/**
 * A 2-D convolution of NHWC images, called either Myelin's way, `conv2d(x, kernel, { strides,
 * padding, dilations }, groups)`, or TF.js' way, `conv2d(x, filter, strides, pad, dataFormat,
 * dilations)`. The kernel is [kernelHeight, kernelWidth, inChannels / groups, outChannels].
 * @example conv2d(images, kernel, { strides: 2, padding: 'same' }); conv2d(images, kernel, 2, 'same');
 */
export function conv2d(x: TensorLike, kernel: TensorLike, options?: Conv2dOptions, groups?: number): Tensor;
export function conv2d(
  x: TensorLike,
  filter: TensorLike,
  strides: Pair,
  pad: TfjsPadding,
  dataFormat?: 'NHWC' | 'NCHW',
  dilations?: Pair,
  dimRoundingMode?: string,
): Tensor;
export function conv2d(
  x: TensorLike,
  kernel: TensorLike,
  a?: Conv2dOptions | Pair,
  b?: number | TfjsPadding,
  dataFormat?: 'NHWC' | 'NCHW',
  dilations?: Pair,
  dimRoundingMode?: string,
): Tensor {
  if (isOptionsObject(a) && (b === undefined || typeof b === 'number') && dataFormat === undefined)
    return conv2dOptions(x, kernel, a as Conv2dOptions | undefined, b as number | undefined);
  return conv2dTfjs(x, kernel, a as Pair, b as TfjsPadding, dataFormat, dilations, dimRoundingMode);
}

/**
 * Depthwise convolution, Myelin's way `depthwiseConv2d(x, kernel, { strides, padding })` or
 * TF.js' way `depthwiseConv2d(x, filter, strides, pad, dataFormat, dilations)`; kernel
 * [kernelHeight, kernelWidth, inChannels, multiplier].
 * @example depthwiseConv2d(images, kernel, 1, 'same');
 */
export function depthwiseConv2d(x: TensorLike, kernel: TensorLike, options?: Conv2dOptions): Tensor;
export function depthwiseConv2d(
  x: TensorLike,
  filter: TensorLike,
  strides: Pair,
  pad: TfjsPadding,
  dataFormat?: 'NHWC' | 'NCHW',
  dilations?: Pair,
  dimRoundingMode?: string,
): Tensor;
export function depthwiseConv2d(
  x: TensorLike,
  kernel: TensorLike,
  a?: Conv2dOptions | Pair,
  pad?: TfjsPadding,
  dataFormat?: 'NHWC' | 'NCHW',
  dilations?: Pair,
  dimRoundingMode?: string,
): Tensor {
  if (isOptionsObject(a) && pad === undefined) return dwOptions(x, kernel, a as Conv2dOptions | undefined);
  return depthwiseConv2dTfjs(x, kernel, a as Pair, pad as TfjsPadding, dataFormat, dilations, dimRoundingMode);
}

/**
 * Transposed convolution, Myelin's way `conv2dTranspose(x, kernel, { strides, padding,
 * outputSize })` or TF.js' way `conv2dTranspose(x, filter, outputShape, strides, pad)`; kernel
 * [kernelHeight, kernelWidth, outChannels, inChannels].
 * @example conv2dTranspose(x, kernel, [1, 16, 16, 3], 2, 'same');
 */
export function conv2dTranspose(x: TensorLike, kernel: TensorLike, options?: Conv2dTransposeOptions): Tensor;
export function conv2dTranspose(
  x: TensorLike,
  filter: TensorLike,
  outputShape: readonly number[],
  strides: Pair,
  pad: PaddingMode,
  dimRoundingMode?: string,
): Tensor;
export function conv2dTranspose(
  x: TensorLike,
  kernel: TensorLike,
  a?: Conv2dTransposeOptions | readonly number[],
  strides?: Pair,
  pad?: PaddingMode,
  dimRoundingMode?: string,
): Tensor {
  if (isOptionsObject(a)) return conv2dTransposeOptions(x, kernel, a as Conv2dTransposeOptions | undefined);
  return conv2dTransposeTfjs(x, kernel, a as readonly number[], strides, pad, dimRoundingMode);
}
