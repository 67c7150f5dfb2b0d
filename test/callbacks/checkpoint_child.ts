/**
 * A training run for the kill test: resumes from the checkpoint when one exists, else starts
 * fresh with a fixed seed; writes the final weights as JSON when it finishes. Prints a line
 * `epoch <n>` as each epoch ends (after its checkpoint), so the test can kill it by progress.
 * Usage: node checkpoint_child.js <checkpoint.safetensors> <final.json> <epochs>
 */
import { writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { CustomCallback, layers, sequential, setSeed, tensor, type LayersModel } from '../../src/index.js';
import { modelCheckpoint } from '../../src/callbacks/model_checkpoint.js';
import { resumeFromCheckpoint } from '../../src/io/model_files.js';

const [ckpt, finalPath, epochsArg] = process.argv.slice(2);
const epochs = Number(epochsArg);
const xs: number[][] = [],
  ys: number[][] = [];
for (let i = 0; i < 64; i++) {
  const a = Math.sin(i),
    b = Math.cos(i * 0.3);
  xs.push([a, b]);
  ys.push([a * b - 0.5 * a]);
}
let model: LayersModel;
let initialEpoch = 0;
if (existsSync(ckpt)) {
  ({ model, initialEpoch } = await resumeFromCheckpoint(ckpt));
} else {
  setSeed(99);
  model = sequential({
    layers: [
      layers.dense({ units: 16, activation: 'tanh', inputShape: [2] }),
      layers.dropout({ rate: 0.25 }),
      layers.dense({ units: 1 }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'mse' });
}
if (initialEpoch < epochs) {
  await model.fit(tensor(xs), tensor(ys), {
    epochs,
    initialEpoch,
    batchSize: 8,
    verbose: 0,
    callbacks: [
      modelCheckpoint({ filepath: ckpt }),
      new CustomCallback({ onEpochEnd: async (epoch) => void process.stdout.write(`epoch ${epoch + 1}\n`) }),
    ],
  });
}
await writeFile(finalPath, JSON.stringify(model.weights.map((w) => [...w.dataSync()])));
