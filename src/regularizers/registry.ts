import type { SerializedObject } from '../core/config.js';
import { Registry, type ConfigurableClass } from '../core/registry.js';
import { L1, L1L2, L2, Regularizer } from './regularizer.js';

/** Regularizers by name: 'l1_l2', 'l1l2' and 'L1L2' are one name. */
export const regularizerRegistry = new Registry<Regularizer>({
  kind: 'regularizer',
  getter: 'getRegularizer',
  registerWith: 'registerRegularizer',
  alsoAccepts: 'a Regularizer',
  isInstance: (value): value is Regularizer => value instanceof Regularizer,
  classNameOf: (reg) => reg.getClassName(),
  configOf: (reg) => reg.getConfig(),
});

/**
 * Makes a regularizer class known by name (its static `className`, and `names` in errors).
 * @example registerRegularizer(MyPenalty, ['myPenalty']);
 */
export function registerRegularizer(cls: ConfigurableClass<Regularizer>, names?: readonly string[]): void {
  regularizerRegistry.registerClass(cls, { names });
}

registerRegularizer(L1, ['l1']);
registerRegularizer(L2, ['l2']);
registerRegularizer(L1L2, ['l1l2']);

/** The names `getRegularizer` accepts. */
export function regularizerNames(): string[] {
  return regularizerRegistry.names();
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
  return regularizerRegistry.get(id);
}

/**
 * The `{className, config}` form of a regularizer.
 * @example serializeRegularizer(new L2()); // { className: 'L2', config: { l2: 0.01 } }
 */
export function serializeRegularizer(reg: Regularizer): SerializedObject {
  return regularizerRegistry.serialize(reg);
}
