import { writeFileSync } from 'node:fs';
import { type Curves, historyHtml, historySvg } from '../training/plot.js';

/** The `--plot FILE` line every training command's help shows. */
export const PLOT_HELP =
  '--plot FILE             Chart the training curves to FILE (.svg, else a self-contained .html page).';

/**
 * Writes the chart of `curves` for a command's `--plot FILE` (nothing when `path` is empty).
 * @example writePlot('curves.html', history.history, 'Boston housing', console.log);
 */
export function writePlot(
  path: string | undefined,
  curves: Curves,
  title: string,
  print: (line: string) => void,
): void {
  if (!path) return;
  writeFileSync(path, /\.svg$/i.test(path) ? historySvg(curves, { title }) : historyHtml(curves, { title }));
  print(`Wrote the training curves to ${path}`);
}
