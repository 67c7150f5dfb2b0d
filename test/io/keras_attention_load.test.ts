/**
 * A Keras 3 `.keras` model with MultiHeadAttention, EinsumDense and an RMS-scaled
 * LayerNormalization, written as Keras 3's `saving_lib` lays it out (config.json with
 * `{args, kwargs}` inbound nodes, attention projections saved under the attention layer as
 * `query_dense/vars`, ...), loads and predicts what an independent forward pass computes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadKerasModel, tensor, type Tensor } from '../../src/index.js';
import { FileFormatError } from '../../src/io/format_error.js';
import { rand64 } from '../helpers/gradcheck.js';
import { referenceAttention } from '../layers/attention_reference.js';
import { init, k3, k3Input, kerasArchive, kt, mhaVars, type Json } from './keras_fixtures.js';

const common = {
  kernel_initializer: init('GlorotUniform', { seed: null }),
  bias_initializer: init('Zeros'),
  kernel_regularizer: null,
  bias_regularizer: null,
  activity_regularizer: null,
  kernel_constraint: null,
  bias_constraint: null,
};

/** MultiHeadAttention's config as Keras 3 writes it (after build: attention axes as a list). */
function mhaConfig(
  name: string,
  numHeads: number,
  keyDim: number,
  valueDim: number | null,
  outputShape: number | null,
) {
  return k3('MultiHeadAttention', {
    name,
    num_heads: numHeads,
    key_dim: keyDim,
    value_dim: valueDim,
    dropout: 0,
    use_bias: true,
    use_gate: false,
    output_shape: outputShape,
    attention_axes: [1],
    sliding_window: null,
    seed: null,
    ...common,
  });
}

const entry = (e: Json, inbound: unknown[]) => ({ ...e, name: (e.config as Json).name, inbound_nodes: inbound });

const B = 2,
  T = 4,
  D = 6;
const w = (shape: number[], seed: number) => rand64(shape, seed, -0.6, 0.6);
const weights = {
  proj: [w([D, D], 1), w([D], 2)],
  cross: {
    wq: w([D, 2, 3], 3),
    bq: w([2, 3], 4),
    wk: w([D, 2, 3], 5),
    bk: w([2, 3], 6),
    wv: w([D, 2, 3], 7),
    bv: w([2, 3], 8),
    wo: w([2, 3, D], 9),
    bo: w([D], 10),
  },
  gamma: rand64([D], 11, 0.5, 1.5),
  self: {
    wq: w([D, 2, 2], 12),
    bq: w([2, 2], 13),
    wk: w([D, 2, 2], 14),
    bk: w([2, 2], 15),
    wv: w([D, 2, 3], 16),
    bv: w([2, 3], 17),
    wo: w([2, 3, 5], 18),
    bo: w([5], 19),
  },
};

/**
 * tokens → EinsumDense 'proj'; MultiHeadAttention 'cross'(tokens, value=proj, use_causal_mask)
 * → Add with tokens → LayerNormalization(rms_scaling) → MultiHeadAttention 'self'(query=,
 * value=, key=proj, all by keyword, output_shape 5).
 */
