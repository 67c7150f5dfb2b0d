import type { Tensor } from '../core/tensor.js';
import type { TensorLike } from '../ops/convert.js';

/**
 * A stateful metric (Keras `Metric`): `updateState` accumulates batches, `result` reads the value
 * so far, `resetState` starts over (each epoch). Subclass it for a custom metric.
 * @example
 * const m = new MeanAbsoluteError();
 * m.updateState(yTrue, yPred); m.result(); m.resetState();
 */
export abstract class Metric {
  abstract readonly className: string;
  /** The name the metric is reported under ('mae', 'accuracy', ...). */
  readonly name: string;

  constructor(name: string) {
    this.name = name;
  }

  abstract updateState(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike | null): void;
  abstract result(): number;
  abstract resetState(): void;

  /** The arguments that rebuild this metric. */
  getConfig(): Record<string, unknown> {
    return { name: this.name };
  }
}

/** A per-sample metric function `(yTrue, yPred) => Tensor` (every loss function is one). */
export type MetricFunction = (yTrue: TensorLike, yPred: TensorLike) => Tensor;
