import { ValueError } from './errors.js';

/**
 * Strict options: every options object a user writes (layer arguments, `compile`, `fit`,
 * optimizer arguments, ...) is checked here, so a misspelt key is an error naming the
 * function, the key, the closest valid key and all valid keys, instead of being ignored.
 * Configs read from files are rebuilt inside `leniently`, where unknown keys (written by
 * another program for options Myelin does not have) are ignored as before.
 */

const spelling = (name: string): string => name.toLowerCase().replace(/[_-]/g, '');

/**
 * Edit distance counting insertions, deletions, substitutions and swaps of two neighbours
 * (the common typos: `nmae` is one edit from `name`).
 * @example editDistance('epoch', 'epochs'); // 1
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The candidate `name` was most likely meant to be, compared ignoring case, `_` and `-` (so
 * `use_bias` finds `useBias`), or undefined when none is close.
 * @example closestName('activaton', ['units', 'activation']); // 'activation'
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const target = spelling(name);
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(target.length * 0.4)) + 1;
  for (const candidate of candidates) {
    const d = editDistance(target, spelling(candidate));
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** ` (did you mean 'x'?)`, or nothing when no candidate is close. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const best = closestName(name, candidates);
  return best === undefined ? '' : ` (did you mean '${best}'?)`;
}

let lenientDepth = 0;

/**
 * Runs `build` with option checks off: what rebuilding from configs written by Keras, TF.js
 * or older versions does, since such files may carry keys for options Myelin does not have.
 * @example const layer = leniently(() => new Dense(configFromFile));
 */
export function leniently<T>(build: () => T): T {
  lenientDepth++;
  try {
    return build();
  } finally {
    lenientDepth--;
  }
}

/** Whether option checks are off (inside `leniently`). */
export function isLenient(): boolean {
  return lenientDepth > 0;
}

/**
 * Throws a ValueError when `options` has a key outside `validKeys`, naming `where`, each
 * unknown key with the closest valid one, and the valid keys. `undefined`/`null` options pass.
 *
 * @example
 * checkOptions('fit', { epoch: 10 }, ['epochs', 'batchSize']);
 * // ValueError: fit: unknown option 'epoch' (did you mean 'epochs'?). Valid options: batchSize, epochs
 */
export function checkOptions(where: string, options: unknown, validKeys: Iterable<string>): void {
  if (options === undefined || options === null || isLenient()) return;
  if (typeof options !== 'object' || Array.isArray(options))
    throw new ValueError(
      `${where}: expected an options object, got ${Array.isArray(options) ? 'an array' : typeof options}`,
    );
  const valid = new Set(validKeys);
  const unknown = Object.keys(options).filter((k) => !valid.has(k));
  if (unknown.length === 0) return;
  const sorted = [...valid].sort();
  const each = unknown.map((k) => `'${k}'${didYouMean(k, sorted)}`);
  throw new ValueError(
    `${where}: unknown option${unknown.length > 1 ? 's' : ''} ${each.join(', ')}. Valid options: ${sorted.join(', ')}`,
  );
}

/**
 * The keys of an options type, listed at run time for `checkOptions`. The compiler checks the
 * list against the type: a key missing from it, or one the type does not have, fails to build.
 * @example const FIT_OPTIONS = optionKeys<FitArgs>({ batchSize: true, epochs: true, ... });
 */
export function optionKeys<T>(keys: Record<keyof T, true>): readonly string[] {
  return Object.keys(keys);
}

/** What `acceptedOptions` reads: an object rebuilt from its config. */
export interface Configurable {
  getConfig(): Record<string, unknown>;
  /** The option keys its constructor accepts; by default the keys of its config. */
  acceptedOptions?(): readonly string[];
}

/**
 * The option keys an object's constructor accepts: `acceptedOptions()` where the class
 * defines it, otherwise the keys of its `getConfig()` (every option a config rebuilds the
 * object from), so a new class is covered without a list of its own.
 * @example acceptedOptions(new L2({ l2: 0.1 })); // ['l2']
 */
export function acceptedOptions(item: Configurable): readonly string[] {
  return item.acceptedOptions ? item.acceptedOptions() : Object.keys(item.getConfig());
}

/**
 * Checks the `options` an object was just built from against what it accepts.
 * @example const reg = checkBuiltFrom('regularizers.l2', new L2(args), args);
 */
export function checkBuiltFrom<T extends Configurable>(where: string, item: T, options: unknown): T {
  pending.delete(item);
  if (!isLenient() && options !== undefined && options !== null) checkOptions(where, options, acceptedOptions(item));
  return item;
}

// Options a base-class constructor saw, checked on the object's first use: only then is the
// subclass fully built, so that its config (and so the keys it accepts) is known.
const pending = new WeakMap<object, unknown>();

/**
 * Called by a base-class constructor (`Layer`, `Optimizer`, `Loss`) with the options it got,
 * so that `new Dense({ activaton: 'relu' })` is caught by `checkPendingOptions` on first use.
 * Nothing is recorded inside `leniently`.
 * @example constructor(args: LayerArgs = {}) { deferOptionCheck(this, args); ... }
 */
export function deferOptionCheck(item: object, options: unknown): void {
  if (!isLenient() && typeof options === 'object' && options !== null) pending.set(item, options);
}

/**
 * Checks, once, the options `deferOptionCheck` recorded for `item`.
 * @example checkPendingOptions(this, `Dense '${this.name}'`); // at the first apply
 */
export function checkPendingOptions(item: Configurable, where: string): void {
  if (!pending.has(item)) return;
  const options = pending.get(item);
  pending.delete(item);
  checkOptions(where, options, acceptedOptions(item));
}

// biome-ignore lint/suspicious/noExplicitAny: the factories' own argument types are kept by the mapped type.
type Factories = Record<string, (...args: any[]) => unknown>;

/**
 * Wraps a namespace of factories (`layers.dense`, `optimizers.adam`, ...) so that the options
 * object each one receives is checked against what the built object accepts. Entries whose
 * result is not configurable (helpers such as `get`) pass through unchanged.
 * @example export const regularizers = strictFactories('regularizers', { l2: (a: L2Args = {}) => new L2(a) });
 */
export function strictFactories<F extends Factories>(namespace: string, factories: F): F {
  const out: Factories = {};
  for (const [name, make] of Object.entries(factories)) {
    out[name] = (...args: unknown[]) => {
      const made = make(...args);
      const options = args[0];
      if (isConfigurable(made) && typeof options === 'object' && options !== null && !Array.isArray(options))
        checkBuiltFrom(`${namespace}.${name}`, made, options);
      return made;
    };
  }
  return out as F;
}

function isConfigurable(value: unknown): value is Configurable {
  return typeof value === 'object' && value !== null && typeof (value as Configurable).getConfig === 'function';
}
