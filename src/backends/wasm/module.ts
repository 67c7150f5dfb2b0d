/**
 * Finding and compiling the kernels' WebAssembly. Four builds ship side by side: one importing a
 * shared memory (for the worker pool) and one with a plain memory for hosts without
 * SharedArrayBuffer (browsers without cross-origin isolation), each also in an "-fma" variant
 * whose matrix multiply uses relaxed SIMD's fused multiply-add (about 1.5x faster per core).
 */

/** The exported kernels of the module (see assembly/index.ts). */
export interface KernelExports {
  heapBase(): number;
  gemmScratchBytes(): number;
  gemm(
    a: number,
    ars: number,
    acs: number,
    b: number,
    brs: number,
    bcs: number,
    c: number,
    n: number,
    k: number,
    rowStart: number,
    rowEnd: number,
    colStart: number,
    colEnd: number,
    scratch: number,
  ): void;
  gemmBatched(
    table: number,
    start: number,
    end: number,
    ars: number,
    acs: number,
    brs: number,
    bcs: number,
    m: number,
    n: number,
    k: number,
    scratch: number,
  ): void;
  gemmBatchedOne(
    table: number,
    ars: number,
    acs: number,
    brs: number,
    bcs: number,
    m: number,
    n: number,
    k: number,
    scratch: number,
    index: number,
  ): void;
  gemmSmall(
    a: number,
    ars: number,
    acs: number,
    b: number,
    brs: number,
    bcs: number,
    c: number,
    n: number,
    k: number,
    rowStart: number,
    rowEnd: number,
  ): void;
  binary(
    op: number,
    a: number,
    ars: number,
    acs: number,
    b: number,
    brs: number,
    bcs: number,
    out: number,
    cols: number,
    rowStart: number,
    rowEnd: number,
  ): void;
  select(cond: number, a: number, sa: number, b: number, sb: number, out: number, start: number, end: number): void;
  unary(op: number, x: number, out: number, start: number, end: number): void;
  reduce(op: number, x: number, out: number, red: number, inner: number, start: number, end: number): void;
  softmaxRows(x: number, out: number, n: number, log: number, start: number, end: number): void;
  adam(
    p: number,
    g: number,
    m: number,
    v: number,
    pOut: number,
    mOut: number,
    vOut: number,
    alpha: number,
    oneMinusBeta1: number,
    oneMinusBeta2: number,
    eps: number,
    start: number,
    end: number,
  ): void;
  im2col(x: number, out: number, ...geometryPadAndImages: number[]): void;
  col2im(cols: number, img: number, ...geometryAndImages: number[]): void;
  maxPool(x: number, out: number, ...geometryAndImages: number[]): void;
  maxPoolGrad(x: number, y: number, dy: number, dx: number, ...geometryAndImages: number[]): void;
  packPanels(
    a: number,
    ars: number,
    acs: number,
    b: number,
    brs: number,
    bcs: number,
    m: number,
    n: number,
    p0: number,
    kc: number,
    pa: number,
    pb: number,
    aChunks: number,
    chunk: number,
  ): void;
  gemmPanelTile(
    pa: number,
    pb: number,
    c: number,
    m: number,
    n: number,
    kc: number,
    accumulate: number,
    tileRows: number,
    tileCols: number,
    edge: number,
    tile: number,
  ): void;
  gemmDepthSlice(
    a: number,
    ars: number,
    acs: number,
    b: number,
    brs: number,
    bcs: number,
    partials: number,
    m: number,
    n: number,
    k: number,
    parts: number,
    scratch: number,
    chunk: number,
  ): void;
  lstmForward(
    z: number,
    c: number,
    gates: number,
    cNew: number,
    h: number,
    units: number,
    rowStart: number,
    rowEnd: number,
  ): void;
  lstmGradCell(
    gates: number,
    c: number,
    dcNew: number,
    dz: number,
    dc: number,
    units: number,
    rowStart: number,
    rowEnd: number,
  ): void;
  lstmGradHidden(
    gates: number,
    cNew: number,
    dh: number,
    dz: number,
    dcNew: number,
    units: number,
    rowStart: number,
    rowEnd: number,
  ): void;
}

/** Which of the builds. */
export type WasmFlavor = 'threads' | 'single' | 'threads-fma' | 'single-fma';

function env(name: string): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
}

