import type { GpuBuffer } from './gpu_types.js';
import type { DType, TypedArray } from '../../core/dtype.js';

/**
 * A tensor's memory on the GPU. `host` keeps the values when they are known on the CPU without a
 * read (uploaded or filled), so the few synchronous readers (index checks, variable creation)
 * keep working; kernel results have none.
 */
export class GpuHandle {
  constructor(
    public buffer: GpuBuffer | null,
    readonly length: number,
    readonly dtype: DType,
    public host: TypedArray | null = null,
  ) {}
}

/** float64 values, which WebGPU cannot hold: they stay on the CPU and use the reference kernels. */
export class HostHandle {
  constructor(readonly values: TypedArray) {}
}
