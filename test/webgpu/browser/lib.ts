// The slice of Myelin the browser page uses: the tensor, layer, model and training modules,
// without io and data (which pull in file-system, HDF5 and CSV code a page does not need).
export { Tensor } from '../../../src/core/tensor.js';
export { setSeed } from '../../../src/core/rng.js';
export { setBackend } from '../../../src/backend/registry.js';
export * from '../../../src/ops/index.js';
export { grads, variableGrads } from '../../../src/autograd/gradients.js';
export { layers } from '../../../src/layers/index.js';
export { sequential } from '../../../src/models/index.js';
export { optimizers } from '../../../src/optimizers/index.js';
export { losses } from '../../../src/losses/index.js';
export { gpt, gptOptimizer } from '../../../src/models/gpt.js';
