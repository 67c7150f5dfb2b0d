import { type GpuBuffer, type GpuDevice, GPU_BUFFER_USAGE } from './gpu_types.js';

/** Bytes of free buffers the pool keeps for reuse before it destroys the surplus. */
const KEEP_FREE_BYTES = 512 * 1024 * 1024;

/** Rounds a request up to a size class (powers of two and the midpoints between them), so buffers are reused across nearby sizes. */
export function sizeClass(bytes: number): number {
  const b = Math.max(16, Math.ceil(bytes / 16) * 16);
  const pow = 2 ** Math.ceil(Math.log2(b));
  const mid = pow * 0.75;
  return b <= mid && Number.isInteger(mid) ? mid : pow;
}

/**
 * Storage buffers pooled by size class. A released buffer can be handed out again at once:
 * WebGPU runs a queue's work in order, so a later kernel writing it runs after every earlier
 * kernel that read it. Destruction waits for `flush` (a buffer may be named by unsubmitted work).
 *
 * @example const pool = new BufferPool(device); const b = pool.acquire(1024); pool.release(b);
 */
export class BufferPool {
  readonly #free = new Map<number, GpuBuffer[]>();
  #freeBytes = 0;
  #liveBytes = 0;
  #doomed: GpuBuffer[] = [];

  constructor(readonly device: GpuDevice) {}

  /** A storage buffer of at least `bytes` bytes (contents unspecified). */
  acquire(bytes: number): GpuBuffer {
    const size = sizeClass(bytes);
    const list = this.#free.get(size);
    this.#liveBytes += size;
    if (list && list.length > 0) {
      this.#freeBytes -= size;
      return list.pop()!;
    }
    return this.device.createBuffer({
      size,
      usage: GPU_BUFFER_USAGE.STORAGE | GPU_BUFFER_USAGE.COPY_SRC | GPU_BUFFER_USAGE.COPY_DST,
    });
  }

  /** Returns a buffer for reuse. */
  release(buffer: GpuBuffer): void {
    const size = buffer.size;
    this.#liveBytes -= size;
    if (this.#freeBytes + size > KEEP_FREE_BYTES) {
      this.#doomed.push(buffer);
      return;
    }
    let list = this.#free.get(size);
    if (!list) this.#free.set(size, (list = []));
    list.push(buffer);
    this.#freeBytes += size;
  }

  /** Destroys surplus buffers; called after pending work is submitted. */
  destroyReleased(): void {
    for (const b of this.#doomed) b.destroy();
    this.#doomed = [];
  }

  /** Bytes held by live tensors, and bytes kept free for reuse. */
  get stats(): { liveBytes: number; freeBytes: number } {
    return { liveBytes: this.#liveBytes, freeBytes: this.#freeBytes };
  }
}
