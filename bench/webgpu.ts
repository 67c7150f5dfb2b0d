// WebGPU benchmarks for a GPU machine: W1 (matmul GFLOPS at n = 2048 and 4096), W2 (MLP
// 784-256-256-10, Adam, batch 128, samples/s) and W5 (the small CNN, batch 64, images/s) on the
// WebGPU backend through Node's optional `webgpu` package, and W2/W5 on the CPU backend for the
// ratio. Prints one JSON line per workload. Training steps are written out (valueAndGrads, Adam,
// `await loss.data()`) because `fit` reads the loss synchronously.
//   node dist/bench/webgpu.js [cpuBackend=ref]
import * as my from '../src/index.js';
import { initWebGPU } from '../src/backends/webgpu/register.js';
import type { Tensor } from '../src/core/tensor.js';

const cpuBackend = process.argv[2] ?? 'ref';
const gpu = await initWebGPU();
const now = () => performance.now() / 1000;

function emit(line: Record<string, unknown>): void {
  console.log(JSON.stringify({ adapter: gpu.adapter, ...line }));
}

async function matmulGflops(n: number): Promise<void> {
  my.setBackend('webgpu');
  const a = my.randomNormal([n, n]),
    b = my.randomNormal([n, n]);
  await my.matMul(a, b).data();
  const reps = n >= 4096 ? 10 : 30;
  const t0 = now();
  let c: Tensor | null = null;
  for (let i = 0; i < reps; i++) {
    c?.dispose();
    c = my.matMul(a, b);
  }
  await gpu.finish();
  const seconds = (now() - t0) / reps;
  emit({ workload: 'W1', n, backend: 'webgpu', gflops: (2 * n ** 3) / seconds / 1e9, msPerMatmul: seconds * 1e3 });
}

function model(kind: 'W2' | 'W5') {
  return kind === 'W2'
    ? my.sequential({
        layers: [
          my.layers.dense({ units: 256, activation: 'relu', inputShape: [784] }),
          my.layers.dense({ units: 256, activation: 'relu' }),
          my.layers.dense({ units: 10, activation: 'softmax' }),
        ],
      })
    : my.sequential({
        layers: [
          my.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
          my.layers.maxPooling2d({ poolSize: 2 }),
          my.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
          my.layers.maxPooling2d({ poolSize: 2 }),
          my.layers.flatten(),
          my.layers.dense({ units: 10, activation: 'softmax' }),
        ],
      });
}

/** Samples per second of Adam training steps; the loss is read asynchronously once per step. */
async function trainThroughput(kind: 'W2' | 'W5', backend: string, steps: number): Promise<number> {
  my.setBackend(backend);
  my.setSeed(1);
  const batch = kind === 'W2' ? 128 : 64;
  const m = model(kind);
  const x = my.randomUniform(kind === 'W2' ? [batch, 784] : [batch, 28, 28, 1]);
  const labels = my.tensor(
    Int32Array.from({ length: batch }, (_, i) => (i * 7) % 10),
    [batch],
    'int32',
  );
  const y = my.oneHot(labels, 10, 1, 0, 'float32');
  const optimizer = my.optimizers.adam({ learningRate: 1e-3 });
  const step = async () => {
    const vars = m.trainableWeights;
    const { value, grads } = my.variableGrads(
      () => my.mean(my.losses.categoricalCrossentropy(y, m.apply(x) as Tensor)),
      vars,
    );
    optimizer.applyGradients(grads, vars);
    await value.data();
  };
  const warm = now();
  for (let i = 0; i < 3; i++) await step();
  emit({ workload: kind, backend, phase: 'warm-up', secondsPerStep: (now() - warm) / 3 });
  const t0 = now();
  for (let i = 0; i < steps; i++) await step();
  return (batch * steps) / (now() - t0);
}

const only = process.env.BENCH_ONLY; // e.g. 'W2' to run one workload
const scale = Number(process.env.BENCH_STEP_SCALE ?? 1);
if (!only || only === 'W1') {
  await matmulGflops(2048);
  await matmulGflops(4096);
}
for (const [kind, unit, gpuFull, cpuFull] of [
  ['W2', 'samples/s', 100, 10],
  ['W5', 'images/s', 50, 3],
] as const) {
  if (only && only !== kind) continue;
  const gpuSteps = Math.max(1, Math.round(gpuFull * scale)),
    cpuSteps = Math.max(1, Math.round(cpuFull * scale));
  const onGpu = await trainThroughput(kind, 'webgpu', gpuSteps);
  const onCpu = await trainThroughput(kind, cpuBackend, cpuSteps);
  emit({ workload: kind, unit, webgpu: onGpu, [cpuBackend]: onCpu, ratio: onGpu / onCpu });
}
process.exit(0);
