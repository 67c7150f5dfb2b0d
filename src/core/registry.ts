import { isSerialized, type Config, type SerializedObject } from './config.js';
import { ValueError } from './errors.js';
import { closestName, leniently } from './options.js';

/** Builds an object of a registered kind from its options (a config). */
export type Factory<T> = (config: Config) => T;

/** A class built from one options object, as every nameable Myelin class is. */
export type ConfigurableClass<T> = new (config: never) => T;

/** How an entry may also be written, beyond its class name. */
export interface EntryNames {
  /** Names shown in errors and listings, in order (default: the class name). */
  names?: readonly string[];
  /** Further accepted spellings, not listed (Keras' short forms, TF.js names). */
  aliases?: readonly string[];
}

/** One registered class: its class name, the names listed for it, and how to build it. */
export interface RegistryEntry<T> {
  readonly className: string;
  readonly names: readonly string[];
  readonly aliases: readonly string[];
  readonly make: Factory<T>;
}

/** What a registry needs to know about its kind. */
export interface RegistryKind<T> {
  /** The word used in messages: 'optimizer', 'layer class'. */
  kind: string;
  /** The function users call to resolve one, for messages: 'getOptimizer'. */
  getter: string;
  /** The function that registers a custom one, for messages: 'registerOptimizer'. */
  registerWith: string;
  /** What else the getter accepts, for messages: 'an Optimizer instance'. */
  alsoAccepts: string;
  isInstance(value: unknown): value is T;
  /** The class name an instance serializes under. */
  classNameOf(item: T): string;
  /** Its config (`getConfig()`). */
  configOf(item: T): Config;
  /** Lists names sorted rather than in registration order (layer classes). */
  sorted?: boolean;
}

/** Lookups ignore case and underscores: 'glorot_uniform', 'glorotUniform' and 'GlorotUniform' are one name. */
const key = (name: string): string => name.toLowerCase().replace(/_/g, '');

const allRegistries: Registry<unknown>[] = [];

/**
 * Everything a user can name by string, for one kind (layers, optimizers, losses, metrics,
 * initializers, regularizers, constraints, activations): register a class under its class
 * name and aliases, resolve a name, an instance or a `{className, config}`, serialize, list.
 * Errors list the valid names and the closest one. Configs are data: only registered classes
 * are ever built from them.
 *
 * @example
 * const reg = new Registry<Optimizer>({ kind: 'optimizer', getter: 'getOptimizer', ... });
 * reg.registerClass(Adam, { names: ['adam'] });
 * reg.get('ADAM'); // an Adam with its defaults
 */
export class Registry<T> {
  private readonly entries = new Map<string, RegistryEntry<T>>();
  private readonly byKey = new Map<string, RegistryEntry<T>>();

  constructor(readonly spec: RegistryKind<T>) {
    allRegistries.push(this as Registry<unknown>);
  }

  /**
   * Registers `make` under `className` (and `names`/`aliases`); a later registration of the
   * same class name replaces the earlier one.
   */
  register(className: string, make: Factory<T>, spellings: EntryNames = {}): void {
    if (typeof className !== 'string' || className === '')
      throw new ValueError(
        `${this.spec.registerWith}: the class name must be a non-empty string, got ${String(className)}`,
      );
    if (typeof make !== 'function')
      throw new ValueError(
        `${this.spec.registerWith}('${className}'): expected a factory function, got ${typeof make}`,
      );
    const entry: RegistryEntry<T> = {
      className,
      names: spellings.names ?? [className],
      aliases: spellings.aliases ?? [],
      make,
    };
    const replaced = this.entries.get(className);
    if (replaced) for (const [k, e] of this.byKey) if (e === replaced) this.byKey.delete(k);
    this.entries.set(className, entry);
    for (const name of [className, ...entry.names, ...entry.aliases]) this.byKey.set(key(name), entry);
  }

  /** Registers a class, built with `new cls(config)`, under its static `className` unless told otherwise. */
  registerClass(cls: ConfigurableClass<T>, spellings: EntryNames & { className?: string } = {}): void {
    const className = spellings.className ?? staticClassName(cls);
    if (className === undefined)
      throw new ValueError(
        `${this.spec.registerWith}: class ${cls.name || '(anonymous)'} has no static 'className'; give one`,
      );
    this.register(className, (config) => new cls(config as never), spellings);
  }

