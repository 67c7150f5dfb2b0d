import { variableGradPairs, noGrad, releaseAppliedGradient } from '../autograd/gradients.js';
import { ValueError, fmtShape } from '../core/errors.js';
import { shapesEqual } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { Variable } from '../core/variable.js';
import { add, div, maximum, minimum, mul, sub } from '../ops/prims/binary.js';
import { fill, scalar } from '../ops/creation.js';
import { sum } from '../ops/prims/reduce.js';
import { cast } from '../ops/prims/shape_ops.js';
import { sqrt, square } from '../ops/prims/unary.js';
import { LearningRateSchedule, deserializeSchedule, serializeSchedule, type ScheduleConfig } from './schedules.js';
import { scoped } from '../core/memory.js';
import { checkOptions, checkPendingOptions, deferOptionCheck, optionKeys } from '../core/options.js';

/** Arguments every optimizer accepts (Keras 3 base optimizer arguments, camelCase). */
export interface OptimizerArgs {
  /** A number, a schedule evaluated at `iterations`, or a serialised schedule. */
  learningRate?: number | LearningRateSchedule | ScheduleConfig;
  /** Decoupled weight decay: each update first does `v -= v * weightDecay * learningRate`. */
  weightDecay?: number | null;
  /** Clips each gradient separately so its L2 norm is at most this. */
  clipNorm?: number | null;
  /** Clips every element of every gradient to [-clipValue, clipValue]. */
  clipValue?: number | null;
  /** Scales all gradients together so their joint L2 norm is at most this. */
  globalClipNorm?: number | null;
  name?: string;
}

/** One variable and its gradient, as `applyGradients` takes them. A null gradient is skipped. */
export interface GradAndVar {
  grad: Tensor | null | undefined;
  variable: Variable;
}

/** A named state tensor, as `getWeights` returns and `setWeights` takes them. */
export interface NamedWeight {
  name: string;
  tensor: Tensor;
}

const ITERATION = 'iteration';

/**
 * The base of every optimizer. It owns the learning rate (a number or a schedule evaluated at
 * `iterations`), the step counter, per-variable slot variables (created on first use and named
 * `<variable name>/<slot>`), gradient clipping, weight decay and constraints; a subclass writes
 * only `updateStep`. The order of one step is Keras 3's: clip, decay weights, update, count the
 * step, then apply each variable's `constraint`.
 *
 * @example
 * class SignSGD extends Optimizer {
 *   readonly className = 'SignSGD';
 *   protected updateStep(g: Tensor, v: Variable, lr: number) { v.assign(sub(v, mul(sign(g), lr))); }
 * }
 */
export abstract class Optimizer {
  abstract readonly className: string;
  readonly name: string;
  /** Number of updates applied so far (Keras `iterations`). */
  iterations = 0;
  readonly weightDecay: number | null;
  readonly clipNorm: number | null;
  readonly clipValue: number | null;
  readonly globalClipNorm: number | null;
  private lr: number | LearningRateSchedule;
  private readonly slots = new Map<string, Variable>();
  /** Variables (by identity) and a name pattern that weight decay skips (excludeFromWeightDecay). */
  private decayExcluded = new Set<Variable>();
  private decayExcludedPattern: RegExp | null = null;
  /** Scalar state beyond slots (Nadam's momentum-cache product), saved by getWeights. */
  protected readonly scalars = new Map<string, number>();

  constructor(args: OptimizerArgs, defaults: { learningRate: number; name: string }) {
    deferOptionCheck(this, args);
    const a = args ?? {};
    this.name = a.name ?? defaults.name;
    const lr = a.learningRate ?? defaults.learningRate;
    this.lr = isScheduleConfig(lr) ? deserializeSchedule(lr) : lr;
    if (typeof this.lr === 'number' && !(this.lr >= 0))
      throw new ValueError(
        `${this.name}: 'learningRate' must be a non-negative number or a schedule, got ${String(lr)}`,
      );
    if (!(typeof this.lr === 'number' || this.lr instanceof LearningRateSchedule)) {
      throw new ValueError(
        `${this.name}: 'learningRate' must be a number or a LearningRateSchedule, got ${String(lr)}`,
      );
    }
    this.weightDecay = a.weightDecay ?? null;
    this.clipNorm = a.clipNorm ?? null;
    this.clipValue = a.clipValue ?? null;
    this.globalClipNorm = a.globalClipNorm ?? null;
    const clipArgs = [this.clipNorm, this.clipValue, this.globalClipNorm].filter((c) => c !== null);
    if (clipArgs.length > 1) {
      throw new ValueError(
        `${this.name}: only one of 'clipNorm', 'clipValue' and 'globalClipNorm' can be set; got clipNorm=${this.clipNorm}, clipValue=${this.clipValue}, globalClipNorm=${this.globalClipNorm}`,
      );
    }
    for (const [arg, v] of [
      ['weightDecay', this.weightDecay],
      ['clipNorm', this.clipNorm],
      ['clipValue', this.clipValue],
      ['globalClipNorm', this.globalClipNorm],
    ] as const) {
      if (v !== null && !(typeof v === 'number' && v >= 0))
        throw new ValueError(`${this.name}: '${arg}' must be a non-negative number, got ${String(v)}`);
    }
  }

