/** Weight constraints (projections after each optimizer step) with Keras formulas. */
import { MaxNorm, MinMaxNorm, NonNeg, UnitNorm } from './constraint.js';
import { constraintNames, getConstraint, serializeConstraint } from './registry.js';

export { Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm } from './constraint.js';
export { constraintNames, getConstraint, serializeConstraint, type ConstraintIdentifier } from './registry.js';

type Axis = number | number[];

/**
 * Factory functions in the TF.js style.
 * @example layers.dense({ units: 4, kernelConstraint: constraints.maxNorm({ maxValue: 2 }) })
 */
export const constraints = {
  maxNorm: (args: { maxValue?: number; axis?: Axis } = {}) => new MaxNorm(args),
  nonNeg: () => new NonNeg(),
  unitNorm: (args: { axis?: Axis } = {}) => new UnitNorm(args),
  minMaxNorm: (args: { minValue?: number; maxValue?: number; rate?: number; axis?: Axis } = {}) => new MinMaxNorm(args),
  get: getConstraint,
  serialize: serializeConstraint,
  names: constraintNames,
};
