import { checkOptions, optionKeys } from '../../core/options.js';
import type {
  Backend,
  BinaryOp,
  DataHandle,
  FusedActivation,
  ReduceOp,
  TensorInfo,
  UnaryOp,
  WindowGeometry,
} from '../../backend/backend.js';
import {
  BINARY_CODES,
  FIRST_BOOL_BINARY,
  REDUCE_CODES,
  REDUCE_OPS,
  UNARY_CODES,
  UNARY_OPS,
  unaryOps,
} from '../../backend/op_table.js';
import type { DType, TypedArray } from '../../core/dtype.js';
import { ValueError } from '../../core/errors.js';
import { sizeOf } from '../../core/shape.js';
import { RefBackend } from '../ref/index.js';
import { gather as refGather, scatterAdd as refScatterAdd } from '../ref/gather.js';
import { maskRowOffsets } from '../ref/transformer.js';
import { concat as refConcat, slice as refSlice, transpose as refTranspose } from '../ref/movement.js';
import { collapse, splitRange, transposePlan } from './broadcast.js';
import { BYTES, HostHandle, WasmHandle } from './handles.js';
import { Heap } from './heap.js';
import { type Epilogue, type MatmulContext, matmulF32, PARALLEL_MACS } from './matmul.js';
import {
  compileWasm,
  instantiate,
  type KernelExports,
  nodeBuiltin,
  type WasmFlavor,
  type WasmModule,
} from './module.js';
import { ThreadPool } from './pool.js';
import { ThinCopies } from './thin_copies.js';
import type { KernelName } from './protocol.js';
import { geometryArgs } from './windows.js';

/**
 * Element-wise work below this many elements stays on the calling thread (memory-bound passes
 * this small finish before a worker would be awake).
 */
const PARALLEL_ELEMENTS = 1 << 20;
/** The element types castElements converts between (assembly/cast.ts), by its codes. */
const CAST_CODES: Partial<Record<DType, number>> = { bool: 0, int32: 1, float32: 2 };
/** Concatenations with at most this many outer positions copy each input's run with one memmove. */
const CONCAT_RUNS_MAX = 64;
const INITIAL_PAGES = 256;
/** The fused activations' codes in the kernels (assembly/activation.ts). */
const ACTIVATION_CODES: Record<FusedActivation, number> = { linear: 0, relu: 1 };
const MAX_PAGES = 32768;
/**
 * Unary ops the kernel leaves to the reference code: erf, and the predicates (the kernel writes
 * float32 only). Every other op of the table has a body in assembly/elementwise.ts.
 */
const REFERENCE_UNARY: ReadonlySet<UnaryOp> = new Set(['erf', ...unaryOps.filter((op) => UNARY_OPS[op] === 'bool')]);

export interface WasmBackendOptions {
  /** Threads to compute on, the calling one included; default: every available core. */
  threads?: number;
  /**
   * Use the build with relaxed SIMD's fused multiply-add where the host runs it (default true);
   * false keeps the plain build, whose products round exactly as separate multiply and add.
   */
  fusedMultiplyAdd?: boolean;
  /**
   * Use the build over a shared memory, which worker threads can compute on (default: wherever
   * the host can share memory); false loads the single-threaded build that hosts without
   * SharedArrayBuffer run, e.g. to test it in Node.
   */
  sharedMemory?: boolean;
}

/**
 * Whether this host can share a WebAssembly memory with worker threads: Node (worker_threads),
 * or a cross-origin isolated browser page or worker (Web Workers with SharedArrayBuffer).
 */
export function threadsAvailable(): boolean {
  if (typeof SharedArrayBuffer !== 'function') return false;
  if (nodeBuiltin('worker_threads') !== undefined) return true;
  const g = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown };
  return g.crossOriginIsolated === true && typeof g.Worker === 'function';
}

/** Why this host cannot run worker threads over shared memory (undefined where it can). */
export function threadsUnavailableReason(): string | undefined {
  if (threadsAvailable()) return undefined;
  const g = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown };
  if (g.crossOriginIsolated === false)
    return 'this page is not cross-origin isolated, so it cannot share memory with Web Workers; serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp';
  if (typeof SharedArrayBuffer !== 'function') return 'this host has no SharedArrayBuffer';
  return 'this host has no Web Workers';
}

let noticedSingleThread = false;

/** Says once, where more cores exist, that the backend computes on one thread and why. */
function noticeSingleThread(): void {
  const cores = availableCores();
  const why = threadsUnavailableReason();
  if (noticedSingleThread || cores < 2 || why === undefined) return;
  noticedSingleThread = true;
  console.warn(`myelin: the wasm backend computes on 1 of ${cores} cores: ${why}.`);
}

/** Cores this host offers (1 where it cannot tell). */
export function availableCores(): number {
  const os = nodeBuiltin<typeof import('node:os')>('os');
  if (os) return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
}

/**
 * The WebAssembly SIMD backend: float32, int32 and bool tensors live on one WebAssembly heap
 * shared by a pool of worker threads; matmul, element-wise ops, reductions, softmax and Adam run
 * as SIMD kernels split across the threads. float64 tensors stay in JavaScript memory and use
 * the reference kernels (so gradient checks run unchanged), as do the rarer kernels (movement,
 * gather, int32 arithmetic): they read the heap in place and copy the result in.
 *
 * @example
 * registerWasmBackend(); setBackend('wasm');
 * matMul(randomNormal([512, 512]), randomNormal([512, 512]));
 */
export class WasmBackend implements Backend {
  readonly name = 'wasm';
  readonly heap: Heap;
  readonly kernels: KernelExports;
  #pool: ThreadPool | null = null;
  #threads: number;
  readonly #module: WasmModule;
  readonly #ref = new RefBackend();
  readonly #scratch: number[] = [];
  readonly #thinCopies: ThinCopies;
  /** What products need from this backend (made once: a one-sample product is a few microseconds). */
  readonly #matmulContext: MatmulContext;
  /** Blocks of tensors nobody disposed are freed by the memory tracker when they are collected. */
  readonly freesOnCollect = true;
  /** Which build runs: shared memory or not, with fused multiply-add ("-fma") or not. */
  readonly flavor: WasmFlavor;

