import type { SerializedObject } from '../core/config.js';
import { ValueError } from '../core/errors.js';
import { checkBuiltFrom } from '../core/options.js';
import { Registry, type ConfigurableClass } from '../core/registry.js';

/** A schedule's serialised form: its class name and the arguments that rebuild it. */
export type ScheduleConfig = SerializedObject;

/**
 * A learning rate that changes with the optimizer step (Keras `LearningRateSchedule`). Give one
 * as an optimizer's `learningRate`; it is evaluated at `optimizer.iterations` before each update.
 * Subclass it and implement `call(step)` and `getConfig()` for a custom schedule.
 * @example const lr = exponentialDecay({ initialLearningRate: 0.1, decaySteps: 100, decayRate: 0.9 }); lr.call(100); // 0.09
 */
export abstract class LearningRateSchedule {
  abstract readonly className: string;
  /** The learning rate at optimizer step `step` (0 for the first update). */
  abstract call(step: number): number;
  abstract getConfig(): Record<string, unknown>;
}

function positive(value: number, arg: string, schedule: string): number {
  if (!(typeof value === 'number' && value > 0))
    throw new ValueError(`${schedule}: '${arg}' must be > 0, got ${value}`);
  return value;
}

export interface ExponentialDecayArgs {
  initialLearningRate: number;
  decaySteps: number;
  decayRate: number;
  staircase?: boolean;
  name?: string;
}

/**
 * `initialLearningRate * decayRate ^ (step / decaySteps)`, with an integer exponent when `staircase`.
 * @example new ExponentialDecay({ initialLearningRate: 1, decaySteps: 10, decayRate: 0.5 }).call(20); // 0.25
 */
export class ExponentialDecay extends LearningRateSchedule {
  readonly className = 'ExponentialDecay';
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly decayRate: number;
  readonly staircase: boolean;
  readonly name: string;
  constructor(args: ExponentialDecayArgs) {
    super();
    this.initialLearningRate = args.initialLearningRate;
    this.decaySteps = positive(args.decaySteps, 'decaySteps', 'ExponentialDecay');
    this.decayRate = args.decayRate;
    this.staircase = args.staircase ?? false;
    this.name = args.name ?? 'ExponentialDecay';
  }
  call(step: number): number {
    let p = step / this.decaySteps;
    if (this.staircase) p = Math.floor(p);
    return this.initialLearningRate * Math.pow(this.decayRate, p);
  }
  getConfig(): Record<string, unknown> {
    return {
      initialLearningRate: this.initialLearningRate,
      decaySteps: this.decaySteps,
      decayRate: this.decayRate,
      staircase: this.staircase,
      name: this.name,
    };
  }
}

export interface PiecewiseConstantDecayArgs {
  boundaries: number[];
  values: number[];
  name?: string;
}

/**
 * `values[0]` while step <= boundaries[0], `values[i]` while boundaries[i-1] < step <= boundaries[i],
 * and the last value after the last boundary.
 * @example new PiecewiseConstantDecay({ boundaries: [10], values: [1, 0.1] }).call(11); // 0.1
 */
export class PiecewiseConstantDecay extends LearningRateSchedule {
  readonly className = 'PiecewiseConstantDecay';
  readonly boundaries: number[];
  readonly values: number[];
  readonly name: string;
  constructor(args: PiecewiseConstantDecayArgs) {
    super();
    const { boundaries, values } = args;
    if (!Array.isArray(boundaries) || !Array.isArray(values) || boundaries.length !== values.length - 1) {
      throw new ValueError(
        `PiecewiseConstantDecay: 'boundaries' must have one entry fewer than 'values'; got ${boundaries?.length} boundaries and ${values?.length} values`,
      );
    }
    for (let i = 1; i < boundaries.length; i++) {
      if (!(boundaries[i] > boundaries[i - 1]))
        throw new ValueError(
          `PiecewiseConstantDecay: 'boundaries' must be strictly increasing, got ${JSON.stringify(boundaries)}`,
        );
    }
    this.boundaries = [...boundaries];
    this.values = [...values];
    this.name = args.name ?? 'PiecewiseConstant';
  }
  call(step: number): number {
    for (let i = 0; i < this.boundaries.length; i++) if (step <= this.boundaries[i]) return this.values[i];
    return this.values[this.values.length - 1];
  }
  getConfig(): Record<string, unknown> {
    return { boundaries: [...this.boundaries], values: [...this.values], name: this.name };
  }
}

