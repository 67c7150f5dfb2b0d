import type { DType } from '../../core/dtype.js';
import type { ThinCopy } from './thin_copies.js';

/** A tensor's bytes on the WebAssembly heap (float32, int32, or bool as one byte each). */
export class WasmHandle {
  /** Byte address; -1 once freed. */
  ptr: number;
  readonly bytes: number;
  readonly length: number;
  readonly dtype: DType;
  /** One-row products that read this buffer as B, and its copy packed for them (thin_copies.ts). */
  thinReads = 0;
  thinCopy: ThinCopy | null = null;
  constructor(ptr: number, bytes: number, length: number, dtype: DType) {
    this.ptr = ptr;
    this.bytes = bytes;
    this.length = length;
    this.dtype = dtype;
  }
}

/** A float64 tensor, kept in JavaScript memory: its kernels are the reference ones. */
export class HostHandle {
  readonly values: Float64Array;
  constructor(values: Float64Array) {
    this.values = values;
  }
}

export const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };
