import { checkOptions, optionKeys } from '../core/options.js';
import { requireNode } from '../core/platform.js';
import { Callback, type Logs } from '../training/callback.js';
import { historyHtml, historySvg } from '../training/plot.js';

export interface PlotLoggerArgs {
  /** The chart's file: SVG when the name ends in `.svg`, else a self-contained HTML page. */
  filename: string;
  /** The chart's heading. */
  title?: string;
}

/**
 * Charts the training curves to a file, rewritten after every epoch: open the HTML page in a
 * browser during a long run and it reloads itself until training ends. Node only (in a browser,
 * use `history.toSvg()`).
 * @example callbacks: [plotLogger({ filename: 'curves.html' })]
 */
export class PlotLogger extends Callback {
  readonly #curves: Record<string, number[]> = {};
  readonly #epochs: number[] = [];

  constructor(readonly args: PlotLoggerArgs) {
    checkOptions('plotLogger', args, optionKeys<PlotLoggerArgs>({ filename: true, title: true }));
    super();
  }

  override async onTrainBegin(): Promise<void> {
    for (const k of Object.keys(this.#curves)) delete this.#curves[k];
    this.#epochs.length = 0;
    this.#write(true);
  }

  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    this.#epochs.push(epoch + 1);
    for (const [k, v] of Object.entries(logs)) (this.#curves[k] ??= []).push(v);
    this.#write(true);
  }

  override async onTrainEnd(): Promise<void> {
    this.#write(false);
  }

  #write(running: boolean): void {
    const fs = requireNode<typeof import('node:fs')>('fs', 'plotLogger', 'chart history.toSvg() after fit');
    const { filename, title } = this.args;
    const options = { title, epochs: this.#epochs };
    fs.writeFileSync(
      filename,
      /\.svg$/i.test(filename)
        ? historySvg(this.#curves, options)
        : historyHtml(this.#curves, { ...options, refresh: running ? 2 : undefined }),
    );
  }

  getConfig(): PlotLoggerArgs {
    return { ...this.args };
  }
}

/**
 * Writes a chart of the training curves after every epoch (see PlotLogger).
 * @example await model.fit(x, y, { epochs: 100, callbacks: [plotLogger({ filename: 'curves.html' })] });
 */
export function plotLogger(args: PlotLoggerArgs): PlotLogger {
  return new PlotLogger(args);
}
