/** Weight and activity regularizers with Keras formulas (no 1/2 in L2). */
import { strictFactories } from '../core/options.js';
import { L1, L1L2, L2 } from './regularizer.js';
import { getRegularizer, regularizerNames, serializeRegularizer } from './registry.js';

export { Regularizer, L1, L2, L1L2 } from './regularizer.js';
export {
  getRegularizer,
  regularizerNames,
  serializeRegularizer,
  registerRegularizer,
  regularizerRegistry,
  type RegularizerIdentifier,
} from './registry.js';

/**
 * Factory functions (each checks its options: an unknown key is an error) in the TF.js style.
 * @example layers.dense({ units: 4, kernelRegularizer: regularizers.l2({ l2: 1e-4 }) })
 */
export const regularizers = {
  ...strictFactories('regularizers', {
    l1: (args: { l1?: number } = {}) => new L1(args),
    l2: (args: { l2?: number } = {}) => new L2(args),
    l1l2: (args: { l1?: number; l2?: number } = {}) => new L1L2(args),
  }),
  get: getRegularizer,
  serialize: serializeRegularizer,
  names: regularizerNames,
};
