import { registerBackend } from '../../backend/registry.js';
import { requestGpuDevice } from './device.js';
import { WebGPUBackend } from './index.js';

let instance: WebGPUBackend | null = null;

/**
 * Opens the GPU and registers the 'webgpu' backend; afterwards `setBackend('webgpu')` works.
 * WebGPU can only be opened asynchronously, hence this step. In browsers it uses `navigator.gpu`;
 * in Node it loads the optional `webgpu` package.
 * @example await initWebGPU(); setBackend('webgpu');
 */
export async function initWebGPU(): Promise<WebGPUBackend> {
  if (instance) return instance;
  const { device, adapter } = await requestGpuDevice();
  instance = new WebGPUBackend(device, adapter);
  const made = instance;
  registerBackend('webgpu', () => made);
  return made;
}

/** The opened WebGPU backend, or null before `initWebGPU()`. */
export function webgpuBackend(): WebGPUBackend | null {
  return instance;
}
