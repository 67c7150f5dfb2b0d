/**
 * Finding and compiling the kernels' WebAssembly. Two builds ship side by side: one importing a
 * shared memory (for the worker pool) and one with a plain memory for hosts without
 * SharedArrayBuffer (browsers without cross-origin isolation).
 */

/** The exported kernels of the module (see assembly/index.ts). */
export interface KernelExports {
  heapBase(): number;
  gemmScratchBytes(): number;
  gemm(a: number, ars: number, acs: number, b: number, brs: number, bcs: number, c: number, n: number, k: number,
    rowStart: number, rowEnd: number, colStart: number, colEnd: number, scratch: number): void;
  gemmBatched(table: number, start: number, end: number, ars: number, acs: number, brs: number, bcs: number,
    m: number, n: number, k: number, scratch: number): void;
  gemmTile(a: number, ars: number, acs: number, b: number, brs: number, bcs: number, c: number, m: number, n: number, k: number,
    tileRows: number, tileCols: number, scratch: number, tile: number): void;
  gemmBatchedOne(table: number, ars: number, acs: number, brs: number, bcs: number, m: number, n: number, k: number, scratch: number, index: number): void;
  gemmSmall(a: number, ars: number, acs: number, b: number, brs: number, bcs: number, c: number, n: number, k: number,
    rowStart: number, rowEnd: number): void;
  binary(op: number, a: number, ars: number, acs: number, b: number, brs: number, bcs: number, out: number, cols: number,
    rowStart: number, rowEnd: number): void;
  select(cond: number, a: number, sa: number, b: number, sb: number, out: number, start: number, end: number): void;
  unary(op: number, x: number, out: number, start: number, end: number): void;
  reduce(op: number, x: number, out: number, red: number, inner: number, start: number, end: number): void;
  softmaxRows(x: number, out: number, n: number, log: number, start: number, end: number): void;
  adam(p: number, g: number, m: number, v: number, pOut: number, mOut: number, vOut: number, alpha: number,
    oneMinusBeta1: number, oneMinusBeta2: number, eps: number, start: number, end: number): void;
  im2col(x: number, out: number, ...geometryPadAndImages: number[]): void;
  col2im(cols: number, img: number, ...geometryAndImages: number[]): void;
  maxPool(x: number, out: number, ...geometryAndImages: number[]): void;
  maxPoolGrad(x: number, y: number, dy: number, dx: number, ...geometryAndImages: number[]): void;
}

/** Which of the two builds. */
export type WasmFlavor = 'threads' | 'single';

const compiled = new Map<WasmFlavor, WebAssembly.Module>();

function fileUrl(flavor: WasmFlavor): URL {
  return new URL(`./myelin-${flavor}.wasm`, import.meta.url);
}

/** Node's built-in modules without a static import, so this file also loads in browsers. */
export function nodeBuiltin<T>(name: string): T | undefined {
  const p = (globalThis as { process?: { getBuiltinModule?: (n: string) => unknown } }).process;
  return p?.getBuiltinModule?.(name) as T | undefined;
}

/**
 * The compiled module, synchronously: from the package's files in Node, or from an earlier
 * `compileWasmAsync` in browsers (where large modules cannot be compiled synchronously).
 */
export function compileWasm(flavor: WasmFlavor): WebAssembly.Module {
  let mod = compiled.get(flavor);
  if (mod) return mod;
  const fs = nodeBuiltin<typeof import('node:fs')>('fs');
  const url = nodeBuiltin<typeof import('node:url')>('url');
  if (!fs || !url) {
    throw new Error(`wasm backend: the ${flavor} module is not compiled yet; await initWasmBackend() before setBackend('wasm') in a browser`);
  }
  mod = new WebAssembly.Module(fs.readFileSync(url.fileURLToPath(fileUrl(flavor))));
  compiled.set(flavor, mod);
  return mod;
}

/** Fetches and compiles a build asynchronously (the browser path); `url` overrides where it lives. */
export async function compileWasmAsync(flavor: WasmFlavor, url: string | URL = fileUrl(flavor)): Promise<WebAssembly.Module> {
  const cached = compiled.get(flavor);
  if (cached) return cached;
  const mod = typeof WebAssembly.compileStreaming === 'function'
    ? await WebAssembly.compileStreaming(fetch(url))
    : await WebAssembly.compile(await (await fetch(url)).arrayBuffer());
  compiled.set(flavor, mod);
  return mod;
}

/** Instantiates the kernels over `memory`. */
export function instantiate(mod: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  return new WebAssembly.Instance(mod, { env: { memory } }).exports as unknown as KernelExports;
}