  constructor(options: WasmBackendOptions = {}) {
    checkOptions(
      'registerWasmBackend',
      options,
      optionKeys<WasmBackendOptions>({ threads: true, fusedMultiplyAdd: true, sharedMemory: true }),
    );
    const shared = (options.sharedMemory ?? true) && threadsAvailable();
    const { module, flavor } = compileWasm(shared ? 'threads' : 'single', options.fusedMultiplyAdd ?? true);
    this.#module = module;
    this.flavor = flavor;
    const memory = new WebAssembly.Memory(
      shared
        ? { initial: INITIAL_PAGES, maximum: MAX_PAGES, shared: true }
        : { initial: INITIAL_PAGES, maximum: MAX_PAGES },
    );
    this.kernels = instantiate(this.#module, memory);
    this.heap = new Heap(memory, this.kernels.heapBase());
    this.#thinCopies = new ThinCopies(this.heap, this.kernels);
    const backend = this;
    this.#matmulContext = {
      heap: this.heap,
      kernels: this.kernels,
      get pool() {
        return backend.#pool;
      },
      threads: () => this.#threads,
      scratch: (t: number) => this.#scratchOf(t),
      thinCopy: (b: TensorInfo, k: number, n: number) => this.#thinCopies.of(b, k, n),
    };
    this.#threads = shared ? Math.max(1, Math.floor(options.threads ?? availableCores())) : 1;
    if (!shared && (options.sharedMemory ?? true)) noticeSingleThread();
  }

  /** Threads kernels are split across (the calling thread included). */
  get threads(): number {
    return this.#threads;
  }

  /** Threads that can take work right now (workers start in the background). */
  get readyThreads(): number {
    return this.#pool ? this.#pool.readyThreads : 1;
  }

  /** Changes the number of threads; new workers start in the background. */
  setThreads(n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new ValueError(`setThreadCount: expected an integer >= 1, got ${n}`);
    if (!threadsAvailable()) n = 1;
    // The single-threaded build's memory cannot be shared with workers.
    if (this.flavor.startsWith('single')) n = 1;
    if (n === this.#threads) return;
    void this.#pool?.terminate();
    this.#pool = null;
    this.#threads = n;
  }

  /**
   * Starts the worker threads now. Otherwise they start at the first kernel big enough to share:
   * a small model (the Boston regression) never pays for them, and a starting worker (tens of
   * milliseconds of a core) does not compete with a short run that cannot use it.
   */
  startWorkers(): void {
    if (this.#pool === null && this.#threads > 1) this.#startPool();
  }

  /** Stops the worker threads (the backend keeps working on the calling thread). */
  async shutdown(): Promise<void> {
    await this.#pool?.terminate();
    this.#pool = null;
    this.#threads = 1;
  }

  #startPool(): void {
    this.#pool =
      this.#threads > 1 ? new ThreadPool(this.#module, this.heap.memory, this.kernels, this.#threads - 1) : null;
  }

  #parts(work: number, grain: number): number {
    if (work < grain) return 1;
    if (this.#pool === null) {
      this.startWorkers();
      return 1;
    }
    return Math.min(this.#threads, this.#pool.readyThreads, Math.ceil(work / grain));
  }

  #scratchOf(thread: number): number {
    while (this.#scratch.length <= thread) this.#scratch.push(this.heap.alloc(this.kernels.gemmScratchBytes()));
    return this.#scratch[thread];
  }

  // ---- memory ----

  #alloc(length: number, dtype: DType): WasmHandle {
    const bytes = Math.max(1, length * BYTES[dtype]);
    // No finalizer per handle (it cost more than a small op): every handle is wrapped in a
    // tensor, and the memory tracker frees it when its last tensor is collected.
    return new WasmHandle(this.heap.alloc(bytes), bytes, length, dtype);
  }

  /** A typed array over the tensor's memory (no copy). Invalid after the next allocation. */
  view(t: TensorInfo): TypedArray {
    const h = t.handle;
    if (h instanceof HostHandle) return h.values;
    const w = h as WasmHandle;
    if (w.ptr < 0) throw new ValueError('wasm backend: this tensor was disposed');
    switch (w.dtype) {
      case 'float32':
        return this.heap.f32.subarray(w.ptr >> 2, (w.ptr >> 2) + w.length);
      case 'int32':
        return this.heap.i32.subarray(w.ptr >> 2, (w.ptr >> 2) + w.length);
      default:
        return this.heap.u8.subarray(w.ptr, w.ptr + w.length);
    }
  }

