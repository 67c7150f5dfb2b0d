// Runs in a child process whose environment points Dawn at a Vulkan driver (see node_dawn.test.ts):
// trains a small Transformer with fit on the reference and WebGPU backends and prints one JSON
// line with both runs' per-epoch losses.
import { initWebGPU } from '../../src/backends/webgpu/register.js';
import {
  input,
  layers,
  losses,
  model as functionalModel,
  optimizers,
  setBackend,
  setSeed,
  tensor,
  type SymbolicTensor,
} from '../../src/index.js';

const gpu = await initWebGPU();

async function train(backend: string): Promise<number[]> {
  setBackend(backend);
  setSeed(11);
  const ids = input({ shape: [8], dtype: 'int32' });
  let h = layers
    .tokenAndPositionEmbedding({ vocabularySize: 8, sequenceLength: 8, embeddingDim: 16, maskZero: true })
    .apply(ids) as SymbolicTensor;
  h = layers
    .transformerDecoder({ intermediateDim: 32, numHeads: 2, normalizeFirst: true, activation: 'gelu_approximate' })
    .apply(h) as SymbolicTensor;
  h = layers.transformerEncoder({ intermediateDim: 24, numHeads: 4, activation: 'gelu' }).apply(h) as SymbolicTensor;
  const m = functionalModel({ inputs: ids, outputs: layers.dense({ units: 8 }).apply(h) as SymbolicTensor });
  m.compile({
    optimizer: optimizers.adam({ learningRate: 0.01 }),
    loss: new losses.SparseCategoricalCrossentropy({ fromLogits: true }),
  });
  const x: number[][] = [],
    y: number[][] = [];
  for (let i = 0; i < 24; i++) {
    const seq = Array.from({ length: 9 }, (_, t) => 1 + ((i + t * (1 + (i % 3))) % 7));
    const pad = i % 4 === 0 ? 2 : 0;
    x.push(seq.slice(0, 8).map((v, t) => (t >= 8 - pad ? 0 : v)));
    y.push(seq.slice(1, 9));
  }
  const history = await m.fit(tensor(x, undefined, 'int32'), tensor(y, undefined, 'int32'), {
    epochs: 3,
    batchSize: 8,
    shuffle: false,
    verbose: 0,
  });
  return history.history.loss as number[];
}

const ref = await train('ref');
const webgpu = await train('webgpu');
console.log(JSON.stringify({ adapter: gpu.adapter, ref, webgpu }));
process.exit(0);
