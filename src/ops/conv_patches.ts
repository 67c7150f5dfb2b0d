import { keep } from '../core/memory.js';
import type { Tensor } from '../core/tensor.js';
import { tensor } from './convert.js';
import { gather } from './prims/gather.js';
import { pad } from './prims/slice.js';
import { reshape } from './prims/shape_ops.js';
import type { Geometry2d } from './conv_geometry.js';
import { hasIm2col, im2colOp } from './prims/conv_fused.js';

// One index tensor per geometry: building it is O(outH * outW * kH * kW) and layers reuse a
// geometry on every batch.
const indexCache = new Map<string, Tensor>();
const MAX_CACHED = 64;

/**
 * im2col: every window of the (padded) images as one row, so that a convolution is a single
 * matrix multiply. The rows are laid out as [outH, outW] and each row as [kH, kW, channels], the
 * order of a Keras kernel reshaped to [kH * kW * inChannels, filters].
 *
 * Built from pad and one gather, so its gradient (slice of a scatter-add) comes from those
 * primitives and runs on every backend; a backend with a fused im2col kernel runs that instead.
 *
 * @example
 * const g = geometry2d(5, 5, [3, 3], [1, 1], [1, 1], 'valid', 'conv2d');
 * extractPatches(images, g).shape; // [batch, 3, 3, 9 * channels]
 */
export function extractPatches(x: Tensor, g: Geometry2d, padValue = 0): Tensor {
  if (hasIm2col(x.backend)) return im2colOp(x, g, padValue);
  const [n, , , c] = x.shape;
  const padded = pad(
    x,
    [
      [0, 0],
      [g.padTop, g.padBottom],
      [g.padLeft, g.padRight],
      [0, 0],
    ],
    padValue,
  );
  const paddedW = g.inW + g.padLeft + g.padRight;
  const pixels = reshape(padded, [n, -1, c]);
  const windows = gather(pixels, windowIndices(g, paddedW, x.backend.name), 1);
  return reshape(windows, [n, g.outH, g.outW, g.kH * g.kW * c]);
}

/** Flat pixel index (in the padded image) of every window element, in output-major order. */
function windowIndices(g: Geometry2d, paddedW: number, backendName: string): Tensor {
  const key = [backendName, g.outH, g.outW, g.kH, g.kW, g.strideH, g.strideW, g.dilationH, g.dilationW, paddedW].join(
    ',',
  );
  let cached = indexCache.get(key);
  if (cached) return cached;
  const idx = new Int32Array(g.outH * g.outW * g.kH * g.kW);
  let p = 0;
  for (let oh = 0; oh < g.outH; oh++) {
    for (let ow = 0; ow < g.outW; ow++) {
      for (let i = 0; i < g.kH; i++) {
        const row = (oh * g.strideH + i * g.dilationH) * paddedW;
        for (let j = 0; j < g.kW; j++) idx[p++] = row + ow * g.strideW + j * g.dilationW;
      }
    }
  }
  // Kept: the cache outlives the training step's scope that happens to create it.
  cached = keep(tensor(idx, [idx.length], 'int32'));
  if (indexCache.size >= MAX_CACHED) indexCache.delete(indexCache.keys().next().value as string);
  indexCache.set(key, cached);
  return cached;
}
