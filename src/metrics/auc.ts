import { ValueError } from '../core/errors.js';
import type { TensorLike } from '../ops/convert.js';
import { EPSILON } from '../losses/common.js';
import { accumulateConfusion, emptyCounts, type ConfusionCounts } from './confusion.js';
import { Metric, registerMetric } from './metric.js';
import { checkPendingOptions } from '../core/options.js';

export interface AUCArgs {
  /** Number of thresholds (default 200): 0 - 1e-7, (i + 1)/(n - 1) for i < n - 2, 1 + 1e-7. */
  numThresholds?: number;
  curve?: 'ROC' | 'PR';
  summationMethod?: 'interpolation' | 'minoring' | 'majoring';
  /** Explicit thresholds in (0, 1) instead of evenly spaced ones (the end points are added). */
  thresholds?: number[] | null;
  /** yPred holds logits (passed through a sigmoid first). */
  fromLogits?: boolean;
  name?: string;
}

const safeDiv = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/**
 * Area under the ROC or precision-recall curve from confusion counts at fixed thresholds, as
 * Keras 3: ROC by a trapezoidal Riemann sum; PR by Davis & Goadrich's interpolation.
 * @example const m = new AUC({ numThresholds: 3 }); m.updateState([0, 0, 1, 1], [0, 0.5, 0.3, 0.9]); m.result(); // 0.75
 */
export class AUC extends Metric {
  readonly className = 'AUC';
  readonly numThresholds: number;
  readonly curve: 'ROC' | 'PR';
  readonly summationMethod: 'interpolation' | 'minoring' | 'majoring';
  readonly fromLogits: boolean;
  private readonly userThresholds: number[] | null;
  /** All thresholds, end points included. */
  readonly thresholds: number[];
  private counts: ConfusionCounts;

  constructor(args: AUCArgs = {}) {
    super(args.name ?? 'auc', args);
    this.curve = args.curve ?? 'ROC';
    this.summationMethod = args.summationMethod ?? 'interpolation';
    if (this.curve !== 'ROC' && this.curve !== 'PR')
      throw new ValueError(`AUC: 'curve' must be 'ROC' or 'PR', got ${JSON.stringify(args.curve)}`);
    if (!['interpolation', 'minoring', 'majoring'].includes(this.summationMethod)) {
      throw new ValueError(
        `AUC: 'summationMethod' must be 'interpolation', 'minoring' or 'majoring', got ${JSON.stringify(args.summationMethod)}`,
      );
    }
    this.fromLogits = args.fromLogits ?? false;
    this.userThresholds = args.thresholds ? [...args.thresholds].sort((a, b) => a - b) : null;
    let inner: number[];
    if (this.userThresholds) {
      inner = this.userThresholds;
      this.numThresholds = inner.length + 2;
    } else {
      const n = args.numThresholds ?? 200;
      if (!(Number.isInteger(n) && n > 1))
        throw new ValueError(`AUC: 'numThresholds' must be an integer > 1, got ${n}`);
      this.numThresholds = n;
      inner = Array.from({ length: n - 2 }, (_, i) => (i + 1) / (n - 1));
    }
    this.thresholds = [0 - EPSILON, ...inner, 1 + EPSILON];
    this.counts = emptyCounts(this.numThresholds);
  }

  updateState(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike | null): void {
    checkPendingOptions(this, this.className);
    accumulateConfusion(
      this.counts,
      yTrue,
      yPred,
      sampleWeight,
      { thresholds: this.thresholds, fromLogits: this.fromLogits, numericLabels: true },
      this.name,
    );
  }

  result(): number {
    const { tp, fp, tn, fn } = this.counts;
    const n = this.numThresholds;
    if (this.curve === 'PR' && this.summationMethod === 'interpolation') return this.interpolatePrAuc();
    const recall = Array.from(tp, (v, i) => safeDiv(v, v + fn[i]));
    const x = this.curve === 'ROC' ? Array.from(fp, (v, i) => safeDiv(v, v + tn[i])) : recall;
    const y = this.curve === 'ROC' ? recall : Array.from(tp, (v, i) => safeDiv(v, v + fp[i]));
    let area = 0;
    for (let i = 0; i < n - 1; i++) {
      const height =
        this.summationMethod === 'interpolation'
          ? (y[i] + y[i + 1]) / 2
          : this.summationMethod === 'minoring'
            ? Math.min(y[i], y[i + 1])
            : Math.max(y[i], y[i + 1]);
      area += (x[i] - x[i + 1]) * height;
    }
    return area;
  }

  /** Davis & Goadrich: precision interpolated with TP and TP + FP varying linearly between thresholds. */
  private interpolatePrAuc(): number {
    const { tp, fp, fn } = this.counts;
    let area = 0;
    for (let i = 0; i < this.numThresholds - 1; i++) {
      const dtp = tp[i] - tp[i + 1];
      const pA = tp[i] + fp[i];
      const pB = tp[i + 1] + fp[i + 1];
      const slope = safeDiv(dtp, Math.max(pA - pB, 0));
      const intercept = tp[i + 1] - slope * pB;
      const ratio = pA > 0 && pB > 0 ? safeDiv(pA, Math.max(pB, 0)) : 1;
      area += safeDiv(slope * (dtp + intercept * Math.log(ratio)), Math.max(tp[i + 1] + fn[i + 1], 0));
    }
    return area;
  }

  resetState(): void {
    this.counts = emptyCounts(this.numThresholds);
  }

  override getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = {
      ...super.getConfig(),
      numThresholds: this.numThresholds,
      curve: this.curve,
      summationMethod: this.summationMethod,
      fromLogits: this.fromLogits,
    };
    if (this.userThresholds) config.thresholds = [...this.userThresholds];
    return config;
  }
}

registerMetric('AUC', AUC, ['auc']);
