import { ValueError } from '../core/errors.js';
import type { Config, SerializedObject } from '../initializers/initializer.js';
import { L1, L1L2, L2, Regularizer } from './regularizer.js';

type RegularizerClass = (new (args?: Config) => Regularizer) & { className: string };

// Lookups ignore case and underscores: 'l1_l2', 'l1l2' and 'L1L2' are one name.
const CLASSES: Record<string, RegularizerClass> = {
  l1: L1 as RegularizerClass,
  l2: L2 as RegularizerClass,
  l1l2: L1L2 as RegularizerClass,
};
const key = (name: string): string => name.toLowerCase().replace(/_/g, '');

/** The names `getRegularizer` accepts. */
export function regularizerNames(): string[] {
  return Object.keys(CLASSES);
}

/** Anything that names a regularizer: an instance, a name, or a serialized `{className, config}`. */
export type RegularizerIdentifier = Regularizer | string | SerializedObject;

/**
 * Resolves a regularizer from a name ('l2', 'l1_l2'), a serialized `{className, config}`, or
 * an instance (returned as is). A bare name gets Keras' defaults.
 *
 * @example getRegularizer({ className: 'L2', config: { l2: 0.001 } })
 */
export function getRegularizer(id: RegularizerIdentifier): Regularizer {
  if (id instanceof Regularizer) return id;
  if (typeof id === 'string') return new (lookup(id))();
  if (id && typeof id === 'object' && typeof id.className === 'string')
    return new (lookup(id.className))(id.config ?? {});
  throw new ValueError(
    `getRegularizer: expected a name, a {className, config} object or a Regularizer, got ${JSON.stringify(id)}`,
  );
}

function lookup(name: string): RegularizerClass {
  const cls = CLASSES[key(name)];
  if (!cls) throw new ValueError(`Unknown regularizer '${name}'. Valid names: ${regularizerNames().join(', ')}`);
  return cls;
}

/**
 * The `{className, config}` form of a regularizer.
 * @example serializeRegularizer(new L2()); // { className: 'L2', config: { l2: 0.01 } }
 */
export function serializeRegularizer(reg: Regularizer): SerializedObject {
  return { className: reg.getClassName(), config: reg.getConfig() };
}
