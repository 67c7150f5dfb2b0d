import type { GpuBuffer, GpuDevice } from './gpu_types.js';
import type {
  Backend,
  BinaryOp,
  DataHandle,
  ReduceOp,
  TensorInfo,
  UnaryOp,
  WindowGeometry,
} from '../../backend/backend.js';
import { UNARY_OPS } from '../../backend/op_table.js';
import { allocArray, arrayTypeOf, type DType, type TypedArray } from '../../core/dtype.js';
import { ValueError, fmtShape } from '../../core/errors.js';
import { sizeOf, stridesOf } from '../../core/shape.js';
import { RefBackend } from '../ref/index.js';
import { hostValues, noticeOnce } from './cpu_fallback.js';
import { GpuHandle, HostHandle } from './handles.js';
import { KernelRunner } from './runner.js';
import { adamShader, lstmCellGradShader, lstmCellShader, softmaxShader } from './shaders/fused.js';
import { col2imShader, geometryParams, im2colShader, maxPoolGradShader, maxPoolShader } from './shaders/windows.js';
import { argReduceShader, reduceGroupShader, reduceThreadShader, REDUCE_GROUP } from './shaders/reduce.js';
import { binaryShader, castShader, fillShader, unaryShader, whereShader } from './shaders/elementwise.js';
import { storageType } from './shaders/common.js';
import { TILE, matmulShader } from './shaders/matmul.js';
import { gatherShader, scatterAddShader, stridedCopyShader } from './shaders/movement.js';
import { broadcastStrides, mergeDims, offsetsParams } from './shaders/strided.js';

/** float32 tensors up to this many elements keep a CPU copy of uploaded values (int32 and bool always do). */
const MIRROR_ELEMENTS = 1 << 20;
/** Rows at least this long are reduced by a whole workgroup each. */
const LONG_ROW = 1024;

/** The bit pattern of `x` rounded to float32, for a kernel's u32 params. */
function f32Bits(x: number): number {
  return new Uint32Array(Float32Array.of(x).buffer)[0];
}

const SYNC_READ =
  'webgpu backend: GPU memory cannot be read synchronously (dataSync(), arraySync(), item(), print()); use `await tensor.data()` or `await tensor.array()` instead';

/**
 * The WebGPU backend: float32, int32 and bool tensors live in GPU buffers and every kernel of the
 * contract is a WGSL compute shader. Kernels only record work and return a handle at once; the
 * GPU runs it in batches, and values come back through `await tensor.data()`. float64 tensors
 * (WebGPU has no float64) stay on the CPU and use the reference kernels, with a one-time notice.
 *
 * @example
 * await initWebGPU(); setBackend('webgpu');
 * const y = matMul(randomNormal([512, 512]), randomNormal([512, 512]));
 * console.log(await y.data());
 */
export class WebGPUBackend implements Backend {
  readonly name = 'webgpu';
  readonly syncReads = false;
  readonly runner: KernelRunner;
  readonly #ref = new RefBackend();
  /**
   * Whether casts, slices, gathers and comparisons of data that has a CPU copy are computed on
   * the CPU too, so ids and masks stay readable synchronously (see #keepOnCpu). The kernel
   * conformance tests turn it off to exercise the shaders on uploaded data.
   */
  keepIndexDataOnCpu = true;
  readonly #collected: FinalizationRegistry<GpuBuffer>;

  constructor(
    readonly device: GpuDevice,
    readonly adapter = 'unknown',
  ) {
    this.runner = new KernelRunner(device);
    // Safety net: buffers of handles nobody disposed go back to the pool when collected.
    this.#collected = new FinalizationRegistry((buffer) => this.runner.pool.release(buffer));
  }

  /** Bytes held by live tensors and kept free for reuse. */
  get memoryStats(): { liveBytes: number; freeBytes: number } {
    return this.runner.pool.stats;
  }

  /** Resolves once every kernel recorded so far has run (for timing). */
  finish(): Promise<void> {
    return this.runner.finish();
  }

  // ---- memory ----

