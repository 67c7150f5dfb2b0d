export { tensor, toTensor, type TensorLike } from './convert.js';
export * from './creation.js';
export * from './random.js';
export { oneHot } from './one_hot.js';
export * from './binary.js';
export * from './unary.js';
export * from './reduce.js';
export * from './matmul.js';
export * from './shape_ops.js';
export * from './dims.js';
export * from './slice.js';
export * from './pad.js';
export * from './concat.js';
export * from './gather.js';
export * from './tile.js';
export * from './reverse.js';
export * from './cumsum.js';
export * from './clip.js';
export * from './activation_ops.js';
export * from './softmax.js';
export * from './moments.js';
export { einsum } from './einsum.js';
// Installs the chainable methods (x.add(y).relu()) on Tensor.
import './chain.js';
export { conv2d, depthwiseConv2d, conv2dTranspose, type Conv2dOptions, type Conv2dTransposeOptions } from './conv.js';
export { maxPool2d, avgPool2d, type Pool2dOptions } from './pool.js';
export { extractPatches } from './conv_patches.js';
export {
  geometry2d,
  convOutputLength,
  deconvOutputLength,
  type PaddingMode,
  type Pair,
  type Geometry2d,
} from './conv_geometry.js';
