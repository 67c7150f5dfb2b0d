import { ValueError } from '../core/errors.js';

interface Platform {
  setImmediate?: (fn: () => void) => unknown;
  MessageChannel?: typeof MessageChannel;
}

/**
 * Resolves after the event loop has run once: timers, I/O, Ctrl-C and UI events get their turn
 * during long training. Uses what the platform has, looked up at each call: `setImmediate` in
 * Node, a `MessageChannel` message in browsers (a task, without `setTimeout`'s 4 ms clamp), and
 * `setTimeout` elsewhere.
 * @example await yieldToEventLoop();
 */
export function yieldToEventLoop(): Promise<void> {
  const g = globalThis as Platform;
  if (typeof g.setImmediate === 'function') {
    const setImmediate = g.setImmediate;
    return new Promise((resolve) => setImmediate(resolve));
  }
  if (typeof g.MessageChannel === 'function') {
    const channel = new g.MessageChannel();
    return new Promise((resolve) => {
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * When training yields to the event loop (TF.js' `yieldEvery`): 'auto' every 100 ms, 'batch'
 * after every batch, 'epoch' after every epoch, 'never', or a number of milliseconds.
 */
export type YieldEvery = 'auto' | 'batch' | 'epoch' | 'never' | number;

const AUTO_MS = 100;

/**
 * Decides, batch by batch and epoch by epoch, when the training loop yields.
 * @example const y = new Yielder('auto'); if (y.due(false)) await y.yield();
 */
export class Yielder {
  private last = performance.now();
  private readonly ms: number;

  constructor(
    private readonly every: YieldEvery = 'auto',
    call = 'fit',
  ) {
    if (typeof every === 'number') {
      if (!(every >= 0) || !Number.isFinite(every))
        throw new ValueError(`${call}: 'yieldEvery' must be a number of milliseconds >= 0, got ${every}`);
      this.ms = every;
    } else if (every === 'auto' || every === 'batch' || every === 'epoch' || every === 'never') {
      this.ms = every === 'batch' ? 0 : AUTO_MS;
    } else {
      throw new ValueError(
        `${call}: 'yieldEvery' must be 'auto', 'batch', 'epoch', 'never' or a number of milliseconds, got ${JSON.stringify(every)}`,
      );
    }
  }

  /** Whether to yield now, after a batch (`epochEnd` false) or after an epoch. */
  due(epochEnd: boolean): boolean {
    if (this.every === 'never') return false;
    if (this.every === 'epoch') return epochEnd;
    return performance.now() - this.last >= this.ms;
  }

  async yield(): Promise<void> {
    await yieldToEventLoop();
    this.last = performance.now();
  }
}
