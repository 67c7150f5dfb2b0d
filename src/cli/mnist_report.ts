import { grayscalePng } from './png.js';

/**
 * counts[true][predicted] for integer labels 0..numClasses-1.
 * @example confusionMatrix([0, 1, 1], [0, 1, 0], 2) // [[1, 0], [1, 1]]
 */
export function confusionMatrix(
  labels: ArrayLike<number>,
  predicted: ArrayLike<number>,
  numClasses: number,
): number[][] {
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < labels.length; i++) m[labels[i]][predicted[i]]++;
  return m;
}

/**
 * The matrix as aligned text: rows are true digits, columns predictions.
 * @example console.log(formatConfusionMatrix(confusionMatrix(y, yHat, 10)));
 */
export function formatConfusionMatrix(m: number[][]): string {
  const width = Math.max(4, ...m.flat().map((v) => String(v).length + 1));
  const cell = (v: string | number) => String(v).padStart(width);
  const lines = [`true\\pred${m.map((_, j) => cell(j)).join('')}`];
  m.forEach((row, i) => lines.push(`${String(i).padStart(9)}${row.map(cell).join('')}`));
  return lines.join('\n');
}

/** One test image with its true and predicted label. */
export interface DigitPrediction {
  pixels: ArrayLike<number>;
  label: number;
  predicted: number;
}

/**
 * A standalone HTML page: a grid of digits with their predicted labels, misclassified ones
 * framed in red with the true label.
 * @example writeFileSync('mnist.html', predictionsHtml('MNIST test digits', items, 28));
 */
export function predictionsHtml(title: string, items: DigitPrediction[], side: number, summary = ''): string {
  const cells = items.map((it) => {
    const src = `data:image/png;base64,${grayscalePng(it.pixels, side, side).toString('base64')}`;
    const wrong = it.label !== it.predicted;
    const caption = wrong ? `<b>${it.predicted}</b> (true ${it.label})` : `${it.predicted}`;
    return `<figure class="${wrong ? 'wrong' : 'right'}"><img src="${src}" width="56" height="56" alt="digit ${it.label}"><figcaption>${caption}</figcaption></figure>`;
  });
  const wrongCount = items.filter((it) => it.label !== it.predicted).length;
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${title}</title>
<style>
body { font-family: sans-serif; margin: 1em; }
.grid { display: flex; flex-wrap: wrap; gap: 6px; }
figure { margin: 0; padding: 3px; border: 2px solid #ddd; text-align: center; font-size: 13px; }
figure.wrong { border-color: #d00; background: #fee; color: #d00; }
img { image-rendering: pixelated; display: block; }
</style></head><body>
<h1>${title}</h1>
<p>${summary} Showing ${items.length} digits; ${wrongCount} misclassified, framed in red with the true label.</p>
<div class="grid">${cells.join('\n')}</div>
</body></html>
`;
}
