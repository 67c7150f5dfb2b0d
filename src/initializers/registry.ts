import { ValueError } from '../core/errors.js';
import { Constant, Ones, Zeros } from './constant.js';
import { Initializer, type Config, type SerializedObject } from './initializer.js';
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

type InitializerClass = (new (args?: Config) => Initializer) & { className: string };

// Canonical (TF.js camelCase) name -> class. Lookups ignore case and underscores, so Keras'
// 'glorot_uniform', TF.js' 'glorotUniform' and the class name 'GlorotUniform' all resolve.
const CLASSES: Record<string, InitializerClass> = {
  zeros: Zeros,
  ones: Ones,
  constant: Constant as InitializerClass,
  randomNormal: RandomNormal as InitializerClass,
  randomUniform: RandomUniform as InitializerClass,
  truncatedNormal: TruncatedNormal as InitializerClass,
  varianceScaling: VarianceScaling as InitializerClass,
  glorotUniform: GlorotUniform as InitializerClass,
  glorotNormal: GlorotNormal as InitializerClass,
  heNormal: HeNormal as InitializerClass,
  heUniform: HeUniform as InitializerClass,
  lecunNormal: LecunNormal as InitializerClass,
  lecunUniform: LecunUniform as InitializerClass,
  orthogonal: Orthogonal as InitializerClass,
  identity: Identity as InitializerClass,
};
const ALIASES: Record<string, string> = {
  zero: 'zeros',
  one: 'ones',
  normal: 'randomNormal',
  uniform: 'randomUniform',
};

const key = (name: string): string => name.toLowerCase().replace(/_/g, '');
const byKey = new Map<string, InitializerClass>();
for (const [name, cls] of Object.entries(CLASSES)) {
  byKey.set(key(name), cls);
  byKey.set(key(cls.className), cls);
}
for (const [alias, name] of Object.entries(ALIASES)) byKey.set(alias, CLASSES[name]);

/** The names `getInitializer` accepts (snake_case and class-name spellings work too). */
export function initializerNames(): string[] {
  return Object.keys(CLASSES);
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
  if (id instanceof Initializer) return id;
  if (typeof id === 'string') return new (lookup(id))();
  if (id && typeof id === 'object' && typeof id.className === 'string')
    return new (lookup(id.className))(id.config ?? {});
  throw new ValueError(
    `getInitializer: expected a name, a {className, config} object or an Initializer, got ${JSON.stringify(id)}`,
  );
}

function lookup(name: string): InitializerClass {
  const cls = byKey.get(key(name));
  if (!cls) throw new ValueError(`Unknown initializer '${name}'. Valid names: ${initializerNames().join(', ')}`);
  return cls;
}

/**
 * The `{className, config}` form of an initializer, from which `getInitializer` rebuilds it.
 * @example serializeInitializer(new Zeros()); // { className: 'Zeros', config: {} }
 */
export function serializeInitializer(init: Initializer): SerializedObject {
  return { className: init.getClassName(), config: init.getConfig() };
}
