import { ValueError } from '../core/errors.js';
import type { Backend } from './backend.js';

const backends = new Map<string, () => Backend>();
const instances = new Map<string, Backend>();
let current: Backend | null = null;
let currentName = 'ref';
/** Whether a program picked the backend itself (then nothing switches it automatically). */
let chosen = false;

/** Makes a backend available to `setBackend(name)`. The factory runs on first use. */
export function registerBackend(name: string, factory: () => Backend): void {
  backends.set(name, factory);
}

/** The names of all registered backends. */
export function listBackends(): string[] {
  return [...backends.keys()];
}

/**
 * Switches the backend new tensors are created on. TF.js' CPU names, 'cpu' and 'tensorflow',
 * pick Myelin's CPU backend ('wasm' where it loads, else 'ref').
 * @example setBackend('ref');
 */
export function setBackend(name: string): void {
  activateBackend(name);
  chosen = true;
}

/**
 * Whether `setBackend` was called (by the program, or MYELIN_BACKEND), as opposed to the
 * backend the library picked by default.
 */
export function backendChosen(): boolean {
  return chosen;
}

/** Makes `name` the active backend without counting as the program's choice (library defaults). */
export function activateBackend(name: string): void {
  // TF.js programs name its CPU backends ('cpu', tfjs-node's 'tensorflow'): Myelin's CPU one runs them.
  if ((name === 'cpu' || name === 'tensorflow') && !backends.has(name)) {
    setCpuBackend();
    return;
  }
  const factory = backends.get(name);
  if (!factory) {
    throw new ValueError(
      `setBackend: unknown backend ${JSON.stringify(name)}; registered backends are ${listBackends()
        .map((n) => `'${n}'`)
        .join(
          ', ',
        )}${name === 'webgl' ? " (TF.js' WebGL backend has no Myelin counterpart: use 'webgpu', or 'wasm' on the CPU)" : ''}`,
    );
  }
  if (!instances.has(name)) instances.set(name, factory());
  current = instances.get(name)!;
  currentName = name;
}

/** The WebAssembly backend where it loads, the reference one otherwise. */
function setCpuBackend(): void {
  if (backends.has('wasm')) {
    try {
      setBackend('wasm');
      return;
    } catch {
      // Not loadable here: the reference backend runs everything.
    }
  }
  setBackend('ref');
}

/** The name of the active backend. */
export function getBackend(): string {
  return currentName;
}

/** The active backend object (for kernels and tests). */
export function backend(): Backend {
  if (!current) activateBackend(currentName);
  return current!;
}

/**
 * Runs `fn` with `name` as the active backend, then restores the previous one (for work that
 * must stay on the CPU, such as metric bookkeeping while training on a GPU).
 * @example const t = withBackend('ref', () => tensor([1, 2]));
 */
export function withBackend<T>(name: string, fn: () => T): T {
  const previous = currentName;
  activateBackend(name);
  try {
    return fn();
  } finally {
    activateBackend(previous);
  }
}
