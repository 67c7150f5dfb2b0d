/**
 * The layout of the shared control block between the main thread and the kernel workers.
 * `ctl` (Int32Array): [SEQ, PENDING, FAILED, NEXT, TOTAL, DONE, READY_0..READY_{W-1}, TAG_0..TAG_{W-1}].
 * `jobs` (Float64Array): one slot of JOB_SLOT numbers per worker: [mode, kernel index, argc, args...].
 *
 * Two modes. FIXED: each worker runs its own argument list once and decrements PENDING. CHUNKED:
 * every thread, the main one included, claims chunk indices from the NEXT counter until none are
 * left, runs `kernel(...args, chunk)` and counts DONE; the main thread waits only for chunks that
 * were claimed, so a worker the OS has not scheduled yet holds nothing up.
 * NEXT and TOTAL carry the job's generation in their top bits, so a worker that wakes up late
 * can tell a finished job's counter from the current one. A worker's TAG is -1 while the main
 * thread rewrites its slot (a seqlock: the worker re-reads the tag after copying the arguments).
 */
export const SEQ = 0;
export const PENDING = 1;
export const FAILED = 2;
export const NEXT = 3;
export const TOTAL = 4;
export const DONE = 5;
export const HEADER = 6;
export const JOB_SLOT = 40;
export const MODE_FIXED = 0;
export const MODE_CHUNKED = 1;
/** Bits of NEXT/TOTAL holding the index (the rest hold the generation). */
export const INDEX_BITS = 20;
export const INDEX_MASK = (1 << INDEX_BITS) - 1;

/** Kernels a worker can run, by index. */
export const KERNEL_NAMES = [
  'gemm',
  'gemmBatched',
  'gemmSmall',
  'binary',
  'unary',
  'reduce',
  'softmaxRows',
  'adam',
  'im2col',
  'col2im',
  'maxPool',
  'maxPoolGrad',
  'gemmBatchedOne',
  'select',
  'lstmForward',
  'lstmGradCell',
  'lstmGradHidden',
  'packPanels',
  'gemmPanelTile',
  'gemmDepthSlice',
] as const;
export type KernelName = (typeof KERNEL_NAMES)[number];

export function readyIndex(worker: number): number {
  return HEADER + worker;
}

export function tagIndex(worker: number, workers: number): number {
  return HEADER + workers + worker;
}

/** The generation stamped into NEXT and TOTAL for job `seq`. */
export function generationOf(seq: number): number {
  return seq & ((1 << (31 - INDEX_BITS)) - 1);
}

/**
 * Claims chunks of the current chunked job of generation `gen` and runs them; returns when none
 * are left (or the job has moved on). Shared by the main thread and the workers.
 */
export function runClaimedChunks(ctl: Int32Array, gen: number, run: (chunk: number) => void): void {
  for (;;) {
    // Compare-and-swap, not add: a late worker must never use up an index of a newer job.
    const claimed = Atomics.load(ctl, NEXT);
    const total = Atomics.load(ctl, TOTAL);
    if (claimed >>> INDEX_BITS !== gen || total >>> INDEX_BITS !== gen) return;
    const chunk = claimed & INDEX_MASK,
      count = total & INDEX_MASK;
    if (chunk >= count) return;
    if (Atomics.compareExchange(ctl, NEXT, claimed, claimed + 1) !== claimed) continue;
    try {
      run(chunk);
    } catch {
      Atomics.store(ctl, FAILED, 1);
    }
    // Counted even when it failed, so the main thread never waits for a chunk that will not come.
    if (Atomics.add(ctl, DONE, 1) + 1 === count) Atomics.notify(ctl, DONE);
  }
}

/**
 * How long a thread polls for a change before it sleeps in Atomics.wait. Training issues kernels
 * back to back with a little JavaScript between them; waking a sleeping thread takes tens of
 * microseconds (more on a virtual machine), about the length of a small product, so a worker
 * that has just finished polls a while (as OpenMP runtimes and pthreadpool do) before sleeping.
 */
export const SPIN_MS = 0.3;

/**
 * Polls ctl[index] until it differs from `value`, for at most SPIN_MS; true if it changed.
 * A cheap check of the clock every 256 polls keeps the loop itself tight.
 */
export function spinWhileEqual(ctl: Int32Array, index: number, value: number): boolean {
  const deadline = performance.now() + SPIN_MS;
  for (;;) {
    for (let i = 0; i < 256; i++) if (Atomics.load(ctl, index) !== value) return true;
    if (performance.now() > deadline) return false;
  }
}
