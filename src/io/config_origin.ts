import type { Config, SerializedObject } from '../core/config.js';
import { layerClassNames } from '../layers/registry.js';
import { checkFormat } from './format_error.js';
import { isJsonObject } from './safe_json.js';

/**
 * Which program wrote a model config, since the same names meant different things over time:
 * TF.js and Keras up to 2.x define `hard_sigmoid` as clip(0.2x + 0.5, 0, 1), Keras 3 as
 * relu6(x + 3) / 6; GRU configs written before `reset_after` existed mean `false`.
 */
export type ConfigOrigin = 'keras3' | 'keras2' | 'tfjs';

/**
 * The origin of a Keras file from the `keras_version` it records ('2.1.3', '2.2.4-tf', '3.5.0').
 * Files without one predate Keras 3, which always writes it.
 * @example kerasOrigin('2.2.4-tf') // 'keras2'
 */
export function kerasOrigin(version: unknown): ConfigOrigin {
  const major = typeof version === 'string' ? Number.parseInt(version, 10) : Number.NaN;
  return Number.isFinite(major) && major >= 3 ? 'keras3' : 'keras2';
}

const HARD_SIGMOID = new Set(['hard_sigmoid', 'hardSigmoid']);

/**
 * Rewrites a (camelCase) model config so that Myelin computes what the writing program did:
 * before Keras 3, `hard_sigmoid` becomes Myelin's `hard_sigmoid_tfjs`, and a GRU without
 * `resetAfter` gets `false` (TF.js' and Keras 2's default). Nested layers (wrappers, models
 * inside models) are rewritten too. Returns a new object.
 *
 * @example adaptToOrigin(config, 'tfjs') // LSTM recurrentActivation 'hard_sigmoid' → 'hard_sigmoid_tfjs'
 */
export function adaptToOrigin<T extends SerializedObject | Config>(config: T, origin: ConfigOrigin): T {
  if (origin === 'keras3') return config;
  const visit = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(visit);
    if (!isJsonObject(value)) return value;
    const out: Config = {};
    for (const [k, v] of Object.entries(value))
      out[k] =
        /[aA]ctivation$/.test(k) && typeof v === 'string' && HARD_SIGMOID.has(v) ? 'hard_sigmoid_tfjs' : visit(v);
    if (out.className === 'GRU' && isJsonObject(out.config) && out.config.resetAfter === undefined)
      out.config = { ...out.config, resetAfter: false };
    return out;
  };
  return visit(config) as T;
}

const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);

/**
 * Checks that Myelin has every layer class a (camelCase) model config uses, before anything is
 * built, naming all the missing ones at once with the layers that use them.
 *
 * @example checkLayerClasses(config, 'model.json'); // throws "... uses layer classes Myelin does not have: Foo ('foo_1'), ..."
 */
export function checkLayerClasses(config: SerializedObject | Config, what: string): void {
  const known = new Set(layerClassNames());
  const missing = new Map<string, string[]>();
  const visitLayer = (entry: unknown): void => {
    if (!isJsonObject(entry) || typeof entry.className !== 'string') return;
    const cfg = isJsonObject(entry.config) ? entry.config : {};
    if (MODEL_CLASSES.has(entry.className)) visitModel(cfg);
    else if (!known.has(entry.className)) {
      const name = typeof cfg.name === 'string' ? cfg.name : typeof entry.name === 'string' ? entry.name : '?';
      missing.set(entry.className, [...(missing.get(entry.className) ?? []), name]);
    }
    // Wrappers (Bidirectional, TimeDistributed) hold the layer they wrap.
    if (isJsonObject(cfg.layer)) visitLayer(cfg.layer);
  };
  const visitModel = (cfg: unknown): void => {
    const layers = isJsonObject(cfg) ? cfg.layers : Array.isArray(cfg) ? cfg : undefined;
    if (Array.isArray(layers)) layers.forEach(visitLayer);
  };
  const top = config as Config;
  if (typeof top.className === 'string') visitLayer(top);
  else visitModel(top);
  const list = [...missing].map(([cls, names]) => `'${cls}' (${names.map((n) => `'${n}'`).join(', ')})`);
  checkFormat(
    missing.size === 0,
    () =>
      `${what}: Unknown layer ${list.length === 1 ? `class ${list[0]}` : `classes ${list.join(', ')}`}; nothing was built. Expected one of ${[
        ...known,
      ]
        .filter((c) => !MODEL_CLASSES.has(c))
        .map((c) => `'${c}'`)
        .join(', ')} (custom ones are registered with registerLayer)`,
  );
}
