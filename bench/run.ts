// npm run bench [-- --quick] [--rounds N] [--only W1,W3] [--no-write]
// Runs every (workload, contender) pair in a fresh child process, alternating the contenders'
// order across rounds, and reports medians with ratios against TF.js.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { type BenchCase, type Outcome, W1_QUICK_SIZES, W1_SIZES, type WorkloadId } from './workloads.js';
import { median } from './tfjs_workloads.js';
import { type CaseResult, formatTable, jsonLines, loadConditions, writeMarkdown } from './report.js';
import { formatW6Table, runW6, writeW6Markdown } from './w6.js';

const CONTENDERS = ['myelin-wasm', 'myelin-ref', 'tfjs-wasm', 'tfjs-cpu'];
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const rounds = Number(flag('--rounds') ?? (quick ? 1 : 3));
const only = flag('--only')?.split(',') as WorkloadId[] | undefined;
// W6 (the GPT workload, against PyTorch) runs after the others, with a table of its own.
const withW6 = !only || (only as string[]).includes('W6');

const others: BenchCase[] = (['W2', 'W3', 'W4', 'W5'] as const).map((workload) => ({ workload }));
const cases: BenchCase[] = [
  ...(quick ? W1_QUICK_SIZES : W1_SIZES).map((n): BenchCase => ({ workload: 'W1', param: n })),
  ...others,
].filter((c) => !only || only.includes(c.workload));

const child = fileURLToPath(new URL('./child.js', import.meta.url));
const results = new Map<string, { outcomes: Outcome[]; c: BenchCase; contender: string; seconds: number }>();
const key = (c: BenchCase, who: string) => `${c.workload}${c.param ?? ''}|${who}`;

const started = performance.now();
const loadBefore = os.loadavg()[0];
for (let r = 0; r < rounds; r++) {
  for (const c of cases) {
    // Rotate who goes first, so no contender always runs on a cooler (or hotter) machine.
    const order = CONTENDERS.map((_, i) => CONTENDERS[(i + r) % CONTENDERS.length]);
    for (const who of order) {
      const k = key(c, who);
      const prev = results.get(k);
      // Cannot run, or so slow that one run is all the time budget allows: measured once.
      if (prev && (prev.outcomes.some((o) => !o.ok) || prev.seconds > 45)) continue;
      const argv = [child, c.workload, who, ...(c.param ? [String(c.param)] : []), ...(quick ? ['--quick'] : [])];
      const t0 = performance.now();
      const p = spawnSync(process.execPath, argv, { encoding: 'utf8', timeout: 300_000 });
      const seconds = (performance.now() - t0) / 1000;
      const last = p.stdout.trim().split('\n').pop() ?? '';
      let outcome: Outcome;
      try {
        outcome = JSON.parse(last) as Outcome;
      } catch {
        outcome = { ok: false, reason: `cannot run: child exited (${p.signal ?? p.status})` };
      }
      results.set(k, { c, contender: who, seconds, outcomes: [...(prev?.outcomes ?? []), outcome] });
      process.stderr.write(
        `round ${r + 1}/${rounds} ${c.workload}${c.param ? ` n=${c.param}` : ''} ${who}: ${outcome.ok ? `${outcome.value.toPrecision(4)} ${outcome.unit}` : outcome.reason}\n`,
      );
    }
  }
}

const summary: CaseResult[] = [];
for (const c of cases) {
  const row: CaseResult = { case: c, cells: {} };
  for (const who of CONTENDERS) {
    const rec = results.get(key(c, who));
    if (!rec) continue;
    const failed = rec.outcomes.find((o) => !o.ok);
    if (failed && !failed.ok) {
      row.cells[who] = { ok: false, reason: failed.reason };
      continue;
    }
    const oks = rec.outcomes.filter((o): o is Extract<Outcome, { ok: true }> => o.ok);
    const extra: Record<string, number> = {};
    for (const name of Object.keys(oks[0].extra ?? {})) extra[name] = median(oks.map((o) => o.extra![name]));
    row.cells[who] = {
      ok: true,
      value: median(oks.map((o) => o.value)),
      unit: oks[0].unit,
      higherIsBetter: oks[0].higherIsBetter,
      extra,
      runs: oks.length,
    };
  }
  summary.push(row);
}

if (summary.length > 0) {
  console.log(formatTable(summary));
  for (const line of jsonLines(summary)) console.log(line);
}
const w6 = withW6 ? runW6(rounds, quick, (line) => process.stderr.write(`${line}\n`)) : null;
if (w6) console.log(formatW6Table(w6));
console.log(
  `(${rounds} round${rounds > 1 ? 's' : ''}, ${((performance.now() - started) / 1000).toFixed(0)} s${quick ? ', quick mode' : ''}; load average ${loadBefore.toFixed(2)} -> ${os.loadavg()[0].toFixed(2)})`,
);
if (!quick && !args.includes('--no-write')) {
  const conditions = loadConditions(loadBefore, os.loadavg()[0]);
  if (summary.length > 0) console.log(`wrote ${writeMarkdown(summary, rounds, conditions)}`);
  if (w6) console.log(`wrote ${writeW6Markdown(w6, rounds, conditions)}`);
}