  #alloc(length: number, dtype: DType, host: TypedArray | null = null): GpuHandle {
    const buffer = this.runner.pool.acquire(Math.max(4, length * 4));
    const h = new GpuHandle(buffer, length, dtype, host);
    this.#collected.register(h, buffer, h);
    return h;
  }

  #buf(t: TensorInfo, op: string): GpuBuffer {
    const h = t.handle;
    if (h instanceof GpuHandle) {
      if (!h.buffer) throw new ValueError(`webgpu ${op}: an input tensor of shape ${fmtShape(t.shape)} was disposed`);
      return h.buffer;
    }
    throw new ValueError(`webgpu ${op}: expected a GPU tensor, got a ${t.dtype} tensor held on the CPU`);
  }

  upload(values: TypedArray, dtype: DType): DataHandle {
    if (dtype === 'float64') return new HostHandle(Float64Array.from(values as ArrayLike<number>));
    const typed = allocArray(dtype, values.length);
    typed.set(values as ArrayLike<number>);
    const mirror = dtype !== 'float32' || values.length <= MIRROR_ELEMENTS ? typed : null;
    const h = this.#alloc(values.length, dtype, mirror);
    if (values.length > 0) this.runner.write(h.buffer!, dtype === 'bool' ? Uint32Array.from(typed) : typed);
    return h;
  }

  read(t: TensorInfo): TypedArray {
    const values = hostValues(t);
    if (values) return values.slice();
    throw new Error(SYNC_READ);
  }

  async readAsync(t: TensorInfo): Promise<TypedArray> {
    const h = t.handle;
    if (h instanceof HostHandle) return h.values.slice();
    const g = h as GpuHandle;
    if (g.host) return g.host.slice();
    const bytes = await this.runner.read(this.#buf(t, 'read'), g.length * 4);
    if (g.dtype === 'bool') return Uint8Array.from(new Uint32Array(bytes));
    return new (arrayTypeOf(g.dtype))(bytes);
  }

  dispose(handle: DataHandle): void {
    if (!(handle instanceof GpuHandle) || !handle.buffer) return;
    this.#collected.unregister(handle);
    this.runner.pool.release(handle.buffer);
    handle.buffer = null;
    handle.host = null;
  }

  // ---- CPU fallback (float64) ----

  #onCpu(
    op: string,
    inputs: readonly TensorInfo[],
    run: (ref: RefBackend, info: (t: TensorInfo) => TensorInfo) => DataHandle,
  ): DataHandle {
    return this.#onCpuMany(op, inputs, (r, info) => [run(r, info)])[0];
  }

  /** `#onCpu` for a reference kernel with several results (the float64 fused kernels). */
  #onCpuMany(
    op: string,
    inputs: readonly TensorInfo[],
    run: (ref: RefBackend, info: (t: TensorInfo) => TensorInfo) => DataHandle[],
  ): DataHandle[] {
    noticeOnce(op, 'WebGPU has no float64');
    const info = (t: TensorInfo): TensorInfo => {
      const v = hostValues(t);
      if (!v) {
        throw new ValueError(
          `webgpu ${op}: mixing a float64 tensor with a ${t.dtype} tensor (shape ${fmtShape(t.shape)}) computed on the GPU needs a synchronous read; cast with \`await tensor.data()\` first, or keep float64 work on the 'ref' backend`,
        );
      }
      return { handle: v, shape: t.shape, dtype: t.dtype };
    };
    for (const t of inputs) info(t);
    return run(this.#ref, info).map((h) => {
      const out = h as TypedArray;
      return out instanceof Float64Array ? new HostHandle(out) : this.upload(out, dtypeOfArray(out));
    });
  }

  /**
   * Index-like data (token ids, labels, masks, the rows of a batch) usually starts on the CPU,
   * and layers check it there (an embedding's ids, a recurrent layer's mask). When every input
   * of a movement, cast or comparison has a CPU copy and the result is small, the result is
   * computed on the CPU too and uploaded, so it keeps a CPU copy and those checks work without a
   * GPU read. Returns null when it does not apply.
   */
  #keepOnCpu(
    inputs: readonly TensorInfo[],
    n: number,
    dtype: DType,
    run: (ref: RefBackend, info: (t: TensorInfo) => TensorInfo) => DataHandle,
  ): DataHandle | null {
    if (!this.keepIndexDataOnCpu || (dtype === 'float32' && n > MIRROR_ELEMENTS)) return null;
    const hosts = inputs.map(hostValues);
    if (hosts.some((v) => v === null)) return null;
    const out = run(this.#ref, (t) => ({
      handle: hosts[inputs.indexOf(t)]!,
      shape: t.shape,
      dtype: t.dtype,
    })) as TypedArray;
    return this.upload(out, dtype);
  }

  // ---- kernels ----

  fill(size: number, value: number, dtype: DType): DataHandle {
    if (dtype === 'float64') return new HostHandle(new Float64Array(size).fill(value));
    const mirror = dtype !== 'float32' || size <= MIRROR_ELEMENTS ? allocArray(dtype, size).fill(value) : null;
    const h = this.#alloc(size, dtype, mirror);
    const bits =
      dtype === 'float32'
        ? f32Bits(value)
        : dtype === 'int32'
          ? Int32Array.of(value)[0] >>> 0
          : Uint8Array.of(value)[0];
    this.runner.dispatch(fillShader(storageType(dtype)), [h.buffer!], [size, bits], this.runner.groups1d(size));
    return h;
  }

  cast(x: TensorInfo, dtype: DType): DataHandle {
    if (x.dtype === 'float64' || dtype === 'float64') return this.#onCpu('cast', [x], (r, i) => r.cast(i(x), dtype));
    const n = sizeOf(x.shape);
    const kept = this.#keepOnCpu([x], n, dtype, (r, i) => r.cast(i(x), dtype));
    if (kept) return kept;
    const out = this.#alloc(n, dtype);
    const code = castShader(storageType(x.dtype), storageType(dtype));
    this.runner.dispatch(code, [this.#buf(x, 'cast'), out.buffer!], [n], this.runner.groups1d(n));
    return out;
  }

  unary(op: UnaryOp, x: TensorInfo): DataHandle {
    if (x.dtype === 'float64') return this.#onCpu(op, [x], (r, i) => r.unary(op, i(x)));
    const outDtype: DType = UNARY_OPS[op] === 'bool' ? 'bool' : x.dtype;
    const n = sizeOf(x.shape);
    const out = this.#alloc(n, outDtype);
    const code = unaryShader(op, storageType(x.dtype), storageType(outDtype));
    this.runner.dispatch(code, [this.#buf(x, op), out.buffer!], [n], this.runner.groups1d(n));
    return out;
  }

  binary(op: BinaryOp, a: TensorInfo, b: TensorInfo, outShape: readonly number[], outDtype: DType): DataHandle {
    if (a.dtype === 'float64' || b.dtype === 'float64' || outDtype === 'float64') {
      return this.#onCpu(op, [a, b], (r, i) => r.binary(op, i(a), i(b), outShape, outDtype));
    }
    const n = sizeOf(outShape);
    if (outDtype === 'bool') {
      const kept = this.#keepOnCpu([a, b], n, outDtype, (r, i) => r.binary(op, i(a), i(b), outShape, outDtype));
      if (kept) return kept;
    }
    const out = this.#alloc(n, outDtype);
    const g = broadcastStrides([a.shape, b.shape], outShape);
    const code = binaryShader(op, storageType(a.dtype), storageType(b.dtype), storageType(outDtype), g.dims.length);
    this.runner.dispatch(
      code,
      [this.#buf(a, op), this.#buf(b, op), out.buffer!],
      [n, ...offsetsParams(g)],
      this.runner.groups1d(n),
    );
    return out;
  }

  where(cond: TensorInfo, a: TensorInfo, b: TensorInfo, outShape: readonly number[]): DataHandle {
    if (a.dtype === 'float64' || b.dtype === 'float64') {
      return this.#onCpu('where', [cond, a, b], (r, i) => r.where(i(cond), i(a), i(b), outShape));
    }
    const c = cond.dtype === 'bool' ? cond : { ...cond, handle: this.cast(cond, 'bool'), dtype: 'bool' as DType };
    const bb = b.dtype === a.dtype ? b : { ...b, handle: this.cast(b, a.dtype), dtype: a.dtype };
    const n = sizeOf(outShape);
    const out = this.#alloc(n, a.dtype);
    const g = broadcastStrides([c.shape, a.shape, bb.shape], outShape);
    this.runner.dispatch(
      whereShader(g.dims.length),
      [this.#buf(c, 'where'), this.#buf(a, 'where'), this.#buf(bb, 'where'), out.buffer!],
      [n, ...offsetsParams(g)],
      this.runner.groups1d(n),
    );
    return out;
  }

  reduce(op: ReduceOp, x: TensorInfo, axes: readonly number[]): DataHandle {
    if (x.dtype === 'float64') return this.#onCpu(`reduce ${op}`, [x], (r, i) => r.reduce(op, i(x), axes));
    const outDtype: DType = op === 'any' || op === 'all' ? 'bool' : x.dtype;
    const shape = x.shape;
    let source = x;
    let outer: number, red: number, inner: number;
    const contiguous = axes.every((ax, i) => ax === axes[0] + i);
    if (axes.length === 0) {
      [outer, red, inner] = [sizeOf(shape), 1, 1];
    } else if (contiguous) {
      outer = sizeOf(shape.slice(0, axes[0]));
      red = sizeOf(axes.map((ax) => shape[ax]));
      inner = sizeOf(shape.slice(axes[axes.length - 1] + 1));
    } else {
      // Scattered axes: move them last, then reduce contiguous rows.
      const kept = shape.map((_, d) => d).filter((d) => !axes.includes(d));
      const perm = [...kept, ...axes];
      source = { handle: this.transpose(x, perm), shape: perm.map((p) => shape[p]), dtype: x.dtype };
      [outer, red, inner] = [sizeOf(kept.map((d) => shape[d])), sizeOf(axes.map((ax) => shape[ax])), 1];
    }
    const outputs = outer * inner;
    const out = this.#alloc(outputs, outDtype);
    const s = storageType(x.dtype);
    const input = this.#buf(source, `reduce ${op}`);
    if (inner === 1 && red >= LONG_ROW) {
      const groups = this.runner.groups1d(outputs * REDUCE_GROUP);
      this.runner.dispatch(reduceGroupShader(op, s), [input, out.buffer!], [outputs, red], groups);
    } else {
      this.runner.dispatch(
        reduceThreadShader(op, s),
        [input, out.buffer!],
        [outputs, red, inner],
        this.runner.groups1d(outputs),
      );
    }
    if (source !== x) this.dispose(source.handle);
    return out;
  }

  argReduce(op: 'argMax' | 'argMin', x: TensorInfo, axis: number): DataHandle {
    if (x.dtype === 'float64') return this.#onCpu(op, [x], (r, i) => r.argReduce(op, i(x), axis));
    const outer = sizeOf(x.shape.slice(0, axis)),
      len = x.shape[axis],
      inner = sizeOf(x.shape.slice(axis + 1));
    const n = outer * inner;
    const out = this.#alloc(n, 'int32');
    this.runner.dispatch(
      argReduceShader(op, storageType(x.dtype)),
      [this.#buf(x, op), out.buffer!],
      [n, len, inner],
      this.runner.groups1d(n),
    );
    return out;
  }

  matmul(
    a: TensorInfo,
    b: TensorInfo,
    transposeA: boolean,
    transposeB: boolean,
    outShape: readonly number[],
  ): DataHandle {
    const t =
      a.dtype === 'float32' && b.dtype === 'float32'
        ? 'f32'
        : a.dtype === 'int32' && b.dtype === 'int32'
          ? 'i32'
          : null;
    if (t === null)
      return this.#onCpu(`matmul ${a.dtype}x${b.dtype}`, [a, b], (r, i) =>
        r.matmul(i(a), i(b), transposeA, transposeB, outShape),
      );
    const r = outShape.length;
    const M = outShape[r - 2],
      N = outShape[r - 1];
    const K = transposeA ? a.shape[a.shape.length - 2] : a.shape[a.shape.length - 1];
    const batchShape = outShape.slice(0, r - 2);
    const g = broadcastStrides([a.shape.slice(0, -2), b.shape.slice(0, -2)], batchShape);
    if (g.dims.length > 4)
      throw new ValueError(
        `webgpu matmul: at most 4 independent batch dims are supported, got output shape ${fmtShape(outShape)}`,
      );
    const pad4 = (v: number[], fill: number) => [...v, ...new Array(4 - v.length).fill(fill)];
    const batch = sizeOf(batchShape);
    const params = [
      M,
      N,
      K,
      g.dims.length,
      ...pad4(g.dims, 1),
      ...pad4(
        g.strides[0].map((s) => s * M * K),
        0,
      ),
      ...pad4(
        g.strides[1].map((s) => s * K * N),
        0,
      ),
    ];
    const out = this.#alloc(sizeOf(outShape), a.dtype);
    this.runner.dispatch(
      matmulShader(t, transposeA, transposeB),
      [this.#buf(a, 'matmul'), this.#buf(b, 'matmul'), out.buffer!],
      params,
      [Math.ceil(N / TILE), Math.ceil(M / TILE), batch],
    );
    return out;
  }

  /** Copies the strided view (`readBase`, `readStrides`) of x into `out` at (`writeBase`, `writeStrides`), over `dims`. */
  #copy(
    x: TensorInfo,
    out: GpuBuffer,
    dims: number[],
    readBase: number,
    readStrides: number[],
    writeBase: number,
    writeStrides: number[],
    op: string,
  ): void {
    const n = sizeOf(dims);
    const g = mergeDims(dims, [readStrides, writeStrides]);
    this.runner.dispatch(
      stridedCopyShader(g.dims.length),
      [this.#buf(x, op), out],
      [n, readBase, writeBase, ...offsetsParams(g)],
      this.runner.groups1d(n),
    );
  }

  transpose(x: TensorInfo, perm: readonly number[]): DataHandle {
    if (x.dtype === 'float64') return this.#onCpu('transpose', [x], (r, i) => r.transpose(i(x), perm));
    const outShape = perm.map((p) => x.shape[p]);
    const inStrides = stridesOf(x.shape);
    const out = this.#alloc(sizeOf(outShape), x.dtype);
    this.#copy(
      x,
      out.buffer!,
      outShape,
      0,
      perm.map((p) => inStrides[p]),
      0,
      stridesOf(outShape),
      'transpose',
    );
    return out;
  }

  slice(x: TensorInfo, begin: readonly number[], size: readonly number[], strides?: readonly number[]): DataHandle {
    if (x.dtype === 'float64') return this.#onCpu('slice', [x], (r, i) => r.slice(i(x), begin, size, strides));
    const kept = this.#keepOnCpu([x], sizeOf(size), x.dtype, (r, i) => r.slice(i(x), begin, size, strides));
    if (kept) return kept;
    const inStrides = stridesOf(x.shape);
    const step = strides ?? begin.map(() => 1);
    const base = begin.reduce((acc, b, d) => acc + b * inStrides[d], 0);
    const out = this.#alloc(sizeOf(size), x.dtype);
    this.#copy(
      x,
      out.buffer!,
      [...size],
      base,
      inStrides.map((s, d) => s * step[d]),
      0,
      stridesOf(size),
      'slice',
    );
    return out;
  }

  pad(x: TensorInfo, paddings: readonly (readonly [number, number])[], value: number): DataHandle {
    if (x.dtype === 'float64') return this.#onCpu('pad', [x], (r, i) => r.pad(i(x), paddings, value));
    const outShape = x.shape.map((d, i) => d + paddings[i][0] + paddings[i][1]);
    const out = this.fill(sizeOf(outShape), value, x.dtype) as GpuHandle;
    out.host = null;
    const outStrides = stridesOf(outShape);
    const base = paddings.reduce((acc, [before], d) => acc + before * outStrides[d], 0);
    this.#copy(x, out.buffer!, [...x.shape], 0, stridesOf(x.shape), base, outStrides, 'pad');
    return out;
  }

  concat(xs: readonly TensorInfo[], axis: number, outShape: readonly number[]): DataHandle {
    if (xs.some((x) => x.dtype === 'float64'))
      return this.#onCpu('concat', xs, (r, i) => r.concat(xs.map(i), axis, outShape));
    const out = this.#alloc(sizeOf(outShape), xs[0].dtype);
    const outStrides = stridesOf(outShape);
    let offset = 0;
    for (const x of xs) {
      this.#copy(x, out.buffer!, [...x.shape], 0, stridesOf(x.shape), offset * outStrides[axis], outStrides, 'concat');
      offset += x.shape[axis];
    }
    return out;
  }

  #indices(indices: TensorInfo): TensorInfo {
    return indices.dtype === 'int32' ? indices : { ...indices, handle: this.cast(indices, 'int32'), dtype: 'int32' };
  }

  // ---- fused kernels ----

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
      return this.#onCpuMany('adam', [p, g, m, v], (r, i) =>
        r.adam(i(p), i(g), i(m), i(v), alpha, beta1, beta2, epsilon),
      ) as [DataHandle, DataHandle, DataHandle];
    }
    const n = sizeOf(p.shape);
    const outs = [this.#alloc(n, 'float32'), this.#alloc(n, 'float32'), this.#alloc(n, 'float32')];
    // 1 - beta is rounded to float32 here, as the reference and the wasm kernel round it.
    this.runner.dispatch(
      adamShader(),
      [
        this.#buf(p, 'adam'),
        this.#buf(g, 'adam'),
        this.#buf(m, 'adam'),
        this.#buf(v, 'adam'),
        ...outs.map((o) => o.buffer!),
      ],
      [n, f32Bits(alpha), f32Bits(1 - beta1), f32Bits(1 - beta2), f32Bits(epsilon)],
      this.runner.groups1d(n),
    );
    return outs as [DataHandle, DataHandle, DataHandle];
  }

  softmax(x: TensorInfo, log: boolean): DataHandle {
    if (x.dtype !== 'float32') return this.#onCpu(log ? 'logSoftmax' : 'softmax', [x], (r, i) => r.softmax(i(x), log));
    const n = sizeOf(x.shape);
    const cols = x.shape[x.shape.length - 1] ?? 1;
    const rows = cols === 0 ? 0 : n / cols;
    const out = this.#alloc(n, 'float32');
    const gx = Math.min(rows, 65535);
    this.runner.dispatch(
      softmaxShader(),
      [this.#buf(x, 'softmax'), out.buffer!],
      [rows, cols, log ? 1 : 0],
      [gx, gx === 0 ? 0 : Math.ceil(rows / gx), 1],
    );
    return out;
  }

  im2col(x: TensorInfo, g: WindowGeometry, padValue: number): DataHandle {
    if (x.dtype !== 'float32') return this.#onCpu('im2col', [x], (r, i) => r.im2col(i(x), g, padValue));
    const [n, , , c] = x.shape;
    const size = n * g.outH * g.outW * g.kH * g.kW * c;
    const out = this.#alloc(size, 'float32');
    this.runner.dispatch(
      im2colShader(),
      [this.#buf(x, 'im2col'), out.buffer!],
      [size, ...geometryParams(c, g), f32Bits(padValue)],
      this.runner.groups1d(size),
    );
    return out;
  }

  col2im(cols: TensorInfo, g: WindowGeometry, imageShape: readonly number[]): DataHandle {
    if (cols.dtype !== 'float32') return this.#onCpu('col2im', [cols], (r, i) => r.col2im(i(cols), g, imageShape));
    const size = sizeOf(imageShape);
    const out = this.#alloc(size, 'float32');
    this.runner.dispatch(
      col2imShader(),
      [this.#buf(cols, 'col2im'), out.buffer!],
      [size, ...geometryParams(imageShape[3], g)],
      this.runner.groups1d(size),
    );
    return out;
  }

  maxPool(x: TensorInfo, g: WindowGeometry): DataHandle {
    if (x.dtype !== 'float32') return this.#onCpu('maxPool', [x], (r, i) => r.maxPool(i(x), g));
    const [n, , , c] = x.shape;
    const size = n * g.outH * g.outW * c;
    const out = this.#alloc(size, 'float32');
    this.runner.dispatch(
      maxPoolShader(),
      [this.#buf(x, 'maxPool'), out.buffer!],
      [size, ...geometryParams(c, g)],
      this.runner.groups1d(size),
    );
    return out;
  }

  maxPoolGrad(x: TensorInfo, y: TensorInfo, dy: TensorInfo, g: WindowGeometry): DataHandle {
    if (x.dtype !== 'float32')
      return this.#onCpu('maxPoolGrad', [x, y, dy], (r, i) => r.maxPoolGrad(i(x), i(y), i(dy), g));
    const size = sizeOf(x.shape);
    const out = this.#alloc(size, 'float32');
    this.runner.dispatch(
      maxPoolGradShader(),
      [this.#buf(x, 'maxPoolGrad'), this.#buf(y, 'maxPoolGrad'), this.#buf(dy, 'maxPoolGrad'), out.buffer!],
      [size, ...geometryParams(x.shape[3], g)],
      this.runner.groups1d(size),
    );
    return out;
  }

  lstmCell(z: TensorInfo, c: TensorInfo): [DataHandle, DataHandle, DataHandle] {
    if (z.dtype !== 'float32' || c.dtype !== 'float32')
      return this.#onCpuMany('lstmCell', [z, c], (r, i) => r.lstmCell(i(z), i(c))) as [
        DataHandle,
        DataHandle,
        DataHandle,
      ];
    const n = sizeOf(c.shape),
      units = c.shape[c.shape.length - 1];
    const outs = [this.#alloc(4 * n, 'float32'), this.#alloc(n, 'float32'), this.#alloc(n, 'float32')];
    this.runner.dispatch(
      lstmCellShader(),
      [this.#buf(z, 'lstmCell'), this.#buf(c, 'lstmCell'), ...outs.map((o) => o.buffer!)],
      [n, units],
      this.runner.groups1d(n),
    );
    return outs as [DataHandle, DataHandle, DataHandle];
  }

  lstmCellGrad(
    which: 'cell' | 'hidden',
    gates: TensorInfo,
    state: TensorInfo,
    dy: TensorInfo,
  ): [DataHandle, DataHandle] {
    if ([gates, state, dy].some((t) => t.dtype !== 'float32')) {
      return this.#onCpuMany('lstmCellGrad', [gates, state, dy], (r, i) =>
        r.lstmCellGrad(which, i(gates), i(state), i(dy)),
      ) as [DataHandle, DataHandle];
    }
    const n = sizeOf(state.shape),
      units = state.shape[state.shape.length - 1];
    const outs = [this.#alloc(4 * n, 'float32'), this.#alloc(n, 'float32')];
    this.runner.dispatch(
      lstmCellGradShader(),
      [
        this.#buf(gates, 'lstmCellGrad'),
        this.#buf(state, 'lstmCellGrad'),
        this.#buf(dy, 'lstmCellGrad'),
        ...outs.map((o) => o.buffer!),
      ],
      [n, units, which === 'cell' ? 0 : 1],
      this.runner.groups1d(n),
    );
    return outs as [DataHandle, DataHandle];
  }

  gather(x: TensorInfo, indices: TensorInfo, axis: number): DataHandle {
    if (x.dtype === 'float64') return this.#onCpu('gather', [x, indices], (r, i) => r.gather(i(x), i(indices), axis));
    const outer = sizeOf(x.shape.slice(0, axis)),
      len = x.shape[axis],
      inner = sizeOf(x.shape.slice(axis + 1));
    const nIdx = sizeOf(indices.shape);
    const n = outer * nIdx * inner;
    const kept = this.#keepOnCpu([x, indices], n, x.dtype, (r, i) => r.gather(i(x), i(indices), axis));
    if (kept) return kept;
    const idx = this.#indices(indices);
    const out = this.#alloc(n, x.dtype);
    this.runner.dispatch(
      gatherShader(),
      [this.#buf(x, 'gather'), this.#buf(idx, 'gather'), out.buffer!],
      [n, len, nIdx, inner],
      this.runner.groups1d(n),
    );
    return out;
  }

  scatterAdd(updates: TensorInfo, indices: TensorInfo, axis: number, outShape: readonly number[]): DataHandle {
    if (updates.dtype !== 'float32' && updates.dtype !== 'int32') {
      return this.#onCpu('scatterAdd', [updates, indices], (r, i) =>
        r.scatterAdd(i(updates), i(indices), axis, outShape),
      );
    }
    const idx = this.#indices(indices);
    const len = outShape[axis],
      inner = sizeOf(outShape.slice(axis + 1));
    const nIdx = sizeOf(indices.shape);
    const n = sizeOf(outShape);
    const out = this.#alloc(n, updates.dtype);
    const t = updates.dtype === 'float32' ? 'f32' : 'i32';
    this.runner.dispatch(
      scatterAddShader(t),
      [this.#buf(updates, 'scatterAdd'), this.#buf(idx, 'scatterAdd'), out.buffer!],
      [n, len, nIdx, inner],
      this.runner.groups1d(n),
    );
    return out;
  }
}

function dtypeOfArray(v: TypedArray): DType {
  return v instanceof Float32Array
    ? 'float32'
    : v instanceof Int32Array
      ? 'int32'
      : v instanceof Uint8Array
        ? 'bool'
        : 'float64';
}
