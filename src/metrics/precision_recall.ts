import { ValueError } from '../core/errors.js';
import type { TensorLike } from '../ops/convert.js';
import { accumulateConfusion, emptyCounts, type ConfusionCounts } from './confusion.js';
import { Metric, registerMetric } from './metric.js';
import { checkPendingOptions } from '../core/options.js';

export interface PrecisionRecallArgs {
  /** Decision threshold(s) in [0, 1]; a prediction above one counts as positive. Default 0.5. */
  thresholds?: number | number[];
  /** Only the k highest predictions of each row can be positive. */
  topK?: number | null;
  /** Only this class (index along the last axis) is scored. */
  classId?: number | null;
  name?: string;
}

abstract class ConfusionRatio extends Metric {
  readonly thresholds: number[];
  readonly topK: number | null;
  readonly classId: number | null;
  protected counts: ConfusionCounts;

  constructor(args: PrecisionRecallArgs, defaultName: string) {
    super(args.name ?? defaultName, args);
    const th = args.thresholds ?? 0.5;
    this.thresholds = Array.isArray(th) ? [...th] : [th];
    for (const t of this.thresholds)
      if (!(t >= 0 && t <= 1)) throw new ValueError(`${this.name}: thresholds must be in [0, 1], got ${t}`);
    this.topK = args.topK ?? null;
    this.classId = args.classId ?? null;
    this.counts = emptyCounts(this.thresholds.length);
  }

  updateState(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike | null): void {
    checkPendingOptions(this, this.className);
    accumulateConfusion(
      this.counts,
      yTrue,
      yPred,
      sampleWeight,
      { thresholds: this.thresholds, topK: this.topK, classId: this.classId },
      this.name,
    );
  }

  protected abstract ratioAt(k: number): number;

  /** The value at each threshold. */
  resultPerThreshold(): number[] {
    return this.thresholds.map((_, k) => this.ratioAt(k));
  }

  /** The value at the (single) threshold; with several thresholds use `resultPerThreshold`. */
  result(): number {
    if (this.thresholds.length !== 1)
      throw new ValueError(
        `${this.name}: ${this.thresholds.length} thresholds were given; use resultPerThreshold() for one value each`,
      );
    return this.ratioAt(0);
  }

  resetState(): void {
    this.counts = emptyCounts(this.thresholds.length);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      thresholds: this.thresholds.length === 1 ? this.thresholds[0] : [...this.thresholds],
      topK: this.topK,
      classId: this.classId,
    };
  }
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/**
 * Precision `tp / (tp + fp)` over all batches, a prediction counting as positive when above the
 * threshold (Keras confusion-count semantics; 0 when nothing was predicted positive).
 * @example const m = new Precision(); m.updateState([0, 1, 1, 1], [1, 0, 1, 1]); m.result(); // 2/3
 */
export class Precision extends ConfusionRatio {
  readonly className = 'Precision';
  constructor(args: PrecisionRecallArgs = {}) {
    super(args, 'precision');
  }
  protected ratioAt(k: number): number {
    return ratio(this.counts.tp[k], this.counts.tp[k] + this.counts.fp[k]);
  }
}

/**
 * Recall `tp / (tp + fn)` over all batches (0 when there were no positive labels).
 * @example const m = new Recall(); m.updateState([0, 1, 1, 1], [1, 0, 1, 1]); m.result(); // 2/3
 */
export class Recall extends ConfusionRatio {
  readonly className = 'Recall';
  constructor(args: PrecisionRecallArgs = {}) {
    super(args, 'recall');
  }
  protected ratioAt(k: number): number {
    return ratio(this.counts.tp[k], this.counts.tp[k] + this.counts.fn[k]);
  }
}

registerMetric('Precision', Precision, ['precision']);
registerMetric('Recall', Recall, ['recall']);
