import type { Gpu, GpuDevice } from './gpu_types.js';

/** Where the GPU came from, for messages and benchmarks. */
export interface GpuDeviceInfo {
  device: GpuDevice;
  /** 'browser' (navigator.gpu) or 'node' (the optional `webgpu` package). */
  source: 'browser' | 'node';
  adapter: string;
}

// Dawn's Node binding stops delivering events (mapAsync never resolves) once its GPU object is collected.
let nodeInstance: Gpu | null = null;

async function nodeGpu(): Promise<Gpu> {
  if (nodeInstance) return nodeInstance;
  // A computed specifier keeps bundlers and `tsc` from resolving the optional package.
  const name = 'webgpu';
  let mod: { create: (options: string[]) => Gpu; globals: Record<string, unknown> };
  try {
    mod = await import(name);
  } catch (e) {
    throw new Error(
      `initWebGPU: no navigator.gpu here, and the optional 'webgpu' package (WebGPU for Node) could not be loaded: ${(e as Error).message}. Install it with \`npm install webgpu\`.`,
    );
  }
  // Its GPUBufferUsage, GPUMapMode, ... constants are globals in browsers; Node needs them too.
  for (const [k, v] of Object.entries(mod.globals))
    if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  nodeInstance = mod.create([]);
  return nodeInstance;
}

/**
 * Finds a WebGPU adapter (`navigator.gpu` in browsers, the `webgpu` package in Node) and opens a
 * device with the adapter's largest storage limits.
 * @example const { device } = await requestGpuDevice();
 */
export async function requestGpuDevice(): Promise<GpuDeviceInfo> {
  const nav = (globalThis as { navigator?: { gpu?: Gpu } }).navigator;
  const source = nav?.gpu ? 'browser' : 'node';
  const gpu = nav?.gpu ?? (await nodeGpu());
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    throw new Error(
      `initWebGPU: ${source === 'browser' ? 'navigator.gpu' : "the 'webgpu' package"} found no GPU adapter (no GPU, or no Vulkan/Metal/D3D12 driver)`,
    );
  }
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
      maxStorageBuffersPerShaderStage: Math.min(8, adapter.limits.maxStorageBuffersPerShaderStage),
    },
  });
  const info = adapter.info;
  return {
    device,
    source,
    adapter: [info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' ') || 'unknown',
  };
}
