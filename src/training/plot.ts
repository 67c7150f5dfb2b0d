/**
 * Charts of training curves as self-contained SVG (and an HTML page around it): one panel per
 * logged quantity (the loss, then each metric), the training curve and, when logged, its `val_`
 * twin. No script, font or file is referenced, so the chart opens anywhere, offline.
 */

/** Per-epoch values by name, as `History.history` holds them. */
export type Curves = Record<string, readonly number[]>;

/** How `historySvg` draws. */
export interface PlotOptions {
  /** The heading above the panels. */
  title?: string;
  /** Width of one panel in pixels (default 420). */
  width?: number;
  /** Height of one panel in pixels (default 260). */
  height?: number;
  /** Epoch numbers of the values (default 1, 2, ...). */
  epochs?: readonly number[];
}

const COLORS = { train: '#2563eb', val: '#ea580c' };
const MARGIN = { left: 58, right: 14, top: 30, bottom: 36 };

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A short number for an axis label. */
function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(1);
  return String(Number(v.toPrecision(3)));
}

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** The quantities to chart: each name without `val_`, in the order first logged, loss first. */
function panelNames(curves: Curves): string[] {
  const names = [...new Set(Object.keys(curves).map((k) => k.replace(/^val_/, '')))];
  return names.sort((a, b) => (a === 'loss' ? -1 : b === 'loss' ? 1 : 0));
}

