import type { Logs } from './callback.js';
import type { CompiledState } from './compile.js';
import { withTfjsNames } from './history.js';

/**
 * Accumulates loss (weighted by batch size, as Keras) and metrics over batches, and reports
 * them under `metricsNames`.
 */
export class LossAndMetricTracker {
  private lossSum = 0;
  private outputLossSums: number[];
  private count = 0;

  constructor(private readonly state: CompiledState) {
    this.outputLossSums = state.losses.map(() => 0);
    for (const m of state.metrics) m.metric.resetState();
  }

  addLosses(loss: number, outputLosses: number[], batchSize: number): void {
    this.lossSum += loss * batchSize;
    outputLosses.forEach((l, i) => (this.outputLossSums[i] += l * batchSize));
    this.count += batchSize;
  }

  logs(prefix = ''): Logs {
    const logs: Logs = { [`${prefix}loss`]: this.lossSum / this.count };
    if (this.outputLossSums.length > 1) {
      this.state.metricsNames
        .slice(1, 1 + this.outputLossSums.length)
        .forEach((name, i) => (logs[prefix + name] = this.outputLossSums[i] / this.count));
    }
    for (const m of this.state.metrics) logs[prefix + m.displayName] = m.metric.result();
    return withTfjsNames(logs);
  }
}
