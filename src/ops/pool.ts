import { noGrad } from '../autograd/tape.js';
import type { Tensor } from '../core/tensor.js';
import { div } from './prims/binary.js';
import { toFloat, type TensorLike } from './convert.js';
import { ones } from './creation.js';
import { max, sum } from './prims/reduce.js';
import { mean } from './moments.js';
import { reshape } from './prims/shape_ops.js';
import { assertImages, type Pair, type PaddingMode, toPair } from './conv_geometry.js';
import { geometryOf } from './conv.js';
import { extractPatches } from './conv_patches.js';
import { hasMaxPool, maxPoolOp } from './prims/conv_fused.js';

/** Window, strides (default: the window) and padding of a pooling op. */
export interface Pool2dOptions {
  strides?: Pair;
  padding?: PaddingMode;
}

/** Every window as [n, outH, outW, kH * kW, channels], with padded pixels set to `padValue`. */
function windows(t: Tensor, poolSize: Pair, options: Pool2dOptions, padValue: number, who: string) {
  assertImages(t.shape, 'x', who);
  const size = toPair(poolSize, 'poolSize', who);
  const g = geometryOf(t, size, { strides: options.strides ?? size, padding: options.padding }, who);
  const [n, , , c] = t.shape;
  return { g, w: reshape(extractPatches(t, g, padValue), [n, g.outH, g.outW, size[0] * size[1], c]) };
}

/**
 * Max over each window (NHWC). Padded pixels never win ('same' pads with -Infinity); tied
 * maxima share the gradient equally.
 * @example maxPool2d(images, 2) // halves height and width
 */
export function maxPool2d(x: TensorLike, poolSize: Pair, options: Pool2dOptions = {}): Tensor {
  const t = toFloat(x, 'x', 'maxPool2d');
  if (hasMaxPool(t.backend)) {
    assertImages(t.shape, 'x', 'maxPool2d');
    const size = toPair(poolSize, 'poolSize', 'maxPool2d');
    return maxPoolOp(
      t,
      geometryOf(t, size, { strides: options.strides ?? size, padding: options.padding }, 'maxPool2d'),
    );
  }
  return max(windows(t, poolSize, options, -Infinity, 'maxPool2d').w, 3);
}

/**
 * Mean over each window (NHWC). With 'same' padding the padded pixels are left out of the
 * count, as in TensorFlow.
 * @example avgPool2d(images, [2, 2], { strides: 1, padding: 'same' })
 */
export function avgPool2d(x: TensorLike, poolSize: Pair, options: Pool2dOptions = {}): Tensor {
  const t = toFloat(x, 'x', 'avgPool2d');
  const { g, w } = windows(t, poolSize, options, 0, 'avgPool2d');
  if (g.padTop + g.padBottom + g.padLeft + g.padRight === 0) return mean(w, 3);
  // How many real pixels each window covers: the same windows over an image of ones.
  const counts = noGrad(() =>
    sum(windows(ones([1, t.shape[1], t.shape[2], 1], t.dtype), poolSize, options, 0, 'avgPool2d').w, 3),
  );
  return div(sum(w, 3), counts);
}
