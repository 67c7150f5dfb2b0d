import { type KernelExports, nodeBuiltin } from './module.js';
import { FAILED, HEADER, JOB_SLOT, KERNEL_NAMES, type KernelName, PENDING, SEQ, readyIndex, tagIndex } from './protocol.js';

/**
 * Worker threads sharing the kernels' memory. `run` hands one argument list to each thread
 * (the main thread takes the first) and blocks with Atomics.wait until all are done, so kernels
 * stay synchronous. Workers start in the background; until one is ready, work runs without it.
 */
export class ThreadPool {
  readonly #ctl: Int32Array;
  readonly #jobs: Float64Array;
  readonly #kernels: KernelExports;
  readonly #workers: { terminate(): Promise<number> }[] = [];
  readonly #count: number;

  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, kernels: KernelExports, workers: number) {
    this.#kernels = kernels;
    this.#count = workers;
    const ctl = new SharedArrayBuffer((HEADER + 2 * workers) * 4);
    const jobs = new SharedArrayBuffer((workers + 1) * JOB_SLOT * 8);
    this.#ctl = new Int32Array(ctl);
    this.#jobs = new Float64Array(jobs);
    const wt = nodeBuiltin<typeof import('node:worker_threads')>('worker_threads');
    if (!wt || workers === 0) return;
    const script = new URL('./worker.js', import.meta.url);
    for (let index = 0; index < workers; index++) {
      const w = new wt.Worker(script, { workerData: { module, memory, ctl, jobs, index, workers } });
      // Idle workers sleep in Atomics.wait; they must not keep the process alive.
      w.unref();
      this.#workers.push(w);
    }
  }

  /** Workers that have started and can take work now, plus the main thread. */
  get readyThreads(): number {
    let n = 1;
    for (let i = 0; i < this.#count; i++) if (Atomics.load(this.#ctl, readyIndex(i)) === 1) n++;
    return n;
  }

  /**
   * Runs `kernel` once per argument list, the first on this thread and the rest on ready
   * workers (callers size `argLists` by `readyThreads`), and returns when all have finished.
   */
  run(kernel: KernelName, argLists: number[][]): void {
    const fn = (this.#kernels as unknown as Record<string, (...a: number[]) => void>)[kernel];
    if (argLists.length === 1) { fn(...argLists[0]); return; }
    const ctl = this.#ctl, jobs = this.#jobs;
    const seq = Atomics.load(ctl, SEQ) + 1;
    const kernelIndex = KERNEL_NAMES.indexOf(kernel);
    Atomics.store(ctl, PENDING, argLists.length - 1);
    let next = 1;
    for (let w = 0; w < this.#count && next < argLists.length; w++) {
      if (Atomics.load(ctl, readyIndex(w)) !== 1) continue;
      const args = argLists[next++];
      const slot = (w + 1) * JOB_SLOT;
      jobs[slot] = kernelIndex;
      jobs[slot + 1] = args.length;
      for (let i = 0; i < args.length; i++) jobs[slot + 2 + i] = args[i];
      Atomics.store(ctl, tagIndex(w, this.#count), seq);
    }
    if (next !== argLists.length) throw new Error(`wasm backend: ${argLists.length} work items but only ${next} ready threads`);
    Atomics.store(ctl, SEQ, seq);
    Atomics.notify(ctl, SEQ);
    fn(...argLists[0]);
    for (let p = Atomics.load(ctl, PENDING); p !== 0; p = Atomics.load(ctl, PENDING)) Atomics.wait(ctl, PENDING, p);
    if (Atomics.exchange(ctl, FAILED, 0) !== 0) throw new Error(`wasm backend: a worker failed running '${kernel}'`);
  }

  /** Stops the workers (tests and benchmarks that want a clean exit). */
  async terminate(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
    this.#workers.length = 0;
    for (let i = 0; i < this.#count; i++) Atomics.store(this.#ctl, readyIndex(i), 0);
  }
}