  /**
   * Keeps weight decay off some variables (Keras 3 `exclude_from_weight_decay`): those in
   * `varList`, and those whose name contains a match of one of the regular expressions in
   * `varNames`. Each call replaces the previous exclusions. Biases and normalization scales are
   * the usual ones to exclude.
   * @example
   * const opt = new AdamW({ weightDecay: 0.1 });
   * opt.excludeFromWeightDecay({ varList: model.trainableWeights.filter((v) => v.rank < 2), varNames: ['bias'] });
   */
  excludeFromWeightDecay(options: { varList?: readonly Variable[]; varNames?: readonly string[] } = {}): void {
    checkOptions('excludeFromWeightDecay', options, optionKeys<typeof options>({ varList: true, varNames: true }));
    const { varList = [], varNames = [] } = options;
    for (const v of varList)
      if (!(v instanceof Variable))
        throw new ValueError(`${this.name}: excludeFromWeightDecay's varList must hold Variables, got ${typeof v}`);
    for (const n of varNames)
      if (typeof n !== 'string' || n === '')
        throw new ValueError(
          `${this.name}: excludeFromWeightDecay's varNames must be non-empty strings (patterns), got ${JSON.stringify(n)}`,
        );
    this.decayExcluded = new Set(varList);
    this.decayExcludedPattern = varNames.length > 0 ? new RegExp([...new Set(varNames)].join('|')) : null;
  }

  /** Whether weight decay applies to `variable` (Keras' `_use_weight_decay`). */
  usesWeightDecay(variable: Variable): boolean {
    if (this.decayExcluded.has(variable)) return false;
    return !this.decayExcludedPattern?.test(variable.name);
  }

  /** The learning rate of the next update (a schedule is evaluated at `iterations`). */
  get learningRate(): number {
    return typeof this.lr === 'number' ? this.lr : this.lr.call(this.iterations);
  }

  /** Sets a new learning rate (what callbacks such as reduceLROnPlateau do) or a new schedule. */
  set learningRate(value: number | LearningRateSchedule) {
    if (value instanceof LearningRateSchedule) {
      this.lr = value;
      return;
    }
    if (this.lr instanceof LearningRateSchedule) {
      throw new ValueError(
        `${this.name}: the learning rate is a ${this.lr.className} schedule and cannot be set to a number; create the optimizer with a number learningRate to make it settable`,
      );
    }
    if (!(typeof value === 'number' && value >= 0))
      throw new ValueError(`${this.name}: learningRate must be a non-negative number, got ${String(value)}`);
    this.lr = value;
  }

  /** The learning rate as given: a number or the schedule object. */
  get learningRateOrSchedule(): number | LearningRateSchedule {
    return this.lr;
  }

  /** The update rule for one variable; runs without recording gradients. */
  protected abstract updateStep(grad: Tensor, variable: Variable, learningRate: number): void;

  /** Runs once per step before the per-variable updates (Nadam advances its momentum cache). */
  protected beforeUpdates(): void {}

  /**
   * The slot variable `slotName` of `variable` (same shape and dtype), created on first use
   * filled with `initialValue`, or the one restored by `setWeights`.
   */
  protected slot(variable: Variable, slotName: string, initialValue = 0): Variable {
    const key = `${variable.name}/${slotName}`;
    const existing = this.slots.get(key);
    if (existing) {
      if (!shapesEqual(existing.shape, variable.shape)) {
        throw new ValueError(
          `${this.name}: slot '${key}' has shape ${fmtShape(existing.shape)} but variable '${variable.name}' has shape ${fmtShape(variable.shape)}; was this optimizer used with a different variable of the same name?`,
        );
      }
      if (existing.dtype !== variable.dtype) {
        const converted = new Variable(cast(existing, variable.dtype), false, key);
        this.slots.set(key, converted);
        return converted;
      }
      return existing;
    }
    const created = new Variable(fill(variable.shape, initialValue, variable.dtype), false, key);
    this.slots.set(key, created);
    return created;
  }

