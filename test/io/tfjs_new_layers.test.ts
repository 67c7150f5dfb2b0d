/**
 * Models written by TF.js 4.22 itself with the layers added to the Keras set (activation layers,
 * Permute, RNN cells, 3-D convolution and pooling, ConvLSTM2D) load in Myelin and predict what
 * TF.js predicts.
 */
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { tensor, type Tensor } from '../../src/index.js';
import { fromTfjsFiles } from '../../src/io/tfjs_format.js';
import { assertClose } from '../helpers/gradcheck.js';

await tf.setBackend('cpu');

/** Saves a TF.js model as TF.js writes it and loads those files in Myelin. */
async function viaFiles(m: tf.LayersModel) {
  let saved: tf.io.ModelArtifacts | undefined;
  await m.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
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
  return fromTfjsFiles(modelJson, { 'weights.bin': new Uint8Array(a.weightData as ArrayBuffer) });
}

function compare(theirs: tf.LayersModel, mine: ReturnType<typeof fromTfjsFiles>, shape: number[]): void {
  const values = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.7) * 1.5);
  const want = (theirs.predict(tf.tensor(values, shape)) as tf.Tensor).dataSync();
  assertClose(mine.predict(tensor(values, shape)) as Tensor, want, 1e-5);
}

describe('TF.js 4.22 files with the added Keras layers load in Myelin', () => {
  it('activation layers, Permute and an RNN of stacked cells', async () => {
    const m = tf.sequential({
      layers: [
        tf.layers.permute({ dims: [2, 1], inputShape: [3, 5] }),
        tf.layers.leakyReLU({ alpha: 0.2 }),
        tf.layers.rnn({
          cell: tf.layers.stackedRNNCells({
            cells: [tf.layers.lstmCell({ units: 4 }), tf.layers.simpleRNNCell({ units: 3 })],
          }),
          returnSequences: true,
        }),
        tf.layers.thresholdedReLU({ theta: 0.1 }),
        tf.layers.elu({}),
        tf.layers.reLU({ maxValue: 0.5 }),
        tf.layers.softmax({ axis: -1 }),
      ],
    });
    compare(m, await viaFiles(m), [2, 3, 5]);
  });
  it('PReLU, Conv3D, 3-D pooling and ConvLSTM2D', async () => {
    const volumes = tf.sequential({
      layers: [
        tf.layers.conv3d({
          filters: 2,
          kernelSize: 2,
          padding: 'same',
          inputShape: [3, 4, 4, 1],
          biasInitializer: 'randomNormal',
        }),
        tf.layers.prelu({ alphaInitializer: 'randomUniform' }),
        tf.layers.maxPooling3d({ poolSize: [1, 2, 2] }),
        tf.layers.averagePooling3d({ poolSize: [3, 2, 1], padding: 'same', strides: 1 }),
      ],
    });
    compare(volumes, await viaFiles(volumes), [2, 3, 4, 4, 1]);
    const frames = tf.sequential({
      layers: [tf.layers.convLstm2d({ filters: 2, kernelSize: 2, inputShape: [3, 4, 4, 1], returnSequences: true })],
    });
    compare(frames, await viaFiles(frames), [1, 3, 4, 4, 1]);
  });
});