export interface CosineDecayArgs {
  initialLearningRate: number;
  decaySteps: number;
  alpha?: number;
  warmupTarget?: number | null;
  warmupSteps?: number;
  name?: string;
}

/**
 * Cosine decay with optional linear warm-up, as Keras 3: without `warmupTarget`, decays from
 * `initialLearningRate` to `initialLearningRate * alpha` over `decaySteps`; with it, rises linearly
 * from `initialLearningRate` to `warmupTarget` over `warmupSteps`, then decays from `warmupTarget`.
 * @example new CosineDecay({ initialLearningRate: 1, decaySteps: 10 }).call(5); // 0.5
 */
export class CosineDecay extends LearningRateSchedule {
  readonly className = 'CosineDecay';
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly alpha: number;
  readonly warmupTarget: number | null;
  readonly warmupSteps: number;
  readonly name: string;
  constructor(args: CosineDecayArgs) {
    super();
    this.initialLearningRate = args.initialLearningRate;
    this.decaySteps = positive(args.decaySteps, 'decaySteps', 'CosineDecay');
    this.alpha = args.alpha ?? 0;
    this.warmupTarget = args.warmupTarget ?? null;
    this.warmupSteps = args.warmupSteps ?? 0;
    this.name = args.name ?? 'CosineDecay';
  }
  private decay(step: number, from: number): number {
    const cosine = 0.5 * (1 + Math.cos(Math.PI * (step / this.decaySteps)));
    return from * ((1 - this.alpha) * cosine + this.alpha);
  }
  call(step: number): number {
    if (this.warmupTarget === null) return this.decay(Math.min(step, this.decaySteps), this.initialLearningRate);
    const s = Math.min(step, this.decaySteps + this.warmupSteps);
    if (s < this.warmupSteps) {
      return (this.warmupTarget - this.initialLearningRate) * (s / this.warmupSteps) + this.initialLearningRate;
    }
    return this.decay(s - this.warmupSteps, this.warmupTarget);
  }
  getConfig(): Record<string, unknown> {
    return {
      initialLearningRate: this.initialLearningRate,
      decaySteps: this.decaySteps,
      alpha: this.alpha,
      name: this.name,
      warmupTarget: this.warmupTarget,
      warmupSteps: this.warmupSteps,
    };
  }
}

export interface InverseTimeDecayArgs {
  initialLearningRate: number;
  decaySteps: number;
  decayRate: number;
  staircase?: boolean;
  name?: string;
}

/**
 * `initialLearningRate / (1 + decayRate * step / decaySteps)` (the quotient floored when `staircase`).
 * @example new InverseTimeDecay({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.5 }).call(2); // 0.05
 */
export class InverseTimeDecay extends LearningRateSchedule {
  readonly className = 'InverseTimeDecay';
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly decayRate: number;
  readonly staircase: boolean;
  readonly name: string;
  constructor(args: InverseTimeDecayArgs) {
    super();
    this.initialLearningRate = args.initialLearningRate;
    this.decaySteps = positive(args.decaySteps, 'decaySteps', 'InverseTimeDecay');
    this.decayRate = args.decayRate;
    this.staircase = args.staircase ?? false;
    this.name = args.name ?? 'InverseTimeDecay';
  }
  call(step: number): number {
    let p = step / this.decaySteps;
    if (this.staircase) p = Math.floor(p);
    return this.initialLearningRate / (1 + this.decayRate * p);
  }
  getConfig(): Record<string, unknown> {
    return {
      initialLearningRate: this.initialLearningRate,
      decaySteps: this.decaySteps,
      decayRate: this.decayRate,
      staircase: this.staircase,
      name: this.name,
    };
  }
}

export interface PolynomialDecayArgs {
  initialLearningRate: number;
  decaySteps: number;
  endLearningRate?: number;
  power?: number;
  cycle?: boolean;
  name?: string;
}

/**
 * `(initial - end) * (1 - step / decaySteps) ^ power + end`, step capped at `decaySteps`; with
 * `cycle`, `decaySteps` grows to the first multiple above the step instead.
 * @example new PolynomialDecay({ initialLearningRate: 1, decaySteps: 10, endLearningRate: 0 }).call(5); // 0.5
 */
