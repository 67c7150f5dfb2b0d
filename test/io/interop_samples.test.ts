/**
 * Real files written by Keras 2, tf.keras and TF.js (test/fixtures/interop, see its NOTICE):
 * each that holds only built-in layers loads, its summary matches the file, and its
 * predictions match Keras' recorded ones, TF.js 4.22's, or a forward pass written here in plain
 * loops from the file's weights (read with h5wasm, not with Myelin's loader).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { tensor, type LayersModel, type Tensor } from '../../src/index.js';
import { FileFormatError } from '../../src/io/format_error.js';
import { loadKerasModel } from '../../src/io/keras_format.js';
import { loadTfjsModel } from '../../src/io/tfjs_format.js';
import {
  FIXTURES,
  affine,
  batchNorm,
  conv1d,
  hardSigmoid02,
  lstm,
  maxDiff,
  readKerasH5,
  readNpy,
  relu,
  seeded,
  sigmoid,
  softmax,
  summaryRows,
} from './interop_reference.js';

await tf.setBackend('cpu');

const keras = (f: string) => join(FIXTURES, 'keras', f);
const TOL = 1e-5;

function summaryOf(model: LayersModel): string[] {
  const lines: string[] = [];
  model.summary(undefined, undefined, (l) => lines.push(l));
  return lines;
}

/** Checks the summary's rows against the file: layer names and classes, Keras' output shapes, parameters. */
function assertSummary(model: LayersModel, expected: [string, string, string, number][]): void {
  const lines = summaryOf(model);
  const rows = summaryRows(lines);
  assert.equal(rows.length, expected.length, lines.join('\n'));
  expected.forEach(([name, cls, shape, params], i) => {
    const first = `${name} (${cls})`;
    assert.ok(first.startsWith(rows[i].layer), `row ${i}: '${rows[i].layer}' should begin '${first}'`);
    assert.equal(rows[i].shape, shape, `row ${i} (${name}) output shape`);
    assert.equal(rows[i].params, params, `row ${i} (${name}) parameters`);
  });
  const total = expected.reduce((n, r) => n + r[3], 0);
  assert.ok(lines.includes(`Total params: ${total.toLocaleString('en-US')}`), lines.join('\n'));
}

/** Parameters per layer as the file stores them: the sizes of its weight datasets. */
function storedParams(datasets: Map<string, { data: Float64Array }>, layer: string): number {
  let n = 0;
  for (const [path, d] of datasets) if (path.startsWith(`${layer}/`)) n += d.data.length;
  return n;
}

function report(t: TestContext, file: string, diff: number, against: string): void {
  t.diagnostic(`${file}: max |Myelin - ${against}| = ${diff.toExponential(2)}`);
  assert.ok(diff <= TOL, `${file}: predictions differ from ${against} by ${diff}`);
}

const flat = (x: unknown): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x as number]);

