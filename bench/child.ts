// One (workload, contender) measurement in a fresh process: prints a single JSON line.
//   node dist/bench/child.js <W1..W7> <contender> [param] [model] [--threads N] [--quick]
import { runMyelin } from './myelin_workloads.js';
import { runOrt } from './ort_workloads.js';
import { runTfjs } from './tfjs_workloads.js';
import type { InferenceModel, Outcome, WorkloadId } from './workloads.js';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const threadsAt = argv.indexOf('--threads');
const threads = threadsAt >= 0 ? Number(argv[threadsAt + 1]) : 1;
const positional = argv.filter((a, i) => !a.startsWith('--') && (threadsAt < 0 || i !== threadsAt + 1));
const [workload, contender, param, model] = positional;
const c = {
  workload: workload as WorkloadId,
  param: param !== undefined ? Number(param) : undefined,
  model: model as InferenceModel | undefined,
};

let outcome: Outcome;
try {
  if (contender === 'tfjs-cpu' || contender === 'tfjs-wasm')
    outcome = await runTfjs(contender === 'tfjs-cpu' ? 'cpu' : 'wasm', c, quick);
  else if (contender === 'ort-wasm') outcome = await runOrt(c, threads, quick);
  else if (contender.startsWith('myelin-')) outcome = await runMyelin(contender.slice('myelin-'.length), c, quick);
  else outcome = { ok: false, reason: `unknown contender '${contender}'` };
} catch (e) {
  const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 160);
  outcome = { ok: false, reason: `cannot run: ${msg}` };
}
// Peak resident memory of this process (the contender's whole footprint), beside the speed.
if (outcome.ok) outcome.extra = { ...outcome.extra, rssMiB: process.resourceUsage().maxRSS / 1024 };
process.stdout.write(JSON.stringify(outcome) + '\n');
process.exit(0);
