// Runs in a child process whose environment points the `webgpu` package's Dawn at a Vulkan
// driver (the parent sets LD_LIBRARY_PATH and VK_ICD_FILENAMES before the process starts, as
// the loader reads them only then). Prints one JSON line of results.
import { RefBackend } from '../../src/backends/ref/index.js';
import { initWebGPU } from '../../src/backends/webgpu/register.js';
import {
  datasets,
  layers,
  sequential,
  setBackend,
  setSeed,
  standardScaler,
  tensor,
  withBackend,
  type History,
} from '../../src/index.js';
import { runConformance, WEBGPU } from '../backends/conformance/suite.js';

const gpu = await initWebGPU();
// Casts, comparisons and movement of CPU-held inputs would otherwise run on the CPU copies;
// the suite is about the shaders.
gpu.keepIndexDataOnCpu = false;
const results = await runConformance(new RefBackend(), [{ name: 'webgpu (Dawn)', backend: gpu }], WEBGPU);
gpu.keepIndexDataOnCpu = true;

/** The seed example through model.fit on one backend: the per-epoch losses and MAEs. */
const boston = withBackend('ref', () => {
  const { xTrain, yTrain } = datasets.bostonHousing.load();
  const x = standardScaler().fit(xTrain).transform(xTrain);
  return { x: x.dataSync(), xShape: x.shape, y: yTrain.dataSync(), yShape: yTrain.shape };
});

async function seedExampleFit(backendName: string): Promise<History['history']> {
  setBackend(backendName);
  setSeed(3);
  const model = sequential({
    layers: [layers.dense({ units: 10, activation: 'relu', inputShape: [13] }), layers.dense({ units: 1 })],
  });
  model.compile({ optimizer: 'adam', loss: 'mse', metrics: ['mae'] });
  const h = await model.fit(tensor(boston.x, boston.xShape), tensor(boston.y, boston.yShape), {
    epochs: 3,
    batchSize: 32,
    shuffle: false,
    validationSplit: 0.2,
    verbose: 0,
  });
  return h.history;
}
const fit = { ref: await seedExampleFit('ref'), webgpu: await seedExampleFit('webgpu') };

/**
 * Sequence models through model.fit: an embedding with maskZero (ids and masks checked on the
 * CPU copies the backend keeps) feeding each recurrent layer (step gradients stacked on the GPU).
 */
async function sequenceFit(backendName: string, cell: 'lstm' | 'gru' | 'simpleRNN'): Promise<number[]> {
  setBackend(backendName);
  setSeed(5);
  const model = sequential({
    layers: [
      layers.embedding({ inputDim: 12, outputDim: 8, inputLength: 6, maskZero: true }),
      layers[cell]({ units: 16 }),
      layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const ids: number[] = [],
    labels: number[] = [];
  for (let i = 0; i < 64; i++) {
    // Trailing zeros (padding) of varying length exercise the mask.
    for (let t = 0; t < 6; t++) ids.push(t < 6 - (i % 3) ? 1 + ((i * 7 + t * 3) % 11) : 0);
    labels.push(i % 3);
  }
  const h = await model.fit(tensor(ids, [64, 6]), tensor(labels, [64]), {
    epochs: 3,
    batchSize: 16,
    shuffle: false,
    verbose: 0,
  });
  return h.history.loss as number[];
}
const sequences: Record<string, { ref: number[]; webgpu: number[] }> = {};
for (const cell of ['lstm', 'gru', 'simpleRNN'] as const) {
  sequences[cell] = { ref: await sequenceFit('ref', cell), webgpu: await sequenceFit('webgpu', cell) };
}
console.log(JSON.stringify({ adapter: gpu.adapter, results, fit, sequences }));
process.exit(0);
