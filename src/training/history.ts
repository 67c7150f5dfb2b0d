import { requireNode } from '../core/platform.js';
import { Callback, type Logs } from './callback.js';
import { historyHtml, historySvg, type PlotOptions } from './plot.js';
import type { History as HistoryShape } from './types.js';

/**
 * What `fit` returns: `history.history.loss[e]` is the loss of epoch `epoch[e]`, likewise every
 * metric and `val_` metric. `plot(file)` charts the curves.
 */
export class History extends Callback implements HistoryShape {
  epoch: number[] = [];
  history: Record<string, number[]> = {};

  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) {
      (this.history[k] ??= []).push(v);
    }
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
