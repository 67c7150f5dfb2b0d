import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Tensor } from '../../src/core/tensor.js';
import { ones, reverse, setFloatX, tensor, zeros } from '../../src/index.js';
import {
  Bidirectional,
  Conv1D,
  Dense,
  Embedding,
  GlobalAveragePooling1D,
  GlobalMaxPooling1D,
  GRU,
  LSTM,
  Masking,
  SimpleRNN,
  TimeDistributed,
  deserializeLayer,
  serializeLayer,
  layers,
  type Layer,
} from '../../src/layers/index.js';
import { sequential } from '../../src/models/index.js';
import { assertClose, rand64 } from '../helpers/gradcheck.js';
import { checkVariableGradients, inputVariable } from './layer_gradcheck.js';

describe('Embedding', () => {
  it('looks up rows, masks id 0 and names the layer, id and range on bad ids', () => {
    const emb = new Embedding({ inputDim: 5, outputDim: 2, maskZero: true, name: 'words' });
    const ids = tensor([[1, 4, 0]], undefined, 'int32');
    const y = emb.apply(ids) as Tensor;
    assert.deepEqual(y.shape, [1, 3, 2]);
    const table = emb.getWeights()[0].dataSync();
    assertClose(y, [table[2], table[3], table[8], table[9], table[0], table[1]]);
    assert.deepEqual(Array.from((emb.computeMask(ids) as Tensor).dataSync()), [1, 1, 0]);
    assert.throws(
      () => emb.apply(tensor([[1, 5]], undefined, 'int32')),
      /Embedding 'words': token id 5 .*expected integers in \[0, 5\)/,
    );
    assert.throws(() => emb.apply(tensor([[-1]], undefined, 'int32')), /token id -1/);
  });

  it('gradient is a scatter-add over repeated ids (float64 check)', () => {
    setFloatX('float64');
    try {
      const emb = new Embedding({ inputDim: 4, outputDim: 3 });
      const ids = tensor(
        [
          [1, 1, 3],
          [0, 1, 2],
        ],
        undefined,
        'int32',
      );
      emb.apply(ids);
      checkVariableGradients(() => emb.apply(ids) as Tensor, emb.weights);
    } finally {
      setFloatX('float32');
    }
  });
});

