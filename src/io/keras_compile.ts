import type { Config } from '../core/config.js';
import type { CompileArgs } from '../training/types.js';
import { getLoss } from '../losses/index.js';
import { getMetric } from '../metrics/index.js';
import type { LayersModel } from '../models/layers_model.js';
import { getOptimizer } from '../optimizers/index.js';
import { toCamelKeys } from './config_case.js';
import { isJsonObject } from './safe_json.js';

/** Keras (and TF.js) spellings of optimizer settings → Myelin's. */
const OPTIMIZER_KEYS: Record<string, string> = {
  lr: 'learningRate',
  clipnorm: 'clipNorm',
  clipvalue: 'clipValue',
  globalClipnorm: 'globalClipNorm',
};
/** Settings with no effect on the updates when they have these values. */
const INERT: Record<string, (v: unknown) => boolean> = {
  name: () => true,
  isLegacyOptimizer: () => true,
  useEma: (v) => !v,
  emaMomentum: () => true,
  emaOverwriteFrequency: () => true,
  lossScaleFactor: (v) => v === null || v === undefined,
  gradientAccumulationSteps: (v) => v === null || v === undefined || v === 1,
};

/**
 * Compiles a loaded model as the file's training settings say (Keras 3 `compile_config`,
 * Keras 2 and TF.js `training_config`): optimizer with its hyperparameters, loss and metrics by
 * name, so `evaluate` and further `fit` work at once. Nothing is run from the file; what
 * Myelin cannot rebuild (a custom loss, an unknown optimizer setting) leaves the model
 * uncompiled, and the returned message says why (null when it compiled).
 *
 * @example const why = restoreCompileConfig(model, json.compile_config, 'model.keras'); // null
 */
export function restoreCompileConfig(model: LayersModel, raw: unknown, what: string): string | null {
  if (!isJsonObject(raw)) return null;
  const c = toCamelKeys(raw) as Config;
  try {
    const optimizer = optimizerFrom(c.optimizer ?? c.optimizerConfig);
    const loss = lossFrom(c.loss);
    const metrics = flatList(c.metrics).map((m) => metricFrom(m));
    const lossWeights = Array.isArray(c.lossWeights) ? (c.lossWeights as number[]) : undefined;
    // Names from the file are checked by the registries at run time, not by the compiler.
    model.compile({
      optimizer,
      loss: loss as CompileArgs['loss'],
      metrics: metrics as CompileArgs['metrics'],
      ...(lossWeights ? { lossWeights } : {}),
    });
    return null;
  } catch (e) {
    return `${what}: the model loaded uncompiled; its training settings cannot be restored (${e instanceof Error ? e.message : String(e)}); call model.compile() before fit or evaluate`;
  }
}

/** A Keras-serialised object's class name and config, or a bare name. */
function unwrap(raw: unknown): { className: string; config: Config } | string {
  if (typeof raw === 'string') return raw;
  if (isJsonObject(raw) && typeof raw.className === 'string') {
    if (typeof raw.module === 'string' && !/^keras(\.|$)/.test(raw.module))
      throw new Error(`'${raw.className}' comes from module '${raw.module}', not from Keras`);
    if (typeof raw.registeredName === 'string' && raw.registeredName.includes('>'))
      throw new Error(`'${raw.registeredName}' is a custom class`);
    return { className: raw.className, config: isJsonObject(raw.config) ? raw.config : {} };
  }
  throw new Error(`expected a name or {class_name, config}, got ${JSON.stringify(raw)?.slice(0, 80)}`);
}

function optimizerFrom(raw: unknown) {
  const spec = unwrap(raw);
  if (typeof spec === 'string') return getOptimizer(spec);
  const known = new Set(Object.keys(getOptimizer(spec.className).getConfig()));
  const args: Config = {};
  for (const [k, v] of Object.entries(spec.config)) {
    const key = OPTIMIZER_KEYS[k] ?? k;
    if (known.has(key) && key !== 'name') args[key] = isJsonObject(v) ? scheduleFrom(v) : v;
    else if (key !== 'decay' && !INERT[key]?.(v))
      throw new Error(`${spec.className} setting '${k}' = ${JSON.stringify(v)} is not supported`);
  }
  // Keras 2's `decay` divides the rate by (1 + decay · iterations): an inverse-time schedule.
  const decay = spec.config.decay;
  if (decay !== undefined && decay !== null && decay !== 0) {
    if (typeof decay !== 'number' || decay < 0 || typeof args.learningRate !== 'number')
      throw new Error(
        `${spec.className} 'decay' = ${JSON.stringify(decay)} needs a non-negative number and a numeric learning rate`,
      );
    args.learningRate = {
      className: 'InverseTimeDecay',
      config: { initialLearningRate: args.learningRate, decaySteps: 1, decayRate: decay },
    };
  }
  return getOptimizer({ className: spec.className, config: args });
}

function scheduleFrom(raw: Config): Config {
  const spec = unwrap(raw);
  if (typeof spec === 'string') throw new Error(`unreadable learning-rate schedule '${spec}'`);
  return { className: spec.className, config: { ...spec.config } };
}

function lossFrom(raw: unknown): unknown {
  if (Array.isArray(raw)) return raw.map(lossFrom);
  if (isJsonObject(raw) && raw.className === undefined) {
    // Per-output losses by output name.
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, lossFrom(v)]));
  }
  const spec = unwrap(raw);
  if (typeof spec === 'string') return getLoss(spec);
  const base = getLoss(spec.className);
  const known = new Set(Object.keys(base.getConfig()));
  const args = Object.fromEntries(Object.entries(spec.config).filter(([k]) => known.has(k)));
  return getLoss({ className: spec.className, config: { ...base.getConfig(), ...args } });
}

/** Metric lists may be nested per output (Keras 2.4 writes `[[...]]`). */
function flatList(raw: unknown): unknown[] {
  if (raw === null || raw === undefined) return [];
  if (!Array.isArray(raw)) return isJsonObject(raw) ? Object.values(raw).flatMap(flatList) : [raw];
  return raw.flatMap((m) => (Array.isArray(m) ? flatList(m) : [m]));
}

/** A metric by its name: Keras' MeanMetricWrapper records the function (`fn`) it wraps. */
function metricFrom(raw: unknown): string {
  const spec = unwrap(raw);
  if (typeof spec === 'string') return spec;
  const { name, fn } = spec.config;
  for (const candidate of [name, fn, spec.className]) {
    if (typeof candidate !== 'string') continue;
    try {
      getMetric(candidate, {});
      return candidate;
    } catch {
      /* try the next spelling */
    }
  }
  throw new Error(`unknown metric '${String(name ?? spec.className)}'`);
}
