import { ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { noGrad } from '../autograd/tape.js';
import { conv2d } from './conv.js';
import { convOutputLength, type PaddingMode } from './conv_geometry.js';
import { tensor, toFloat, type TensorLike } from './convert.js';
import { add, div, maximum } from './prims/binary.js';
import { gather } from './prims/gather.js';
import { reshape } from './prims/shape_ops.js';
import { pad, slice } from './prims/slice.js';
import { avgPool2d, maxPool2d } from './pool.js';

/** Three window sizes, strides or dilations [depth, height, width]; a number means all three. */
export type Triple = number | readonly [number, number, number];

/** `n` or `[d, h, w]` as three positive integers, naming the argument. */
export function toTriple(value: Triple, arg: string, who: string): [number, number, number] {
  const t = typeof value === 'number' ? [value, value, value] : Array.isArray(value) ? [...value] : [];
  if (t.length !== 3 || t.some((v) => !Number.isInteger(v) || v < 1))
    throw new ValueError(
      `${who}: '${arg}' must be a positive integer or [depth, height, width] of positive integers, got ${JSON.stringify(value)}`,
    );
  return t as [number, number, number];
}

/** Throws unless `shape` is a batch of channels-last volumes [batch, depth, height, width, channels]. */
function assertVolumes(shape: readonly number[], who: string): void {
  if (shape.length !== 5)
    throw new ValueError(
      `${who}: expected volumes [batch, depth, height, width, channels], got shape ${fmtShape(shape)} (rank ${shape.length})`,
    );
}

/**
 * The depth axis of a 3-D window op as 2-D ops see it: `x` padded along depth as 'same' needs
 * (with `fill`), and for each depth tap of the window the input slices it reads, one per output
 * depth. Each tap's slices become a batch of images [batch · outDepth, height, width, channels].
 */
function depthTaps(x: Tensor, k: number, stride: number, dilation: number, padding: PaddingMode, fill: number) {
  const depth = x.shape[1];
  const out = convOutputLength(depth, k, stride, dilation, padding) as number;
  const effective = (k - 1) * dilation + 1;
  const total = padding === 'same' ? Math.max((out - 1) * stride + effective - depth, 0) : 0;
  const front = Math.floor(total / 2);
  const padded =
    total > 0
      ? pad(
          x,
          [
            [0, 0],
            [front, total - front],
            [0, 0],
            [0, 0],
            [0, 0],
          ],
          fill,
        )
      : x;
  const [n, , h, w, c] = x.shape;
  const taps = Array.from({ length: k }, (_, a) => {
    const rows = Int32Array.from({ length: out }, (_, i) => a * dilation + i * stride);
    return reshape(gather(padded, tensor(rows, [out], 'int32'), 1), [n * out, h, w, c]);
  });
  // How many taps of each output depth read real (not padded) slices.
  const valid = Float64Array.from({ length: out }, (_, i) => {
    let count = 0;
    for (let a = 0; a < k; a++) {
      const at = a * dilation + i * stride - front;
      if (at >= 0 && at < depth) count++;
    }
    return count;
  });
  return { taps, out, valid };
}

/** Options of `conv3d`. */
export interface Conv3dOptions {
  strides?: Triple;
  padding?: PaddingMode;
  dilations?: Triple;
  /** Channel groups (Keras' `groups`): each group of filters reads its own slice of the channels. */
  groups?: number;
}

/**
 * 3-D convolution of channels-last volumes [batch, depth, height, width, channels] with a
 * kernel [kD, kH, kW, inChannels / groups, outChannels] (Keras' layout). A composite: for each
 * depth tap of the kernel, a (grouped) 2-D convolution of the depth slices it reads, summed;
 * gradients come from those ops.
 * @example conv3d(volumes, kernel, { strides: 2, padding: 'same' })
 */
export function conv3d(x: TensorLike, kernel: TensorLike, options: Conv3dOptions = {}): Tensor {
  const who = 'conv3d';
  const t = toFloat(x, 'x', who);
  const k = toFloat(kernel, 'kernel', who, t.dtype);
  assertVolumes(t.shape, who);
  const groups = options.groups ?? 1;
  if (k.rank !== 5 || k.shape[3] * groups !== t.shape[4])
    throw new ValueError(
      `${who}: 'kernel' must be [kernelDepth, kernelHeight, kernelWidth, ${t.shape[4] / groups} (the input channels${groups > 1 ? ` / ${groups} groups` : ''}), outChannels], got ${fmtShape(k.shape)}`,
    );
  const [sd, sh, sw] = toTriple(options.strides ?? 1, 'strides', who);
  const [dd, dh, dw] = toTriple(options.dilations ?? 1, 'dilations', who);
  const padding = options.padding ?? 'valid';
  const [kd, kh, kw, c, f] = k.shape;
  const { taps, out } = depthTaps(t, kd, sd, dd, padding, 0);
  let y: Tensor | null = null;
  taps.forEach((slices, a) => {
    const plane = reshape(slice(k, [a, 0, 0, 0, 0], [1, kh, kw, c, f]), [kh, kw, c, f]);
    const part = conv2d(slices, plane, { strides: [sh, sw], padding, dilations: [dh, dw] }, groups);
    y = y ? add(y, part) : part;
  });
  const r = y as unknown as Tensor;
  return reshape(r, [t.shape[0], out, r.shape[1], r.shape[2], f]);
}

/** Options of `maxPool3d` and `avgPool3d`: strides default to the pool size. */
export interface Pool3dOptions {
  strides?: Triple;
  padding?: PaddingMode;
}

function pool3d(x: TensorLike, poolSize: Triple, options: Pool3dOptions, kind: 'max' | 'avg'): Tensor {
  const who = kind === 'max' ? 'maxPool3d' : 'avgPool3d';
  const t = toFloat(x, 'x', who);
  assertVolumes(t.shape, who);
  const [pd, ph, pw] = toTriple(poolSize, 'poolSize', who);
  const [sd, sh, sw] = toTriple(options.strides ?? [pd, ph, pw], 'strides', who);
  const padding = options.padding ?? 'valid';
  const { taps, out, valid } = depthTaps(t, pd, sd, 1, padding, kind === 'max' ? Number.NEGATIVE_INFINITY : 0);
  const pool2d = kind === 'max' ? maxPool2d : avgPool2d;
  const parts = taps.map((slices) => pool2d(slices, [ph, pw], { strides: [sh, sw], padding }));
  let y = parts.reduce((acc, p) => (kind === 'max' ? maximum(acc, p) : add(acc, p)));
  const [n, , , , c] = t.shape;
  y = reshape(y, [n, out, y.shape[1], y.shape[2], c]);
  // Padded depth slices add zeros to the sums: divide by the taps that read real slices.
  if (kind === 'avg')
    y = div(
      y,
      noGrad(() => tensor(valid, [1, out, 1, 1, 1], t.dtype)),
    );
  return y;
}

/**
 * Max pooling of channels-last volumes (Keras' MaxPooling3D): the maximum over each
 * [depth, height, width] window, as the maximum over the window's depth slices of 2-D pooling.
 * @example maxPool3d(volumes, 2) // halves depth, height and width
 */
export function maxPool3d(x: TensorLike, poolSize: Triple, options: Pool3dOptions = {}): Tensor {
  return pool3d(x, poolSize, options, 'max');
}

/**
 * Average pooling of channels-last volumes (Keras' AveragePooling3D); with 'same' padding a
 * window averages only the real voxels it covers.
 * @example avgPool3d(volumes, 2, { padding: 'same' })
 */
export function avgPool3d(x: TensorLike, poolSize: Triple, options: Pool3dOptions = {}): Tensor {
  return pool3d(x, poolSize, options, 'avg');
}
