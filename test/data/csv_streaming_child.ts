// Trains on a CSV through data.csv, in a process whose JavaScript heap is smaller than the file:
// it only finishes if the file streams through in batches instead of being read whole.
import { data, layers, sequential, train } from '../../src/index.js';

const path = process.argv[2];
const ds = data
  .csv(path, { columnConfigs: { y: { isLabel: true } } })
  .map((row) => {
    const { xs, ys } = row as { xs: Record<string, number>; ys: Record<string, number> };
    return { xs: Object.values(xs), ys: [ys.y] };
  })
  .batch(4096);
const model = sequential({ layers: [layers.dense({ units: 1, inputShape: [8] })] });
model.compile({ optimizer: train.adam(0.1), loss: 'meanSquaredError' });
const history = await model.fitDataset(ds, { epochs: 1, verbose: 0 });
const heapMiB = process.memoryUsage().heapUsed / 2 ** 20;
console.log(JSON.stringify({ loss: history.history.loss[0], heapMiB }));
