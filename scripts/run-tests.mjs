#!/usr/bin/env node
// Runs the compiled test files with Node's test runner.
//   node scripts/run-tests.mjs          every test (what CI runs)
//   node scripts/run-tests.mjs --fast   the unit tier: no browsers, GPUs, soaks, fuzzers or
//                                        whole-program runs (target: under 30 seconds), its files
//                                        grouped into one process per core (see planShards)
//   --isolated                           with --fast: every file in a process of its own, as CI runs them
//   node scripts/run-tests.mjs FILTER   only test files whose path contains FILTER
//   --tap                                the runner's whole TAP output (thousands of lines)
// By default only failures (with their details), skipped tests, notes the tests print (`# ...`)
// and the runner's summary lines (`# tests N`, `# pass N`, `# fail N`, ...) are printed.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

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
// Only compiled files whose source still exists: the compiler leaves a deleted test's output behind.
const hasSource = (f) => existsSync(`${f.slice('dist/'.length, -'.js'.length)}.ts`);
let files = find('dist/test').filter(hasSource).sort();
if (fast) files = files.filter((f) => !SLOW.some((s) => f.slice('dist/test/'.length).includes(s)));
if (filters.length) files = files.filter((f) => filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error(`run-tests: no test file matches ${filters.join(', ')}`);
  process.exit(1);
}
// Test files the fast tier still runs in a process of their own: each watches process-wide state.
const ISOLATED = [
  'training/names', // every registry entry against the built-in name lists (other files register custom classes)
];

const TIMES = 'dist/test/.fast-times.json'; // each grouped file's last duration, to balance the groups
const CORES = 2;

/**
 * Starting Node and loading the library's modules costs about 0.4 s a process, more than most
 * test files take to run, so the fast tier imports its files into one process per core instead
 * of one each. Every file becomes a suite of its own (its top-level hooks stay scoped to it) and
 * the files run one after another: a file is imported only when the one before has finished, so
 * its top-level code cannot interleave with another's tests. CI's `npm test` keeps one process a
 * file, so every file is still checked alone; a failure that shows only in a group is state one
 * file leaves behind for a later one (`node --test dist/test/.fast-shards/group-N.test.mjs`
 * reruns a group in its order; `--isolated` runs the tier one process a file).
 */
function planShards(all) {
  let times = {};
  try {
    times = JSON.parse(readFileSync(TIMES, 'utf8'));
  } catch {} // first run: every file counts the same
  const rel = (f) => relative('dist/test', f);
  const grouped = all.filter((f) => !ISOLATED.some((s) => rel(f).includes(s)));
  // Longest first, each to the lightest group: the groups end close together.
  const weight = (f) => times[rel(f)] ?? 1000;
  const shards = Array.from({ length: CORES }, () => ({ files: [], total: 0 }));
  for (const f of [...grouped].sort((a, b) => weight(b) - weight(a))) {
    const lightest = shards.reduce((a, b) => (b.total < a.total ? b : a));
    lightest.files.push(f);
    lightest.total += weight(f);
  }
  const dir = 'dist/test/.fast-shards';
  mkdirSync(dir, { recursive: true });
  const entries = shards
    .filter((s) => s.files.length > 0)
    .map((s, i) => {
      // Alphabetical inside a group, so a failure caused by an earlier file reproduces in the same order.
      const imports = s.files.sort().map((f) => [rel(f), pathToFileURL(resolve(f)).href]);
      const path = join(dir, `group-${i + 1}.test.mjs`);
      writeFileSync(
        path,
        `import { describe } from 'node:test';\n` +
          `for (const [name, url] of ${JSON.stringify(imports)}) await describe(name, () => import(url));\n`,
      );
      return path;
    });
  return [...entries, ...all.filter((f) => !grouped.includes(f))];
}

/** Records each grouped file's duration from the runner's top-level suite lines. */
function recordTimes(lines) {
  const times = {};
  for (let i = 0; i < lines.length; i++) {
    const ok = /^(?:not )?ok \d+ - (.+\.test\.js)$/.exec(lines[i]);
    const duration = ok && /^ {2}duration_ms: ([\d.]+)/.exec(lines[i + 1] ?? '');
    if (duration) times[ok[1]] = Math.round(Number(duration[1]));
  }
  if (Object.keys(times).length > 0) writeFileSync(TIMES, JSON.stringify(times, null, 1));
}

const group = fast && !args.includes('--isolated') && filters.length === 0;
const jobs = group ? planShards(files) : files;
const runner = ['--test', `--test-concurrency=${CORES}`, '--test-reporter=tap', ...jobs];
if (args.includes('--tap')) {
  const child = spawn(process.execPath, runner, { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 1));
} else {
  const grouping = group ? ` in ${jobs.length} processes` : '';
  console.log(`run-tests: ${files.length} test files${grouping} (--tap for the full output)`);
  const child = spawn(process.execPath, runner, { stdio: ['ignore', 'pipe', 'inherit'] });
  let pending = '';
  const topLevel = []; // lines at indentation 0, for recordTimes
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
    for (const line of lines) {
      if (group && !line.startsWith(' ') && line.length > 0) topLevel.push(line);
      else if (group && line.startsWith('  duration_ms: ')) topLevel.push(line);
      show(line);
    }
  });
  child.on('exit', (code) => {
    if (pending) show(pending);
    if (group) recordTimes(topLevel);
    process.exit(code ?? 1);
  });
}
