// The decision boundary of a classifier on 2-D data: every pixel coloured by the predicted
// class (shaded by its probability), the training points on top.
import * as my from '../src/browser.js';

const COLORS: [number, number, number][] = [
  [37, 99, 235],
  [234, 88, 12],
  [22, 163, 74],
];

export function drawBoundary(
  canvas: HTMLCanvasElement,
  model: my.LayersModel,
  points: { x: number[][]; labels: number[] },
): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const grid = 80;
  const xs = points.x.map((p) => p[0]);
  const ys = points.x.map((p) => p[1]);
  const pad = 0.3;
  const [x0, x1] = [Math.min(...xs) - pad, Math.max(...xs) + pad];
  const [y0, y1] = [Math.min(...ys) - pad, Math.max(...ys) + pad];
  const rows: number[][] = [];
  for (let j = 0; j < grid; j++)
    for (let i = 0; i < grid; i++)
      rows.push([x0 + ((i + 0.5) / grid) * (x1 - x0), y1 - ((j + 0.5) / grid) * (y1 - y0)]);
  const probs = (model.predict(my.tensor(rows)) as my.Tensor).dataSync();
  const classes = probs.length / rows.length;
  const image = ctx.createImageData(grid, grid);
  for (let r = 0; r < rows.length; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[r * classes + c] > probs[r * classes + best]) best = c;
    const confidence = probs[r * classes + best];
    const [cr, cg, cb] = COLORS[best % COLORS.length];
    const mix = 0.25 + 0.5 * confidence;
    image.data.set([255 - mix * (255 - cr), 255 - mix * (255 - cg), 255 - mix * (255 - cb), 255], r * 4);
  }
  const scratch = document.createElement('canvas');
  scratch.width = scratch.height = grid;
  scratch.getContext('2d')?.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(scratch, 0, 0, canvas.width, canvas.height);
  points.x.forEach(([px, py], k) => {
    const [cr, cg, cb] = COLORS[points.labels[k] % COLORS.length];
    ctx.beginPath();
    ctx.arc(((px - x0) / (x1 - x0)) * canvas.width, ((y1 - py) / (y1 - y0)) * canvas.height, 3, 0, 2 * Math.PI);
    ctx.fillStyle = `rgb(${cr},${cg},${cb})`;
    ctx.strokeStyle = '#fff';
    ctx.fill();
    ctx.stroke();
  });
}