function panel(name: string, curves: Curves, epochs: readonly number[], w: number, h: number): string {
  const series = [
    { label: name, values: curves[name], color: COLORS.train },
    { label: `val_${name}`, values: curves[`val_${name}`], color: COLORS.val },
  ].filter((s) => s.values && s.values.length > 0);
  const finite = series.flatMap((s) => s.values.filter((v) => Number.isFinite(v)));
  const px = w - MARGIN.left - MARGIN.right;
  const py = h - MARGIN.top - MARGIN.bottom;
  let lo = finite.length ? Math.min(...finite) : 0;
  let hi = finite.length ? Math.max(...finite) : 1;
  // Losses that fall by orders of magnitude read better on a log scale.
  const log = lo > 0 && hi / lo > 100;
  if (log) [lo, hi] = [Math.log10(lo), Math.log10(hi)];
  if (hi === lo) [lo, hi] = [lo - 1, hi + 1];
  const pad = (hi - lo) * 0.05;
  lo -= pad;
  hi += pad;
  const x0 = epochs[0] ?? 1;
  const x1 = epochs.at(-1) ?? 1;
  const sx = (e: number) => MARGIN.left + (x1 === x0 ? px / 2 : ((e - x0) / (x1 - x0)) * px);
  const sy = (v: number) => MARGIN.top + py - (((log ? Math.log10(v) : v) - lo) / (hi - lo)) * py;
  const out: string[] = [`<text x="${MARGIN.left}" y="18" font-size="14" font-weight="600">${esc(name)}</text>`];
  const yTicks = log
    ? niceTicks(Math.ceil(lo), Math.floor(hi), 4).map((p) => 10 ** p)
    : niceTicks(lo, hi, 5).filter((t) => t >= lo && t <= hi);
  for (const t of yTicks) {
    const y = sy(t).toFixed(1);
    out.push(
      `<line x1="${MARGIN.left}" x2="${w - MARGIN.right}" y1="${y}" y2="${y}" stroke="#e5e7eb"/>`,
      `<text x="${MARGIN.left - 6}" y="${y}" font-size="11" text-anchor="end" dominant-baseline="middle">${fmt(t)}</text>`,
    );
  }
  for (const t of niceTicks(x0, x1, 6).filter((t) => Number.isInteger(t) && t >= x0 && t <= x1)) {
    const x = sx(t).toFixed(1);
    out.push(
      `<line x1="${x}" x2="${x}" y1="${MARGIN.top + py}" y2="${MARGIN.top + py + 4}" stroke="#6b7280"/>`,
      `<text x="${x}" y="${MARGIN.top + py + 16}" font-size="11" text-anchor="middle">${t}</text>`,
    );
  }
  out.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${px}" height="${py}" fill="none" stroke="#9ca3af"/>`,
    `<text x="${MARGIN.left + px / 2}" y="${h - 4}" font-size="11" text-anchor="middle">epoch${log ? ' (log scale)' : ''}</text>`,
  );
  series.forEach((s, i) => {
    const points = s.values
      .map((v, j) => (Number.isFinite(v) && (!log || v > 0) ? `${sx(epochs[j]).toFixed(1)},${sy(v).toFixed(1)}` : ''))
      .filter(Boolean);
    out.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${points.join(' ')}"><title>${esc(s.label)}</title></polyline>`,
    );
    if (points.length === 1) {
      const [cx, cy] = points[0].split(',');
      out.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="${s.color}"/>`);
    }
    const lx = w - MARGIN.right - 150 + i * 75;
    out.push(
      `<line x1="${lx}" x2="${lx + 14}" y1="14" y2="14" stroke="${s.color}" stroke-width="2"/>`,
      `<text x="${lx + 18}" y="14" font-size="11" dominant-baseline="middle">${i === 0 ? 'training' : 'validation'}</text>`,
    );
  });
  return out.join('');
}

/**
 * An SVG chart of training curves, one panel per quantity, training and validation together.
 * @example writeFileSync('curves.svg', historySvg(history.history, { title: 'Boston housing' }));
 */
export function historySvg(curves: Curves, options: PlotOptions = {}): string {
  const w = options.width ?? 420;
  const h = options.height ?? 260;
  const names = panelNames(curves);
  const length = Math.max(0, ...Object.values(curves).map((v) => v.length));
  const epochs = options.epochs ?? Array.from({ length }, (_, i) => i + 1);
  const columns = Math.min(2, Math.max(1, names.length));
  const rows = Math.ceil(names.length / columns) || 1;
  const top = options.title ? 32 : 0;
  const width = columns * w;
  const height = top + rows * h;
  const parts = names.map((name, i) => {
    const x = (i % columns) * w;
    const y = top + Math.floor(i / columns) * h;
    return `<g transform="translate(${x},${y})">${panel(name, curves, epochs, w, h)}</g>`;
  });
  const title = options.title
    ? `<text x="10" y="22" font-size="16" font-weight="700">${esc(options.title)}</text>`
    : '';
  const empty =
    names.length === 0 ? `<text x="${w / 2}" y="${h / 2}" text-anchor="middle">no epochs logged yet</text>` : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" fill="#111827"><rect width="100%" height="100%" fill="#fff"/>${title}${parts.join('')}${empty}</svg>`;
}

/**
 * A self-contained HTML page showing `historySvg`, with the final values in a table. `refresh`
 * (seconds) makes a browser reload it, for a file rewritten while training runs.
 * @example writeFileSync('curves.html', historyHtml(history.history, { title: 'Boston housing' }));
 */
export function historyHtml(curves: Curves, options: PlotOptions & { refresh?: number } = {}): string {
  const rows = Object.entries(curves)
    .map(([k, v]) => `<tr><td>${esc(k)}</td><td>${v.length ? fmt(v[v.length - 1]) : ''}</td></tr>`)
    .join('');
  const refresh = options.refresh ? `<meta http-equiv="refresh" content="${options.refresh}">` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">${refresh}<title>${esc(options.title ?? 'Training curves')}</title><style>body{font-family:system-ui,sans-serif;margin:24px;color:#111827}table{border-collapse:collapse;margin-top:16px}td{border-bottom:1px solid #e5e7eb;padding:4px 12px}</style></head><body>${historySvg(curves, options)}<table><tr><td><b>last epoch</b></td><td></td></tr>${rows}</table></body></html>`;
}