describe('real Keras 2 and tf.keras .h5 files', () => {
  it('cnn_batch_norm.h5 (Keras 2.1.3: Conv2D, BatchNormalization, Activation, Flatten) predicts what Keras recorded', async (t) => {
    const model = await loadKerasModel(keras('cnn_batch_norm.h5'));
    const { datasets } = await readKerasH5(keras('cnn_batch_norm.h5'));
    assertSummary(model, [
      ['conv2d_1', 'Conv2D', '(None, 8, 8, 1)', storedParams(datasets, 'conv2d_1')],
      [
        'batch_normalization_1',
        'BatchNormalization',
        '(None, 8, 8, 1)',
        storedParams(datasets, 'batch_normalization_1'),
      ],
      ['activation_1', 'Activation', '(None, 8, 8, 1)', 0],
      ['conv2d_2', 'Conv2D', '(None, 6, 6, 1)', storedParams(datasets, 'conv2d_2')],
      ['flatten_1', 'Flatten', '(None, 36)', 0],
      ['dense_1', 'Dense', '(None, 1)', storedParams(datasets, 'dense_1')],
    ]);
    const x = readNpy(keras('cnn_batch_norm_input.npy'));
    const want = readNpy(keras('cnn_batch_norm_predictions.npy'));
    const got = (model.predict(tensor(x.data, x.shape, 'float32')) as Tensor).dataSync();
    report(t, 'cnn_batch_norm.h5', maxDiff(got, want.data), "Keras' recorded predictions");
    // Keras recorded a loss and an optimizer: the model comes back compiled.
    assert.equal(model.compiled?.optimizer.className, 'Adam');
  });

  it('simple_lstm_tf_keras_2_model.h5 (Keras 2.0.6 LSTM, hard_sigmoid gates) computes Keras 2 numbers', async (t) => {
    const model = await loadKerasModel(keras('simple_lstm_tf_keras_2_model.h5'));
    const { datasets } = await readKerasH5(keras('simple_lstm_tf_keras_2_model.h5'));
    assertSummary(model, [
      ['lstm_1', 'LSTM', '(25, 50)', storedParams(datasets, 'lstm_1')],
      ['dense_1', 'Dense', '(25, 1)', storedParams(datasets, 'dense_1')],
    ]);
    const rand = seeded(11);
    const xs = Array.from({ length: 25 }, () => [[rand(-2, 2)]]);
    const w = (n: string) => (datasets.get(`lstm_1/lstm_1/${n}:0`) as { data: Float64Array }).data;
    const dense = (n: string) => (datasets.get(`dense_1/dense_1/${n}:0`) as { data: Float64Array }).data;
    const want = xs.flatMap((seq) => {
      const h = lstm(
        seq,
        { kernel: w('kernel'), recurrent: w('recurrent_kernel'), bias: w('bias') },
        50,
        hardSigmoid02,
      );
      return affine(h[h.length - 1], dense('kernel'), dense('bias'), 1);
    });
    const got = (model.predict(tensor(xs)) as Tensor).dataSync();
    report(t, 'simple_lstm_tf_keras_2_model.h5', maxDiff(got, want), 'a plain-loop Keras 2 LSTM');
    const recurrent = model.layers[0] as unknown as { recurrentActivation: { name: string } };
    assert.equal(recurrent.recurrentActivation.name, 'hard_sigmoid_tfjs');
  });

  it('tfkeras_rnn_29_bilstm.h5 (tf.keras 2.2.4, Bidirectional LSTMs with dtype null) loads and matches', async (t) => {
    const model = await loadKerasModel(keras('tfkeras_rnn_29_bilstm.h5'));
    const { datasets } = await readKerasH5(keras('tfkeras_rnn_29_bilstm.h5'));
    assertSummary(model, [
      ['input_26', 'InputLayer', '(None, 3, 4)', 0],
      ['bidirectional_14', 'Bidirectional', '(None, 3, 12)', storedParams(datasets, 'bidirectional_14')],
      ['activation_18', 'Activation', '(None, 3, 12)', 0],
      ['bidirectional_15', 'Bidirectional', '(None, 3, 8)', storedParams(datasets, 'bidirectional_15')],
      ['activation_19', 'Activation', '(None, 3, 8)', 0],
    ]);
    const rand = seeded(5);
    const xs = Array.from({ length: 3 }, () => Array.from({ length: 3 }, () => [0, 1, 2, 3].map(() => rand(-1, 1))));
    const bilstm = (seq: number[][], layer: string, cell: string, units: number) => {
      const w = (dir: string, n: string) =>
        (datasets.get(`${layer}/${layer}/${dir}_${cell}/${n}:0`) as { data: Float64Array }).data;
      const weights = (dir: string) => ({
        kernel: w(dir, 'kernel'),
        recurrent: w(dir, 'recurrent_kernel'),
        bias: w(dir, 'bias'),
      });
      const fwd = lstm(seq, weights('forward'), units, hardSigmoid02);
      const bwd = lstm([...seq].reverse(), weights('backward'), units, hardSigmoid02).reverse();
      return fwd.map((h, i) => [...h, ...bwd[i]].map(relu));
    };
    const want = xs.flatMap((seq) =>
      flat(bilstm(bilstm(seq, 'bidirectional_14', 'lstm_14', 6), 'bidirectional_15', 'lstm_15', 4)),
    );
    const got = (model.predict(tensor(xs)) as Tensor).dataSync();
    report(t, 'tfkeras_rnn_29_bilstm.h5', maxDiff(got, want), 'plain-loop Bidirectional LSTMs');
  });

  it('gap_multiply.h5 (tf.keras: Conv1D, BatchNormalization, GlobalAveragePooling1D, RepeatVector, Multiply) matches', async (t) => {
    const model = await loadKerasModel(keras('gap_multiply.h5'));
    const { datasets } = await readKerasH5(keras('gap_multiply.h5'));
    const d = (path: string) => (datasets.get(path) as { data: Float64Array }).data;
    assertSummary(model, [
      ['input_12', 'InputLayer', '(None, 400, 128)', 0],
      ['conv1d_11', 'Conv1D', '(None, 400, 512)', storedParams(datasets, 'conv1d_11')],
      [
        'batch_normalization_5',
        'BatchNormalization',
        '(None, 400, 512)',
        storedParams(datasets, 'batch_normalization_5'),
      ],
      ['activation_5', 'Activation', '(None, 400, 512)', 0],
      ['global_average_pooling1d_5', 'GlobalAveragePooling1D', '(None, 512)', 0],
      ['dense_9', 'Dense', '(None, 51)', storedParams(datasets, 'dense_9')],
      ['dense_10', 'Dense', '(None, 512)', storedParams(datasets, 'dense_10')],
      ['repeat_vector_5', 'RepeatVector', '(None, 400, 512)', 0],
      ['multiply_5', 'Multiply', '(None, 400, 512)', 0],
    ]);
    const rand = seeded(3);
    const xs = [0, 1].map(() => Array.from({ length: 400 }, () => Array.from({ length: 128 }, () => rand(-1, 1))));
    const bn = {
      gamma: d('batch_normalization_5/batch_normalization_5_1/gamma:0'),
      beta: d('batch_normalization_5/batch_normalization_5_1/beta:0'),
      mean: d('batch_normalization_5/batch_normalization_5_1/moving_mean:0'),
      variance: d('batch_normalization_5/batch_normalization_5_1/moving_variance:0'),
    };
    const want = xs.flatMap((x) => {
      const conv = conv1d(x, d('conv1d_11/conv1d_11_1/kernel:0'), d('conv1d_11/conv1d_11_1/bias:0'), 3, 512, 'same');
      const act = conv.map((row) => batchNorm(row, bn, 0.001).map(relu));
      const pooled = act[0].map((_, c) => act.reduce((s, row) => s + row[c], 0) / act.length);
      const squeeze = affine(pooled, d('dense_9/dense_9/kernel:0'), d('dense_9/dense_9/bias:0'), 51).map(relu);
      const excite = affine(squeeze, d('dense_10/dense_10/kernel:0'), d('dense_10/dense_10/bias:0'), 512).map(sigmoid);
      return act.flatMap((row) => row.map((v, c) => v * excite[c]));
    });
    const got = (model.predict(tensor(xs)) as Tensor).dataSync();
    report(t, 'gap_multiply.h5', maxDiff(got, want), 'a plain-loop forward pass');
  });

  it('embedding_conv1d_maxpool1d.hdf5 (tf.keras 2.4: Embedding, Conv1D, MaxPooling1D, Dropout) matches and comes back compiled', async (t) => {
    const model = await loadKerasModel(keras('embedding_conv1d_maxpool1d.hdf5'));
    const { datasets } = await readKerasH5(keras('embedding_conv1d_maxpool1d.hdf5'));
    const d = (path: string) => (datasets.get(path) as { data: Float64Array }).data;
    assertSummary(model, [
      ['input_1', 'InputLayer', '(None, 6)', 0],
      ['embedding', 'Embedding', '(None, 6, 3)', storedParams(datasets, 'embedding')],
      ['conv1d', 'Conv1D', '(None, 5, 3)', storedParams(datasets, 'conv1d')],
      ['max_pooling1d', 'MaxPooling1D', '(None, 1, 3)', 0],
      ['flatten', 'Flatten', '(None, 3)', 0],
      ['dropout', 'Dropout', '(None, 3)', 0],
      ['dense', 'Dense', '(None, 2)', storedParams(datasets, 'dense')],
    ]);
    const ids = [
      [0, 1, 2, 3, 4, 0],
      [4, 4, 3, 1, 2, 2],
      [2, 0, 1, 1, 3, 4],
    ];
    const table = d('embedding/embedding/embeddings:0');
    const want = ids.flatMap((row) => {
      const emb = row.map((id) => Array.from(table.subarray(id * 3, id * 3 + 3)));
      const conv = conv1d(emb, d('conv1d/conv1d/kernel:0'), d('conv1d/conv1d/bias:0'), 2, 3, 'valid').map((r) =>
        r.map(relu),
      );
      const pooled = [0, 1, 2].map((c) => Math.max(...conv.slice(0, 5).map((r) => r[c])));
      return softmax(affine(pooled, d('dense/dense/kernel:0'), d('dense/dense/bias:0'), 2));
    });
    const got = (model.predict(tensor(ids)) as Tensor).dataSync();
    report(t, 'embedding_conv1d_maxpool1d.hdf5', maxDiff(got, want), 'a plain-loop forward pass');
    // Its training_config: Adam, categorical cross-entropy, accuracy metrics.
    assert.equal(model.compiled?.optimizer.className, 'Adam');
    assert.ok(Math.abs((model.compiled?.optimizer.learningRate ?? 0) - 0.0011449999874457717) < 1e-12);
    const y = tensor([
      [1, 0],
      [0, 1],
      [1, 0],
    ]);
    const [loss] = model.evaluate(tensor(ids), y) as Tensor[];
    const ce = -[0, 1, 2].reduce((s, i) => s + Math.log(want[2 * i + (i === 1 ? 1 : 0)]), 0) / 3;
    assert.ok(Math.abs(loss.dataSync()[0] - ce) < 1e-5, `evaluate: ${loss.dataSync()[0]} vs ${ce}`);
  });

  it('custom_loss.h5 (Keras 2.3.1: Embedding, Flatten, Dense) matches, compiled with its logcosh loss', async (t) => {
    const model = await loadKerasModel(keras('custom_loss.h5'));
    const { datasets } = await readKerasH5(keras('custom_loss.h5'));
    const d = (path: string) => (datasets.get(path) as { data: Float64Array }).data;
    assertSummary(model, [
      ['embedding_1', 'Embedding', '(None, 3, 4)', storedParams(datasets, 'embedding_1')],
      ['flatten_1', 'Flatten', '(None, 12)', 0],
      ['dense_1', 'Dense', '(None, 1)', storedParams(datasets, 'dense_1')],
    ]);
    const ids = [
      [0, 1, 2],
      [6, 5, 4],
      [3, 3, 1],
    ];
    const table = d('embedding_1/embedding_1/embeddings:0');
    const want = ids.flatMap((row) =>
      affine(
        row.flatMap((id) => Array.from(table.subarray(id * 4, id * 4 + 4))),
        d('dense_1/dense_1/kernel:0'),
        d('dense_1/dense_1/bias:0'),
        1,
      ).map(relu),
    );
    const got = (model.predict(tensor(ids)) as Tensor).dataSync();
    report(t, 'custom_loss.h5', maxDiff(got, want), 'a plain-loop forward pass');
    assert.equal(model.compiled?.optimizer.className, 'SGD');
  });

  it('sequential_lambda.h5 is refused: a Lambda layer is Python code', async () => {
    await assert.rejects(
      loadKerasModel(keras('sequential_lambda.h5')),
      (e: unknown) =>
        e instanceof FileFormatError &&
        /'lambda_1'.*Lambda layer stores serialized Python code, which Myelin never runs/.test((e as Error).message),
    );
  });
});

