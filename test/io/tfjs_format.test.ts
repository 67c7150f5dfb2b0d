import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import {
  input,
  layers,
  model as functionalModel,
  sequential,
  setSeed,
  tensor,
  type SymbolicTensor,
  type Tensor,
} from '../../src/index.js';
import { fromTfjsFiles, toTfjsFiles, type TfjsModelJson } from '../../src/io/tfjs_format.js';

await tf.setBackend('cpu');

const X = [
  [0.1, -0.4, 0.7, 1.2],
  [-1, 0.5, 0.25, -0.3],
  [0.9, 0.9, -0.9, 0.1],
];

/** Saves a TF.js model into the files TF.js writes to disk: model.json + weights.bin. */
async function tfjsSave(m: tf.LayersModel): Promise<{ modelJson: TfjsModelJson; shards: Record<string, Uint8Array> }> {
  let saved: tf.io.ModelArtifacts | undefined;
  await m.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const a = saved as tf.io.ModelArtifacts;
  const modelJson = JSON.parse(
    JSON.stringify({
      format: 'layers-model',
      modelTopology: a.modelTopology,
      weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
    }),
  );
  return { modelJson, shards: { 'weights.bin': new Uint8Array(a.weightData as ArrayBuffer) } };
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++)
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= tol * (1 + Math.abs(expected[i])),
      `index ${i}: ${actual[i]} vs ${expected[i]}`,
    );
}

describe('TF.js layers format', () => {
  it('loads a Sequential model trained and saved by TF.js and predicts the same numbers', async () => {
    const m = tf.sequential({
      layers: [
        tf.layers.dense({ units: 6, activation: 'relu', inputShape: [4] }),
        tf.layers.dropout({ rate: 0.2 }),
        tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: 'heNormal' }),
      ],
    });
    m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    await m.fit(
      tf.randomNormal([16, 4]),
      tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0], 'int32'), 3),
      { epochs: 3, verbose: 0 },
    );
    const expected = (m.predict(tf.tensor2d(X)) as tf.Tensor).dataSync();
    const { modelJson, shards } = await tfjsSave(m);
    const mine = fromTfjsFiles(JSON.stringify(modelJson), shards);
    assert.equal(mine.getClassName(), 'Sequential');
    assertClose((mine.predict(tensor(X)) as Tensor).dataSync(), expected);
  });

  it('loads a functional TF.js model with two outputs', async () => {
    const a = tf.input({ shape: [4] });
    const h = tf.layers.dense({ units: 5, activation: 'tanh' }).apply(a) as tf.SymbolicTensor;
    const out1 = tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(h) as tf.SymbolicTensor;
    const out2 = tf.layers.dense({ units: 2 }).apply(a) as tf.SymbolicTensor;
    const m = tf.model({ inputs: a, outputs: [out1, out2] });
    const expected = (m.predict(tf.tensor2d(X)) as tf.Tensor[]).map((t) => t.dataSync());
    const { modelJson, shards } = await tfjsSave(m);
    const mine = fromTfjsFiles(modelJson, shards);
    const got = mine.predict(tensor(X)) as Tensor[];
    got.forEach((t, i) => assertClose(t.dataSync(), expected[i]));
  });

  it('saves a Myelin model that TF.js loads and runs to the same numbers', async () => {
    setSeed(5);
    const inp = input({ shape: [4] });
    const h = layers.dense({ units: 7, activation: 'elu' }).apply(inp) as SymbolicTensor;
    const out = layers.dense({ units: 2, activation: 'sigmoid' }).apply(h) as SymbolicTensor;
    for (const mine of [
      sequential({
        layers: [
          layers.dense({ units: 5, activation: 'relu', inputShape: [4] }),
          layers.dense({ units: 2, activation: 'softmax' }),
        ],
      }),
      functionalModel({ inputs: inp, outputs: out }),
    ]) {
      const expected = (mine.predict(tensor(X)) as Tensor).dataSync();
      const { modelJson, shards } = toTfjsFiles(mine);
      const text = JSON.stringify(modelJson);
      const parsed = JSON.parse(text);
      const loaded = await tf.loadLayersModel(
        tf.io.fromMemory({
          modelTopology: parsed.modelTopology,
          weightSpecs: parsed.weightsManifest[0].weights,
          weightData: shards['weights.bin'].slice().buffer,
        }),
      );
      assertClose((loaded.predict(tf.tensor2d(X)) as tf.Tensor).dataSync(), expected);
      // And back: the files Myelin wrote load in Myelin too.
      assertClose((fromTfjsFiles(text, shards).predict(tensor(X)) as Tensor).dataSync(), expected, 0);
    }
  });
});