export class PolynomialDecay extends LearningRateSchedule {
  readonly className = 'PolynomialDecay';
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly endLearningRate: number;
  readonly power: number;
  readonly cycle: boolean;
  readonly name: string;
  constructor(args: PolynomialDecayArgs) {
    super();
    this.initialLearningRate = args.initialLearningRate;
    this.decaySteps = positive(args.decaySteps, 'decaySteps', 'PolynomialDecay');
    this.endLearningRate = args.endLearningRate ?? 0.0001;
    this.power = args.power ?? 1;
    this.cycle = args.cycle ?? false;
    this.name = args.name ?? 'PolynomialDecay';
  }
  call(step: number): number {
    let s = step;
    let steps = this.decaySteps;
    if (this.cycle) steps *= s === 0 ? 1 : Math.ceil(s / this.decaySteps);
    else s = Math.min(s, steps);
    const p = s / steps;
    return (this.initialLearningRate - this.endLearningRate) * Math.pow(1 - p, this.power) + this.endLearningRate;
  }
  getConfig(): Record<string, unknown> {
    return {
      initialLearningRate: this.initialLearningRate,
      decaySteps: this.decaySteps,
      endLearningRate: this.endLearningRate,
      power: this.power,
      cycle: this.cycle,
      name: this.name,
    };
  }
}

/** Learning-rate schedules by class name, for optimizer configs. */
export const scheduleRegistry = new Registry<LearningRateSchedule>({
  kind: 'schedule',
  getter: 'deserializeSchedule',
  registerWith: 'registerSchedule',
  alsoAccepts: 'a LearningRateSchedule',
  isInstance: (value): value is LearningRateSchedule => value instanceof LearningRateSchedule,
  classNameOf: (schedule) => schedule.className,
  configOf: (schedule) => schedule.getConfig(),
});

/**
 * Makes a schedule class known by class name to saved optimizer configs.
 * @example registerSchedule('WarmupLinear', WarmupLinear);
 */
export function registerSchedule(className: string, cls: ConfigurableClass<LearningRateSchedule>): void {
  scheduleRegistry.registerClass(cls, { className });
}

registerSchedule('ExponentialDecay', ExponentialDecay);
registerSchedule('PiecewiseConstantDecay', PiecewiseConstantDecay);
registerSchedule('CosineDecay', CosineDecay);
registerSchedule('InverseTimeDecay', InverseTimeDecay);
registerSchedule('PolynomialDecay', PolynomialDecay);

const checked =
  <A extends object, S extends LearningRateSchedule>(name: string, make: (args: A) => S) =>
  (args: A): S =>
    checkBuiltFrom(`schedules.${name}`, make(args), args);

/** @example exponentialDecay({ initialLearningRate: 0.1, decaySteps: 1000, decayRate: 0.96, staircase: true }) */
export const exponentialDecay = checked('exponentialDecay', (args: ExponentialDecayArgs) => new ExponentialDecay(args));
/** @example piecewiseConstantDecay({ boundaries: [1000, 2000], values: [0.1, 0.01, 0.001] }) */
export const piecewiseConstantDecay = checked(
  'piecewiseConstantDecay',
  (args: PiecewiseConstantDecayArgs) => new PiecewiseConstantDecay(args),
);
/** @example cosineDecay({ initialLearningRate: 0, decaySteps: 1000, warmupTarget: 0.1, warmupSteps: 100 }) */
export const cosineDecay = checked('cosineDecay', (args: CosineDecayArgs) => new CosineDecay(args));
/** @example inverseTimeDecay({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.5 }) */
export const inverseTimeDecay = checked('inverseTimeDecay', (args: InverseTimeDecayArgs) => new InverseTimeDecay(args));
/** @example polynomialDecay({ initialLearningRate: 0.1, decaySteps: 10000, endLearningRate: 0.01, power: 0.5 }) */
export const polynomialDecay = checked('polynomialDecay', (args: PolynomialDecayArgs) => new PolynomialDecay(args));

/** The serialised form of a schedule: `{ className, config }`. */
export function serializeSchedule(schedule: LearningRateSchedule): ScheduleConfig {
  return scheduleRegistry.serialize(schedule);
}

/**
 * Rebuilds a schedule from `serializeSchedule`'s output.
 * @example deserializeSchedule({ className: 'CosineDecay', config: { initialLearningRate: 0.1, decaySteps: 100 } })
 */
export function deserializeSchedule(config: ScheduleConfig): LearningRateSchedule {
  return scheduleRegistry.fromConfig(config);
}
