#!/usr/bin/env node
// Runs the compiled test files with Node's test runner.
//   node scripts/run-tests.mjs          every test (what CI runs)
//   node scripts/run-tests.mjs --fast   the unit tier: no browsers, GPUs, soaks, fuzzers or
//                                        whole-program runs (target: under 30 seconds)
//   node scripts/run-tests.mjs FILTER   only test files whose path contains FILTER
//   --tap                                the runner's whole TAP output (thousands of lines)
// By default only failures (with their details), skipped tests, notes the tests print (`# ...`)
// and the runner's summary lines (`# tests N`, `# pass N`, `# fail N`, ...) are printed.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

// Test files (paths under test/) that belong to the slow tier: each is slow for a stated reason.
const SLOW = [
  'webgpu/', // WebGPU in Dawn and in headless Chromium
  'browser', // headless Chromium pages
  'backends/conformance', // every kernel against the reference on every wasm build
  'backends/wasm_memory', // soak: thousands of training steps
  'optimizers/custom_loop_soak', // soak: 20,000 custom-loop steps on each backend
  'backends/wasm_threads_soak', // soak: thousands of products split across threads
  'io/fuzz', // fuzzers
  'examples/', // whole example programs
  'cli/cli', // the myelin command in child processes
  'io/cli_train',
  'callbacks/model_checkpoint', // kills child processes mid-write
  'text/bpe_gpt2', // GPT-2's 50,257-token vocabulary against js-tiktoken over whole corpora
  'package/', // packs, installs and bundles the package, and runs it in headless Chromium
  'layers/layer_harness', // every registered layer: TF.js 4.22 and ONNX Runtime round trips, float64 gradients
  'io/onnx_', // exported models run in ONNX Runtime
  'cli/gpt_command', // trains, saves, samples and explains a GPT through the command
  'data/mnist_digits', // converts MNIST
  'models/model_scale', // models of thousands of layers
  'backends/ref.test', // the wasm fast paths against the reference, case by case
  'data/csv_streaming', // trains on a 56 MB CSV in a child process with a small heap
];

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...find(path));
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

const args = process.argv.slice(2);
const fast = args.includes('--fast');
const filters = args.filter((a) => !a.startsWith('--'));
let files = find('dist/test').sort();
if (fast) files = files.filter((f) => !SLOW.some((s) => f.slice('dist/test/'.length).includes(s)));
if (filters.length) files = files.filter((f) => filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error(`run-tests: no test file matches ${filters.join(', ')}`);
  process.exit(1);
}
const runner = ['--test', '--test-concurrency=2', '--test-reporter=tap', ...files];
if (args.includes('--tap')) {
  const child = spawn(process.execPath, runner, { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 1));
} else {
  console.log(`run-tests: ${files.length} test files (--tap for the full output)`);
  const child = spawn(process.execPath, runner, { stdio: ['ignore', 'pipe', 'inherit'] });
  let pending = '';
  let failure = null; // indentation of the failure being printed
  const show = (line) => {
    const indent = line.length - line.trimStart().length;
    const text = line.trimStart();
    if (failure !== null) {
      if (indent > failure || text === '') return console.log(line);
      failure = null;
    }
    if (text.startsWith('not ok ')) {
      // A suite fails when one of its tests does; its own block repeats the count only.
      failure = indent;
      return console.log(line);
    }
    if (/ # SKIP\b/.test(text) || /^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) /.test(line))
      return console.log(line);
    if (indent === 0 && /^# (?!Subtest:)/.test(text)) console.log(line);
  };
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop();
    for (const line of lines) show(line);
  });
  child.on('exit', (code) => {
    if (pending) show(pending);
    process.exit(code ?? 1);
  });
}
