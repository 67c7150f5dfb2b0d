/**
 * The layout of the shared control block between the main thread and the kernel workers.
 * `ctl` (Int32Array): [SEQ, PENDING, FAILED, READY_0..READY_{W-1}, TAG_0..TAG_{W-1}].
 * `jobs` (Float64Array): one slot of JOB_SLOT numbers per worker: [kernel index, argc, args...].
 */
export const SEQ = 0;
export const PENDING = 1;
export const FAILED = 2;
export const HEADER = 3;
export const JOB_SLOT = 32;

/** Kernels a worker can run, by index. */
export const KERNEL_NAMES = ['gemm', 'gemmBatched', 'gemmSmall', 'binary', 'unary', 'reduce', 'softmaxRows', 'adam'] as const;
export type KernelName = (typeof KERNEL_NAMES)[number];

export function readyIndex(worker: number): number {
  return HEADER + worker;
}

export function tagIndex(worker: number, workers: number): number {
  return HEADER + workers + worker;
}