/**
 * Whether this host validates `bytes` (an "-fma" build). Node 20's V8 has relaxed SIMD behind
 * a flag that later versions turn on by default; it only adds instructions, so it is switched
 * on here when the module needs it. MYELIN_WASM_FMA=0 keeps the plain builds.
 */
function relaxedSimdUsable(bytes: BufferSource): boolean {
  if (env('MYELIN_WASM_FMA') === '0') return false;
  if (WebAssembly.validate(bytes)) return true;
  const v8 = nodeBuiltin<{ setFlagsFromString(flags: string): void }>('v8');
  if (!v8) return false;
  try {
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    return false;
  }
  return WebAssembly.validate(bytes);
}

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
 * The compiled module and which build it is, synchronously: from the package's files in Node, or
 * from an earlier `compileWasmAsync` in browsers (where large modules cannot be compiled
 * synchronously). The "-fma" build is chosen where the host runs it, unless `fma` is false.
 */
export function compileWasm(
  base: 'threads' | 'single',
  fma = true,
): { module: WebAssembly.Module; flavor: WasmFlavor } {
  const fmaFlavor = `${base}-fma` as const;
  const cachedFma = fma ? compiled.get(fmaFlavor) : undefined;
  if (cachedFma) return { module: cachedFma, flavor: fmaFlavor };
  const fs = nodeBuiltin<typeof import('node:fs')>('fs');
  const url = nodeBuiltin<typeof import('node:url')>('url');
  if (!fs || !url) {
    const cached = compiled.get(base);
    if (cached) return { module: cached, flavor: base };
    throw new Error(
      `wasm backend: the ${base} module is not compiled yet; await initWasmBackend() before setBackend('wasm') in a browser`,
    );
  }
  const read = (flavor: WasmFlavor): Uint8Array<ArrayBuffer> | undefined => {
    try {
      return new Uint8Array(fs.readFileSync(url.fileURLToPath(fileUrl(flavor))));
    } catch {
      return undefined;
    }
  };
  const fmaBytes = fma ? read(fmaFlavor) : undefined;
  if (fmaBytes && relaxedSimdUsable(fmaBytes)) {
    const module = new WebAssembly.Module(fmaBytes);
    compiled.set(fmaFlavor, module);
    return { module, flavor: fmaFlavor };
  }
  let module = compiled.get(base);
  if (!module) {
    const bytes = read(base);
    if (!bytes) throw new Error(`wasm backend: ${fileUrl(base).pathname} is missing; run the package's build`);
    module = new WebAssembly.Module(bytes);
    compiled.set(base, module);
  }
  return { module, flavor: base };
}

/**
 * Fetches and compiles a build asynchronously (the browser path): the "-fma" variant of `base`
 * where the browser has relaxed SIMD, else `base`. `url` overrides where the plain build lives
 * (the "-fma" one is looked for beside it).
 */
export async function compileWasmAsync(
  base: 'threads' | 'single',
  url: string | URL = fileUrl(base),
): Promise<WebAssembly.Module> {
  const cached = compiled.get(`${base}-fma`) ?? compiled.get(base);
  if (cached) return cached;
  const plainUrl = new URL(url, typeof location === 'object' ? location.href : undefined);
  const fmaUrl = new URL(plainUrl.pathname.replace(/\.wasm$/, '-fma.wasm') + plainUrl.search, plainUrl);
  const fetchBytes = async (u: URL): Promise<ArrayBuffer | undefined> => {
    try {
      const response = await fetch(u);
      return response.ok ? await response.arrayBuffer() : undefined;
    } catch {
      return undefined;
    }
  };
  const fmaBytes = env('MYELIN_WASM_FMA') === '0' ? undefined : await fetchBytes(fmaUrl);
  if (fmaBytes && WebAssembly.validate(fmaBytes)) {
    const mod = await WebAssembly.compile(fmaBytes);
    compiled.set(`${base}-fma`, mod);
    return mod;
  }
  const bytes = await fetchBytes(plainUrl);
  if (!bytes) throw new Error(`wasm backend: could not fetch ${plainUrl.href}`);
  const mod = await WebAssembly.compile(bytes);
  compiled.set(base, mod);
  return mod;
}

/** Instantiates the kernels over `memory`. */
export function instantiate(mod: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  return new WebAssembly.Instance(mod, { env: { memory } }).exports as unknown as KernelExports;
}
