import { registerBackend } from './backend/registry.js';
import { RefBackend } from './backends/ref/index.js';

registerBackend('ref', () => new RefBackend());

export { Tensor, type NestedArray } from './core/tensor.js';
export { Variable, variable } from './core/variable.js';
export { type DType, getFloatX, setFloatX } from './core/dtype.js';
export { setSeed } from './core/rng.js';
export { MyelinError, ValueError, StateError } from './core/errors.js';
export { setBackend, getBackend, listBackends, registerBackend } from './backend/registry.js';
export type { Backend } from './backend/backend.js';
export * from './ops/index.js';
export { grad, grads, valueAndGrad, valueAndGrads, variableGrads, noGrad } from './autograd/gradients.js';
