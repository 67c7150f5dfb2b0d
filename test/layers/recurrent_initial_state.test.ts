// A symbolic initialState: the encoder-decoder of Keras and TF.js, where an encoder LSTM's final
// states start the decoder LSTM in a functional model. The states become graph edges, so fit
// feeds them with each batch's values, the gradient reaches the encoder through them, and the
// model saves and loads. Checked against TF.js on the same weights.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import {
  fromTfjsFiles,
  input,
  layers,
  loadModel,
  model as functionalModel,
  oneHot,
  setSeed,
  tensor,
  toTfjsFiles,
  train,
  type SymbolicTensor,
  type Tensor,
} from '../../src/index.js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

await tf.setBackend('cpu');

/** Encoder over [5, 4] sequences, decoder over [3, 2] sequences started from the encoder's states. */
function encoderDecoder() {
  const encIn = input({ shape: [5, 4], name: 'enc_in' });
  const [, h, c] = layers.lstm({ units: 8, returnState: true, name: 'encoder' }).apply(encIn) as SymbolicTensor[];
  const decIn = input({ shape: [3, 2], name: 'dec_in' });
  const decoded = layers
    .lstm({ units: 8, returnSequences: true, name: 'decoder' })
    .apply(decIn, { initialState: [h, c] }) as SymbolicTensor;
  const out = layers
    .timeDistributed({ layer: layers.dense({ units: 3, activation: 'softmax' }), name: 'head' })
    .apply(decoded) as SymbolicTensor;
  return functionalModel({ inputs: [encIn, decIn], outputs: out });
}

/** The class is only in the encoder's input; the decoder sees zeros, so only the states carry it. */
function copyTask(n: number) {
  const classes = Array.from({ length: n }, (_, i) => i % 3);
  const enc = tensor(classes.map((k) => Array.from({ length: 5 }, () => [0, 1, 2, 3].map((j) => (j === k ? 1 : 0)))));
  const dec = tensor(
    classes.map(() => [
      [0, 0],
      [0, 0],
      [0, 0],
    ]),
  );
  const y = oneHot(
    tensor(
      classes.map((k) => [k, k, k]),
      undefined,
      'int32',
    ),
    3,
  );
  return { enc, dec, y };
}

describe('symbolic initialState (encoder states into a decoder)', () => {
  it('trains with fit: the class reaches the decoder only through the states', async () => {
    setSeed(3);
    const m = encoderDecoder();
    m.compile({ optimizer: train.adam(0.02), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const { enc, dec, y } = copyTask(48);
    const history = await m.fit([enc, dec], y, { epochs: 40, batchSize: 16, verbose: 0 });
    const acc = history.history.accuracy;
    assert.ok(acc[acc.length - 1] > 0.95, `accuracy ${acc.at(-1)}`);
    assert.ok(history.history.loss.at(-1)! < history.history.loss[0] / 3);
  });

  it('computes what TF.js computes on the same weights', () => {
    setSeed(5);
    const m = encoderDecoder();
    const tIn = tf.input({ shape: [5, 4] });
    // TF.js' LSTM defaults to hardSigmoid gates; Keras 3 (and Myelin) to sigmoid.
    const [, th, tc] = tf.layers
      .lstm({ units: 8, returnState: true, recurrentActivation: 'sigmoid' })
      .apply(tIn) as tf.SymbolicTensor[];
    const tDec = tf.input({ shape: [3, 2] });
    const td = tf.layers
      .lstm({ units: 8, returnSequences: true, recurrentActivation: 'sigmoid' })
      .apply(tDec, { initialState: [th, tc] });
    const tOut = tf.layers
      .timeDistributed({ layer: tf.layers.dense({ units: 3, activation: 'softmax' }) })
      .apply(td) as tf.SymbolicTensor;
    const ref = tf.model({ inputs: [tIn, tDec], outputs: tOut });
    ref.setWeights(m.getWeights().map((w) => tf.tensor(w.dataSync() as Float32Array, w.shape)));
    const enc = tensor(
      Array.from({ length: 2 * 5 * 4 }, (_, i) => Math.sin(i)),
      [2, 5, 4],
    );
    const dec = tensor(
      Array.from({ length: 2 * 3 * 2 }, (_, i) => Math.cos(i)),
      [2, 3, 2],
    );
    const got = (m.predict([enc, dec]) as Tensor).dataSync();
    const want = (
      ref.predict([
        tf.tensor(enc.dataSync() as Float32Array, enc.shape),
        tf.tensor(dec.dataSync() as Float32Array, dec.shape),
      ]) as tf.Tensor
    ).dataSync();
    got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-5, `output ${i}: ${v} vs ${want[i]}`));
  });

  it('saves and loads (native and TF.js formats) with the states as graph edges', async () => {
    const m = encoderDecoder();
    const { enc, dec } = copyTask(4);
    const want = (m.predict([enc, dec]) as Tensor).dataSync();
    const dir = await mkdtemp(join(tmpdir(), 'myelin-encdec-'));
    await m.save(dir);
    const native = await loadModel(dir);
    const { modelJson, shards } = toTfjsFiles(m);
    const viaTfjs = fromTfjsFiles(modelJson, shards);
    for (const loaded of [native, viaTfjs])
      assert.deepEqual(Array.from((loaded.predict([enc, dec]) as Tensor).dataSync()), Array.from(want));
  });

  it('works for Bidirectional, whose states come forward first, then backward', async () => {
    const encIn = input({ shape: [4, 3] });
    const states = layers
      .bidirectional({ layer: layers.gru({ units: 5, returnState: true }) })
      .apply(encIn) as SymbolicTensor[];
    const decIn = input({ shape: [4, 3] });
    const out = layers
      .bidirectional({ layer: layers.gru({ units: 5 }) })
      .apply(decIn, { initialState: states.slice(1) }) as SymbolicTensor;
    const m = functionalModel({
      inputs: [encIn, decIn],
      outputs: layers.dense({ units: 1 }).apply(out) as SymbolicTensor,
    });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const x = tensor(
      Array.from({ length: 8 * 12 }, (_, i) => Math.sin(i * 0.3)),
      [8, 4, 3],
    );
    const h = await m.fit([x, x], tensor(Array.from({ length: 8 }, (_, i) => [i % 2])), { epochs: 2, verbose: 0 });
    assert.ok(h.history.loss.every(Number.isFinite));
  });

  it('refuses initial states given twice', () => {
    const x = input({ shape: [3, 2] });
    const h = input({ shape: [4] });
    assert.throws(
      () => layers.simpleRNN({ units: 4, name: 'twice' }).apply([x, h], { initialState: [h] }),
      /SimpleRNN 'twice': initial states were given twice/,
    );
  });
});
