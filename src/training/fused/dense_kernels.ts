import { DENSE_KERNELS_WASM } from './dense_kernels_wasm.js';

interface Exports {
  memory: WebAssembly.Memory;
  forward(x: number, w: number, b: number, z: number, rows: number, inDim: number, units: number): void;
  weightGrads(x: number, dz: number, dw: number, db: number, rows: number, inDim: number, units: number): void;
  inputGrad(dz: number, w: number, dx: number, rows: number, inDim: number, units: number): void;
}

let compiled: WebAssembly.Module | string | undefined;

/** The module, compiled once (a 1 KB module compiles synchronously everywhere), or why it cannot be. */
function denseModule(): WebAssembly.Module | string {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(Uint8Array.from(atob(DENSE_KERNELS_WASM), (c) => c.charCodeAt(0)));
    } catch (e) {
      // E.g. a page whose content security policy forbids compiling WebAssembly.
      compiled = `WebAssembly is not available here (${(e as Error).message})`;
    }
  }
  return compiled;
}

/** Leaves address 0 unused, so 0 can mean "no bias". */
const FIRST_ADDRESS = 64;

/**
 * The fused dense step's matrix products (assembly/dense.ts) on one instance with its own
 * memory. `allocate` lays out all the step's float64 arrays at once and grows the memory a
 * single time, so the views it returns stay valid for the instance's life.
 */
export class DenseKernels {
  private constructor(private readonly wasm: Exports) {}

  static create(): DenseKernels | string {
    const module = denseModule();
    if (typeof module === 'string') return module;
    return new DenseKernels(new WebAssembly.Instance(module, {}).exports as unknown as Exports);
  }

  /** Float64 arrays of the given lengths in the instance's memory. Call once. */
  allocate(lengths: readonly number[]): Float64Array[] {
    const bytes = FIRST_ADDRESS + lengths.reduce((s, n) => s + n * 8, 0);
    const memory = this.wasm.memory;
    const missing = Math.ceil(bytes / 65536) - memory.buffer.byteLength / 65536;
    if (missing > 0) memory.grow(missing);
    let at = FIRST_ADDRESS;
    return lengths.map((n) => {
      const view = new Float64Array(memory.buffer, at, n);
      at += n * 8;
      return view;
    });
  }

  /** z = x·w + b for `rows` rows (b null: no bias). */
  forward(
    x: Float64Array,
    w: Float64Array,
    b: Float64Array | null,
    z: Float64Array,
    rows: number,
    inDim: number,
    units: number,
  ): void {
    this.wasm.forward(x.byteOffset, w.byteOffset, b ? b.byteOffset : 0, z.byteOffset, rows, inDim, units);
  }

  /** dw = xᵀ·dz and db = column sums of dz (db null: no bias). */
  weightGrads(
    x: Float64Array,
    dz: Float64Array,
    dw: Float64Array,
    db: Float64Array | null,
    rows: number,
    inDim: number,
    units: number,
  ): void {
    this.wasm.weightGrads(x.byteOffset, dz.byteOffset, dw.byteOffset, db ? db.byteOffset : 0, rows, inDim, units);
  }

  /** dx = dz·wᵀ. */
  inputGrad(dz: Float64Array, w: Float64Array, dx: Float64Array, rows: number, inDim: number, units: number): void {
    this.wasm.inputGrad(dz.byteOffset, w.byteOffset, dx.byteOffset, rows, inDim, units);
  }
}
