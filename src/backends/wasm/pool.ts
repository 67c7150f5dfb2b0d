import { assetUrl, type KernelExports, nodeBuiltin, type WasmMemory, type WasmModule } from './module.js';
import {
  DONE,
  FAILED,
  HEADER,
  INDEX_BITS,
  JOB_SLOT,
  KERNEL_NAMES,
  type KernelName,
  MODE_CHUNKED,
  MODE_LISTS,
  NEXT,
  SEQ,
  TOTAL,
  generationOf,
  listCapacity,
  listsOffset,
  readyIndex,
  runClaimedChunks,
  spinWhileEqual,
  tagIndex,
} from './protocol.js';

/** Where browsers load the worker script from (see setWorkerUrl). */
let workerUrl: string | URL | undefined;

/**
 * Where the pool's worker script (worker.js beside this file) is served, for browser builds that
 * move it; the default is resolved from this module's own URL.
 */
export function setWorkerUrl(url: string | URL): void {
  workerUrl = url;
}

/**
 * A module Web Worker running worker.js. The `new Worker(new URL('./worker.js', import.meta.url),
 * { type: 'module' })` form is the one bundlers recognize and bundle as a worker; worker.js is
 * built self-contained, so an application may also serve it as a plain file beside its bundle.
 */
function browserWorker(): Worker {
  if (workerUrl !== undefined) return new Worker(workerUrl, { type: 'module' });
  try {
    return new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  } catch {
    return new Worker(
      assetUrl(() => {
        throw new Error('no module URL');
      }, 'worker.js'),
      { type: 'module' },
    );
  }
}

let reportedFailure = false;

/** Says once that the workers could not start, so the backend computes on one thread. */
function workerFailed(why: string): void {
  if (reportedFailure) return;
  reportedFailure = true;
  const where = workerUrl === undefined ? 'worker.js beside the wasm backend' : String(workerUrl);
  console.warn(
    `myelin: the wasm backend's worker threads could not start (${where}: ${why}); it computes on one thread. In a bundled application, serve worker.js from myelin's dist/src/backends/wasm/ (or pass its URL to initWasmBackend({ worker }))`,
  );
}

/** Browser main threads may not block in Atomics.wait; workers and Node's main thread may. */
function mayBlock(): boolean {
  if (nodeBuiltin('worker_threads') !== undefined) return true;
  return typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined';
}

/** Waits until ctl[index] differs from `value`: polls, then sleeps where this thread may. */
function waitWhileEqual(ctl: Int32Array, index: number, value: number, block: boolean): void {
  if (spinWhileEqual(ctl, index, value)) return;
  if (block) Atomics.wait(ctl, index, value);
  else
    while (Atomics.load(ctl, index) === value) {
      /* a browser's main thread can only poll */
    }
}

/**
 * Worker threads sharing the kernels' memory: worker_threads in Node, module Web Workers in
 * cross-origin isolated browsers. `run` runs a kernel once per argument list and `runChunked`
 * once per chunk index, and both wait until all are done, so kernels stay synchronous. Every
 * thread claims lists or chunks from a shared counter (dynamic scheduling): a worker that is
 * slow to wake costs at most the list or chunk it claimed, and one that never wakes nothing. Workers start in the background; until
 * one is ready, work runs without it. A browser's main thread cannot sleep in Atomics.wait, so
 * there it polls while the workers finish (the kernels split are milliseconds long).
 */
export class ThreadPool {
  readonly #ctl: Int32Array;
  readonly #jobs: Float64Array;
  readonly #kernels: KernelExports;
  readonly #workers: { terminate(): unknown }[] = [];
  readonly #count: number;
  readonly #block = mayBlock();

  constructor(module: WasmModule, memory: WasmMemory, kernels: KernelExports, workers: number) {
    this.#kernels = kernels;
    this.#count = workers;
    const ctl = new SharedArrayBuffer((HEADER + 2 * workers) * 4);
    const jobs = new SharedArrayBuffer((listsOffset(workers) + listCapacity(workers) * JOB_SLOT) * 8);
    this.#ctl = new Int32Array(ctl);
    this.#jobs = new Float64Array(jobs);
    if (workers === 0) return;
    const wt = nodeBuiltin<typeof import('node:worker_threads')>('worker_threads');
    for (let index = 0; index < workers; index++) {
      const init = { module, memory, ctl, jobs, index, workers };
      if (wt) {
        const w = new wt.Worker(workerUrl ?? new URL('./worker.js', import.meta.url), { workerData: init });
        // Idle workers sleep in Atomics.wait; they must not keep the process alive.
        w.unref();
        w.on('error', (e) => workerFailed(String(e)));
        this.#workers.push(w);
      } else {
        const w = browserWorker();
        w.onerror = (e) => workerFailed(e.message || `the script did not load`);
        w.postMessage(init);
        this.#workers.push(w);
      }
    }
  }

