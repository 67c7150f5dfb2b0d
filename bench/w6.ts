// W6, the GPT workload: Myelin (wasm) against PyTorch when it is installed, each case in a fresh
// process, alternating who goes first, medians over rounds. Its table has a section of its own
// in docs/benchmarks.md.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { W6_CASES, type W6Case } from './gpt_workloads.js';
import { median } from './tfjs_workloads.js';
import type { Outcome } from './workloads.js';

type Ok = Extract<Outcome, { ok: true }>;
export type W6Results = Record<W6Case, Record<string, Outcome[]>>;

const CONTENDERS = ['myelin-wasm', 'pytorch'] as const;

/** A Python interpreter that can import torch (Debian's python3-torch lives in /usr/bin/python3's path), or null. */
function torchPython(): string | null {
  for (const python of ['python3', '/usr/bin/python3']) {
    const p = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 });
    if (p.status === 0) return python;
  }
  return null;
}

function runOne(c: W6Case, who: (typeof CONTENDERS)[number], quick: boolean, python: string | null): Outcome {
  const q = quick ? ['--quick'] : [];
  const [cmd, argv] =
    who === 'pytorch'
      ? [python as string, [fileURLToPath(new URL('../../bench/torch_gpt.py', import.meta.url)), c, ...q]]
      : [process.execPath, [fileURLToPath(new URL('./w6_child.js', import.meta.url)), c, who, ...q]];
  const p = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 600_000 });
  try {
    return JSON.parse(p.stdout.trim().split('\n').pop() ?? '') as Outcome;
  } catch {
    return { ok: false, reason: `cannot run: child exited (${p.signal ?? p.status}) ${p.stderr.slice(-160)}` };
  }
}

/** Runs every W6 case for every contender `rounds` times. */
export function runW6(rounds: number, quick: boolean, log: (line: string) => void): W6Results {
  const python = torchPython();
  const results = Object.fromEntries(
    W6_CASES.map((c) => [c, { 'myelin-wasm': [], pytorch: [] }]),
  ) as unknown as W6Results;
  for (let r = 0; r < rounds; r++)
    for (const c of W6_CASES) {
      const order = r % 2 === 0 ? CONTENDERS : [...CONTENDERS].reverse();
      for (const who of order) {
        const outcome: Outcome =
          who === 'pytorch' && !python
            ? { ok: false, reason: 'not available: PyTorch is not installed (Debian: python3-torch)' }
            : runOne(c, who, quick, python);
        results[c][who].push(outcome);
        log(
          `round ${r + 1}/${rounds} W6 ${c} ${who}: ${outcome.ok ? `${outcome.value.toPrecision(4)} ${outcome.unit}${outcome.extra?.uncached ? ` (uncached ${outcome.extra.uncached.toPrecision(4)})` : ''}` : outcome.reason}`,
        );
      }
    }
  return results;
}

/** The median of a value over the successful rounds, or the reason the contender could not run. */
function cell(outcomes: Outcome[], pick: (o: Ok) => number | undefined): number | string {
  const failed = outcomes.find((o) => !o.ok);
  if (failed && !failed.ok) return failed.reason.startsWith('not available') ? 'not available' : 'cannot run';
  const values = (outcomes as Ok[]).map(pick).filter((v): v is number => v !== undefined);
  return values.length ? median(values) : '-';
}

const fmt = (v: number | string) => (typeof v === 'string' ? v : v >= 100 ? v.toFixed(0) : v.toPrecision(3));
const ratio = (a: number | string, b: number | string) =>
  typeof a === 'number' && typeof b === 'number' ? `${(a / b).toFixed(2)}x` : '-';

/** Rows: the training step, then cached and uncached generation and the cache's speed-up per context. */
export function w6Rows(results: W6Results): string[][] {
  const head = ['W6 case', 'unit', 'myelin-wasm', 'pytorch', 'myelin/pytorch'];
  const rows: string[][] = [head];
  const t = results.train;
  const my = cell(t['myelin-wasm'], (o) => o.value),
    pt = cell(t.pytorch, (o) => o.value);
  rows.push(['training step, baby GPT (batch 12 × 64)', 'tokens/s', fmt(my), fmt(pt), ratio(my, pt)]);
  for (const c of ['gen64', 'gen256'] as const) {
    const ctx = c.slice(3);
    const cached = CONTENDERS.map((w) => cell(results[c][w], (o) => o.value));
    const uncached = CONTENDERS.map((w) => cell(results[c][w], (o) => o.extra?.uncached));
    const speedup = CONTENDERS.map((_, i) => ratio(cached[i], uncached[i]));
    rows.push([
      `generation, context ${ctx}, key/value cache`,
      'tokens/s',
      ...cached.map(fmt),
      ratio(cached[0], cached[1]),
    ]);
    rows.push([
      `generation, context ${ctx}, no cache`,
      'tokens/s',
      ...uncached.map(fmt),
      ratio(uncached[0], uncached[1]),
    ]);
    rows.push([`cache speed-up, context ${ctx}`, 'x', ...speedup, '-']);
  }
  return rows;
}

export function formatW6Table(results: W6Results): string {
  const all = w6Rows(results);
  const widths = all[0].map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return all.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ')).join('\n');
}

/** Replaces the W6 section of docs/benchmarks.md (between its markers) with this run. */
export function writeW6Markdown(results: W6Results, rounds: number, conditions: string): string {
  const path = fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url));
  const all = w6Rows(results);
  const table = [all[0], all[0].map(() => '---'), ...all.slice(1)].map((r) => `| ${r.join(' | ')} |`).join('\n');
  const section = [
    '<!-- bench-w6:start (generated by npm run bench; edit outside these markers) -->',
    `Latest W6 run: ${new Date().toISOString().slice(0, 10)}; medians of ${rounds} rounds, each case in a fresh process. ${conditions}`,
    '',
    table,
    '<!-- bench-w6:end -->',
  ].join('\n');
  let doc = fs.readFileSync(path, 'utf8');
  const re = /<!-- bench-w6:start[\s\S]*?<!-- bench-w6:end -->/;
  doc = re.test(doc) ? doc.replace(re, section) : `${doc.trimEnd()}\n\n${section}\n`;
  fs.writeFileSync(path, doc);
  return path;
}
