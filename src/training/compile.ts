import { ValueError } from '../core/errors.js';
import { checkOptions, checkPendingOptions, type Configurable } from '../core/options.js';
import { getLoss, type Loss } from '../losses/index.js';
import { getMetric, type Metric } from '../metrics/index.js';
import { getOptimizer, type Optimizer } from '../optimizers/index.js';
import type { TrainableModel } from './trainable_model.js';
import { COMPILE_OPTIONS, type CompileArgs } from './types.js';

/** A metric bound to the model output it watches, with the name it is reported under. */
export interface BoundMetric {
  readonly output: number;
  readonly displayName: string;
  readonly metric: Metric;
}

/** What `compile` decides: the optimizer, one loss per output, and the metrics to report. */
export interface CompiledState {
  readonly optimizer: Optimizer;
  readonly losses: Loss[];
  readonly lossWeights: number[];
  readonly metrics: BoundMetric[];
  /** Names of the values `evaluate` returns and `fit` logs, in order: 'loss' first. */
  readonly metricsNames: string[];
  /** Whether fit fuses the training step: 'auto' (small supported models), true (required), false. */
  readonly jitCompile: boolean | 'auto';
}

/**
 * Configures a model for training. Losses and metrics are given once for all outputs, as a list
 * (one per output) or keyed by output name, as in Keras.
 * @example compileModel(model, { optimizer: 'adam', loss: 'mse', metrics: ['mae'] });
 */
export function compileModel(model: TrainableModel, args: CompileArgs): void {
  if (!args || typeof args !== 'object')
    throw new ValueError(`compile: expected an object {optimizer, loss, metrics}, got ${String(args)}`);
  checkOptions('compile', args, COMPILE_OPTIONS);
  // Optimizer, loss and metric objects built with `new` have their options checked now.
  for (const item of [args.optimizer, args.loss, args.metrics].flatMap(objectsWithConfig))
    checkPendingOptions(item, (item as { className?: string }).className ?? 'compile');
  if (args.optimizer === undefined || args.optimizer === null)
    throw new ValueError(`compile: 'optimizer' is required (e.g. 'adam' or optimizers.sgd({learningRate: 0.01}))`);
  if (args.loss === undefined || args.loss === null)
    throw new ValueError(`compile: 'loss' is required (e.g. 'mse' or 'sparseCategoricalCrossentropy')`);
  const optimizer = getOptimizer(args.optimizer as Parameters<typeof getOptimizer>[0]);
  const outputs = model.outputNames;
  const multi = outputs.length > 1;
  const perOutput = <T>(value: unknown, what: string): T[] => {
    if (Array.isArray(value) && multi) {
      if (value.length !== outputs.length)
        throw new ValueError(
          `compile: '${what}' has ${value.length} entries but the model has ${outputs.length} outputs (${outputs.join(', ')})`,
        );
      return value as T[];
    }
    if (value && typeof value === 'object' && !Array.isArray(value) && isPlainRecord(value)) {
      const rec = value as Record<string, T>;
      const unknown = Object.keys(rec).filter((k) => !outputs.includes(k));
      if (unknown.length)
        throw new ValueError(
          `compile: '${what}' names unknown output(s) ${unknown.join(', ')}; the model's outputs are ${outputs.join(', ')}`,
        );
      return outputs.map((name) => rec[name]);
    }
    return outputs.map(() => value as T);
  };
  const losses = perOutput<unknown>(args.loss, 'loss').map((l, i) => {
    if (l === undefined) throw new ValueError(`compile: no loss given for output '${outputs[i]}'`);
    return getLoss(l as Parameters<typeof getLoss>[0]);
  });
  // A list of loss weights is one per output even for a single output (Keras' loss_weights=[2]).
  const weightList =
    Array.isArray(args.lossWeights) && !multi
      ? (() => {
          if (args.lossWeights.length !== 1)
            throw new ValueError(
              `compile: 'lossWeights' has ${args.lossWeights.length} entries but the model has 1 output (${outputs[0]})`,
            );
          return args.lossWeights;
        })()
      : args.lossWeights === undefined
        ? outputs.map(() => 1)
        : perOutput<number>(args.lossWeights, 'lossWeights');
  const lossWeights = weightList.map((w, i) => {
    if (w === undefined || w === null) return 1;
    if (typeof w !== 'number' || !Number.isFinite(w))
      throw new ValueError(
        `compile: the loss weight of output '${outputs[i]}' must be a finite number, got ${JSON.stringify(w)}`,
      );
    return w;
  });

  const metricLists: unknown[][] = (() => {
    const m = args.metrics;
    if (m === undefined || m === null) return outputs.map(() => []);
    if (Array.isArray(m)) return outputs.map(() => m);
    if (typeof m === 'object')
      return perOutput<unknown>(m, 'metrics').map((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));
    return outputs.map(() => [m]);
  })();
  const metrics: BoundMetric[] = [];
  metricLists.forEach((list, output) => {
    for (const id of list) {
      const metric = getMetric(id as Parameters<typeof getMetric>[0], {
        lossName: losses[output].name,
        outputShape: model.outputShapes[output] as (number | null)[],
      });
      const base = typeof id === 'string' ? id : metric.name;
      metrics.push({ output, metric, displayName: multi ? `${outputs[output]}_${base}` : base });
    }
  });
  const jitCompile = args.jitCompile ?? 'auto';
  if (jitCompile !== true && jitCompile !== false && jitCompile !== 'auto')
    throw new ValueError(`compile: 'jitCompile' must be true, false or 'auto', got ${JSON.stringify(args.jitCompile)}`);
  const metricsNames = [
    'loss',
    ...(multi ? outputs.map((o) => `${o}_loss`) : []),
    ...metrics.map((m) => m.displayName),
  ];
  model.compiled = { optimizer, losses, lossWeights, metrics, metricsNames, jitCompile };
}

function isPlainRecord(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** The compiled state, or a clear error naming the call that needed it. */
export function requireCompiled(model: TrainableModel, call: string): CompiledState {
  if (!model.compiled) {
    throw new ValueError(
      `${call}: model '${model.name}' must be compiled first: call model.compile({optimizer, loss, metrics})`,
    );
  }
  return model.compiled;
}

function objectsWithConfig(value: unknown): Configurable[] {
  if (Array.isArray(value)) return value.flatMap(objectsWithConfig);
  if (value === null || typeof value !== 'object') return [];
  if (typeof (value as Configurable).getConfig === 'function') return [value as Configurable];
  return isPlainRecord(value) ? Object.values(value).flatMap(objectsWithConfig) : [];
}