  /**
   * Applies one update: `[{ grad, variable }]` pairs, or gradients keyed by variable name (as
   * `variableGrads` returns them) together with the variables they belong to.
   * @example opt.applyGradients([{ grad: g, variable: w }]);
   * @example const { grads } = variableGrads(loss, [w, b]); opt.applyGradients(grads, [w, b]);
   */
  applyGradients(gradients: GradAndVar[] | Record<string, Tensor>, varList?: readonly Variable[]): void {
    checkPendingOptions(this, this.className);
    const pairs = this.pairUp(gradients, varList).filter(
      (p): p is { grad: Tensor; variable: Variable } => p.grad !== null && p.grad !== undefined,
    );
    if (pairs.length === 0) throw new ValueError(`${this.name}: applyGradients received no gradients for any variable`);
    for (const { grad, variable } of pairs) {
      if (!(variable instanceof Variable))
        throw new ValueError(`${this.name}: applyGradients expected Variables, got ${typeof variable}`);
      if (grad.isDisposed)
        throw new ValueError(
          `${this.name}: the gradient for variable '${variable.name}' was disposed. applyGradients frees the gradients variableGrads returned once it has applied them; keep(grad) to apply or read one again`,
        );
      if (!shapesEqual(grad.shape, variable.shape)) {
        throw new ValueError(
          `${this.name}: the gradient for variable '${variable.name}' has shape ${fmtShape(grad.shape)} but the variable has shape ${fmtShape(variable.shape)}`,
        );
      }
    }
    // Scoped: the update's temporaries are freed at once; new values live on in the variables.
    scoped(() =>
      noGrad(() => {
        const vars = pairs.map((p) => p.variable);
        const grads = this.clip(
          pairs.map((p) => (p.grad.dtype === p.variable.dtype ? p.grad : cast(p.grad, p.variable.dtype))),
        );
        const lr = this.learningRate;
        if (this.weightDecay) {
          for (const v of vars) if (this.usesWeightDecay(v)) v.assign(sub(v, mul(v, this.weightDecay * lr)));
        }
        this.beforeUpdates();
        vars.forEach((v, i) => this.updateStep(grads[i], v, lr));
        this.iterations++;
        for (const v of vars) if (v.constraint) v.assign(v.constraint(v));
      }),
    );
    // Applied, the gradients variableGrads made are done with: a custom loop stays flat.
    for (const p of pairs) releaseAppliedGradient(p.grad);
  }

  /**
   * Computes the gradient of the scalar `f()` with respect to `varList` and applies it (TF.js
   * `minimize`). Without `varList`, as in TF.js, every live trainable variable that `f` uses is
   * updated. Returns the cost when `returnCost`, else null; everything else it made is freed.
   * @example const cost = opt.minimize(() => meanSquaredError(y, predict(x)).mean(), true);
   */
  minimize(f: () => Tensor, returnCost = false, varList?: readonly Variable[]): Tensor | null {
    if (varList !== undefined && varList !== null && varList.length === 0)
      throw new ValueError(
        `${this.name}: minimize got an empty 'varList'; pass the variables to update, or leave it out to update every trainable variable the function uses`,
      );
    // As TF.js: the gradients, and the cost unless returned, are freed here.
    return scoped(() => {
      const { value, pairs } = variableGradPairs(f, varList ?? undefined, `${this.name}.minimize`);
      this.applyGradients(pairs);
      return returnCost ? value : null;
    });
  }

  private pairUp(gradients: GradAndVar[] | Record<string, Tensor>, varList?: readonly Variable[]): GradAndVar[] {
    if (Array.isArray(gradients)) return gradients;
    if (!gradients || typeof gradients !== 'object')
      throw new ValueError(
        `${this.name}: applyGradients expected [{grad, variable}] or gradients keyed by variable name, got ${String(gradients)}`,
      );
    if (!varList) {
      throw new ValueError(
        `${this.name}: gradients keyed by variable name need 'varList', the variables they belong to: applyGradients(grads, [w, b])`,
      );
    }
    const byName = new Map(varList.map((v) => [v.name, v]));
    return Object.entries(gradients).map(([name, grad]) => {
      const variable = byName.get(name);
      if (!variable)
        throw new ValueError(
          `${this.name}: got a gradient for '${name}' but no variable of that name is in varList (${[...byName.keys()].join(', ')})`,
        );
      return { grad, variable };
    });
  }

