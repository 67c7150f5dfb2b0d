import { activateBackend, backend, backendChosen, getBackend, registerBackend } from '../../backend/registry.js';
import { ValueError } from '../../core/errors.js';
import { memory } from '../../core/memory.js';
import { isNode } from '../../core/platform.js';
import { threadsAvailable, threadsUnavailableReason, WasmBackend, type WasmBackendOptions } from './index.js';
import { compileWasmAsync } from './module.js';
import { setWorkerUrl } from './pool.js';

let threadCount: number | undefined = envThreads();

function envThreads(): number | undefined {
  const v = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.MYELIN_THREADS;
  return v ? Number(v) : undefined;
}

/**
 * Makes the WebAssembly backend available as 'wasm' (the module loads on first `setBackend`).
 * @example registerWasmBackend(); setBackend('wasm');
 */
export function registerWasmBackend(options: WasmBackendOptions = {}): void {
  registerBackend('wasm', () => new WasmBackend({ ...options, threads: options.threads ?? threadCount }));
}

/**
 * Sets how many threads the wasm backend computes on (the calling thread included); the default
 * is every available core, or the MYELIN_THREADS environment variable.
 * @example setThreadCount(1); // single-threaded
 */
export function setThreadCount(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new ValueError(`setThreadCount: expected an integer >= 1, got ${n}`);
  threadCount = n;
  const active = backend();
  if (active instanceof WasmBackend) active.setThreads(n);
}

/** Where a browser build serves the backend's files (each defaults to beside this module). */
export interface WasmBackendUrls {
  /** myelin-single.wasm (its "-fma" variant is looked for beside it). */
  single?: string | URL;
  /** myelin-threads.wasm, used on cross-origin isolated pages (likewise with "-fma"). */
  threads?: string | URL;
  /** worker.js, the thread pool's worker script (an ES module). */
  worker?: string | URL;
}

/**
 * Fetches and compiles the kernels ahead of `setBackend('wasm')`, for browsers (which compile
 * large modules only asynchronously). On a cross-origin isolated page (COOP/COEP headers, so
 * SharedArrayBuffer exists) it loads the threaded build and the backend runs on a pool of Web
 * Workers; elsewhere the single-threaded build. A string or URL is where myelin-single.wasm is
 * served; an object can place each file.
 * @example await initWasmBackend('/assets/myelin-single.wasm'); setBackend('wasm');
 */
export async function initWasmBackend(urls?: string | URL | WasmBackendUrls): Promise<void> {
  const where: WasmBackendUrls = typeof urls === 'string' || urls instanceof URL ? { single: urls } : (urls ?? {});
  if (where.worker) setWorkerUrl(where.worker);
  if (threadsAvailable()) await compileWasmAsync('threads', where.threads);
  else await compileWasmAsync('single', where.single);
}

// The smallest module using a 128-bit SIMD instruction (i8x16.splat then i8x16.popcnt).
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

/** True when this host runs WebAssembly with 128-bit SIMD. */
export function wasmSimdSupported(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

/**
 * Makes 'wasm' the active backend where it loads (WebAssembly SIMD present, and in browsers the
 * module compiled by `initWasmBackend`), and 'ref' otherwise, without an error. Returns the name
 * of the backend chosen.
 * @example useDefaultBackend(); // 'wasm' in Node 20
 */
export function useDefaultBackend(): string {
  if (wasmSimdSupported()) {
    try {
      activateBackend('wasm');
      return 'wasm';
    } catch {
      // Not loadable here (no module file, or a browser that has not compiled it yet).
    }
  }
  activateBackend('ref');
  return 'ref';
}

let starting: Promise<string> | undefined;

/**
 * Resolves, with its name, once the best backend this host offers is active: at once in Node
 * (the wasm backend loads on import), after the wasm module is fetched and compiled in a browser
 * (the threaded build on a cross-origin isolated page, else the single-threaded one), as TF.js'
 * `tf.ready()`. A backend the program chose with `setBackend` is kept. Await it before creating
 * tensors in a browser; the browser entry starts loading on import, and switches to wasm by
 * itself if no tensor exists yet when it is ready.
 * @example await ready(); // 'wasm'
 */
export function ready(): Promise<string> {
  // Node compiled the module synchronously on import: what runs now is the best there is.
  if (backendChosen() || getBackend() !== 'ref' || isNode()) return Promise.resolve(getBackend());
  return startBestBackend(true);
}

/**
 * Starts loading the best backend in the background (the browser entry calls it on import).
 * `force` switches even when tensors exist (they must not: `ready()` is awaited before any).
 */
export function startBestBackend(force = false): Promise<string> {
  starting ??= (async () => {
    if (!wasmSimdSupported()) {
      console.warn("myelin: this host's WebAssembly has no SIMD; computing on the 'ref' backend (plain JavaScript)");
      return getBackend();
    }
    try {
      await initWasmBackend();
    } catch (e) {
      console.warn(`myelin: the wasm backend could not load (${(e as Error).message}); computing on 'ref'`);
    }
    return getBackend();
  })();
  return starting.then(() => {
    if (!backendChosen() && getBackend() === 'ref' && wasmSimdSupported()) {
      if (force || memory().numTensors === 0) useDefaultBackend();
      else noticeLateStart();
    }
    return getBackend();
  });
}

let noticedLate = false;

function noticeLateStart(): void {
  if (noticedLate) return;
  noticedLate = true;
  console.warn(
    "myelin: the wasm backend finished loading after tensors were created on 'ref', so computing stays on 'ref'; `await ready()` before creating tensors to compute on wasm",
  );
}

/** What `backendInfo` reports. */
export interface BackendInfo {
  /** The active backend: 'wasm', 'ref', 'webgpu', ... */
  name: string;
  /** Threads its kernels are split across (1 except on the wasm backend over shared memory). */
  threads: number;
  /** Threads started and able to take work now (worker threads start in the background). */
  readyThreads: number;
  /** Which wasm build runs ('threads', 'single', 'threads-fma', 'single-fma'); wasm only. */
  flavor?: string;
  /** Why the wasm backend cannot use worker threads here (no COOP/COEP headers, ...). */
  threadsUnavailable?: string;
}

/**
 * The active backend, its thread count, and (for wasm) which build runs and why threads are off.
 * @example backendInfo(); // { name: 'wasm', threads: 8, readyThreads: 8, flavor: 'threads-fma' }
 */
export function backendInfo(): BackendInfo {
  const be = backend();
  if (be instanceof WasmBackend) {
    const why = threadsUnavailableReason();
    return {
      name: getBackend(),
      threads: be.threads,
      readyThreads: be.readyThreads,
      flavor: be.flavor,
      ...(why ? { threadsUnavailable: why } : {}),
    };
  }
  return { name: getBackend(), threads: 1, readyThreads: 1 };
}