  /** The entry a name resolves to, or undefined. */
  lookup(name: string): RegistryEntry<T> | undefined {
    return typeof name === 'string' ? this.byKey.get(key(name)) : undefined;
  }

  /** The entry a name resolves to; an unknown name throws, listing the valid ones and the closest. */
  resolve(name: string): RegistryEntry<T> {
    const entry = this.lookup(name);
    if (!entry) throw this.unknown(name);
    return entry;
  }

  /** The names listed in errors. */
  names(): string[] {
    const names = [...this.entries.values()].flatMap((e) => e.names);
    return this.spec.sorted ? names.sort() : names;
  }

  /** The registered class names. */
  classNames(): string[] {
    return [...this.entries.keys()];
  }

  /**
   * Resolves an instance (returned as is), a name (built with its defaults) or a
   * `{className, config}` (rebuilt leniently, see `fromConfig`).
   */
  get(identifier: string | T | SerializedObject): T {
    if (this.spec.isInstance(identifier)) return identifier;
    if (typeof identifier === 'string') return this.resolve(identifier).make({});
    if (isSerialized(identifier)) return this.fromConfig(identifier);
    throw new ValueError(
      `${this.spec.getter}: expected a name, a {className, config} object or ${this.spec.alsoAccepts}, got ${describe(identifier)}`,
    );
  }

  /**
   * Rebuilds from `{className, config}`. Keys the class does not know are ignored, since
   * configs come from files other programs (Keras, TF.js) wrote.
   */
  fromConfig(serialized: SerializedObject): T {
    if (!isSerialized(serialized))
      throw new ValueError(`${this.spec.getter}: expected {className, config}, got ${describe(serialized)}`);
    const entry = this.resolve(serialized.className);
    return leniently(() => entry.make({ ...(serialized.config ?? {}) }));
  }

  /** The `{className, config}` that `fromConfig` rebuilds `item` from. */
  serialize(item: T): SerializedObject {
    return { className: this.spec.classNameOf(item), config: this.spec.configOf(item) };
  }

  /** The error for an unknown name. */
  unknown(name: string): ValueError {
    const spellings = [...this.entries.values()].flatMap((e) => [...e.names, e.className, ...e.aliases]);
    const closest = closestName(String(name), spellings);
    const listed = this.names()
      .map((n) => `'${n}'`)
      .join(', ');
    return new ValueError(
      `Unknown ${this.spec.kind} '${name}'; expected one of ${listed}, or ${this.spec.alsoAccepts} (custom ones are registered with ${this.spec.registerWith})${closest === undefined ? '' : `. Did you mean '${closest}'?`}`,
    );
  }
}

function staticClassName(cls: unknown): string | undefined {
  const name = (cls as { className?: unknown }).className;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'function') return `a function (${value.name || 'anonymous'})`;
  if (typeof value !== 'object') return `${typeof value} ${String(value)}`;
  try {
    const json = JSON.stringify(value);
    return json.length > 200 ? `${json.slice(0, 200)}...` : json;
  } catch {
    return 'an object';
  }
}

/**
 * Makes a custom class known to the registry of its kind (layer, optimizer, loss, metric,
 * initializer, regularizer or constraint, found from its base class), so names and saved
 * configs resolve to it. TF.js' `serialization.registerClass`.
 *
 * @example
 * class Scale extends Layer { static override readonly className = 'Scale'; ... }
 * serialization.registerClass(Scale);
 * deserializeLayer({ className: 'Scale', config: {} });
 */
export function registerClass(cls: ConfigurableClass<unknown>, className?: string): void {
  const registry = allRegistries.find((r) => r.spec.isInstance(cls?.prototype));
  if (!registry) {
    const kinds = allRegistries.map((r) => r.spec.kind).join(', ');
    throw new ValueError(
      `registerClass: ${typeof cls === 'function' ? `class ${cls.name || '(anonymous)'}` : describe(cls)} extends none of the registrable bases (${kinds})`,
    );
  }
  registry.registerClass(cls, className === undefined ? {} : { className });
}

/** TF.js' `serialization` namespace. @example serialization.registerClass(MyLayer); */
export const serialization = { registerClass };
