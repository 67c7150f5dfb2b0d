// The differentiable wrappers of the backend's optional window kernels (im2col, its adjoint
// col2im, max pooling). The composites in conv_patches.ts and pool.ts call them when the active
// backend has the kernels and build the same results from pad/gather/max otherwise.
import { record } from '../../autograd/tape.js';
import type { Backend } from '../../backend/backend.js';
import type { Tensor } from '../../core/tensor.js';
import { wrap } from '../convert.js';
import type { Geometry2d } from '../conv_geometry.js';

/** True when `be` has im2col and its adjoint. */
export function hasIm2col(be: Backend): boolean {
  return be.im2col !== undefined && be.col2im !== undefined;
}

/** True when `be` has the max-pool kernel and its gradient. */
export function hasMaxPool(be: Backend): boolean {
  return be.maxPool !== undefined && be.maxPoolGrad !== undefined;
}

/**
 * Windows of NHWC images as rows [n, outH, outW, kH * kW * c] (padding = `padValue`); the
 * gradient is col2im of dy.
 * @example im2colOp(images, geometry2d(28, 28, [3, 3], [1, 1], [1, 1], 'valid', 'conv2d'), 0)
 */
export function im2colOp(x: Tensor, g: Geometry2d, padValue: number): Tensor {
  const [n, , , c] = x.shape;
  const out = wrap(x.backend.im2col!(x, g, padValue), [n, g.outH, g.outW, g.kH * g.kW * c], x.dtype);
  return record('im2col', [x], out, (dy) => [col2imOp(dy, g, x.shape)]);
}

/**
 * Window rows summed back onto images of `imageShape` (the adjoint of im2col); its gradient is im2col.
 * @example col2imOp(dPatches, g, [64, 28, 28, 1])
 */
export function col2imOp(cols: Tensor, g: Geometry2d, imageShape: readonly number[]): Tensor {
  const out = wrap(cols.backend.col2im!(cols, g, imageShape), imageShape, cols.dtype);
  return record('col2im', [cols], out, (dy) => [im2colOp(dy, g, 0)]);
}

/**
 * Max over each window; the gradient goes to the pixels equal to the max, split evenly on ties.
 * The gradient itself is not differentiable again (no second derivatives through max pooling).
 * @example maxPoolOp(images, geometry2d(28, 28, [2, 2], [2, 2], [1, 1], 'valid', 'maxPool2d'))
 */
export function maxPoolOp(x: Tensor, g: Geometry2d): Tensor {
  const [n, , , c] = x.shape;
  const be = x.backend;
  const y = wrap(be.maxPool!(x, g), [n, g.outH, g.outW, c], x.dtype);
  return record('maxPool2d', [x], y, (dy) => [wrap(be.maxPoolGrad!(x, y, dy, g), x.shape, x.dtype)]);
}