describe('wrappers, masking and 1-D layers', () => {
  beforeEach(() => setFloatX('float64'));
  afterEach(() => setFloatX('float32'));

  for (const mergeMode of ['concat', 'sum', 'mul', 'ave'] as const) {
    it(`Bidirectional ${mergeMode}: forward + reversed backward, gradients`, () => {
      const bi = new Bidirectional({ layer: new LSTM({ units: 2, returnSequences: true, name: 'seq' }), mergeMode });
      const x = inputVariable([2, 3, 2]);
      const y = bi.apply(x) as Tensor;
      assert.deepEqual(y.shape, [2, 3, mergeMode === 'concat' ? 4 : 2]);
      assert.deepEqual(
        bi.weights.map((w) => w.name),
        [
          'forward_seq/kernel',
          'forward_seq/recurrent_kernel',
          'forward_seq/bias',
          'backward_seq/kernel',
          'backward_seq/recurrent_kernel',
          'backward_seq/bias',
        ],
      );
      const fwd = bi.forwardLayer.apply(x) as Tensor;
      const bwd = reverse(bi.backwardLayer.apply(x) as Tensor, 1);
      if (mergeMode === 'concat') {
        const v = y.dataSync(),
          f = fwd.dataSync(),
          b = bwd.dataSync();
        for (let i = 0; i < 6; i++)
          assertClose(
            [v[4 * i], v[4 * i + 1], v[4 * i + 2], v[4 * i + 3]],
            [f[2 * i], f[2 * i + 1], b[2 * i], b[2 * i + 1]],
          );
      }
      if (mergeMode !== 'mul')
        checkVariableGradients(
          () => bi.apply(x, { mask: tensor([true, true, false, true, false, true], [2, 3], 'bool') }) as Tensor,
          [...bi.weights, x],
        );
    });
  }

  it('Bidirectional returnState lists the forward then the backward states', () => {
    const bi = new Bidirectional({ layer: new GRU({ units: 3, returnState: true }) });
    const out = bi.apply(ones([2, 4, 2])) as Tensor[];
    assert.deepEqual(
      out.map((t) => t.shape),
      [
        [2, 6],
        [2, 3],
        [2, 3],
      ],
    );
    assert.deepEqual(bi.computeOutputShape([null, 4, 2]), [
      [null, 6],
      [null, 3],
      [null, 3],
    ]);
  });

  it('TimeDistributed applies one Dense to every step, gradients', () => {
    const td = new TimeDistributed({ layer: new Dense({ units: 2 }) });
    const x = inputVariable([2, 3, 4]);
    const y = td.apply(x) as Tensor;
    assert.deepEqual(y.shape, [2, 3, 2]);
    assert.deepEqual(td.computeOutputShape([null, 3, 4]), [null, 3, 2]);
    checkVariableGradients(() => td.apply(x) as Tensor, [...td.weights, x]);
  });

  it('Masking zeroes and masks all-padding steps; GlobalAveragePooling1D leaves them out', () => {
    const x = tensor(
      [
        [
          [1, 2],
          [0, 0],
          [3, 4],
        ],
      ],
      undefined,
      'float64',
    );
    const m = new Masking();
    const mask = m.computeMask(x) as Tensor;
    assert.deepEqual(Array.from(mask.dataSync()), [1, 0, 1]);
    const pooled = new GlobalAveragePooling1D().apply(m.apply(x) as Tensor, { mask }) as Tensor;
    assertClose(pooled, [2, 3]);
    assertClose(new GlobalMaxPooling1D().apply(x) as Tensor, [3, 4]);
    const avg = new GlobalAveragePooling1D({ keepdims: true });
    assert.deepEqual((avg.apply(x) as Tensor).shape, [1, 1, 2]);
    const xv = inputVariable([2, 4, 3]);
    checkVariableGradients(() => new GlobalMaxPooling1D().apply(xv) as Tensor, [xv]);
  });

  it('Conv1D valid/same/causal: values against a direct sum, gradients', () => {
    for (const padding of ['valid', 'same', 'causal'] as const) {
      const conv = new Conv1D({ filters: 2, kernelSize: 3, padding, biasInitializer: 'glorotUniform' });
      const x = inputVariable([1, 5, 2]);
      const y = conv.apply(x) as Tensor;
      const [k, b] = conv.getWeights().map((w) => w.dataSync());
      const xv = x.dataSync();
      const left = padding === 'valid' ? 0 : padding === 'same' ? 1 : 2;
      const steps = padding === 'valid' ? 3 : 5;
      assert.deepEqual(y.shape, [1, steps, 2]);
      const expected: number[] = [];
      for (let t = 0; t < steps; t++)
        for (let f = 0; f < 2; f++) {
          let acc = b[f];
          for (let j = 0; j < 3; j++)
            for (let c = 0; c < 2; c++) {
              const s = t + j - left;
              if (s >= 0 && s < 5) acc += xv[s * 2 + c] * k[(j * 2 + c) * 2 + f];
            }
          expected.push(acc);
        }
      assertClose(y, expected, 1e-12);
      assert.deepEqual(conv.computeOutputShape([null, 5, 2]), [null, steps, 2]);
      checkVariableGradients(() => conv.apply(x) as Tensor, [...conv.weights, x]);
    }
  });
});

