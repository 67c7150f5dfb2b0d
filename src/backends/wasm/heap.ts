import type { WasmMemory } from './module.js';
/**
 * A size-class allocator over the WebAssembly memory, run from JavaScript: the kernels never
 * allocate. Freed blocks go on a free list for their class and are reused by the next request of
 * that class, which is exactly the pattern of a training loop (the same shapes every step), so
 * the heap stops growing after the first step. Blocks are 16-byte aligned for SIMD loads.
 */
const PAGE = 65536;

export class Heap {
  readonly memory: WasmMemory;
  #top: number;
  readonly #base: number;
  readonly #free = new Map<number, number[]>();
  #live = 0;
  /** Views over the whole memory; re-derived whenever the memory grows (never stale). */
  f32!: Float32Array;
  i32!: Int32Array;
  u8!: Uint8Array;
  u32!: Uint32Array;

  constructor(memory: WasmMemory, base: number) {
    this.memory = memory;
    this.#base = this.#top = align(base, 64);
    this.#refresh();
  }

  /** A block of at least `bytes` bytes; returns its address. Free it with `free(ptr, bytes)`. */
  alloc(bytes: number): number {
    const cls = sizeClass(bytes);
    const list = this.#free.get(cls);
    if (list !== undefined && list.length > 0) {
      this.#live += cls;
      return list.pop()!;
    }
    const ptr = this.#top;
    if (ptr + cls > this.u8.length) {
      this.#grow(Math.ceil((ptr + cls - this.u8.length) / PAGE)); // throws before any state changes
      this.#refresh();
    }
    this.#top += cls;
    this.#live += cls;
    return ptr;
  }

  /**
   * Grows by at least half again, so a growing heap does not re-grow on every step; near the
   * maximum size, by just what is needed.
   */
  #grow(pages: number): void {
    try {
      this.memory.grow(Math.max(pages, Math.ceil(this.u8.length / PAGE / 2)));
      return;
    } catch {
      // Fall through: half again may not fit under the maximum while the request does.
    }
    try {
      this.memory.grow(pages);
    } catch {
      throw new RangeError(
        `wasm backend: out of memory: ${(this.u8.length / 2 ** 20).toFixed(0)} MiB in use by ${(this.#live / 2 ** 20).toFixed(0)} MiB of live tensors, and ${((pages * PAGE) / 2 ** 20).toFixed(1)} MiB more cannot be added under the WebAssembly memory limit. Tensors a program drops are reclaimed by the garbage collector only when the event loop runs, which a long synchronous loop never lets happen: run each step in tidy(() => ...), dispose() what it no longer needs, or await between steps (fit, evaluate, predict, minimize and applyGradients free their own tensors). Smaller batches also help.`,
      );
    }
  }

  /** Returns a block of `bytes` (as it was requested) to its free list. */
  free(ptr: number, bytes: number): void {
    const cls = sizeClass(bytes);
    this.#live -= cls;
    let list = this.#free.get(cls);
    if (list === undefined) this.#free.set(cls, (list = []));
    list.push(ptr);
  }

  /** Bytes handed out and not yet freed. */
  get liveBytes(): number {
    return this.#live;
  }

  /** Bytes of memory the heap has ever claimed (live plus free lists). */
  get reservedBytes(): number {
    return this.#top - this.#base;
  }

  #refresh(): void {
    const buf = this.memory.buffer;
    this.f32 = new Float32Array(buf);
    this.i32 = new Int32Array(buf);
    this.u8 = new Uint8Array(buf);
    this.u32 = new Uint32Array(buf);
  }
}

function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** Small sizes round to 16 bytes; larger ones to eighths of a power of two (at most 12.5% slack). */
export function sizeClass(bytes: number): number {
  if (bytes <= 4096) return Math.max(16, align(bytes, 16));
  const step = 2 ** (Math.ceil(Math.log2(bytes)) - 3);
  return align(bytes, step);
}
