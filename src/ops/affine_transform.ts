import { ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { tensor, toFloat, type TensorLike } from './convert.js';
import { fill } from './creation.js';
import { mul } from './prims/binary.js';
import { concat } from './prims/concat.js';
import { gather } from './prims/gather.js';
import { sum } from './prims/reduce.js';
import { reshape } from './prims/shape_ops.js';

/** How points outside the image are read: mirrored, wrapped around, a constant, or the nearest edge pixel. */
export type FillMode = 'reflect' | 'wrap' | 'constant' | 'nearest';

const FILL_MODES: readonly FillMode[] = ['reflect', 'wrap', 'constant', 'nearest'];

/** TensorFlow's `MapCoordinate`: a coordinate outside [0, len − 1] brought back in as `mode` says. */
function mapCoordinate(at: number, len: number, mode: FillMode): number {
  let c = at;
  if (mode === 'constant') return c;
  if (mode === 'reflect') {
    if (c < 0) {
      if (len <= 1) c = 0;
      else {
        const sz2 = 2 * len;
        if (c < -sz2) c = sz2 * Math.trunc(-c / sz2) + c;
        c = c < -len ? c + sz2 : -c - 1;
      }
    } else if (c > len - 1) {
      if (len <= 1) c = 0;
      else {
        const sz2 = 2 * len;
        c -= sz2 * Math.trunc(c / sz2);
        if (c >= len) c = sz2 - c - 1;
      }
    }
  } else if (mode === 'wrap') {
    if (c < 0) {
      if (len <= 1) c = 0;
      else c += len * (Math.trunc(-c / (len - 1)) + 1);
    } else if (c > len - 1) {
      if (len <= 1) c = 0;
      else c -= len * Math.trunc(c / (len - 1));
    }
  }
  return Math.min(Math.max(c, 0), len - 1);
}

/**
 * Applies a projective transform to each image [batch, height, width, channels], as TensorFlow's
 * `ImageProjectiveTransformV3` (what Keras' `affine_transform` runs): `transforms` holds 8 numbers
 * per image [a0, a1, a2, b0, b1, b2, c0, c1] mapping each output point (x, y) to the input point
 * ((a0·x + a1·y + a2) / k, (b0·x + b1·y + b2) / k), k = c0·x + c1·y + 1, read with `interpolation`
 * and `fillMode` outside the image. Differentiable with respect to the images (a gather and a
 * weighted sum).
 * @example affineTransform(images, [[1, 0, -2, 0, 1, 0, 0, 0]]) // shifts right by 2 pixels
 */
export function affineTransform(
  images: TensorLike,
  transforms: ArrayLike<number>[],
  interpolation: 'bilinear' | 'nearest' = 'bilinear',
  fillMode: FillMode = 'constant',
  fillValue = 0,
): Tensor {
  const x = toFloat(images, 'images', 'affineTransform');
  if (x.rank !== 4)
    throw new ValueError(
      `affineTransform: expected images [batch, height, width, channels], got shape ${fmtShape(x.shape)}`,
    );
  const [n, h, w, c] = x.shape;
  if (transforms.length !== n || transforms.some((t) => t.length !== 8))
    throw new ValueError(
      `affineTransform: expected ${n} transforms of 8 numbers (one per image), got ${transforms.length}`,
    );
  if (!FILL_MODES.includes(fillMode))
    throw new ValueError(
      `affineTransform: 'fillMode' must be one of ${FILL_MODES.join(', ')}, got ${JSON.stringify(fillMode)}`,
    );
  if (interpolation !== 'bilinear' && interpolation !== 'nearest')
    throw new ValueError(
      `affineTransform: 'interpolation' must be 'bilinear' or 'nearest', got ${JSON.stringify(interpolation)}`,
    );
  // Every pixel of every image as a row, and one more row holding the fill value.
  const outside = n * h * w;
  const taps = interpolation === 'bilinear' ? 4 : 1;
  const index = new Int32Array(outside * taps).fill(outside);
  const weight = new Float64Array(outside * taps);
  const read = (b: number, yy: number, xx: number) =>
    yy >= 0 && yy < h && xx >= 0 && xx < w ? (b * h + yy) * w + xx : outside;
  for (let b = 0; b < n; b++) {
    // Transforms are float32 in TensorFlow; rounding them alike keeps ties (x.5 pixels) the same.
    const [a0, a1, a2, b0, b1, b2, c0, c1] = Array.from(transforms[b], Math.fround);
    for (let oy = 0; oy < h; oy++)
      for (let ox = 0; ox < w; ox++) {
        const k = c0 * ox + c1 * oy + 1;
        const at = ((b * h + oy) * w + ox) * taps;
        if (k === 0) continue;
        const inX = mapCoordinate((a0 * ox + a1 * oy + a2) / k, w, fillMode);
        const inY = mapCoordinate((b0 * ox + b1 * oy + b2) / k, h, fillMode);
        if (interpolation === 'nearest') {
          index[at] = read(b, roundHalfAway(inY), roundHalfAway(inX));
          weight[at] = 1;
          continue;
        }
        const y0 = Math.floor(inY),
          x0 = Math.floor(inX);
        const corners: [number, number, number][] = [
          [y0, x0, (y0 + 1 - inY) * (x0 + 1 - inX)],
          [y0, x0 + 1, (y0 + 1 - inY) * (inX - x0)],
          [y0 + 1, x0, (inY - y0) * (x0 + 1 - inX)],
          [y0 + 1, x0 + 1, (inY - y0) * (inX - x0)],
        ];
        corners.forEach(([yy, xx, wt], i) => {
          index[at + i] = read(b, yy, xx);
          weight[at + i] = wt;
        });
      }
  }
  const rows = concat([reshape(x, [outside, c]), fill([1, c], fillValue, x.dtype)], 0);
  const picked = reshape(gather(rows, tensor(index, [outside * taps], 'int32')), [outside, taps, c]);
  const blended = sum(mul(picked, tensor(weight, [outside, taps, 1], x.dtype)), 1);
  return reshape(blended, [n, h, w, c]);
}

/** C's `round`: halves away from zero (what TensorFlow's nearest sampling uses). */
function roundHalfAway(v: number): number {
  return Math.sign(v) * Math.round(Math.abs(v));
}