describe('configs, models and errors', () => {
  it('every layer rebuilds from getConfig', () => {
    const made: Layer[] = [
      layers.embedding({ inputDim: 10, outputDim: 4, maskZero: true, inputLength: 6 }),
      layers.simpleRNN({ units: 3, activation: 'relu', goBackwards: true }),
      layers.lstm({ units: 3, unitForgetBias: false, dropout: 0.1, recurrentDropout: 0.2, returnSequences: true }),
      layers.gru({ units: 3, resetAfter: false, stateful: true, returnState: true }),
      layers.bidirectional({ layer: layers.lstm({ units: 2 }), mergeMode: 'sum' }),
      layers.timeDistributed({ layer: layers.dense({ units: 2 }) }),
      layers.masking({ maskValue: -1 }),
      layers.conv1d({ filters: 4, kernelSize: 3, padding: 'causal', dilationRate: 2 }),
      layers.globalAveragePooling1d({ keepdims: true }),
      layers.globalMaxPooling1d(),
    ];
    for (const layer of made) {
      const json = JSON.parse(JSON.stringify(serializeLayer(layer)));
      const rebuilt = deserializeLayer(json);
      assert.equal(rebuilt.getClassName(), layer.getClassName());
      assert.deepEqual(rebuilt.getConfig(), layer.getConfig());
    }
  });

  it('a Sequential model carries the embedding mask into the LSTM', () => {
    const model = sequential({
      layers: [
        layers.embedding({ inputDim: 6, outputDim: 3, maskZero: true, inputShape: [4] }),
        layers.lstm({ units: 2 }),
      ],
    });
    const padded = model.predict(tensor([[3, 5, 0, 0]], undefined, 'int32')) as Tensor;
    const [emb, lstm] = model.layers;
    const short = lstm.apply(emb.apply(tensor([[3, 5]], undefined, 'int32')) as Tensor) as Tensor;
    const unmasked = lstm.apply(emb.apply(tensor([[3, 5, 0, 0]], undefined, 'int32')) as Tensor) as Tensor;
    assert.ok(Math.abs(unmasked.dataSync()[0] - padded.dataSync()[0]) > 1e-6, 'padding must matter without the mask');
    assertClose(padded, short, 1e-6);
  });

  it('rejects wrong ranks, bad masks, bad initial states and stateful batch changes, naming the layer', () => {
    const lstm = new LSTM({ units: 2, name: 'enc' });
    lstm.apply(zeros([2, 3, 4]));
    assert.throws(() => lstm.apply(zeros([2, 4])), /layer 'enc'.*expected rank 3, got rank 2/);
    assert.throws(() => lstm.apply(zeros([2, 3, 5])), /layer 'enc'.*axis -1 must be 4, got 5/);
    assert.throws(
      () => lstm.apply(zeros([2, 3, 4]), { mask: ones([2, 5]) }),
      /LSTM 'enc': the mask must have shape \[2, 3\].*got \[2, 5\]/,
    );
    assert.throws(
      () => lstm.apply(zeros([2, 3, 4]), { initialState: [zeros([2, 2])] } as never),
      /LSTM 'enc': expected 2 initial state/,
    );
    assert.throws(() => new SimpleRNN({ units: 0 }), /'units' must be a positive integer, got 0/);
    assert.throws(() => new GRU({ units: 2, dropout: 1.5 }), /'dropout' must be a number in \[0, 1\)/);
    const stateful = new GRU({ units: 2, stateful: true, name: 'carry' });
    stateful.apply(zeros([3, 2, 1]));
    assert.throws(
      () => stateful.apply(zeros([2, 2, 1])),
      /GRU 'carry' is stateful and expects batches of 3 samples.*got a batch of 2/,
    );
    stateful.resetStates();
    assert.deepEqual((stateful.apply(zeros([2, 2, 1])) as Tensor).shape, [2, 2]);
    assert.throws(
      () => new Bidirectional({ layer: new Dense({ units: 2 }) as never }),
      /'layer' must be a recurrent layer/,
    );
    assert.throws(
      () => new Bidirectional({ layer: new LSTM({ units: 2 }), mergeMode: 'max' as never }),
      /unknown mergeMode "max"; expected one of concat, sum, mul, ave/,
    );
    assert.throws(
      () => new TimeDistributed({ layer: new Dense({ units: 2 }), name: 'td' }).apply(zeros([2, 3])),
      /TimeDistributed 'td': expected one input of rank >= 3/,
    );
  });

  it('a stateful layer carries its state from one batch to the next', () => {
    const layer = new SimpleRNN({ units: 2, stateful: true });
    const x = rand64([1, 4, 1], 5);
    const whole = layer.apply(x) as Tensor;
    layer.resetStates();
    layer.apply(x.slice([0, 0, 0], [1, 2, 1]));
    const second = layer.apply(x.slice([0, 2, 0], [1, 2, 1])) as Tensor;
    assertClose(second, whole, 1e-6);
  });

  it('dropout changes outputs only while training', () => {
    const layer = new LSTM({ units: 3, dropout: 0.5, recurrentDropout: 0.5, seed: 1 });
    const x = ones([2, 3, 4]);
    const a = (layer.apply(x) as Tensor).dataSync();
    const b = (layer.apply(x) as Tensor).dataSync();
    const c = (layer.apply(x, { training: true }) as Tensor).dataSync();
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });
});
