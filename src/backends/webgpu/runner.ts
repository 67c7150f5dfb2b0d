import {
  type GpuBindGroupEntry,
  type GpuBuffer,
  type GpuComputePassEncoder,
  type GpuComputePipeline,
  type GpuDevice,
  GPU_BUFFER_USAGE,
  GPU_MAP_MODE,
} from './gpu_types.js';
import { BufferPool } from './buffer_pool.js';
import { WORKGROUP } from './shaders/common.js';

/** Dispatches recorded before they are submitted in one command buffer. */
const BATCH = 64;
/** Bytes between two dispatches' params (the minimum storage-buffer offset alignment). */
const PARAM_STRIDE = 256;
const MAX_GROUPS = 65535;

type Command =
  | {
      kind: 'dispatch';
      pipeline: GpuComputePipeline;
      buffers: GpuBuffer[];
      params: number;
      groups: [number, number, number];
    }
  | { kind: 'copy'; src: GpuBuffer; dst: GpuBuffer; bytes: number };

/**
 * Records kernels and submits them in batches. Kernels return at once (the GPU works
 * asynchronously); a read flushes what is pending and waits only for its own copy.
 *
 * @example runner.dispatch(shader, [x, y], [n], runner.groups1d(n)); await runner.read(y, n * 4);
 */
export class KernelRunner {
  readonly pool: BufferPool;
  readonly #pipelines = new Map<string, GpuComputePipeline>();
  #pending: Command[] = [];
  #params: Uint32Array = new Uint32Array(BATCH * (PARAM_STRIDE / 4));
  #flushScheduled = false;

  constructor(readonly device: GpuDevice) {
    this.pool = new BufferPool(device);
  }

  #pipeline(code: string): GpuComputePipeline {
    let p = this.#pipelines.get(code);
    if (!p) {
      const module = this.device.createShaderModule({ code });
      p = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
      this.#pipelines.set(code, p);
    }
    return p;
  }

  /** Workgroup counts covering `n` threads of the 1-d kernels (spread over y past 65535 groups). */
  groups1d(n: number): [number, number, number] {
    const groups = Math.ceil(n / WORKGROUP);
    const x = Math.min(groups, MAX_GROUPS);
    return [x, Math.ceil(groups / x), 1];
  }

  /** Records a dispatch of `code` over `buffers` (bound from 1; binding 0 holds `params`, u32 or f32 words). */
  dispatch(code: string, buffers: GpuBuffer[], params: readonly number[], groups: [number, number, number]): void {
    if (groups[0] === 0 || groups[1] === 0 || groups[2] === 0) return;
    const words = PARAM_STRIDE / 4;
    if (params.length > words) throw new Error(`webgpu: ${params.length} params exceed ${words}`);
    const slot = this.#pending.filter((c) => c.kind === 'dispatch').length;
    const at = slot * words;
    if (at + words > this.#params.length) {
      const grown = new Uint32Array(this.#params.length * 2);
      grown.set(this.#params);
      this.#params = grown;
    }
    for (let i = 0; i < params.length; i++) this.#params[at + i] = params[i];
    this.#pending.push({ kind: 'dispatch', pipeline: this.#pipeline(code), buffers, params: slot, groups });
    if (slot + 1 >= BATCH) this.flush();
    else this.#scheduleFlush();
  }

  /** Records a buffer-to-buffer copy. */
  copy(src: GpuBuffer, dst: GpuBuffer, bytes: number): void {
    this.#pending.push({ kind: 'copy', src, dst, bytes });
    this.#scheduleFlush();
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    // Work starts once the caller yields, even if nothing reads it.
    setTimeout(() => {
      this.#flushScheduled = false;
      this.flush();
    }, 0);
  }

  /** Submits everything recorded so far. */
  flush(): void {
    if (this.#pending.length === 0) return;
    const commands = this.#pending;
    this.#pending = [];
    const dispatches = commands.filter((c) => c.kind === 'dispatch').length;
    let paramBuffer: GpuBuffer | null = null;
    if (dispatches > 0) {
      paramBuffer = this.device.createBuffer({
        size: dispatches * PARAM_STRIDE,
        usage: GPU_BUFFER_USAGE.STORAGE | GPU_BUFFER_USAGE.COPY_DST,
      });
      this.device.queue.writeBuffer(paramBuffer, 0, this.#params.buffer, 0, dispatches * PARAM_STRIDE);
    }
    const encoder = this.device.createCommandEncoder();
    let pass: GpuComputePassEncoder | null = null;
    for (const c of commands) {
      if (c.kind === 'copy') {
        if (pass) {
          pass.end();
          pass = null;
        }
        encoder.copyBufferToBuffer(c.src, 0, c.dst, 0, c.bytes);
        continue;
      }
      pass ??= encoder.beginComputePass();
      const entries: GpuBindGroupEntry[] = [
        { binding: 0, resource: { buffer: paramBuffer!, offset: c.params * PARAM_STRIDE, size: PARAM_STRIDE } },
      ];
      c.buffers.forEach((buffer, i) => entries.push({ binding: i + 1, resource: { buffer } }));
      pass.setPipeline(c.pipeline);
      pass.setBindGroup(0, this.device.createBindGroup({ layout: c.pipeline.getBindGroupLayout(0), entries }));
      pass.dispatchWorkgroups(...c.groups);
    }
    if (pass) pass.end();
    this.device.queue.submit([encoder.finish()]);
    paramBuffer?.destroy();
    this.pool.destroyReleased();
  }

  /** Writes host bytes into a buffer, after pending work that may still read its old contents. */
  write(buffer: GpuBuffer, data: ArrayBufferView): void {
    this.flush();
    this.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  }

  /** Copies `bytes` of a buffer back to the CPU once the kernels that write it have run. */
  async read(buffer: GpuBuffer, bytes: number): Promise<ArrayBuffer> {
    const size = Math.max(4, Math.ceil(bytes / 4) * 4);
    const staging = this.device.createBuffer({ size, usage: GPU_BUFFER_USAGE.MAP_READ | GPU_BUFFER_USAGE.COPY_DST });
    this.copy(buffer, staging, size);
    this.flush();
    await staging.mapAsync(GPU_MAP_MODE.READ);
    const out = staging.getMappedRange().slice(0, bytes);
    staging.unmap();
    staging.destroy();
    return out;
  }

  /** Resolves when every submitted kernel has finished (benchmarks time with it). */
  async finish(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
  }
}
