import type { TensorInfo } from '../../backend/backend.js';
import type { TypedArray } from '../../core/dtype.js';
import { GpuHandle, HostHandle } from './handles.js';

const noticed = new Set<string>();

/** Prints, once per op, that the op runs on the CPU (and why). */
export function noticeOnce(op: string, why: string): void {
  if (noticed.has(op)) return;
  noticed.add(op);
  console.warn(`myelin webgpu: '${op}' runs on the CPU (reference kernels): ${why}. This notice is shown once.`);
}

/** The values of a tensor when they are on the CPU without reading the GPU, else null. */
export function hostValues(t: TensorInfo): TypedArray | null {
  const h = t.handle;
  if (h instanceof HostHandle) return h.values;
  if (h instanceof GpuHandle) return h.host;
  return null;
}
