import { ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { toFloat, type TensorLike } from './convert.js';
import { matMul } from './prims/matmul.js';
import { pad, slice } from './prims/slice.js';
import { reverse } from './reverse.js';
import { reshape, transpose } from './prims/shape_ops.js';
import {
  assertImages,
  checkPadding,
  geometry2d,
  toPair,
  type Geometry2d,
  type Pair,
  type PaddingMode,
} from './conv_geometry.js';
import { extractPatches } from './conv_patches.js';

/** Options shared by the 2-D convolutions. */
export interface Conv2dOptions {
  strides?: Pair;
  padding?: PaddingMode;
  dilations?: Pair;
}

/**
 * 2-D convolution (cross-correlation, as in every DL framework) of NHWC images with a kernel
 * laid out [kH, kW, inChannels / groups, outChannels] as in Keras. `groups` splits the input
 * and output channels into that many independent convolutions.
 *
 * It is a composite: patches (pad + gather) times the kernel in one matrix multiply, so the
 * cost is the backend's matmul and the gradient comes from those primitives.
 *
 * @example
 * conv2d(images, kernel, { strides: 2, padding: 'same' }); // [n, h/2, w/2, outChannels]
 */
export function conv2d(x: TensorLike, kernel: TensorLike, options: Conv2dOptions = {}, groups = 1): Tensor {
  const t = toFloat(x, 'x', 'conv2d');
  const k = toFloat(kernel, 'kernel', 'conv2d', t.dtype);
  assertImages(t.shape, 'x', 'conv2d');
  if (k.rank !== 4)
    throw new ValueError(
      `conv2d: 'kernel' must have rank 4 [kernelHeight, kernelWidth, inChannels, outChannels], got shape ${fmtShape(k.shape)}`,
    );
  const [kh, kw, kIn, outC] = k.shape;
  const c = t.shape[3];
  if (!Number.isInteger(groups) || groups < 1 || c % groups !== 0 || outC % groups !== 0) {
    throw new ValueError(
      `conv2d: 'groups' (${groups}) must be a positive integer dividing both the input channels (${c}) and the output channels (${outC})`,
    );
  }
  if (kIn * groups !== c) {
    throw new ValueError(
      `conv2d: the kernel ${fmtShape(k.shape)} expects ${kIn * groups} input channels${groups > 1 ? ` (${kIn} per group x ${groups} groups)` : ''}, but the images ${fmtShape(t.shape)} have ${c}`,
    );
  }
  const g = geometryOf(t, [kh, kw], options, 'conv2d');
  const patches = extractPatches(t, g);
  const n = t.shape[0];
  const rows = n * g.outH * g.outW;
  if (groups === 1)
    return reshape(matMul(reshape(patches, [rows, kh * kw * c]), reshape(k, [kh * kw * c, outC])), [
      n,
      g.outH,
      g.outW,
      outC,
    ]);
  // Grouped: one batched matmul over the groups, each seeing its slice of channels.
  const perGroupOut = outC / groups;
  const p = reshape(transpose(reshape(patches, [rows, kh * kw, groups, kIn]), [2, 0, 1, 3]), [
    groups,
    rows,
    kh * kw * kIn,
  ]);
  const w = reshape(transpose(reshape(k, [kh, kw, kIn, groups, perGroupOut]), [3, 0, 1, 2, 4]), [
    groups,
    kh * kw * kIn,
    perGroupOut,
  ]);
  const y = transpose(matMul(p, w), [1, 0, 2]);
  return reshape(y, [n, g.outH, g.outW, outC]);
}

/**
 * Depthwise convolution: each input channel is convolved with its own `multiplier` filters;
 * kernel [kH, kW, inChannels, multiplier] as in Keras, output channel c * multiplier + m.
 * @example depthwiseConv2d(images, randomNormal([3, 3, 8, 1]), { padding: 'same' })
 */
export function depthwiseConv2d(x: TensorLike, kernel: TensorLike, options: Conv2dOptions = {}): Tensor {
  const t = toFloat(x, 'x', 'depthwiseConv2d');
  const k = toFloat(kernel, 'kernel', 'depthwiseConv2d', t.dtype);
  assertImages(t.shape, 'x', 'depthwiseConv2d');
  if (k.rank !== 4 || k.shape[2] !== t.shape[3]) {
    throw new ValueError(
      `depthwiseConv2d: 'kernel' must be [kernelHeight, kernelWidth, ${t.shape[3]} (the input channels), multiplier], got ${fmtShape(k.shape)} for images ${fmtShape(t.shape)}`,
    );
  }
  const [kh, kw, c, mult] = k.shape;
  // Same memory layout as a grouped kernel [kh, kw, 1, c * mult] with one group per channel.
  return conv2d(t, reshape(k, [kh, kw, 1, c * mult]), options, c);
}

/** Options of `conv2dTranspose`. */
export interface Conv2dTransposeOptions extends Conv2dOptions {
  /** [height, width] of the output; default: the smallest one a forward conv maps back to x. */
  outputSize?: readonly [number, number];
}

/**
 * Transposed convolution (the gradient of conv2d with respect to its input, used to upsample).
 * Kernel [kH, kW, outChannels, inChannels] as in Keras' Conv2DTranspose. Computed as a stride-1
 * convolution of the zero-interleaved input with the flipped kernel.
 * @example conv2dTranspose(x, kernel, { strides: 2, padding: 'same' }) // doubles height and width
 */
export function conv2dTranspose(x: TensorLike, kernel: TensorLike, options: Conv2dTransposeOptions = {}): Tensor {
  const who = 'conv2dTranspose';
  const t = toFloat(x, 'x', who);
  const k = toFloat(kernel, 'kernel', who, t.dtype);
  assertImages(t.shape, 'x', who);
  if (k.rank !== 4 || k.shape[3] !== t.shape[3]) {
    throw new ValueError(
      `${who}: 'kernel' must be [kernelHeight, kernelWidth, outChannels, ${t.shape[3]} (the input channels)], got ${fmtShape(k.shape)} for x ${fmtShape(t.shape)}`,
    );
  }
  const [n, h, w, c] = t.shape;
  const [kh, kw, outC] = k.shape;
  const [sh, sw] = toPair(options.strides ?? 1, 'strides', who);
  const [dh, dw] = toPair(options.dilations ?? 1, 'dilations', who);
  const padding = checkPadding(options.padding ?? 'valid', who);
  const effH = (kh - 1) * dh + 1,
    effW = (kw - 1) * dw + 1;
  const [outH, outW] =
    options.outputSize ??
    (padding === 'same' ? [h * sh, w * sw] : [h * sh + Math.max(effH - sh, 0), w * sw + Math.max(effW - sw, 0)]);
  // The forward conv from the output back to x fixes the padding the transpose must undo.
  const fwd = geometry2d(outH, outW, [kh, kw], [sh, sw], [dh, dw], padding, who);
  if (fwd.outH !== h || fwd.outW !== w) {
    throw new ValueError(
      `${who}: outputSize [${outH}, ${outW}] is inconsistent with x ${fmtShape(t.shape)}: a ${padding} convolution with strides [${sh}, ${sw}] maps it to ${fwd.outH}x${fwd.outW}, not ${h}x${w}`,
    );
  }
  // Interleave stride - 1 zeros between pixels: [n, h, 1, w, 1, c] padded to [n, h, sh, w, sw, c].
  let z = reshape(t, [n, h, 1, w, 1, c]);
  z = pad(z, [
    [0, 0],
    [0, 0],
    [0, sh - 1],
    [0, 0],
    [0, sw - 1],
    [0, 0],
  ]);
  z = slice(reshape(z, [n, h * sh, w * sw, c]), [0, 0, 0, 0], [n, (h - 1) * sh + 1, (w - 1) * sw + 1, c]);
  const top = effH - 1 - fwd.padTop,
    left = effW - 1 - fwd.padLeft;
  const bottom = outH + effH - 1 - top - ((h - 1) * sh + 1),
    right = outW + effW - 1 - left - ((w - 1) * sw + 1);
  z = pad(z, [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ]);
  const flipped = transpose(reverse(k, [0, 1]), [0, 1, 3, 2]);
  void outC;
  return conv2d(z, flipped, { strides: 1, padding: 'valid', dilations: [dh, dw] });
}

/** Resolves strides/dilations/padding and the window geometry for images `t`. */
export function geometryOf(t: Tensor, kernel: [number, number], options: Conv2dOptions, who: string): Geometry2d {
  const strides = toPair(options.strides ?? 1, 'strides', who);
  const dilations = toPair(options.dilations ?? 1, 'dilations', who);
  const padding = checkPadding(options.padding ?? 'valid', who);
  return geometry2d(t.shape[1], t.shape[2], kernel, strides, dilations, padding, who);
}
