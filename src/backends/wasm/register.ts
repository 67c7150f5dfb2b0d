import { backend, registerBackend } from '../../backend/registry.js';
import { ValueError } from '../../core/errors.js';
import { WasmBackend, type WasmBackendOptions } from './index.js';
import { compileWasmAsync } from './module.js';

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
  registerBackend('wasm', () => new WasmBackend({ threads: options.threads ?? threadCount }));
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

/**
 * Fetches and compiles the kernels ahead of `setBackend('wasm')`, for browsers (which compile
 * large modules only asynchronously). `url` is where myelin-single.wasm is served.
 * @example await initWasmBackend('/assets/myelin-single.wasm'); setBackend('wasm');
 */
export async function initWasmBackend(url?: string | URL): Promise<void> {
  await compileWasmAsync('single', url);
}