  /** Workers that have started and can take work now, plus the main thread. */
  get readyThreads(): number {
    let n = 1;
    for (let i = 0; i < this.#count; i++) if (Atomics.load(this.#ctl, readyIndex(i)) === 1) n++;
    return n;
  }

  /**
   * Runs `kernel` once per argument list, each on whichever thread claims it first (callers
   * size `argLists` by `readyThreads`; at most LISTS_PER_THREAD lists per thread), and returns
   * when all have finished. A worker that has not woken by the time this thread is done with
   * its own list leaves the rest to this thread instead of holding it up.
   */
  run(kernel: KernelName, argLists: number[][]): void {
    const fn = (this.#kernels as unknown as Record<string, (...a: number[]) => void>)[kernel];
    if (argLists.length === 1 || this.#count === 0) {
      for (const args of argLists) fn(...args);
      return;
    }
    if (argLists.length > listCapacity(this.#count))
      throw new Error(`wasm backend: ${argLists.length} argument lists do not fit the pool's table`);
    const jobs = this.#jobs,
      table = listsOffset(this.#count);
    argLists.forEach((args, i) => {
      if (args.length > JOB_SLOT - 1)
        throw new Error(`wasm backend: ${args.length} kernel arguments do not fit a job slot`);
      const at = table + i * JOB_SLOT;
      jobs[at] = args.length;
      for (let k = 0; k < args.length; k++) jobs[at + 1 + k] = args[k];
    });
    this.#dispatch(
      kernel,
      MODE_LISTS,
      argLists.length,
      () => [],
      (chunk) => fn(...argLists[chunk]),
    );
  }

  /**
   * Runs `kernel(...argsOf(thread), chunk)` for chunk = 0..chunks-1, each chunk exactly once, on
   * whichever thread claims it first (thread 0 is this one, thread w + 1 worker w); returns when
   * every chunk is done.
   */
  runChunked(kernel: KernelName, chunks: number, argsOf: (thread: number) => number[]): void {
    const fn = (this.#kernels as unknown as Record<string, (...a: number[]) => void>)[kernel];
    const args = [...argsOf(0), 0];
    const last = args.length - 1;
    this.#dispatch(kernel, MODE_CHUNKED, chunks, argsOf, (chunk) => {
      args[last] = chunk;
      fn(...args);
    });
  }

  /** Publishes a job of `chunks` chunks to the ready workers, runs what this thread claims, and waits for the rest. */
  #dispatch(
    kernel: KernelName,
    mode: number,
    chunks: number,
    argsOf: (thread: number) => number[],
    runHere: (chunk: number) => void,
  ): void {
    const ctl = this.#ctl;
    const seq = Atomics.load(ctl, SEQ) + 1;
    const gen = generationOf(seq);
    const kernelIndex = KERNEL_NAMES.indexOf(kernel);
    for (let w = 0; w < this.#count; w++) {
      if (Atomics.load(ctl, readyIndex(w)) === 1) this.#post(w, seq, mode, kernelIndex, argsOf(w + 1));
    }
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, TOTAL, (gen << INDEX_BITS) | chunks);
    Atomics.store(ctl, NEXT, gen << INDEX_BITS);
    Atomics.store(ctl, SEQ, seq);
    Atomics.notify(ctl, SEQ);
    runClaimedChunks(ctl, gen, runHere);
    for (let d = Atomics.load(ctl, DONE); d < chunks; d = Atomics.load(ctl, DONE))
      waitWhileEqual(ctl, DONE, d, this.#block);
    if (Atomics.exchange(ctl, FAILED, 0) !== 0) throw new Error(`wasm backend: a thread failed running '${kernel}'`);
  }

  /** Writes worker `w`'s slot under the seqlock: tag -1 while writing, then the job's sequence number. */
  #post(w: number, seq: number, mode: number, kernelIndex: number, args: readonly number[]): void {
    const jobs = this.#jobs,
      tag = tagIndex(w, this.#count);
    if (args.length > JOB_SLOT - 3)
      throw new Error(`wasm backend: ${args.length} kernel arguments do not fit a job slot`);
    Atomics.store(this.#ctl, tag, -1);
    const slot = (w + 1) * JOB_SLOT;
    jobs[slot] = mode;
    jobs[slot + 1] = kernelIndex;
    jobs[slot + 2] = args.length;
    for (let i = 0; i < args.length; i++) jobs[slot + 3 + i] = args[i];
    Atomics.store(this.#ctl, tag, seq);
  }

  /** Stops the workers (tests and benchmarks that want a clean exit). */
  async terminate(): Promise<void> {
    await Promise.all(this.#workers.map((w) => Promise.resolve(w.terminate())));
    this.#workers.length = 0;
    for (let i = 0; i < this.#count; i++) Atomics.store(this.#ctl, readyIndex(i), 0);
  }
}
