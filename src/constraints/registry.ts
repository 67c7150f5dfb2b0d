import { ValueError } from '../core/errors.js';
import type { Config, SerializedObject } from '../initializers/initializer.js';
import { Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm } from './constraint.js';

type ConstraintClass = (new (args?: Config) => Constraint) & { className: string };

// Lookups ignore case and underscores: 'max_norm', 'maxNorm' and 'MaxNorm' are one name.
const CLASSES: Record<string, ConstraintClass> = {
  maxNorm: MaxNorm as ConstraintClass,
  nonNeg: NonNeg,
  unitNorm: UnitNorm as ConstraintClass,
  minMaxNorm: MinMaxNorm as ConstraintClass,
};
const key = (name: string): string => name.toLowerCase().replace(/_/g, '');
const byKey = new Map(Object.entries(CLASSES).map(([name, cls]) => [key(name), cls]));

/** The names `getConstraint` accepts. */
export function constraintNames(): string[] {
  return Object.keys(CLASSES);
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
  if (id instanceof Constraint) return id;
  if (typeof id === 'string') return new (lookup(id))();
  if (id && typeof id === 'object' && typeof id.className === 'string')
    return new (lookup(id.className))(id.config ?? {});
  throw new ValueError(
    `getConstraint: expected a name, a {className, config} object or a Constraint, got ${JSON.stringify(id)}`,
  );
}

function lookup(name: string): ConstraintClass {
  const cls = byKey.get(key(name));
  if (!cls) throw new ValueError(`Unknown constraint '${name}'. Valid names: ${constraintNames().join(', ')}`);
  return cls;
}

/**
 * The `{className, config}` form of a constraint.
 * @example serializeConstraint(new NonNeg()); // { className: 'NonNeg', config: {} }
 */
export function serializeConstraint(c: Constraint): SerializedObject {
  return { className: c.getClassName(), config: c.getConfig() };
}
