/** Weight constraints (projections after each optimizer step) with Keras formulas. */
import { strictFactories } from '../core/options.js';
import { MaxNorm, MinMaxNorm, NonNeg, UnitNorm } from './constraint.js';
import { constraintNames, getConstraint, serializeConstraint } from './registry.js';

export { Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm } from './constraint.js';
export {
  constraintNames,
  getConstraint,
  serializeConstraint,
  registerConstraint,
  constraintRegistry,
  type ConstraintIdentifier,
} from './registry.js';

type Axis = number | number[];

/**
 * Factory functions (each checks its options: an unknown key is an error) in the TF.js style.
 * @example layers.dense({ units: 4, kernelConstraint: constraints.maxNorm({ maxValue: 2 }) })
 */
export const constraints = {
  ...strictFactories('constraints', {
    maxNorm: (args: { maxValue?: number; axis?: Axis } = {}) => new MaxNorm(args),
    nonNeg: () => new NonNeg(),
    unitNorm: (args: { axis?: Axis } = {}) => new UnitNorm(args),
    minMaxNorm: (args: { minValue?: number; maxValue?: number; rate?: number; axis?: Axis } = {}) =>
      new MinMaxNorm(args),
  }),
  get: getConstraint,
  serialize: serializeConstraint,
  names: constraintNames,
};
