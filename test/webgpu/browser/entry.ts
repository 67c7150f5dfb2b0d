// The page-side half of the browser test: bundled with the library, it runs the backend
// conformance suite (test/backends/conformance/), gradients of representative ops and two short
// trainings on the WebGPU backend, each against the reference backend in the same page, reading
// values asynchronously; and fit's fused step (its WebAssembly module compiled in the page) against the op-by-op step.
import * as my from './lib.js';
import { RefBackend } from '../../../src/backends/ref/index.js';
import { registerBackend } from '../../../src/backend/registry.js';
import { initWebGPU } from '../../../src/backends/webgpu/register.js';
import { runConformance, WEBGPU } from '../../backends/conformance/suite.js';
import { fitSeedExample, gradientCases, trainCnn, trainDense, trainGpt, type TrainingData } from './workloads.js';

// The package entry registers 'ref'; this page bundles the modules without it.
registerBackend('ref', () => new RefBackend());

async function runAll(data: TrainingData): Promise<unknown> {
  const gpu = await initWebGPU();
  // The suite is about the shaders: no CPU copies of index-like data (see node_child.ts).
  gpu.keepIndexDataOnCpu = false;
  const conformance = await runConformance(new RefBackend(), [{ name: 'webgpu (Chromium)', backend: gpu }], WEBGPU);
  gpu.keepIndexDataOnCpu = true;
  const gradients = await gradientCases(my);
  const dense = { ref: await trainDense(my, 'ref', data), webgpu: await trainDense(my, 'webgpu', data) };
  const cnn = { ref: await trainCnn(my, 'ref'), webgpu: await trainCnn(my, 'webgpu') };
  const gpt = { ref: await trainGpt(my, 'ref'), webgpu: await trainGpt(my, 'webgpu') };
  const fused = { on: await fitSeedExample(my, data, true), off: await fitSeedExample(my, data, false) };
  let syncError = '';
  try {
    my.setBackend('webgpu');
    my.tensor([1, 2]).add(1).dataSync();
  } catch (e) {
    syncError = (e as Error).message;
  }
  my.setBackend('ref');
  return { adapter: gpu.adapter, conformance, gradients, dense, cnn, gpt, fused, syncError };
}

(globalThis as { runWebGPUTests?: typeof runAll }).runWebGPUTests = runAll;
