/**
 * The serialized form shared by every nameable object (layers, optimizers, losses, metrics,
 * initializers, regularizers, constraints): plain JSON values only, so a config is data that
 * rebuilds an object and never code.
 *
 * @example
 * const saved: SerializedObject = { className: 'Dense', config: { units: 3 } };
 */
export type Config = Record<string, unknown>;

/** An object's class name and the config that rebuilds it (`{className, config}`). */
export interface SerializedObject {
  className: string;
  config: Config;
}

/** True for `{className: string, ...}`: the shape a serialized object has. @example isSerialized({ className: 'Adam', config: {} }); // true */
export function isSerialized(value: unknown): value is SerializedObject {
  return (
    typeof value === 'object' && value !== null && typeof (value as { className?: unknown }).className === 'string'
  );
}
