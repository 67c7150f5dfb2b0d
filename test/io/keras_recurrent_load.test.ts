/**
 * Keras 3 `.keras` files with the generic RNN (stacked cells) and a Bidirectional whose backward
 * layer differs from its forward one, written in `saving_lib`'s layout: an RNN's cell under
 * `cell/vars`, stacked cells under `cell/cells/<class>[_n]/vars`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadKerasModel, setSeed, tensor, type Tensor } from '../../src/index.js';
import { layers } from '../../src/layers/index.js';
import { assertClose, rand64 } from '../helpers/gradcheck.js';
import { k3, k3Input, k3Sequential, kerasArchive } from './keras_fixtures.js';

const cell = (cls: string, units: number, extra = {}) => ({
  module: 'keras.layers',
  class_name: cls,
  config: {
    name: cls.toLowerCase(),
    units,
    activation: 'tanh',
    recurrent_activation: 'sigmoid',
    use_bias: true,
    dropout: 0,
    recurrent_dropout: 0,
    seed: null,
    ...extra,
  },
  registered_name: null,
});
const seqFlags = {
  return_sequences: true,
  return_state: false,
  go_backwards: false,
  stateful: false,
  unroll: false,
  zero_output_for_mask: false,
};

describe('Keras 3 .keras files with RNN cells and a distinct backward layer', () => {
  it('RNN(StackedRNNCells[LSTMCell, GRUCell]) and Bidirectional(LSTM, backward GRU) load with their weights', async () => {
    setSeed(5);
    // The same computation built from Myelin's own layers, whose weights go into the file.
    const lstm = layers.lstm({ units: 3, returnSequences: true });
    const gru = layers.gru({ units: 2, returnSequences: true });
    const fwd = layers.lstm({ units: 2, returnSequences: true });
    const bwd = layers.gru({ units: 3, returnSequences: true, goBackwards: true });
    const x = tensor(Array.from(rand64([2, 4, 3], 8).dataSync()), [2, 4, 3]);
    const h = gru.apply(lstm.apply(x) as Tensor) as Tensor;
    const bi = layers.bidirectional({ layer: fwd, backwardLayer: bwd });
    const want = bi.apply(h) as Tensor;
    const [fk, frk, fb, bk, brk, bb] = bi.getWeights();
    const config = k3Sequential('recurrent', [
      k3Input('input_layer', [null, 4, 3]),
      k3('RNN', {
        name: 'rnn',
        cell: {
          module: 'keras.layers',
          class_name: 'StackedRNNCells',
          config: {
            name: 'stacked_rnn_cells',
            trainable: true,
            cells: [cell('LSTMCell', 3, { unit_forget_bias: true }), cell('GRUCell', 2, { reset_after: true })],
          },
          registered_name: null,
        },
        ...seqFlags,
      }),
      k3('Bidirectional', {
        name: 'bidirectional',
        merge_mode: 'concat',
        layer: k3('LSTM', { name: 'forward_lstm', units: 2, ...seqFlags }),
        backward_layer: k3('GRU', {
          name: 'backward_gru',
          units: 3,
          reset_after: true,
          ...seqFlags,
          go_backwards: true,
        }),
      }),
    ]);
    const file = await kerasArchive(config, {
      'layers/input_layer/vars': [],
      'layers/rnn/vars': [],
      'layers/rnn/cell/vars': [],
      'layers/rnn/cell/cells/lstm_cell/vars': lstm.getWeights(),
      'layers/rnn/cell/cells/gru_cell/vars': gru.getWeights(),
      'layers/bidirectional/forward_layer/cell/vars': [fk, frk, fb],
      'layers/bidirectional/backward_layer/cell/vars': [bk, brk, bb],
    });
    const model = await loadKerasModel(file);
    assertClose(model.predict(x) as Tensor, want, 1e-5);
  });
});

describe('Keras 3 preprocessing layers in .keras files', () => {
  it('an IntegerLookup whose adapted vocabulary lives in the assets is refused, not loaded empty', async () => {
    const lookup = (vocabulary: number[] | null) =>
      k3Sequential('lookup', [
        k3Input('input_layer', [null, 3]),
        k3('IntegerLookup', {
          name: 'integer_lookup',
          invert: false,
          max_tokens: null,
          num_oov_indices: 1,
          oov_token: -1,
          mask_token: null,
          output_mode: 'int',
          sparse: false,
          pad_to_max_tokens: false,
          vocabulary_dtype: 'int64',
          idf_weights: null,
          vocabulary,
          vocabulary_size: 4,
          oov_method: 'floormod',
          salt: null,
        }),
      ]);
    const empty = { 'layers/input_layer/vars': [], 'layers/integer_lookup/vars': [] };
    await assert.rejects(
      loadKerasModel(await kerasArchive(lookup(null), empty)),
      /IntegerLookup's vocabulary is not in its config \(an adapted vocabulary is stored as an asset file/,
    );
    const model = await loadKerasModel(await kerasArchive(lookup([12, 36, 42]), empty));
    assert.deepEqual((model.predict(tensor([[36, 7, 12]], undefined, 'int32')) as Tensor).arraySync(), [[2, 0, 1]]);
  });
  it('Hashing after an integer input loads and bins as Keras does; string inputs are refused by name', async () => {
    const intInput = k3Input('input_layer', [null, 1]);
    (intInput.config as Record<string, unknown>).dtype = 'int64';
    const hashing = k3('Hashing', {
      name: 'hashing',
      dtype: 'int64',
      num_bins: 3,
      salt: null,
      mask_value: null,
      output_mode: 'int',
      sparse: false,
    });
    const vars = { 'layers/input_layer/vars': [], 'layers/hashing/vars': [] };
    const model = await loadKerasModel(await kerasArchive(k3Sequential('hashed', [intInput, hashing]), vars));
    // Keras' test: Hashing(num_bins=3) on [[0], [1], [2], [3], [4]].
    const x = tensor([[0], [1], [2], [3], [4]], undefined, 'int32');
    assert.deepEqual((model.predict(x) as Tensor).arraySync(), [[1], [0], [1], [0], [2]]);

    const stringInput = k3Input('input_layer', [null, 1]);
    (stringInput.config as Record<string, unknown>).dtype = 'string';
    await assert.rejects(
      loadKerasModel(await kerasArchive(k3Sequential('hashed', [stringInput, hashing]), vars)),
      /dtype 'string' is not supported: Myelin's tensors hold numbers.*apply StringLookup or Hashing to the strings before the model/,
    );
  });
  it("a StringLookup's vocabulary must be in its config, and IntegerLookup's farmhash OOV buckets load", async () => {
    const stringLookup = k3Sequential('words', [
      k3Input('input_layer', [null, 1]),
      k3('StringLookup', {
        name: 'string_lookup',
        invert: false,
        max_tokens: null,
        num_oov_indices: 1,
        oov_token: '[UNK]',
        mask_token: null,
        output_mode: 'int',
        sparse: false,
        pad_to_max_tokens: false,
        idf_weights: null,
        vocabulary: null,
        vocabulary_size: 3,
        oov_method: 'floormod',
        salt: null,
        encoding: 'utf-8',
      }),
    ]);
    await assert.rejects(
      loadKerasModel(
        await kerasArchive(stringLookup, { 'layers/input_layer/vars': [], 'layers/string_lookup/vars': [] }),
      ),
      /StringLookup's vocabulary is not in its config/,
    );
    const farmhash = k3Sequential('lookup', [
      k3Input('input_layer', [null, 3]),
      k3('IntegerLookup', {
        name: 'integer_lookup',
        num_oov_indices: 2,
        oov_token: -1,
        mask_token: null,
        output_mode: 'int',
        vocabulary: [12, 36],
        oov_method: 'farmhash',
        salt: null,
      }),
    ]);
    const model = await loadKerasModel(
      await kerasArchive(farmhash, { 'layers/input_layer/vars': [], 'layers/integer_lookup/vars': [] }),
    );
    // The OOV index of 3 is Fingerprint64('3') mod 2: Hashing(num_bins=2)'s bin of 3.
    const hashing = layers.hashing({ numBins: 2 }).apply(tensor([3], undefined, 'int32')) as Tensor;
    const bucket = (hashing.arraySync() as number[])[0];
    assert.deepEqual((model.predict(tensor([[36, 3, 12]], undefined, 'int32')) as Tensor).arraySync(), [
      [3, bucket, 2],
    ]);
  });
});

describe('Keras 3 ConvLSTM2D in .keras files', () => {
  it('loads its cell weights from conv_lstm2d/cell/vars', async () => {
    setSeed(6);
    const layer = layers.convLstm2d({ filters: 2, kernelSize: 2, padding: 'same', returnSequences: true });
    const x = tensor(Array.from(rand64([1, 3, 3, 3, 1], 4).dataSync()), [1, 3, 3, 3, 1]);
    const want = layer.apply(x) as Tensor;
    const config = k3Sequential('frames', [
      k3Input('input_layer', [null, 3, 3, 3, 1]),
      k3('ConvLSTM2D', {
        name: 'conv_lstm2d',
        filters: 2,
        kernel_size: [2, 2],
        strides: [1, 1],
        padding: 'same',
        data_format: 'channels_last',
        dilation_rate: [1, 1],
        activation: 'tanh',
        recurrent_activation: 'sigmoid',
        use_bias: true,
        unit_forget_bias: true,
        dropout: 0,
        recurrent_dropout: 0,
        seed: null,
        ...seqFlags,
      }),
    ]);
    const file = await kerasArchive(config, {
      'layers/input_layer/vars': [],
      'layers/conv_lstm2d/vars': [],
      'layers/conv_lstm2d/cell/vars': layer.getWeights(),
    });
    assertClose((await loadKerasModel(file)).predict(x) as Tensor, want, 1e-5);
  });
});
