import type { Tensor } from '../core/tensor.js';

// Losses a forward pass adds (activity regularization), collected by the innermost caller.
const collectors: Tensor[][] = [];

/**
 * Runs `fn`, gathering every loss layers add while it runs (activity regularizers). Models
 * use it so nested models and shared layers all report to the outermost forward pass.
 *
 * @example
 * const { result, losses } = collectLosses(() => layer.apply(x));
 */
export function collectLosses<T>(fn: () => T): { result: T; losses: Tensor[] } {
  const losses: Tensor[] = [];
  collectors.push(losses);
  try {
    return { result: fn(), losses };
  } finally {
    collectors.pop();
  }
}

/** Whether some caller collects losses (layers skip computing penalties nobody reads). */
export function isCollectingLosses(): boolean {
  return collectors.length > 0;
}

/** Adds a scalar loss to the active collector (dropped when nobody collects, as outside fit). */
export function addLoss(loss: Tensor): void {
  const target = collectors[collectors.length - 1];
  if (target) target.push(loss);
}