describe('real TF.js files', () => {
  /** TF.js 4.22 loading the same folder: the reference. */
  async function tfjsReference(folder: string): Promise<tf.LayersModel> {
    const json = JSON.parse(readFileSync(join(FIXTURES, 'tfjs', folder, 'model.json'), 'utf8'));
    const group = json.weightsManifest[0];
    const data = Buffer.concat(group.paths.map((p: string) => readFileSync(join(FIXTURES, 'tfjs', folder, p))));
    return tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: group.weights,
        weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
      }),
    );
  }

  /** TF.js' summary rows (it adds an input-shape column and writes shapes as JSON) in Keras' terms. */
  function tfjsRows(m: tf.LayersModel): { layer: string; shape: string; params: number }[] {
    const lines: string[] = [];
    m.summary(undefined, undefined, (l: string) => lines.push(l));
    const start = lines.findIndex((l) => l.startsWith('Layer (type)')) + 2;
    return lines
      .slice(start)
      .filter((l) => !/^(=|_)+$/.test(l) && !/params:/.test(l) && l.trim())
      .map((l) => {
        const [, layer, shape, params] = /^(.+?)\s*\[\[[^\]]*\]\]\s+(\[[^\]]*\])\s+(\d+)\s*$/.exec(l) as string[];
        const dims = (JSON.parse(shape) as (number | null)[]).map((d) => (d === null ? 'None' : String(d)));
        return { layer, shape: `(${dims.join(', ')}${dims.length === 1 ? ',' : ''})`, params: Number(params) };
      });
  }

  const cases: [string, number[][] | number[][][], string][] = [
    [
      'abalone',
      [
        [0.5, 0.4, 0.1, 0.6, 0.3, 0.1, 0.2, 1],
        [0.2, 0.15, 0.05, 0.1, 0.04, 0.02, 0.03, 0],
        [0.7, 0.55, 0.2, 1.5, 0.6, 0.3, 0.4, 0.5],
      ],
      'Dense sigmoid MLP, tfjs-layers 1.3.2',
    ],
    [
      'e2e_embedding_gru',
      [
        [1, 5, 9, 0, 0, 99, 12, 3, 3, 7],
        [50, 2, 2, 2, 81, 0, 1, 64, 33, 8],
      ],
      'Embedding + GRU (goBackwards, hard_sigmoid, no reset_after)',
    ],
    [
      'fashion_mlp',
      [0, 1].map((k) =>
        Array.from({ length: 28 }, (_, r) => Array.from({ length: 28 }, (_, c) => ((r * 28 + c + 97 * k) % 255) / 255)),
      ),
      'converted from Keras 2.3 (Flatten, Dense), group1 shard',
    ],
  ];
  for (const [folder, x, what] of cases) {
    it(`${folder} (${what}) loads, its summary matches TF.js', and it predicts what TF.js 4.22 does`, async (t) => {
      const model = await loadTfjsModel(join(FIXTURES, 'tfjs', folder, 'model.json'));
      const reference = await tfjsReference(folder);
      const mine = summaryRows(summaryOf(model));
      const theirs = tfjsRows(reference);
      assert.equal(mine.length, theirs.length);
      mine.forEach((row, i) => {
        // Both cut long 'name (Class)' entries, at different widths.
        assert.ok(
          row.layer.startsWith(theirs[i].layer) || theirs[i].layer.startsWith(row.layer),
          `${row.layer} vs ${theirs[i].layer}`,
        );
        assert.deepEqual([row.shape, row.params], [theirs[i].shape, theirs[i].params], row.layer);
      });
      const want = (reference.predict(tf.tensor(x)) as tf.Tensor).dataSync();
      const got = (model.predict(tensor(x)) as Tensor).dataSync();
      report(t, `tfjs/${folder}`, maxDiff(got, want), 'TF.js 4.22');
    });
  }

  it('fashion_mlp comes back compiled from its training_config (Adam, sparse categorical cross-entropy)', async () => {
    const model = await loadTfjsModel(join(FIXTURES, 'tfjs', 'fashion_mlp', 'model.json'));
    assert.equal(model.compiled?.optimizer.className, 'Adam');
    assert.deepEqual(model.metricsNames, ['loss', 'accuracy']);
  });

  it('e2e_graph_matmul is refused with what a graph model is and what to use instead', async () => {
    await assert.rejects(
      loadTfjsModel(join(FIXTURES, 'tfjs', 'e2e_graph_matmul', 'model.json')),
      (e: unknown) =>
        e instanceof FileFormatError &&
        /TF.js graph model.*MatMul.*frozen TensorFlow graph of low-level operations.*no Keras layers.*loadKerasModel.*tf\.loadGraphModel/s.test(
          (e as Error).message,
        ),
    );
  });
});
