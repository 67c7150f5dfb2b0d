import type { SerializedObject } from '../core/config.js';
import { Registry, type ConfigurableClass } from '../core/registry.js';
import { Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm } from './constraint.js';

/** Constraints by name: 'max_norm', 'maxNorm' and 'MaxNorm' are one name. */
export const constraintRegistry = new Registry<Constraint>({
  kind: 'constraint',
  getter: 'getConstraint',
  registerWith: 'registerConstraint',
  alsoAccepts: 'a Constraint',
  isInstance: (value): value is Constraint => value instanceof Constraint,
  classNameOf: (c) => c.getClassName(),
  configOf: (c) => c.getConfig(),
});

/**
 * Makes a constraint class known by name (its static `className`, and `names` in errors).
 * @example registerConstraint(Clip, ['clip']);
 */
export function registerConstraint(cls: ConfigurableClass<Constraint>, names?: readonly string[]): void {
  constraintRegistry.registerClass(cls, { names });
}

registerConstraint(MaxNorm, ['maxNorm']);
registerConstraint(NonNeg, ['nonNeg']);
registerConstraint(UnitNorm, ['unitNorm']);
registerConstraint(MinMaxNorm, ['minMaxNorm']);

/** The names `getConstraint` accepts. */
export function constraintNames(): string[] {
  return constraintRegistry.names();
}

/** Anything that names a constraint: an instance, a name, or a serialized `{className, config}`. */
export type ConstraintIdentifier = Constraint | string | SerializedObject;

/**
 * Resolves a constraint from a name ('non_neg', 'maxNorm'), a serialized `{className, config}`,
 * or an instance (returned as is).
 *
 * @example getConstraint({ className: 'MaxNorm', config: { maxValue: 3 } })
 */
export function getConstraint(id: ConstraintIdentifier): Constraint {
  return constraintRegistry.get(id);
}

/**
 * The `{className, config}` form of a constraint.
 * @example serializeConstraint(new NonNeg()); // { className: 'NonNeg', config: {} }
 */
export function serializeConstraint(c: Constraint): SerializedObject {
  return constraintRegistry.serialize(c);
}
