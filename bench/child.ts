// One (workload, contender) measurement in a fresh process: prints a single JSON line.
//   node dist/bench/child.js <W1..W5> <contender> [param] [--quick]
import { runMyelin } from './myelin_workloads.js';
import { runTfjs } from './tfjs_workloads.js';
import type { Outcome, WorkloadId } from './workloads.js';

const [workload, contender, param] = process.argv.slice(2);
const quick = process.argv.includes('--quick');
const c = { workload: workload as WorkloadId, param: param && param !== '--quick' ? Number(param) : undefined };

let outcome: Outcome;
try {
  if (contender === 'tfjs-cpu' || contender === 'tfjs-wasm')
    outcome = await runTfjs(contender === 'tfjs-cpu' ? 'cpu' : 'wasm', c, quick);
  else if (contender.startsWith('myelin-')) outcome = await runMyelin(contender.slice('myelin-'.length), c, quick);
  else outcome = { ok: false, reason: `unknown contender '${contender}'` };
} catch (e) {
  const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 160);
  outcome = { ok: false, reason: `cannot run: ${msg}` };
}
process.stdout.write(JSON.stringify(outcome) + '\n');
process.exit(0);
