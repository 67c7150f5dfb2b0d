// The page-side half of the browser storage test: Myelin saves and loads models with
// indexeddb://, localstorage:// and downloads:// and a relative URL, and TF.js 4.22, bundled in
// the same page, loads what Myelin stored and stores what Myelin loads.
import * as tf from '@tensorflow/tfjs';
import { registerBackend, setBackend } from '../../../src/backend/registry.js';
import { RefBackend } from '../../../src/backends/ref/index.js';
import type { Tensor } from '../../../src/core/tensor.js';
import { io } from '../../../src/io/tfjs_io.js';
import { loadLayersModel } from '../../../src/io/model_urls.js';
import { layers } from '../../../src/layers/tfjs_layers.js';
import type { LayersModel } from '../../../src/models/layers_model.js';
import { sequential } from '../../../src/models/index.js';
import { tensor } from '../../../src/ops/index.js';

registerBackend('ref', () => new RefBackend());

const X = [
  [1, 2],
  [3, -4],
];
const mine = (m: LayersModel) => Array.from((m.predict(tensor(X)) as Tensor).dataSync());
const theirs = (m: tf.LayersModel) => Array.from((m.predict(tf.tensor(X)) as tf.Tensor).dataSync());

async function run(): Promise<Record<string, unknown>> {
  setBackend('ref');
  await tf.setBackend('cpu');
  const model = sequential({
    layers: [layers.dense({ units: 3, inputShape: [2], activation: 'relu' }), layers.dense({ units: 1 })],
  });
  const report: Record<string, unknown> = { want: mine(model) };
  const saved = await model.save('indexeddb://myelin-model');
  report.savedBytes = saved.modelArtifactsInfo.weightDataBytes;
  report.indexeddb = mine(await loadLayersModel('indexeddb://myelin-model'));
  await model.save('localstorage://myelin-model');
  report.localstorage = mine(await loadLayersModel('localstorage://myelin-model'));
  report.tfjsFromIndexeddb = theirs(await tf.loadLayersModel('indexeddb://myelin-model'));
  report.tfjsFromLocalstorage = theirs(await tf.loadLayersModel('localstorage://myelin-model'));

  const t = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [2], activation: 'tanh' })] });
  await t.save('indexeddb://tfjs-model');
  await t.save('localstorage://tfjs-model');
  report.tfjsWant = theirs(t);
  report.fromTfjsIndexeddb = mine(await loadLayersModel('indexeddb://tfjs-model'));
  report.fromTfjsLocalstorage = mine(await loadLayersModel('localstorage://tfjs-model'));

  report.listed = Object.keys(await io.listModels()).sort();
  await io.removeModel('localstorage://myelin-model');
  await io.removeModel('indexeddb://tfjs-model');
  report.listedAfter = Object.keys(await io.listModels()).sort();
  report.tfjsListedAfter = Object.keys(await tf.io.listModels()).sort();
  report.missing = await loadLayersModel('indexeddb://no-such-model').then(
    () => 'loaded',
    (e: Error) => e.message,
  );
  report.unknown = await model.save('memory://x').then(
    () => 'saved',
    (e: Error) => e.message,
  );
  report.fetched = mine(await loadLayersModel('/served/model.json'));
  report.servedWant = (globalThis as unknown as { servedWant: number[] }).servedWant;
  await model.save('downloads://myelin-download');
  return report;
}

(globalThis as unknown as { runStorage: typeof run }).runStorage = run;
