/**
 * The part of the WebGPU API this backend uses, declared here as module types, so the package's
 * declarations compile for every program: one without the DOM library or `@webgpu/types`, and
 * one whose DOM library declares WebGPU itself (these names are local, so they never clash).
 * A real `GPUDevice` from a browser or the `webgpu` package satisfies `GpuDevice` structurally.
 * @example const backend = new WebGPUBackend(await adapter.requestDevice());
 */

/** A GPU buffer: its byte size, mapping for reads, and release. */
export interface GpuBuffer {
  readonly size: number;
  mapAsync(mode: number, offset?: number, size?: number): Promise<unknown>;
  getMappedRange(offset?: number, size?: number): ArrayBuffer;
  unmap(): unknown;
  destroy(): unknown;
}

/** Opaque handles the backend only passes back to the device. */
export interface GpuShaderModule {
  readonly label: string;
}
export interface GpuBindGroupLayout {
  readonly label: string;
}
export interface GpuBindGroup {
  readonly label: string;
}
export interface GpuCommandBuffer {
  readonly label: string;
}

export interface GpuComputePipeline {
  getBindGroupLayout(index: number): GpuBindGroupLayout;
}

/** One binding of a bind group: a buffer, or a range of one. */
export interface GpuBindGroupEntry {
  binding: number;
  resource: { buffer: GpuBuffer; offset?: number; size?: number };
}

export interface GpuComputePassEncoder {
  setPipeline(pipeline: GpuComputePipeline): unknown;
  setBindGroup(index: number, group: GpuBindGroup): unknown;
  dispatchWorkgroups(x: number, y?: number, z?: number): unknown;
  end(): unknown;
}

export interface GpuCommandEncoder {
  beginComputePass(): GpuComputePassEncoder;
  copyBufferToBuffer(src: GpuBuffer, srcOffset: number, dst: GpuBuffer, dstOffset: number, size: number): unknown;
  finish(): GpuCommandBuffer;
}

export interface GpuQueue {
  submit(buffers: GpuCommandBuffer[]): unknown;
  writeBuffer(
    buffer: GpuBuffer,
    offset: number,
    data: ArrayBufferLike | ArrayBufferView,
    dataOffset?: number,
    size?: number,
  ): unknown;
  onSubmittedWorkDone(): Promise<unknown>;
}

/** What the backend asks of a device. */
export interface GpuDevice {
  readonly queue: GpuQueue;
  createBuffer(descriptor: { size: number; usage: number; mappedAtCreation?: boolean }): GpuBuffer;
  createShaderModule(descriptor: { code: string }): GpuShaderModule;
  createComputePipeline(descriptor: {
    layout: 'auto';
    compute: { module: GpuShaderModule; entryPoint: string };
  }): GpuComputePipeline;
  createBindGroup(descriptor: { layout: GpuBindGroupLayout; entries: GpuBindGroupEntry[] }): GpuBindGroup;
  createCommandEncoder(): GpuCommandEncoder;
}

/** The adapter limits the backend raises its device to. */
export interface GpuAdapterLimits {
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
  readonly maxStorageBuffersPerShaderStage: number;
}

export interface GpuAdapter {
  readonly limits: GpuAdapterLimits;
  readonly info?: { vendor?: string; architecture?: string; description?: string };
  requestDevice(descriptor?: { requiredLimits?: Record<string, number> }): Promise<GpuDevice>;
}

/** `navigator.gpu`, or the object the `webgpu` package creates in Node. */
export interface Gpu {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<GpuAdapter | null>;
}

/** GPUBufferUsage's flags, fixed by the WebGPU specification. */
export const GPU_BUFFER_USAGE = {
  MAP_READ: 0x0001,
  MAP_WRITE: 0x0002,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  STORAGE: 0x0080,
} as const;

/** GPUMapMode's flags. */
export const GPU_MAP_MODE = { READ: 0x0001, WRITE: 0x0002 } as const;
