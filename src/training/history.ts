import { requireNode } from '../core/platform.js';
import { Callback, type Logs } from './callback.js';
import { historyHtml, historySvg, type PlotOptions } from './plot.js';
import type { History as HistoryShape } from './types.js';

/**
 * Gives every `accuracy` entry of `record` (`accuracy`, `val_accuracy`, `out_accuracy`) the
 * name TF.js logs it under (`acc`, `val_acc`, `out_acc`) as a non-enumerable alias: programs
 * written for TF.js read `logs.acc` and `history.history.val_acc`, while listings, progress
 * lines and saved logs show each value once, under Keras 3's name.
 * @example withTfjsNames({ accuracy: 0.9 }).acc; // 0.9
 */
export function withTfjsNames<T extends object>(record: T): T {
  for (const key of Object.keys(record)) {
    if (!/(^|_)accuracy$/.test(key)) continue;
    const alias = `${key.slice(0, -'accuracy'.length)}acc`;
    if (Object.hasOwn(record, alias)) continue;
    Object.defineProperty(record, alias, {
      get: () => (record as Record<string, unknown>)[key],
      enumerable: false,
      configurable: true,
    });
  }
  return record;
}

/**
 * What `fit` returns: `history.history.loss[e]` is the loss of epoch `epoch[e]`, likewise every
 * metric and `val_` metric. `plot(file)` charts the curves. Metrics compiled as 'accuracy' are also readable under TF.js' names
 * (`history.history.acc`, `val_acc`).
 */
export class History extends Callback implements HistoryShape {
  epoch: number[] = [];
  history: Record<string, number[]> = {};

  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) {
      (this.history[k] ??= []).push(v);
    }
    withTfjsNames(this.history);
  }

  /**
   * The curves as an SVG chart: one panel per quantity, training and validation together.
   * @example document.body.innerHTML = history.toSvg({ title: 'Boston housing' });
   */
  toSvg(options: PlotOptions = {}): string {
    return historySvg(this.history, { epochs: this.epoch.map((e) => e + 1), ...options });
  }

  /**
   * The curves as a self-contained HTML page (the SVG chart and the last values).
   * @example const page = history.toHtml({ title: 'Boston housing' });
   */
  toHtml(options: PlotOptions = {}): string {
    return historyHtml(this.history, { epochs: this.epoch.map((e) => e + 1), ...options });
  }

  /**
   * Writes the chart to `path` (Node): an SVG file when the name ends in `.svg`, else an HTML page.
   * @example (await model.fit(x, y, { epochs: 50 })).plot('curves.html');
   */
  plot(path: string, options: PlotOptions = {}): void {
    const fs = requireNode<typeof import('node:fs')>('fs', 'history.plot(path)', 'use history.toSvg() or toHtml()');
    fs.writeFileSync(path, /\.svg$/i.test(path) ? this.toSvg(options) : this.toHtml(options));
  }
}
