// npm run bench [-- --quick] [--rounds N] [--only W1,W3] [--no-write]
// Runs every (workload, contender) pair in a fresh child process, alternating the contenders'
// order across rounds, and reports medians with ratios against PyTorch, TF.js and ONNX Runtime.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { CONTENDERS, type Contender, findTorch } from './contenders.js';
import { type BenchCase, type Outcome, W1_QUICK_SIZES, W1_SIZES, W7_CASES, type WorkloadId } from './workloads.js';
import { median } from './tfjs_workloads.js';
import { type CaseResult, caseLabel, formatTable, jsonLines, loadConditions, writeMarkdown } from './report.js';
import { formatW6Table, runW6, writeW6Markdown } from './w6.js';

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
  ...W7_CASES,
].filter((c) => !only || only.includes(c.workload));

const results = new Map<string, { outcomes: Outcome[]; seconds: number }>();
const key = (c: BenchCase, who: string) => `${caseLabel(c)}|${who}`;

/** Runs one launch and reads the JSON line the child prints last. */
function measure(command: string, argv: string[], env?: Record<string, string>): Outcome {
  const p = spawnSync(command, argv, {
    encoding: 'utf8',
    timeout: 300_000,
    env: env ? { ...process.env, ...env } : process.env,
  });
  const last = (p.stdout ?? '').trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as Outcome;
  } catch {
    return { ok: false, reason: `cannot run: child exited (${p.signal ?? p.status})` };
  }
}

/** The better of a round's variants (PyTorch on one or two threads); a failure only if all failed. */
function best(outcomes: Outcome[]): Outcome {
  const oks = outcomes.filter((o): o is Extract<Outcome, { ok: true }> => o.ok);
  if (oks.length === 0) return outcomes[0];
  return oks.reduce((a, b) => ((a.higherIsBetter ? a.value >= b.value : a.value <= b.value) ? a : b));
}

function runOnce(c: BenchCase, who: Contender): void {
  const k = key(c, who.name);
  const prev = results.get(k);
  // Cannot run, or so slow that one run is all the time budget allows: measured once.
  if (prev && (prev.outcomes.some((o) => !o.ok) || prev.seconds > 45)) return;
  const launches = who.launches(c, quick);
  const t0 = performance.now();
  const outcome: Outcome =
    'unavailable' in launches
      ? { ok: false, reason: launches.unavailable }
      : best(launches.map((l) => measure(l.command, l.args, l.env)));
  const seconds = (performance.now() - t0) / 1000 / ('unavailable' in launches ? 1 : launches.length);
  results.set(k, { seconds, outcomes: [...(prev?.outcomes ?? []), outcome] });
  process.stderr.write(
    `${caseLabel(c)} ${who.name}: ${outcome.ok ? `${outcome.value.toPrecision(4)} ${outcome.unit}` : outcome.reason}\n`,
  );
}

const started = performance.now();
const loadBefore = os.loadavg()[0];
for (let r = 0; r < rounds; r++) {
  process.stderr.write(`-- round ${r + 1}/${rounds}\n`);
  for (const c of cases) {
    const here = CONTENDERS.filter((who) => who.runs(c));
    // Rotate who goes first, so no contender always runs on a cooler (or hotter) machine.
    for (let i = 0; i < here.length; i++) runOnce(c, here[(i + r) % here.length]);
  }
}

const summary: CaseResult[] = [];
for (const c of cases) {
  const row: CaseResult = { case: c, cells: {} };
  for (const who of CONTENDERS) {
    const rec = results.get(key(c, who.name));
    if (!rec) continue;
    const failed = rec.outcomes.find((o) => !o.ok);
    if (failed && !failed.ok) {
      row.cells[who.name] = { ok: false, reason: failed.reason };
      continue;
    }
    const oks = rec.outcomes.filter((o): o is Extract<Outcome, { ok: true }> => o.ok);
    const extra: Record<string, number> = {};
    for (const name of Object.keys(oks[0].extra ?? {})) extra[name] = median(oks.map((o) => o.extra![name]));
    row.cells[who.name] = {
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

const torch = CONTENDERS.some((who) => cases.some((c) => who.name === 'pytorch' && who.runs(c))) ? findTorch() : null;
const torchNote = torch ? ('about' in torch ? torch.about : torch.unavailable) : undefined;
if (summary.length > 0) {
  console.log(formatTable(summary));
  for (const line of jsonLines(summary)) console.log(line);
}
const w6 = withW6 ? runW6(rounds, quick, (line) => process.stderr.write(`${line}\n`)) : null;
if (w6) console.log(formatW6Table(w6));
console.log(
  `(${rounds} round${rounds > 1 ? 's' : ''}, ${((performance.now() - started) / 1000).toFixed(0)} s${quick ? ', quick mode' : ''}; load average ${loadBefore.toFixed(2)} -> ${os.loadavg()[0].toFixed(2)}${torchNote ? `; ${torchNote}` : ''})`,
);
if (!quick && !args.includes('--no-write')) {
  const conditions = loadConditions(loadBefore, os.loadavg()[0], torchNote);
  if (summary.length > 0) console.log(`wrote ${writeMarkdown(summary, rounds, conditions)}`);
  if (w6) console.log(`wrote ${writeW6Markdown(w6, rounds, conditions)}`);
}
