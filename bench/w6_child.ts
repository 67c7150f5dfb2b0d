// One W6 measurement of Myelin in a fresh process: prints a single JSON line.
//   node dist/bench/w6_child.js <train|gen64|gen256> <myelin-wasm|myelin-ref> [--quick]
import { runMyelinGpt, type W6Case } from './gpt_workloads.js';
import type { Outcome } from './workloads.js';

const [c, contender] = process.argv.slice(2);
let outcome: Outcome;
try {
  outcome = await runMyelinGpt(contender.slice('myelin-'.length), c as W6Case, process.argv.includes('--quick'));
} catch (e) {
  outcome = {
    ok: false,
    reason: `cannot run: ${(e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 160)}`,
  };
}
process.stdout.write(`${JSON.stringify(outcome)}\n`);
process.exit(0);
