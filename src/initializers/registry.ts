import { Registry, type ConfigurableClass } from '../core/registry.js';
import { Constant, Ones, Zeros } from './constant.js';
import type { SerializedObject } from '../core/config.js';
import { Initializer } from './initializer.js';
import { Identity, Orthogonal } from './orthogonal.js';
import { RandomNormal, RandomUniform, TruncatedNormal } from './random.js';
import {
  GlorotNormal,
  GlorotUniform,
  HeNormal,
  HeUniform,
  LecunNormal,
  LecunUniform,
  VarianceScaling,
} from './variance_scaling.js';

/** Initializers by TF.js camelCase name; Keras' snake_case and the class names resolve too. */
export const initializerRegistry = new Registry<Initializer>({
  kind: 'initializer',
  getter: 'getInitializer',
  registerWith: 'registerInitializer',
  alsoAccepts: 'an Initializer',
  isInstance: (value): value is Initializer => value instanceof Initializer,
  classNameOf: (init) => init.getClassName(),
  configOf: (init) => init.getConfig(),
});

/**
 * Makes an initializer class known by name (its static `className`, and `names` in errors).
 * @example registerInitializer(MyInit, ['myInit']);
 */
export function registerInitializer(
  cls: ConfigurableClass<Initializer>,
  names?: readonly string[],
  aliases?: readonly string[],
): void {
  initializerRegistry.registerClass(cls, { names, aliases });
}

registerInitializer(Zeros, ['zeros'], ['zero']);
registerInitializer(Ones, ['ones'], ['one']);
registerInitializer(Constant, ['constant']);
registerInitializer(RandomNormal, ['randomNormal'], ['normal']);
registerInitializer(RandomUniform, ['randomUniform'], ['uniform']);
registerInitializer(TruncatedNormal, ['truncatedNormal']);
registerInitializer(VarianceScaling, ['varianceScaling']);
registerInitializer(GlorotUniform, ['glorotUniform']);
registerInitializer(GlorotNormal, ['glorotNormal']);
registerInitializer(HeNormal, ['heNormal']);
registerInitializer(HeUniform, ['heUniform']);
registerInitializer(LecunNormal, ['lecunNormal']);
registerInitializer(LecunUniform, ['lecunUniform']);
registerInitializer(Orthogonal, ['orthogonal']);
registerInitializer(Identity, ['identity']);

/** The names `getInitializer` accepts (snake_case and class-name spellings work too). */
export function initializerNames(): string[] {
  return initializerRegistry.names();
}

/** Anything that names an initializer: an instance, a name, or a serialized `{className, config}`. */
export type InitializerIdentifier = Initializer | string | SerializedObject;

/**
 * Resolves an initializer from a name ('glorotUniform' or 'glorot_uniform'), a serialized
 * `{className, config}`, or an instance (returned as is).
 *
 * @example
 * getInitializer('he_normal');
 * getInitializer({ className: 'RandomNormal', config: { stddev: 0.1 } });
 */
export function getInitializer(id: InitializerIdentifier): Initializer {
  return initializerRegistry.get(id);
}

/**
 * The `{className, config}` form of an initializer, from which `getInitializer` rebuilds it.
 * @example serializeInitializer(new Zeros()); // { className: 'Zeros', config: {} }
 */
export function serializeInitializer(init: Initializer): SerializedObject {
  return initializerRegistry.serialize(init);
}