  #adopt(values: TypedArray): DataHandle {
    if (values instanceof Float64Array) return new HostHandle(values);
    const dtype: DType = values instanceof Float32Array ? 'float32' : values instanceof Int32Array ? 'int32' : 'bool';
    const h = this.#alloc(values.length, dtype);
    (this.view({ handle: h, shape: [], dtype }) as TypedArray).set(values as ArrayLike<number> as never);
    return h;
  }

  /** Runs a reference kernel on in-place views of the inputs and moves its result to this heap. */
  #viaRef(fn: (ref: RefBackend, info: (t: TensorInfo) => TensorInfo) => DataHandle): DataHandle {
    const out = fn(this.#ref, (t) => ({ handle: this.view(t), shape: t.shape, dtype: t.dtype }));
    return this.#adopt(out as TypedArray);
  }

  upload(values: TypedArray, dtype: DType): DataHandle {
    if (dtype === 'float64') return new HostHandle(Float64Array.from(values as ArrayLike<number>));
    const h = this.#alloc(values.length, dtype);
    (this.view({ handle: h, shape: [], dtype }) as TypedArray).set(values as ArrayLike<number> as never);
    return h;
  }

  read(t: TensorInfo): TypedArray {
    return this.view(t).slice();
  }

  async readAsync(t: TensorInfo): Promise<TypedArray> {
    return this.read(t);
  }

  dispose(handle: DataHandle): void {
    if (!(handle instanceof WasmHandle) || handle.ptr < 0) return;
    if (handle.thinCopy) this.#thinCopies.release(handle);
    this.heap.free(handle.ptr, handle.bytes);
    handle.ptr = -1;
  }

  // ---- kernels ----

  fill(size: number, value: number, dtype: DType): DataHandle {
    if (dtype === 'float64') return new HostHandle(new Float64Array(size).fill(value));
    const h = this.#alloc(size, dtype);
    this.view({ handle: h, shape: [], dtype }).fill(value);
    return h;
  }

  cast(x: TensorInfo, dtype: DType): DataHandle {
    const from = CAST_CODES[x.dtype],
      to = CAST_CODES[dtype];
    // float32 to int32 truncates and wraps as JavaScript does: the reference's loop.
    if (
      from !== undefined &&
      to !== undefined &&
      from !== to &&
      (to !== CAST_CODES.int32 || from === CAST_CODES.bool)
    ) {
      const n = sizeOf(x.shape);
      const out = this.#alloc(n, dtype);
      if (n > 0) this.#split('castElements', n, n, [(x.handle as WasmHandle).ptr, from, out.ptr, to]);
      return out;
    }
    // To float32 the reference converts with a typed-array copy: done here straight into the heap.
    if (dtype === 'float32' && x.dtype !== 'float64')
      return this.#moveInto(sizeOf(x.shape), dtype, (out, v) => out.set(v(x) as never));
    return this.#viaRef((r, i) => r.cast(i(x), dtype));
  }

  unary(op: UnaryOp, x: TensorInfo): DataHandle {
    if (x.dtype !== 'float32' || REFERENCE_UNARY.has(op)) return this.#viaRef((r, i) => r.unary(op, i(x)));
    const code = UNARY_CODES[op];
    const n = sizeOf(x.shape);
    const out = this.#alloc(n, 'float32');
    const xp = (x.handle as WasmHandle).ptr;
    const parts = this.#parts(n, PARALLEL_ELEMENTS);
    if (parts === 1) this.kernels.unary(code, xp, out.ptr, 0, n);
    else
      this.#pool!.run(
        'unary',
        splitRange(n, parts, 4).map(([s, e]) => [code, xp, out.ptr, s, e]),
      );
    return out;
  }

  binary(op: BinaryOp, a: TensorInfo, b: TensorInfo, outShape: readonly number[], outDtype: DType): DataHandle {
    const code = BINARY_CODES[op];
    const expected: DType = code >= FIRST_BOOL_BINARY ? 'bool' : 'float32';
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || outDtype !== expected) {
      return this.#viaRef((r, i) => r.binary(op, i(a), i(b), outShape, outDtype));
    }
    const n = sizeOf(outShape);
    const out = this.#alloc(n, outDtype);
    if (n === 0) return out;
    const ap = (a.handle as WasmHandle).ptr,
      bp = (b.handle as WasmHandle).ptr;
    const { dims, sa, sb } = collapse(a.shape, b.shape, outShape);
    const outBytes = BYTES[outDtype];
    const r = dims.length;
    const cols = r === 0 ? 1 : dims[r - 1];
    const acs = r === 0 ? 0 : sa[r - 1],
      bcs = r === 0 ? 0 : sb[r - 1];
    if (r <= 1) {
      const parts = this.#parts(n, PARALLEL_ELEMENTS);
      if (parts === 1) this.kernels.binary(code, ap, 0, acs, bp, 0, bcs, out.ptr, cols, 0, 1);
      else {
        this.#pool!.run(
          'binary',
          splitRange(n, parts, 4).map(([s, e]) => [
            code,
            ap + s * acs * 4,
            0,
            acs,
            bp + s * bcs * 4,
            0,
            bcs,
            out.ptr + s * outBytes,
            e - s,
            0,
            1,
          ]),
        );
      }
      return out;
    }
    const rows = dims[r - 2],
      ars = sa[r - 2],
      brs = sb[r - 2];
    const blocks = n / (rows * cols);
    const parts = blocks === 1 ? this.#parts(n, PARALLEL_ELEMENTS) : 1;
    // Leading axes beyond the last two are walked here, one 2-d block at a time.
    let aOff = 0,
      bOff = 0;
    const counter = new Array<number>(Math.max(0, r - 2)).fill(0);
    for (let blk = 0; blk < blocks; blk++) {
      const o = out.ptr + blk * rows * cols * outBytes;
      if (parts === 1) this.kernels.binary(code, ap + aOff * 4, ars, acs, bp + bOff * 4, brs, bcs, o, cols, 0, rows);
      else
        this.#pool!.run(
          'binary',
          splitRange(rows, parts).map(([s, e]) => [code, ap, ars, acs, bp, brs, bcs, o, cols, s, e]),
        );
      for (let d = r - 3; d >= 0; d--) {
        counter[d]++;
        aOff += sa[d];
        bOff += sb[d];
        if (counter[d] < dims[d]) break;
        aOff -= sa[d] * counter[d];
        bOff -= sb[d] * counter[d];
        counter[d] = 0;
      }
    }
    return out;
  }

  where(cond: TensorInfo, a: TensorInfo, b: TensorInfo, outShape: readonly number[]): DataHandle {
    const n = sizeOf(outShape);
    // The common case (a gradient mask: full-size condition and values, or a scalar for either
    // value) as one loop over heap views; every other broadcast goes through the reference.
    const full = (t: TensorInfo) => sizeOf(t.shape) === n && t.shape.length === outShape.length;
    const fullOrScalar = (t: TensorInfo) => full(t) || sizeOf(t.shape) === 1;
    if (
      a.dtype !== 'float32' ||
      b.dtype !== 'float32' ||
      cond.dtype !== 'bool' ||
      !full(cond) ||
      !fullOrScalar(a) ||
      !fullOrScalar(b) ||
      n < 2
    ) {
      return this.#viaRef((r, i) => r.where(i(cond), i(a), i(b), outShape));
    }
    const out = this.#alloc(n, 'float32');
    const ptr = (t: TensorInfo) => (t.handle as WasmHandle).ptr;
    this.#split('select', n, n, [ptr(cond), ptr(a), full(a) ? 1 : 0, ptr(b), full(b) ? 1 : 0, out.ptr]);
    return out;
  }

  reduce(op: ReduceOp, x: TensorInfo, axes: readonly number[]): DataHandle {
    // any/all (bool results) run the reference code.
    const contiguous = axes.every((ax, i) => ax === axes[0] + i);
    if (x.dtype !== 'float32' || REDUCE_OPS[op] === 'bool' || !contiguous || axes.length === 0) {
      return this.#viaRef((r, i) => r.reduce(op, i(x), axes));
    }
    const code = REDUCE_CODES[op];
    const outer = sizeOf(x.shape.slice(0, axes[0]));
    const red = sizeOf(axes.map((ax) => x.shape[ax]));
    const inner = sizeOf(x.shape.slice(axes[axes.length - 1] + 1));
    const out = this.#alloc(outer * inner, 'float32');
    const xp = (x.handle as WasmHandle).ptr;
    const parts = outer > 1 ? Math.min(outer, this.#parts(outer * red * inner, PARALLEL_ELEMENTS)) : 1;
    if (parts === 1) this.kernels.reduce(code, xp, out.ptr, red, inner, 0, outer);
    else
      this.#pool!.run(
        'reduce',
        splitRange(outer, parts).map(([s, e]) => [code, xp, out.ptr, red, inner, s, e]),
      );
    return out;
  }

  argReduce(op: 'argMax' | 'argMin', x: TensorInfo, axis: number): DataHandle {
    return this.#viaRef((r, i) => r.argReduce(op, i(x), axis));
  }

  matmul(
    a: TensorInfo,
    b: TensorInfo,
    transposeA: boolean,
    transposeB: boolean,
    outShape: readonly number[],
  ): DataHandle {
    if (a.dtype !== 'float32' || b.dtype !== 'float32') {
      return this.#viaRef((r, i) => r.matmul(i(a), i(b), transposeA, transposeB, outShape));
    }
    return this.#product(a, b, transposeA, transposeB, outShape, { bias: 0, act: 0 });
  }

  linear(x: TensorInfo, w: TensorInfo, bias: TensorInfo | null, activation: FusedActivation): DataHandle {
    if ([x, w, ...(bias ? [bias] : [])].some((t) => t.dtype !== 'float32'))
      return this.#viaRef((r, i) => r.linear(i(x), i(w), bias && i(bias), activation));
    const epilogue = { bias: bias ? (bias.handle as WasmHandle).ptr : 0, act: ACTIVATION_CODES[activation] };
    return this.#product(x, w, false, false, [x.shape[0], w.shape[1]], epilogue);
  }

  biasActivation(x: TensorInfo, bias: TensorInfo | null, activation: FusedActivation): DataHandle {
    if (x.dtype !== 'float32' || (bias && bias.dtype !== 'float32'))
      return this.#viaRef((r, i) => r.biasActivation(i(x), bias && i(bias), activation));
    const size = sizeOf(x.shape),
      n = x.shape[x.shape.length - 1] ?? 1;
    const out = this.#alloc(size, 'float32');
    const biasPtr = bias ? (bias.handle as WasmHandle).ptr : 0;
    if (size > 0)
      this.#split('biasActRows', size / n, size, [
        (x.handle as WasmHandle).ptr,
        biasPtr,
        out.ptr,
        n,
        ACTIVATION_CODES[activation],
      ]);
    return out;
  }

  activationGrad(activation: 'relu', y: TensorInfo, dy: TensorInfo): DataHandle {
    if (y.dtype !== 'float32' || dy.dtype !== 'float32')
      return this.#viaRef((r, i) => r.activationGrad(activation, i(y), i(dy)));
    const n = sizeOf(dy.shape);
    const out = this.#alloc(n, 'float32');
    if (n > 0) this.#split('reluGrad', n, n, [(y.handle as WasmHandle).ptr, (dy.handle as WasmHandle).ptr, out.ptr]);
    return out;
  }

  #product(
    a: TensorInfo,
    b: TensorInfo,
    transposeA: boolean,
    transposeB: boolean,
    outShape: readonly number[],
    epilogue: Epilogue,
  ): DataHandle {
    const out = this.#alloc(sizeOf(outShape), 'float32');
    if (sizeOf(outShape) * (transposeA ? a.shape[a.shape.length - 2] : a.shape[a.shape.length - 1]) >= PARALLEL_MACS)
      this.startWorkers();
    // Scratch is claimed before the addresses below are taken, so no allocation moves under them.
    const parts = this.#pool ? Math.min(this.#threads, this.#pool.readyThreads) : 1;
    for (let t = 0; t < parts; t++) this.#scratchOf(t);
    matmulF32(
      this.#matmulContext,
      a,
      (a.handle as WasmHandle).ptr,
      b,
      (b.handle as WasmHandle).ptr,
      transposeA,
      transposeB,
      outShape,
      out.ptr,
      epilogue,
    );
    return out;
  }

  /**
   * Runs a reference movement kernel that writes straight into a new block of this heap (no
   * intermediate array, no copy), with `view` giving in-place views of the inputs. The block is
   * allocated first, so the views taken after it stay valid. float64 stays in JavaScript memory.
   */
  #moveInto(
    length: number,
    dtype: DType,
    fn: (out: TypedArray, view: (t: TensorInfo) => TypedArray) => void,
  ): DataHandle {
    if (dtype === 'float64') {
      const out = new Float64Array(length);
      fn(out, (t) => this.view(t));
      return new HostHandle(out);
    }
    const h = this.#alloc(length, dtype);
    fn(this.view({ handle: h, shape: [length], dtype }), (t) => this.view(t));
    return h;
  }

  transpose(x: TensorInfo, perm: readonly number[]): DataHandle {
    const plan = x.dtype === 'float64' ? null : transposePlan(x.shape, perm);
    if (!plan) return this.#moveInto(sizeOf(x.shape), x.dtype, (out, v) => refTranspose(v(x), x.shape, perm, out));
    const n = sizeOf(x.shape);
    const out = this.#alloc(n, x.dtype);
    if (n === 0) return out;
    const { dims, strides, run } = plan;
    this.#split('copyRuns', dims[0], n, [
      (x.handle as WasmHandle).ptr,
      out.ptr,
      dims[1],
      dims[2],
      dims[3],
      ...strides,
      run,
      BYTES[x.dtype],
    ]);
    return out;
  }

  slice(x: TensorInfo, begin: readonly number[], size: readonly number[], strides?: readonly number[]): DataHandle {
    return this.#moveInto(sizeOf(size), x.dtype, (out, v) => refSlice(v(x), x.shape, begin, size, strides, out));
  }

  pad(x: TensorInfo, paddings: readonly (readonly [number, number])[], value: number): DataHandle {
    return this.#viaRef((r, i) => r.pad(i(x), paddings, value));
  }

  concat(xs: readonly TensorInfo[], axis: number, outShape: readonly number[]): DataHandle {
    const dtype = xs[0].dtype;
    const outer = sizeOf(outShape.slice(0, axis));
    // Few long runs (a key/value cache growing by one position): one memmove per run.
    if (dtype !== 'float64' && outer <= CONCAT_RUNS_MAX && xs.every((x) => x.dtype === dtype)) {
      const out = this.#alloc(sizeOf(outShape), dtype);
      const bytes = BYTES[dtype];
      const runs = xs.map((x) => sizeOf(x.shape.slice(axis)) * bytes);
      const row = runs.reduce((a, b) => a + b, 0);
      const u8 = this.heap.u8;
      for (let o = 0; o < outer; o++) {
        let dst = out.ptr + o * row;
        xs.forEach((x, i) => {
          const src = (x.handle as WasmHandle).ptr + o * runs[i];
          u8.copyWithin(dst, src, src + runs[i]);
          dst += runs[i];
        });
      }
      return out;
    }
    return this.#moveInto(sizeOf(outShape), xs[0].dtype, (out, v) =>
      refConcat(
        xs.map((x) => ({ values: v(x), shape: x.shape })),
        axis,
        outShape,
        xs[0].dtype,
        out,
      ),
    );
  }

  gather(x: TensorInfo, indices: TensorInfo, axis: number): DataHandle {
    const outer = sizeOf(x.shape.slice(0, axis)),
      count = sizeOf(indices.shape),
      inner = sizeOf(x.shape.slice(axis + 1));
    if (x.dtype === 'float64' || indices.dtype !== 'int32')
      return this.#moveInto(outer * count * inner, x.dtype, (out, v) =>
        refGather(v(x), x.shape, v(indices), axis, x.dtype, out),
      );
    const out = this.#alloc(outer * count * inner, x.dtype);
    if (outer * count * inner > 0) {
      const ptr = (t: TensorInfo) => (t.handle as WasmHandle).ptr;
      this.kernels.gatherRuns(ptr(x), ptr(indices), out.ptr, outer, x.shape[axis], count, inner * BYTES[x.dtype]);
    }
    return out;
  }

  scatterAdd(updates: TensorInfo, indices: TensorInfo, axis: number, outShape: readonly number[]): DataHandle {
    return this.#moveInto(sizeOf(outShape), updates.dtype, (out, v) =>
      refScatterAdd(v(updates), updates.shape, v(indices), axis, outShape, updates.dtype, out),
    );
  }

  // ---- optional fused kernels (float32 on the heap; other dtypes through the reference) ----

  /** Runs `kernel` over 0..total split in ranges across the threads; each call gets (..., start, end). */
  #split(kernel: KernelName, total: number, work: number, head: number[]): void {
    const parts = Math.min(total, this.#parts(work, PARALLEL_ELEMENTS));
    if (parts <= 1) (this.kernels[kernel] as (...a: number[]) => void)(...head, 0, total);
    else
      this.#pool!.run(
        kernel,
        splitRange(total, parts).map(([s, e]) => [...head, s, e]),
      );
  }

  adam(
    p: TensorInfo,
    g: TensorInfo,
    m: TensorInfo,
    v: TensorInfo,
    alpha: number,
    beta1: number,
    beta2: number,
    epsilon: number,
  ): [DataHandle, DataHandle, DataHandle] {
    if ([p, g, m, v].some((t) => t.dtype !== 'float32')) {
      const i = (t: TensorInfo) => ({ handle: this.view(t), shape: t.shape, dtype: t.dtype });
      return this.#ref
        .adam(i(p), i(g), i(m), i(v), alpha, beta1, beta2, epsilon)
        .map((h) => this.#adopt(h as TypedArray)) as [DataHandle, DataHandle, DataHandle];
    }
    const n = sizeOf(p.shape);
    const outs = [this.#alloc(n, 'float32'), this.#alloc(n, 'float32'), this.#alloc(n, 'float32')];
    const ptr = (t: TensorInfo) => (t.handle as WasmHandle).ptr;
    // 1 - beta is rounded once here, as the scalar operand of the op-by-op update would be.
    // Work counts 16 per element: seven streams plus a square root and a division each.
    this.#split('adam', n, n * 16, [
      ptr(p),
      ptr(g),
      ptr(m),
      ptr(v),
      outs[0].ptr,
      outs[1].ptr,
      outs[2].ptr,
      alpha,
      1 - beta1,
      1 - beta2,
      epsilon,
    ]);
    return outs as [DataHandle, DataHandle, DataHandle];
  }

  softmax(x: TensorInfo, log: boolean): DataHandle {
    if (x.dtype !== 'float32') return this.#viaRef((r, i) => r.softmax(i(x), log));
    const n = sizeOf(x.shape),
      cols = x.shape[x.shape.length - 1] ?? 1;
    const out = this.#alloc(n, 'float32');
    if (n > 0) this.#split('softmaxRows', n / cols, n * 8, [(x.handle as WasmHandle).ptr, out.ptr, cols, log ? 1 : 0]);
    return out;
  }

  maskedSoftmax(x: TensorInfo, mask: TensorInfo): DataHandle {
    if (x.dtype !== 'float32' || mask.dtype !== 'bool') return this.#viaRef((r, i) => r.maskedSoftmax(i(x), i(mask)));
    const n = sizeOf(x.shape),
      cols = x.shape[x.shape.length - 1] ?? 1;
    const out = this.#alloc(n, 'float32');
    if (n === 0) return out;
    const rows = n / cols;
    // Where each row's mask starts: the leading axes of a broadcast mask repeat its rows.
    const table = this.heap.alloc(rows * 4);
    this.heap.u32.set(maskRowOffsets(x.shape, mask.shape), table >> 2);
    const step = mask.shape[mask.shape.length - 1] === 1 ? 0 : 1;
    this.#split('maskedSoftmaxRows', rows, n * 8, [
      (x.handle as WasmHandle).ptr,
      (mask.handle as WasmHandle).ptr,
      table,
      step,
      out.ptr,
      cols,
    ]);
    this.heap.free(table, rows * 4);
    return out;
  }

  softmaxGrad(y: TensorInfo, dy: TensorInfo, log: boolean): DataHandle {
    if (y.dtype !== 'float32' || dy.dtype !== 'float32') return this.#viaRef((r, i) => r.softmaxGrad(i(y), i(dy), log));
    const n = sizeOf(y.shape),
      cols = y.shape[y.shape.length - 1] ?? 1;
    const out = this.#alloc(n, 'float32');
    const ptr = (t: TensorInfo) => (t.handle as WasmHandle).ptr;
    if (n > 0) this.#split('softmaxGradRows', n / cols, n * 4, [ptr(y), ptr(dy), out.ptr, cols, log ? 1 : 0]);
    return out;
  }

  gelu(x: TensorInfo, approximate: boolean): DataHandle {
    if (x.dtype !== 'float32') return this.#viaRef((r, i) => r.gelu(i(x), approximate));
    const n = sizeOf(x.shape);
    const out = this.#alloc(n, 'float32');
    // Work: about 30 operations an element (an exponential, a division, two polynomials).
    if (n > 0) this.#split('gelu', n, n * 30, [(x.handle as WasmHandle).ptr, out.ptr, approximate ? 1 : 0]);
    return out;
  }

  geluWithDerivative(x: TensorInfo, approximate: boolean): [DataHandle, DataHandle] {
    if (x.dtype !== 'float32')
      return this.#manyViaRef((r, i) => r.geluWithDerivative(i(x), approximate)) as [DataHandle, DataHandle];
    const n = sizeOf(x.shape);
    const outs = [this.#alloc(n, 'float32'), this.#alloc(n, 'float32')];
    // The last partial vector goes through 32 bytes of scratch (both results), per range.
    const parts = Math.min(n, this.#parts(n * 40, PARALLEL_ELEMENTS));
    const tails = this.heap.alloc(32 * Math.max(1, parts));
    const head = [(x.handle as WasmHandle).ptr, outs[0].ptr, outs[1].ptr, approximate ? 1 : 0];
    if (n > 0) {
      if (parts <= 1) (this.kernels.geluWithDerivative as (...a: number[]) => void)(...head, tails, 0, n);
      else
        this.#pool!.run(
          'geluWithDerivative',
          splitRange(n, parts, 4).map(([s, e], p) => [...head, tails + 32 * p, s, e]),
        );
    }
    this.heap.free(tails, 32 * Math.max(1, parts));
    return outs as [DataHandle, DataHandle];
  }

  layerNorm(
    x: TensorInfo,
    gamma: TensorInfo | null,
    beta: TensorInfo | null,
    epsilon: number,
  ): [DataHandle, DataHandle, DataHandle] {
    if ([x, gamma, beta].some((t) => t && t.dtype !== 'float32'))
      return this.#manyViaRef((r, i) => r.layerNorm(i(x), gamma && i(gamma), beta && i(beta), epsilon)) as [
        DataHandle,
        DataHandle,
        DataHandle,
      ];
    const n = sizeOf(x.shape),
      cols = x.shape[x.shape.length - 1] ?? 1,
      rows = cols === 0 ? 0 : n / cols;
    const outs = [this.#alloc(n, 'float32'), this.#alloc(rows, 'float32'), this.#alloc(rows, 'float32')];
    // Address 0 tells the kernel there is no gamma (or beta).
    const ptr = (t: TensorInfo | null) => (t ? (t.handle as WasmHandle).ptr : 0);
    if (n > 0)
      this.#split('layerNorm', rows, n * 8, [ptr(x), ptr(gamma), ptr(beta), ...outs.map((o) => o.ptr), cols, epsilon]);
    return outs as [DataHandle, DataHandle, DataHandle];
  }

  layerNormGrad(
    x: TensorInfo,
    mean: TensorInfo,
    rstd: TensorInfo,
    gamma: TensorInfo | null,
    dy: TensorInfo,
  ): [DataHandle, DataHandle, DataHandle] {
    if ([x, mean, rstd, gamma, dy].some((t) => t && t.dtype !== 'float32'))
      return this.#manyViaRef((r, i) => r.layerNormGrad(i(x), i(mean), i(rstd), gamma && i(gamma), i(dy))) as [
        DataHandle,
        DataHandle,
        DataHandle,
      ];
    const n = sizeOf(x.shape),
      cols = x.shape[x.shape.length - 1] ?? 1,
      rows = cols === 0 ? 0 : n / cols;
    const outs = [this.#alloc(n, 'float32'), this.#alloc(cols, 'float32'), this.#alloc(cols, 'float32')];
    const ptr = (t: TensorInfo | null) => (t ? (t.handle as WasmHandle).ptr : 0);
    // Each part of the rows adds its Σ dy·x̂ and Σ dy into f64 accumulators of its own
    // ([parts, 2, cols]), summed and rounded once at the end.
    const parts = rows > 0 ? Math.min(rows, this.#parts(n * 12, PARALLEL_ELEMENTS)) : 1;
    const accBytes = parts * 2 * cols * 8;
    const acc = this.heap.alloc(Math.max(8, accBytes));
    this.heap.u8.fill(0, acc, acc + accBytes);
    const head = (p: number) => [
      ptr(x),
      ptr(mean),
      ptr(rstd),
      ptr(gamma),
      ptr(dy),
      outs[0].ptr,
      acc + p * 2 * cols * 8,
      acc + (p * 2 + 1) * cols * 8,
      cols,
    ];
    if (parts <= 1) (this.kernels.layerNormGrad as (...a: number[]) => void)(...head(0), 0, rows);
    else
      this.#pool!.run(
        'layerNormGrad',
        splitRange(rows, parts).map(([s, e], p) => [...head(p), s, e]),
      );
    // The accumulators are laid out [part][dGamma | dBeta]: sum each over the parts.
    this.kernels.sumPartialsF64(acc, parts, outs[1].ptr, cols, 2 * cols);
    this.kernels.sumPartialsF64(acc + cols * 8, parts, outs[2].ptr, cols, 2 * cols);
    this.heap.free(acc, Math.max(8, accBytes));
    return outs as [DataHandle, DataHandle, DataHandle];
  }

  /** A reference kernel with several results (float64 inputs), each moved to this heap. */
  #manyViaRef(fn: (ref: RefBackend, info: (t: TensorInfo) => TensorInfo) => DataHandle[]): DataHandle[] {
    const outs = fn(this.#ref, (t) => ({ handle: this.view(t), shape: t.shape, dtype: t.dtype }));
    return outs.map((h) => this.#adopt(h as TypedArray));
  }

  im2col(x: TensorInfo, g: WindowGeometry, padValue: number): DataHandle {
    if (x.dtype !== 'float32') return this.#viaRef((r, i) => r.im2col(i(x), g, padValue));
    const [n, , , c] = x.shape;
    const size = n * g.outH * g.outW * g.kH * g.kW * c;
    const out = this.#alloc(size, 'float32');
    if (size > 0)
      this.#split('im2col', n, size, [(x.handle as WasmHandle).ptr, out.ptr, ...geometryArgs(c, g), padValue]);
    return out;
  }

  col2im(cols: TensorInfo, g: WindowGeometry, imageShape: readonly number[]): DataHandle {
    if (cols.dtype !== 'float32') return this.#viaRef((r, i) => r.col2im(i(cols), g, imageShape));
    const [n, , , c] = imageShape;
    const out = this.#alloc(sizeOf(imageShape), 'float32');
    if (sizeOf(imageShape) > 0)
      this.#split('col2im', n, sizeOf(cols.shape), [(cols.handle as WasmHandle).ptr, out.ptr, ...geometryArgs(c, g)]);
    return out;
  }

  maxPool(x: TensorInfo, g: WindowGeometry): DataHandle {
    if (x.dtype !== 'float32') return this.#viaRef((r, i) => r.maxPool(i(x), g));
    const [n, , , c] = x.shape;
    const size = n * g.outH * g.outW * c;
    const out = this.#alloc(size, 'float32');
    if (size > 0)
      this.#split('maxPool', n, size * g.kH * g.kW, [(x.handle as WasmHandle).ptr, out.ptr, ...geometryArgs(c, g)]);
    return out;
  }

  #refInfo(t: TensorInfo): TensorInfo {
    return { handle: this.view(t), shape: t.shape, dtype: t.dtype };
  }

  // The LSTM cell runs as TypeScript loops over heap views (a few passes over small tensors,
  // where one call beats a dozen kernel launches); outputs are allocated before any view is taken.
  lstmCell(z: TensorInfo, c: TensorInfo): [DataHandle, DataHandle, DataHandle] {
    if (z.dtype !== 'float32' || c.dtype !== 'float32') {
      return this.#ref.lstmCell(this.#refInfo(z), this.#refInfo(c)).map((h) => this.#adopt(h as TypedArray)) as [
        DataHandle,
        DataHandle,
        DataHandle,
      ];
    }
    const n = sizeOf(c.shape),
      units = c.shape[c.shape.length - 1];
    const outs = [this.#alloc(4 * n, 'float32'), this.#alloc(n, 'float32'), this.#alloc(n, 'float32')];
    const ptr = (t: TensorInfo) => (t.handle as WasmHandle).ptr;
    // Work: about 60 operations per unit (five exponentials, divisions).
    if (n > 0) this.#split('lstmForward', n / units, n * 60, [ptr(z), ptr(c), ...outs.map((o) => o.ptr), units]);
    return outs as [DataHandle, DataHandle, DataHandle];
  }

  lstmCellGrad(
    which: 'cell' | 'hidden',
    gates: TensorInfo,
    state: TensorInfo,
    dy: TensorInfo,
  ): [DataHandle, DataHandle] {
    if ([gates, state, dy].some((t) => t.dtype !== 'float32')) {
      const r = this.#refInfo.bind(this);
      return this.#ref.lstmCellGrad(which, r(gates), r(state), r(dy)).map((h) => this.#adopt(h as TypedArray)) as [
        DataHandle,
        DataHandle,
      ];
    }
    const n = sizeOf(state.shape),
      units = state.shape[state.shape.length - 1];
    const outs = [this.#alloc(4 * n, 'float32'), this.#alloc(n, 'float32')];
    const ptr = (t: TensorInfo) => (t.handle as WasmHandle).ptr;
    const kernel = which === 'cell' ? 'lstmGradCell' : 'lstmGradHidden';
    if (n > 0)
      this.#split(kernel, n / units, n * 20, [ptr(gates), ptr(state), ptr(dy), outs[0].ptr, outs[1].ptr, units]);
    return outs as [DataHandle, DataHandle];
  }

  /**
   * Splits batch rows across threads for a kernel that takes them through a whole sequence (the
   * LSTM recurrence): one wake-up per sequence rather than per step. Each thread gets its row
   * range, its gemm scratch and `workFloats(rows)` floats of its own, freed afterwards.
   */
  #rowsThroughSequence(
    kernel: KernelName,
    batch: number,
    macs: number,
    workFloats: (rows: number) => number,
    head: number[],
  ): void {
    const parts = Math.min(batch, this.#parts(macs, PARALLEL_ELEMENTS));
    const ranges = splitRange(batch, parts);
    // Scratch and work first: taking addresses after every allocation keeps them valid.
    ranges.forEach((_, t) => this.#scratchOf(t));
    const work = ranges.map(([s, e]) => this.heap.alloc(Math.max(4, workFloats(e - s) * 4)));
    const lists = ranges.map(([s, e], t) => [...head, work[t], this.#scratchOf(t), s, e]);
    if (lists.length === 1) (this.kernels[kernel] as (...a: number[]) => void)(...lists[0]);
    else this.#pool!.run(kernel, lists);
    ranges.forEach(([s, e], t) => this.heap.free(work[t], Math.max(4, workFloats(e - s) * 4)));
  }

  lstmSequence(
    z: TensorInfo,
    u: TensorInfo,
    h0: TensorInfo,
    c0: TensorInfo,
    withGates: boolean,
  ): [DataHandle, DataHandle, DataHandle | null] {
    if ([z, u, h0, c0].some((t) => t.dtype !== 'float32')) {
      const r = this.#refInfo.bind(this);
      const [hs, cs, gates] = this.#ref.lstmSequence(r(z), r(u), r(h0), r(c0), withGates);
      return [this.#adopt(hs as TypedArray), this.#adopt(cs as TypedArray), gates && this.#adopt(gates as TypedArray)];
    }
    const [steps, batch, width] = z.shape;
    const units = width / 4;
    const hs = this.#alloc(steps * batch * units, 'float32'),
      cs = this.#alloc(steps * batch * units, 'float32');
    const gates = withGates ? this.#alloc(steps * batch * width, 'float32') : null;
    const ptr = (t: TensorInfo) => (t.handle as WasmHandle).ptr;
    // One to three rows read the recurrent kernel as one-row products do: from a packed copy once it has one.
    const packedU = batch < 4 && steps > 0 ? this.#thinCopies.of(u, units, width) : 0;
    if (steps * batch * units > 0)
      this.#rowsThroughSequence(
        'lstmSequenceRows',
        batch,
        steps * batch * width * units,
        (rows) => (withGates ? 1 : rows * width),
        [ptr(z), ptr(u), packedU, ptr(h0), ptr(c0), hs.ptr, cs.ptr, gates ? gates.ptr : 0, steps, batch, units],
      );
    return [hs, cs, gates];
  }

  lstmSequenceGrad(
    gates: TensorInfo,
    cs: TensorInfo,
    c0: TensorInfo,
    u: TensorInfo,
    dhs: TensorInfo,
    dcs: TensorInfo | null,
  ): [DataHandle, DataHandle, DataHandle] {
    const all = dcs ? [gates, cs, c0, u, dhs, dcs] : [gates, cs, c0, u, dhs];
    if (all.some((t) => t.dtype !== 'float32')) {
      const r = this.#refInfo.bind(this);
      return this.#ref
        .lstmSequenceGrad(r(gates), r(cs), r(c0), r(u), r(dhs), dcs && r(dcs))
        .map((h) => this.#adopt(h as TypedArray)) as [DataHandle, DataHandle, DataHandle];
    }
    const [steps, batch, width] = gates.shape;
    const units = width / 4;
    const dz = this.#alloc(steps * batch * width, 'float32'),
      dh0 = this.#alloc(batch * units, 'float32'),
      dc0 = this.#alloc(batch * units, 'float32');
    const ptr = (t: TensorInfo) => (t.handle as WasmHandle).ptr;
    if (batch * units > 0)
      this.#rowsThroughSequence(
        'lstmSequenceGradRows',
        batch,
        steps * batch * width * units,
        (rows) => 2 * rows * units,
        [
          ptr(gates),
          ptr(cs),
          ptr(c0),
          ptr(u),
          ptr(dhs),
          dcs ? ptr(dcs) : 0,
          dz.ptr,
          dh0.ptr,
          dc0.ptr,
          steps,
          batch,
          units,
        ],
      );
    return [dz, dh0, dc0];
  }

  maxPoolGrad(x: TensorInfo, y: TensorInfo, dy: TensorInfo, g: WindowGeometry): DataHandle {
    if (x.dtype !== 'float32') return this.#viaRef((r, i) => r.maxPoolGrad(i(x), i(y), i(dy), g));
    const [n, , , c] = x.shape;
    const out = this.#alloc(sizeOf(x.shape), 'float32');
    const ptr = (t: TensorInfo) => (t.handle as WasmHandle).ptr;
    if (sizeOf(x.shape) > 0)
      this.#split('maxPoolGrad', n, sizeOf(y.shape) * g.kH * g.kW * 2, [
        ptr(x),
        ptr(y),
        ptr(dy),
        out.ptr,
        ...geometryArgs(c, g),
      ]);
    return out;
  }
}