function kerasFile(selfKwargs: Json = {}): Promise<Uint8Array> {
  const seq = [null, T, D];
  const config = {
    module: 'keras.src.models.functional',
    class_name: 'Functional',
    registered_name: 'Functional',
    config: {
      name: 'attention_model',
      trainable: true,
      layers: [
        { ...k3Input('tokens', seq), name: 'tokens', inbound_nodes: [] },
        entry(
          k3('EinsumDense', {
            name: 'proj',
            equation: 'abc,cd->abd',
            output_shape: [null, D],
            activation: 'linear',
            bias_axes: 'd',
            lora_rank: null,
            lora_alpha: null,
            ...common,
          }),
          [{ args: [kt('tokens', seq)], kwargs: {} }],
        ),
        entry(mhaConfig('cross', 2, 3, 3, null), [
          { args: [kt('tokens', seq)], kwargs: { value: kt('proj', seq), use_causal_mask: true } },
        ]),
        entry(k3('Add', { name: 'residual' }), [{ args: [[kt('tokens', seq), kt('cross', seq)]], kwargs: {} }]),
        entry(
          k3('LayerNormalization', {
            name: 'rms',
            axis: -1,
            epsilon: 1e-6,
            center: true,
            scale: true,
            rms_scaling: true,
            beta_initializer: init('Zeros'),
            gamma_initializer: init('Ones'),
            beta_regularizer: null,
            gamma_regularizer: null,
            beta_constraint: null,
            gamma_constraint: null,
          }),
          [{ args: [kt('residual', seq)], kwargs: {} }],
        ),
        entry(mhaConfig('self', 2, 2, 3, 5), [
          {
            args: [],
            kwargs: { query: kt('rms', seq), value: kt('rms', seq), key: kt('proj', seq), ...selfKwargs },
          },
        ]),
      ],
      input_layers: [['tokens', 0, 0]],
      output_layers: [['self', 0, 0]],
    },
  };
  const groups = {
    'layers/input_layer/vars': [],
    'layers/einsum_dense/vars': weights.proj,
    ...mhaVars('layers/multi_head_attention', weights.cross),
    'layers/add/vars': [],
    'layers/layer_normalization/vars': [weights.gamma],
    ...mhaVars('layers/multi_head_attention_1', weights.self),
  };
  return kerasArchive(config, groups, '3.8.0');
}

/** The model's forward pass by loops, from the weights written into the file. */
function reference(x: Tensor): number[] {
  const X = x.dataSync();
  const [k, b] = weights.proj.map((t) => t.dataSync());
  const proj = new Float64Array(B * T * D);
  for (let r = 0; r < B * T; r++)
    for (let o = 0; o < D; o++) {
      let s = b[o];
      for (let i = 0; i < D; i++) s += X[r * D + i] * k[i * D + o];
      proj[r * D + o] = s;
    }
  const projT = tensor(proj, [B, T, D], 'float64');
  const cross = referenceAttention(x, projT, projT, weights.cross, (_b, t, s) => s <= t).output;
  const g = weights.gamma.dataSync();
  const normed = new Float64Array(B * T * D);
  for (let r = 0; r < B * T; r++) {
    const row = Array.from({ length: D }, (_, i) => X[r * D + i] + cross[r * D + i]);
    const mean = row.reduce((a, c) => a + c, 0) / D;
    const variance = row.reduce((a, c) => a + (c - mean) ** 2, 0) / D;
    // Keras' rms_scaling divides by the standard deviation and does not center.
    row.forEach((v, i) => {
      normed[r * D + i] = (v / Math.sqrt(variance + 1e-6)) * g[i];
    });
  }
  const n = tensor(normed, [B, T, D], 'float64');
  return referenceAttention(n, n, projT, weights.self, () => true).output;
}

describe('Keras 3 .keras files with attention layers', () => {
  it('MultiHeadAttention (keyword tensors, causal mask), EinsumDense and RMS LayerNormalization load and predict', async () => {
    const model = await loadKerasModel(await kerasFile());
    assert.deepEqual(
      model.layers.map((l) => `${l.name}:${l.getClassName()}`),
      [
        'tokens:InputLayer',
        'proj:EinsumDense',
        'cross:MultiHeadAttention',
        'residual:Add',
        'rms:LayerNormalization',
        'self:MultiHeadAttention',
      ],
    );
    assert.deepEqual(model.outputs[0].shape, [null, T, 5]);
    const x = rand64([B, T, D], 21);
    const got = (model.predict(tensor(Array.from(x.dataSync()), [B, T, D])) as Tensor).dataSync();
    const want = reference(x);
    assert.equal(got.length, want.length);
    for (let i = 0; i < want.length; i++)
      assert.ok(Math.abs(got[i] - want[i]) <= 1e-5 * (1 + Math.abs(want[i])), `output ${i}: ${got[i]} vs ${want[i]}`);
  });

  it('an attention call with a tensor Myelin cannot take by keyword is refused, naming it', async () => {
    await assert.rejects(
      loadKerasModel(await kerasFile({ query_mask: kt('tokens', [null, T, D]) })),
      (e: Error) =>
        e instanceof FileFormatError && /a layer call passes a tensor as keyword argument 'queryMask'/.test(e.message),
    );
  });
});
