// Runs in a child process whose environment points Dawn at a Vulkan driver (see node_dawn.test.ts):
// trains models.gpt for a few steps with its usual optimizer (AdamW with decay exclusions, warm-up
// schedule, global-norm clipping) on the reference and WebGPU backends, and prints one JSON line
// with both runs' per-step losses.
import { initWebGPU } from '../../src/backends/webgpu/register.js';
import { losses, models, setBackend, setSeed, tensor } from '../../src/index.js';

const gpu = await initWebGPU();

async function train(backend: string): Promise<number[]> {
  setBackend(backend);
  setSeed(12);
  const m = models.gpt({ vocabSize: 17, blockSize: 12, numLayers: 2, numHeads: 2, embedDim: 16 });
  m.compile({
    optimizer: models.gptOptimizer(m, { steps: 10, warmupSteps: 2, learningRate: 1e-2 }),
    loss: new losses.SparseCategoricalCrossentropy({ fromLogits: true }),
  });
  // Sequences that count up by a stride: the next token follows from the last two.
  const rows = Array.from({ length: 8 }, (_, i) => Array.from({ length: 13 }, (_, t) => (i + t * (1 + (i % 3))) % 17));
  const x = tensor(
    rows.map((r) => r.slice(0, 12)),
    undefined,
    'int32',
  );
  const y = tensor(
    rows.map((r) => r.slice(1)),
    undefined,
    'int32',
  );
  const out: number[] = [];
  for (let step = 0; step < 5; step++) out.push((await m.trainOnBatch(x, y)) as number);
  return out;
}

const ref = await train('ref');
const webgpu = await train('webgpu');
console.log(JSON.stringify({ adapter: gpu.adapter, ref, webgpu }));
process.exit(0);
