import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { CONTENDERS, RATIO_PAIRS } from './contenders.js';
import type { BenchCase } from './workloads.js';

export type Cell =
  | { ok: true; value: number; unit: string; higherIsBetter: boolean; extra: Record<string, number>; runs: number }
  | { ok: false; reason: string };

export interface CaseResult {
  case: BenchCase;
  cells: Record<string, Cell>;
}

const COLUMNS = CONTENDERS.map((c) => c.name);

/**
 * A case's row label: "W1 n=1024", "W7 cnn b=256".
 * @example caseLabel({ workload: 'W7', model: 'mlp', param: 1 }) // 'W7 mlp b=1'
 */
export function caseLabel(c: BenchCase): string {
  if (c.model) return `${c.workload} ${c.model} b=${c.param}`;
  return c.param ? `${c.workload} n=${c.param}` : c.workload;
}
const label = caseLabel;

/** "wasm/pytorch" for the pair (myelin-wasm, pytorch). */
const ratioName = ([m, o]: [string, string]) => `${m.slice('myelin-'.length)}/${o}`;

function fmt(cell: Cell | undefined): string {
  if (!cell) return '-';
  if (!cell.ok) return cell.reason.startsWith('not available') ? 'not available' : 'cannot run';
  const v = cell.value >= 100 ? cell.value.toFixed(0) : cell.value.toPrecision(3);
  const notes: string[] = [];
  if (cell.extra.process !== undefined) notes.push(`process ${cell.extra.process.toFixed(2)} s`);
  if (cell.extra.steps !== undefined && cell.extra.steps < 20) notes.push(`${cell.extra.steps} steps`);
  if (cell.runs === 1) notes.push('1 run');
  const t = cell.extra.threads;
  if (t !== undefined) notes.push(Number.isInteger(t) ? `${t}t` : '1t/2t');
  return notes.length ? `${v} (${notes.join(', ')})` : v;
}

/** How many times better `a` is than `b` (a speed-up, whatever the unit's direction). */
function ratio(a: Cell | undefined, b: Cell | undefined): string {
  if (!a?.ok || !b?.ok) return '-';
  const r = a.higherIsBetter ? a.value / b.value : b.value / a.value;
  return `${r.toFixed(2)}x`;
}

function rows(results: CaseResult[]): string[][] {
  const head = ['workload', 'unit', ...COLUMNS, ...RATIO_PAIRS.map(ratioName)];
  const body = results.map((r) => {
    const unit = Object.values(r.cells).find((c): c is Extract<Cell, { ok: true }> => c.ok)?.unit ?? '';
    return [
      label(r.case),
      unit,
      ...COLUMNS.map((w) => fmt(r.cells[w])),
      ...RATIO_PAIRS.map(([m, o]) => ratio(r.cells[m], r.cells[o])),
    ];
  });
  return [head, ...body];
}

/** Peak resident memory (MiB) of each contender's process per case. */
function memoryRows(results: CaseResult[]): string[][] {
  const head = ['workload', ...COLUMNS.map((w) => `${w} MiB`)];
  const body = results.map((r) => [
    label(r.case),
    ...COLUMNS.map((w) => {
      const c = r.cells[w];
      return c?.ok && c.extra.rssMiB !== undefined ? c.extra.rssMiB.toFixed(0) : '-';
    }),
  ]);
  return [head, ...body];
}

function markdownTable(all: string[][]): string {
  return [all[0], all[0].map(() => '---'), ...all.slice(1)].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/** Plain-text tables for the terminal: speeds and ratios, then peak memory. */
export function formatTable(results: CaseResult[]): string {
  const text = (all: string[][]) => {
    const widths = all[0].map((_, i) => Math.max(...all.map((r) => r[i].length)));
    return all.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ')).join('\n');
  };
  return `${text(rows(results))}\n\n${text(memoryRows(results))}`;
}

/** One JSON object per workload case with every contender's median and its ratios. */
export function jsonLines(results: CaseResult[]): string[] {
  return results.map((r) => {
    const ratios: Record<string, number> = {};
    for (const [m, o] of RATIO_PAIRS) {
      const a = r.cells[m],
        b = r.cells[o];
      if (a?.ok && b?.ok) ratios[`${m}/${o}`] = a.higherIsBetter ? a.value / b.value : b.value / a.value;
    }
    return JSON.stringify({
      workload: r.case.workload,
      param: r.case.param,
      model: r.case.model,
      results: r.cells,
      ratios,
    });
  });
}

/**
 * How busy the machine was: the 1-minute load average at the start and the end of the run, next
 * to the core count (a load above it means the contenders shared the CPU with other processes).
 */
export function loadConditions(before: number, after: number, torch?: string): string {
  const cores = os.availableParallelism();
  return (
    `Conditions: 1-minute load average ${before.toFixed(2)} at the start and ${after.toFixed(2)} at the end on ${cores} cores that other work shares; ` +
    `a load near or above ${cores} means every contender ran on a busy machine, so compare the ratios (same run, alternating order) rather than the absolute figures. ` +
    `myelin-wasm computes on every core (worker threads); TF.js wasm and cpu on one thread; ` +
    `pytorch and ort-wasm run on one and on two threads in each round, and the round keeps the faster (the cell says which won the median)` +
    (torch ? `; ${torch}.` : '.')
  );
}

/** Machine description for the report. */
export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${cpu}, ${os.availableParallelism()} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}`;
}

/** Replaces the generated section of docs/benchmarks.md (between the markers) with this run. */
export function writeMarkdown(results: CaseResult[], rounds: number, conditions = ''): string {
  const path = fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url));
  const table = markdownTable(rows(results));
  const notes = results.flatMap((r) =>
    Object.entries(r.cells)
      .filter(([, c]) => !c.ok)
      .map(([who, c]) => `- ${label(r.case)}, ${who}: ${(c as { reason: string }).reason}`),
  );
  const section = [
    '<!-- bench:start (generated by npm run bench; edit outside these markers) -->',
    `Latest run: ${new Date().toISOString().slice(0, 10)} on ${machine()}; medians of ${rounds} rounds, each in a fresh process.`,
    ...(conditions ? ['', conditions] : []),
    '',
    table,
    '',
    "Peak resident memory of each contender's process (MiB), median of rounds:",
    '',
    markdownTable(memoryRows(results)),
    '',
    ...(notes.length ? ['Contenders that could not run a workload:', '', ...notes, ''] : []),
    '<!-- bench:end -->',
  ].join('\n');
  let doc = fs.existsSync(path)
    ? fs.readFileSync(path, 'utf8')
    : '# Benchmarks\n\n<!-- bench:start -->\n<!-- bench:end -->\n';
  const re = /<!-- bench:start[\s\S]*?<!-- bench:end -->/;
  doc = re.test(doc) ? doc.replace(re, section) : `${doc.trimEnd()}\n\n${section}\n`;
  fs.writeFileSync(path, doc);
  return path;
}
