import { ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { tensor, toFloat, type TensorLike } from './convert.js';
import { add, mul, sub } from './prims/binary.js';
import { einsum } from './einsum.js';
import { gather } from './prims/gather.js';

/** How `resizeImages` samples: the nearest pixel, or a blend of the four around the point. */
export type ResizeInterpolation = 'nearest' | 'bilinear';

/** The sampling of one axis: neighbours `lower`/`upper` and the weight `frac` of `upper`. */
export interface SamplePoints {
  lower: Int32Array;
  upper: Int32Array;
  frac: Float64Array;
}

/**
 * Where each output row (or column) samples the input, with half-pixel centres as TensorFlow's
 * `tf.image.resize` (and so Keras 3) does: output i looks at input (i + 0.5)·in/out − 0.5.
 * `lower` and `upper` are the neighbours (clamped to the image) and `frac` the weight of `upper`.
 * @example samplePoints(2, 4, 'nearest').lower // [0, 0, 1, 1]
 */
export function samplePoints(inSize: number, outSize: number, interpolation: ResizeInterpolation): SamplePoints {
  const scale = inSize / outSize;
  const lower = new Int32Array(outSize);
  const upper = new Int32Array(outSize);
  const frac = new Float64Array(outSize);
  for (let i = 0; i < outSize; i++) {
    if (interpolation === 'nearest') {
      lower[i] = upper[i] = Math.min(Math.floor((i + 0.5) * scale), inSize - 1);
      continue;
    }
    const at = (i + 0.5) * scale - 0.5;
    const floor = Math.floor(at);
    lower[i] = Math.max(floor, 0);
    upper[i] = Math.min(Math.ceil(at), inSize - 1);
    frac[i] = at - floor;
  }
  return { lower, upper, frac };
}

/** Resamples `x` along `axis` to `outSize` entries: a gather of the neighbours and a blend. */
function resizeAxis(x: Tensor, axis: number, outSize: number, interpolation: ResizeInterpolation): Tensor {
  const inSize = x.shape[axis];
  if (inSize === outSize) return x;
  const { lower, upper, frac } = samplePoints(inSize, outSize, interpolation);
  const low = gather(x, tensor(lower, [outSize], 'int32'), axis);
  if (interpolation === 'nearest') return low;
  const high = gather(x, tensor(upper, [outSize], 'int32'), axis);
  const weightShape = x.shape.map((_, i) => (i === axis ? outSize : 1));
  // low + (high − low)·frac, each output position with its own frac.
  return add(low, mul(sub(high, low), tensor(frac, weightShape, x.dtype)));
}

/**
 * Resizes a batch of channels-last images [batch, height, width, channels] to `size`, as
 * `tf.image.resize` does (half-pixel centres; bilinear blends the four nearest pixels, nearest
 * picks one; with `antialias`, bilinear shrinking averages every input pixel under a widened
 * triangle, see antialiasWeights). Differentiable with respect to the images (the gradient
 * of a gather and a blend).
 * @example resizeImages(images, [64, 64]) // bilinear
 */
export function resizeImages(
  images: TensorLike,
  size: readonly [number, number],
  interpolation: ResizeInterpolation = 'bilinear',
  antialias = false,
): Tensor {
  const x = toFloat(images, 'images', 'resizeImages');
  if (x.rank !== 4)
    throw new ValueError(
      `resizeImages: expected images [batch, height, width, channels], got shape ${fmtShape(x.shape)}`,
    );
  if (!size.every((d) => Number.isInteger(d) && d > 0))
    throw new ValueError(
      `resizeImages: 'size' must be two positive integers [height, width], got ${JSON.stringify(size)}`,
    );
  if (interpolation !== 'nearest' && interpolation !== 'bilinear')
    throw new ValueError(
      `resizeImages: 'interpolation' must be 'nearest' or 'bilinear', got ${JSON.stringify(interpolation)}`,
    );
  // As in TensorFlow, antialiasing has no effect on nearest-neighbour resizing.
  if (antialias && interpolation === 'bilinear') {
    const [, h, w] = x.shape;
    const rows = tensor(antialiasWeights(h, size[0]), [size[0], h], x.dtype);
    const cols = tensor(antialiasWeights(w, size[1]), [size[1], w], x.dtype);
    return einsum('qw,nhwc->nhqc', cols, einsum('ph,nhwc->npwc', rows, x));
  }
  return resizeAxis(resizeAxis(x, 1, size[0], interpolation), 2, size[1], interpolation);
}

/** The smallest weight total TensorFlow still normalises (1000 times float32's least normal number). */
const TINY_TOTAL = 1000 * 1.1754943508222875e-38;

/**
 * Antialiased bilinear weights [outSize, inSize] for one axis, as TensorFlow's
 * `scale_and_translate` with the triangle kernel computes them: output i samples at
 * (i + 0.5) · in/out and averages the inputs under a triangle widened by in/out when shrinking
 * (so every input pixel counts, instead of the two nearest), the weights normalised to sum 1.
 * Growing, the triangle keeps width 1 and the result is plain bilinear resizing.
 * @example antialiasWeights(4, 2) // [3/7, 3/7, 1/7, 0,  0, 1/7, 3/7, 3/7]
 */
export function antialiasWeights(inSize: number, outSize: number): Float64Array {
  const inverse = inSize / outSize;
  const width = Math.max(inverse, 1);
  const weights = new Float64Array(outSize * inSize);
  for (let i = 0; i < outSize; i++) {
    const sample = (i + 0.5) * inverse;
    const start = Math.min(Math.max(Math.ceil(sample - width - 0.5), 0), inSize - 1);
    const end = Math.min(Math.max(Math.floor(sample + width - 0.5), 0), inSize - 1) + 1;
    let total = 0;
    for (let j = start; j < end; j++) {
      const v = Math.max(0, 1 - Math.abs((j + 0.5 - sample) / width));
      weights[i * inSize + j] = v;
      total += v;
    }
    if (Math.abs(total) >= TINY_TOTAL) for (let j = start; j < end; j++) weights[i * inSize + j] /= total;
  }
  return weights;
}