  private clip(grads: Tensor[]): Tensor[] {
    if (this.clipNorm) {
      const c = this.clipNorm;
      return grads.map((g) => div(mul(g, c), maximum(sqrt(sum(square(g))), c)));
    }
    if (this.globalClipNorm) {
      const c = this.globalClipNorm;
      // In the gradients' own precision (float64 only when some are): a GPU has no float64.
      const dtype = grads.some((g) => g.dtype === 'float64') ? 'float64' : grads[0].dtype;
      const norm = sqrt(grads.map((g) => cast(sum(square(g)), dtype)).reduce((a, b) => add(a, b)));
      // As Keras: a non-finite global norm turns the scale into NaN instead of hiding the problem.
      const scale = add(mul(minimum(div(1, norm), 1 / c), c), sub(norm, norm));
      return grads.map((g) => mul(g, cast(scale, g.dtype)));
    }
    if (this.clipValue) {
      const c = this.clipValue;
      return grads.map((g) => minimum(maximum(g, -c), c));
    }
    return grads;
  }

  /** The hyperparameters that rebuild this optimizer (`new Adam(adam.getConfig())`). */
  getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      learningRate: typeof this.lr === 'number' ? this.lr : serializeSchedule(this.lr),
      weightDecay: this.weightDecay,
      clipNorm: this.clipNorm,
      globalClipNorm: this.globalClipNorm,
      clipValue: this.clipValue,
    };
  }

  /**
   * Frees the optimizer's state (its slot variables) and starts it over, as TF.js `dispose`.
   * @example model.compiled?.optimizer.dispose();
   */
  dispose(): void {
    for (const slot of this.slots.values()) slot.dispose();
    this.slots.clear();
    this.scalars.clear();
    this.iterations = 0;
  }

  /**
   * The optimizer's state, so training can resume: the step count first, then any scalar
   * state, then every slot variable in creation order.
   * @example const state = opt.getWeights(); fresh.setWeights(state);
   */
  getWeights(): NamedWeight[] {
    const out: NamedWeight[] = [{ name: ITERATION, tensor: scalar(this.iterations, 'int32') }];
    for (const [name, value] of this.scalars) out.push({ name, tensor: scalar(value, 'float64') });
    for (const [name, v] of this.slots) out.push({ name, tensor: v });
    return out;
  }

  /**
   * Restores state saved by `getWeights`. Slots not yet created are created from the saved
   * values and picked up by the variable of the same name on the next update.
   */
  setWeights(weights: readonly NamedWeight[]): void {
    for (const { name, tensor } of weights) {
      if (name === ITERATION) {
        this.iterations = tensor.item();
        continue;
      }
      if (this.scalars.has(name) || this.isScalarState(name)) {
        this.scalars.set(name, tensor.item());
        continue;
      }
      const existing = this.slots.get(name);
      if (existing) {
        if (!shapesEqual(existing.shape, tensor.shape)) {
          throw new ValueError(
            `${this.name}: setWeights: slot '${name}' has shape ${fmtShape(existing.shape)} but the given value has shape ${fmtShape(tensor.shape)}`,
          );
        }
        existing.assign(tensor.dtype === existing.dtype ? tensor : cast(tensor, existing.dtype));
      } else {
        this.slots.set(name, new Variable(tensor, false, name));
      }
    }
  }

  /**
   * Returns to the state `getWeights` gave earlier, forgetting slots created since (the next
   * update creates them again from their initial value), so that a step can be undone.
   * @example const before = opt.getWeights(); opt.applyGradients(grads); opt.restoreWeights(before);
   */
  restoreWeights(saved: readonly NamedWeight[]): void {
    const names = new Set(saved.map((w) => w.name));
    for (const name of [...this.slots.keys()]) if (!names.has(name)) this.slots.delete(name);
    this.setWeights(saved);
  }

  /** Names of scalar state a subclass keeps (so setWeights on a fresh optimizer knows them). */
  protected isScalarState(_name: string): boolean {
    return false;
  }
}

function isScheduleConfig(x: unknown): x is ScheduleConfig {
  return (
    typeof x === 'object' &&
    x !== null &&
    !(x instanceof LearningRateSchedule) &&
    typeof (x as ScheduleConfig).className === 'string'
  );
}
