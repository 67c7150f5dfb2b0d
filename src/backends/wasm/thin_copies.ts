// Copies of weight matrices laid out for one-row products (assembly/thin_packed.ts). A product
// with one to three rows reads all of B for a few outputs, and row-major B makes it read 96
// bytes, then step a whole row ahead: a copy in the order the kernel reads streams instead.
// A copy is made for a buffer read this way a few times (a model's weights at batch 1, an
// LSTM's recurrent kernel), not for one read once, and freed with its buffer. Buffers are
// never written after they are made (a new value, from training or `setWeights`, is a new
// buffer), so a copy can never go stale.
import type { TensorInfo } from '../../backend/backend.js';
import type { WasmHandle } from './handles.js';
import type { Heap } from './heap.js';
import type { KernelExports } from './module.js';

/** One-row products a buffer takes part in, the one that makes the copy included. */
export const READS_BEFORE_COPY = 3;
/** Heap bytes all copies together may hold; buffers met once it is spent run unpacked. */
export const COPY_BUDGET_BYTES = 64 * 2 ** 20;

/** A buffer's packed copy: where it is and the [k, n] matrix it was packed as. */
export interface ThinCopy {
  readonly ptr: number;
  readonly bytes: number;
  readonly k: number;
  readonly n: number;
}

/**
 * The packed copies of one backend's buffers (held on the buffers' handles).
 * @example const packed = copies.of(b, k, n); // 0 until b has been read a few times
 */
export class ThinCopies {
  #bytes = 0;

  constructor(
    private readonly heap: Heap,
    private readonly kernels: KernelExports,
    private readonly budget = COPY_BUDGET_BYTES,
  ) {}

  /** Heap bytes the copies hold. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * The address of `b`'s copy packed as a [k, n] row-major matrix, made now if this is its
   * READS_BEFORE_COPY-th one-row product; 0 where there is none (too few reads yet, the budget
   * spent, or a copy of another shape of the same buffer).
   */
  of(b: TensorInfo, k: number, n: number): number {
    const h = b.handle as WasmHandle;
    const copy = h.thinCopy;
    if (copy) return copy.k === k && copy.n === n ? copy.ptr : 0;
    if (++h.thinReads < READS_BEFORE_COPY) return 0;
    const bytes = k * n * 4;
    if (bytes === 0 || this.#bytes + bytes > this.budget) return 0;
    const ptr = this.heap.alloc(bytes);
    this.kernels.packThin(h.ptr, n, k, n, ptr);
    h.thinCopy = { ptr, bytes, k, n };
    this.#bytes += bytes;
    return ptr;
  }

  /** Frees the copy of a buffer being freed. */
  release(h: WasmHandle): void {
    const copy = h.thinCopy;
    if (!copy) return;
    this.heap.free(copy.ptr, copy.bytes);
    this.#bytes -= copy.bytes;
    h.thinCopy = null;
  }
}
