export { tensor, toTensor, type TensorLike } from './convert.js';
export * from './creation.js';
export * from './random.js';
export { oneHot } from './one_hot.js';
// The differentiable primitives (each records its gradient; see prims/).
export * from './prims/binary.js';
export * from './prims/pow.js';
export * from './prims/unary.js';
export * from './prims/reduce.js';
export * from './prims/matmul.js';
export * from './prims/shape_ops.js';
export * from './prims/slice.js';
export * from './prims/concat.js';
export * from './prims/gather.js';
// Composites: built from the primitives, with no gradient code of their own.
export * from './dims.js';
export * from './stack.js';
export * from './norm.js';
export * from './reduce_to.js';
export * from './tile.js';
export * from './reverse.js';
export * from './cumsum.js';
export * from './clip.js';
export * from './activation_ops.js';
export * from './softmax.js';
export * from './moments.js';
export { einsum } from './einsum.js';
export { resizeImages, type ResizeInterpolation } from './resize.js';
export { affineTransform, type FillMode } from './affine_transform.js';
export { conv3d, maxPool3d, avgPool3d, type Conv3dOptions, type Pool3dOptions, type Triple } from './conv3d.js';
// Installs the chainable methods (x.add(y).relu()) on Tensor.
import './chain.js';
export type { Conv2dOptions, Conv2dTransposeOptions } from './conv.js';
// The convolutions take Myelin's options form or TF.js' positional arguments.
export {
  conv2d,
  depthwiseConv2d,
  conv2dTranspose,
  conv1d,
  separableConv2d,
  maxPool,
  avgPool,
  type TfjsPadding,
} from './conv_tfjs.js';
export { buffer, TensorBuffer } from './buffer.js';
export {
  dot,
  outerProduct,
  divNoNan,
  logSigmoid,
  step,
  logicalXor,
  topk,
  dropout,
  multinomial,
  randomUniformInt,
  print,
  ready,
} from './tfjs_ops.js';
// TF.js' further chainable methods (toFloat, as2D, clone, conv2d, ...).
import './chain_tfjs.js';
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
