// A kernel worker: instantiates the module over the shared memory, marks itself ready, then
// polls, then sleeps, on the sequence counter and runs its share of each job (see protocol.ts).
// In Node it is a worker_threads worker given its setup as workerData; in browsers a module
// Web Worker given it in its first message.
import {
  JOB_SLOT,
  KERNEL_NAMES,
  MODE_CHUNKED,
  SEQ,
  awaitNextJob,
  generationOf,
  listsOffset,
  readyIndex,
  runClaimedChunks,
  tagIndex,
} from './protocol.js';
import { instantiate, nodeBuiltin, type WasmMemory, type WasmModule } from './module.js';

/** What the pool hands each worker. */
export interface WorkerInit {
  module: WasmModule;
  memory: WasmMemory;
  ctl: SharedArrayBuffer;
  jobs: SharedArrayBuffer;
  index: number;
  workers: number;
}

function serve(init: WorkerInit): never {
  const kernels = instantiate(init.module, init.memory) as unknown as Record<string, (...args: number[]) => void>;
  const fns = KERNEL_NAMES.map((name) => kernels[name]);
  const ctl = new Int32Array(init.ctl);
  const jobs = new Float64Array(init.jobs);
  const slot = (init.index + 1) * JOB_SLOT;
  const tag = tagIndex(init.index, init.workers);
  const table = listsOffset(init.workers);
  const args: number[] = [];
  const list: number[] = [];

  let seen = Atomics.load(ctl, SEQ);
  Atomics.store(ctl, readyIndex(init.index), 1);
  for (;;) {
    seen = awaitNextJob(ctl, seen);
    // Only a slot written for this very sequence number is ours to run; the tag is checked again
    // after copying, in case the main thread started rewriting the slot meanwhile.
    if (Atomics.load(ctl, tag) !== seen) continue;
    const mode = jobs[slot],
      fn = fns[jobs[slot + 1]],
      argc = jobs[slot + 2];
    args.length = argc;
    for (let i = 0; i < argc; i++) args[i] = jobs[slot + 3 + i];
    if (Atomics.load(ctl, tag) !== seen) continue;
    if (mode === MODE_CHUNKED) {
      args.push(0);
      runClaimedChunks(ctl, generationOf(seen), (chunk) => {
        args[argc] = chunk;
        fn(...args);
      });
      continue;
    }
    // A list of the table, read after it was claimed (the main thread rewrites the table only
    // once every claimed list is done).
    runClaimedChunks(ctl, generationOf(seen), (chunk) => {
      const at = table + chunk * JOB_SLOT;
      list.length = jobs[at];
      for (let i = 0; i < list.length; i++) list[i] = jobs[at + 1 + i];
      fn(...list);
    });
  }
}

const threads = nodeBuiltin<typeof import('node:worker_threads')>('worker_threads');
if (threads?.workerData) {
  serve(threads.workerData as WorkerInit);
} else {
  const scope = globalThis as unknown as { onmessage: ((e: { data: WorkerInit }) => void) | null };
  scope.onmessage = (e) => {
    scope.onmessage = null;
    serve(e.data);
  };
}
