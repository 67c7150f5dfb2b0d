// Who runs in `npm run bench`, on which workloads, and how each is started: one child process
// per (case, contender, variant). A contender with several variants (PyTorch on one and on two
// threads) runs each in every round and keeps the round's best, since on a shared machine either
// can be the faster one.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchCase, WorkloadId } from './workloads.js';

/** One process to start: the command and its arguments. */
export interface Launch {
  command: string;
  args: string[];
  env?: Record<string, string>;
}

export interface Contender {
  /** The table's column. */
  name: string;
  /** The cases it runs; its cell stays empty for the others. */
  runs(c: BenchCase): boolean;
  /** Its variants for a case (usually one), or why it cannot run at all on this machine. */
  launches(c: BenchCase, quick: boolean): Launch[] | { unavailable: string };
}

const child = fileURLToPath(new URL('./child.js', import.meta.url));
const benchDir = fileURLToPath(new URL('../../bench/', import.meta.url));

function caseArgs(c: BenchCase): string[] {
  return [...(c.param !== undefined ? [String(c.param)] : []), ...(c.model ? [c.model] : [])];
}

function nodeContender(name: string, workloads: readonly WorkloadId[], threads: readonly number[] = [1]): Contender {
  return {
    name,
    runs: (c) => workloads.includes(c.workload),
    launches: (c, quick) =>
      threads.map((t) => ({
        command: process.execPath,
        args: [
          child,
          c.workload,
          name,
          ...caseArgs(c),
          ...(threads.length > 1 ? ['--threads', String(t)] : []),
          ...(quick ? ['--quick'] : []),
        ],
      })),
  };
}

const TRAINING: WorkloadId[] = ['W1', 'W2', 'W3', 'W4', 'W5'];

/**
 * PyTorch's script for each workload: bench/torch_workloads.py unless a workload has its own
 * (a workload added later lists its script here).
 */
export const TORCH_SCRIPTS: Partial<Record<WorkloadId, string>> = {};

/** The Python that imports torch (the first of these that does), found once per run. */
const PYTHONS = ['python3', '/usr/bin/python3'];
let torchPython: { python: string; about: string } | { unavailable: string } | undefined;

/**
 * Which Python runs PyTorch here, with its version and the BLAS library its products load (the
 * reference BLAS makes PyTorch's dense layers an order of magnitude slower than with OpenBLAS).
 */
export function findTorch(): { python: string; about: string } | { unavailable: string } {
  if (torchPython) return torchPython;
  const probe = [
    'import torch, re',
    'torch.mm(torch.ones(64, 64), torch.ones(64, 64))',
    'libs = sorted({m.group(1) for m in re.finditer(r"/(lib(?:open)?blas[^/\\s]*)", open("/proc/self/maps").read())})',
    'dirs = sorted({m.group(1) for m in re.finditer(r"/([^/\\s]+)/libblas", open("/proc/self/maps").read())})',
    'print(torch.__version__, "with", ", ".join(d + "/" + l for d in dirs for l in libs if l.startswith("libblas")) or ", ".join(libs) or "its own kernels")',
  ].join('\n');
  for (const python of PYTHONS) {
    const p = spawnSync(python, ['-c', probe], { encoding: 'utf8', timeout: 60_000 });
    if (p.status === 0) {
      torchPython = { python, about: `PyTorch ${p.stdout.trim()} (${python})` };
      return torchPython;
    }
  }
  torchPython = { unavailable: `not available: PyTorch cannot be imported by ${PYTHONS.join(' or ')}` };
  return torchPython;
}

const pytorch: Contender = {
  name: 'pytorch',
  runs: (c) => [...TRAINING, 'W7'].includes(c.workload) || TORCH_SCRIPTS[c.workload] !== undefined,
  launches: (c, quick) => {
    const found = findTorch();
    if ('unavailable' in found) return found;
    const script = `${benchDir}${TORCH_SCRIPTS[c.workload] ?? 'torch_workloads.py'}`;
    return [1, 2].map((threads) => ({
      command: found.python,
      args: [script, c.workload, String(threads), ...caseArgs(c), ...(quick ? ['--quick'] : [])],
      // OpenBLAS and OpenMP size their pools from these; torch.set_num_threads sets the rest.
      env: { OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) },
    }));
  },
};

/** Every contender, in the table's column order. */
export const CONTENDERS: Contender[] = [
  nodeContender('myelin-wasm', [...TRAINING, 'W7']),
  nodeContender('myelin-ref', TRAINING),
  pytorch,
  nodeContender('tfjs-wasm', [...TRAINING, 'W7']),
  nodeContender('tfjs-cpu', TRAINING),
  nodeContender('ort-wasm', ['W7'], [1, 2]),
];

/** The ratio columns: (Myelin backend, other contender), as speed-ups of the first over the second. */
export const RATIO_PAIRS: [string, string][] = [
  ['myelin-wasm', 'pytorch'],
  ['myelin-wasm', 'tfjs-wasm'],
  ['myelin-wasm', 'tfjs-cpu'],
  ['myelin-wasm', 'ort-wasm'],
  ['myelin-ref', 'tfjs-wasm'],
  ['myelin-ref', 'tfjs-cpu'],
];
