export { tensor, toTensor, type TensorLike } from './convert.js';
export * from './creation.js';
export * from './binary.js';
export * from './unary.js';
export * from './reduce.js';
export * from './matmul.js';
export * from './shape_ops.js';
