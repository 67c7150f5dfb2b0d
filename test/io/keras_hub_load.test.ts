/**
 * A Keras 3 `.keras` model made of KerasHub layers (TokenAndPositionEmbedding, a post-norm
 * TransformerEncoder and a pre-norm TransformerDecoder cross-attending to it), written as
 * Keras' saving_lib lays it out: classes registered as `keras_hub>Name` from
 * `keras_hub.src.layers.modeling.*`, each sublayer's weights under the attribute KerasHub keeps
 * it in (`_self_attention_layer/query_dense/vars`, `_feedforward_layer_norm/vars`,
 * `token_embedding/vars`, ...), the decoder called with `encoder_sequence=` by keyword. It must
 * load and predict what a forward pass written out by loops computes from the same arrays.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadKerasModel, tensor, type Tensor } from '../../src/index.js';
import { FileFormatError } from '../../src/io/format_error.js';
import { rand64 } from '../helpers/gradcheck.js';
import { referenceAttention, type MhaWeights } from '../layers/attention_reference.js';
import { init, k3IdsInput, kerasArchive, kt, mhaVars, type Json } from './keras_fixtures.js';

const V = 11,
  T = 5,
  D = 4,
  H = 2,
  F = 6,
  B = 2;

const policy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };

/** A KerasHub layer entry of a functional model, as Keras 3 serializes it. */
function hub(file: string, className: string, config: Json, inbound: unknown[], registered = `keras_hub>${className}`) {
  return {
    module: `keras_hub.src.layers.modeling.${file}`,
    class_name: className,
    config: { trainable: true, dtype: policy, ...config },
    registered_name: registered,
    name: config.name,
    inbound_nodes: inbound,
  };
}

const blockConfig = (name: string, normalizeFirst: boolean): Json => ({
  name,
  intermediate_dim: F,
  num_heads: H,
  dropout: 0,
  activation: 'relu',
  layer_norm_epsilon: 1e-5,
  kernel_initializer: init('GlorotUniform', { seed: null }),
  bias_initializer: init('Zeros'),
  normalize_first: normalizeFirst,
});

let seed = 100;
const w = (shape: number[]) => rand64(shape, seed++, -0.7, 0.7);
const mha = (): MhaWeights => ({
  wq: w([D, H, D / H]),
  bq: w([H, D / H]),
  wk: w([D, H, D / H]),
  bk: w([H, D / H]),
  wv: w([D, H, D / H]),
  bv: w([H, D / H]),
  wo: w([H, D / H, D]),
  bo: w([D]),
});
const norm = () => ({ gamma: rand64([D], seed++, 0.5, 1.5), beta: w([D]) });
const feedforward = () => ({ k1: w([D, F]), b1: w([F]), k2: w([F, D]), b2: w([D]) });

const weights = {
  tokens: w([V, D]),
  reverse: w([D, V]),
  positions: w([T, D]),
  encoder: { attention: mha(), attentionNorm: norm(), ffNorm: norm(), ff: feedforward() },
  decoder: {
    self: mha(),
    selfNorm: norm(),
    cross: mha(),
    crossNorm: norm(),
    ff: feedforward(),
    ffNorm: norm(),
  },
};

const normVars = (path: string, n: { gamma: Tensor; beta: Tensor }) => ({ [`${path}/vars`]: [n.gamma, n.beta] });
const feedforwardVars = (path: string, f: ReturnType<typeof feedforward>) => ({
  [`${path}/_feedforward_intermediate_dense/vars`]: [f.k1, f.b1],
  [`${path}/_feedforward_output_dense/vars`]: [f.k2, f.b2],
  [`${path}/_feedforward_dropout/vars`]: [],
});

function kerasHubFile(options: { decoderRegisteredAs?: string; decoderClass?: string } = {}): Promise<Uint8Array> {
  const ids = [null, T],
    seq = [null, T, D];
  const config = {
    module: 'keras.src.models.functional',
    class_name: 'Functional',
    registered_name: 'Functional',
    config: {
      name: 'seq2seq',
      trainable: true,
      layers: [
        k3IdsInput('ids', ids),
        hub(
          'token_and_position_embedding',
          'TokenAndPositionEmbedding',
          {
            name: 'embed',
            vocabulary_size: V,
            sequence_length: T,
            embedding_dim: D,
            embeddings_initializer: init('RandomUniform', { minval: -0.05, maxval: 0.05, seed: null }),
            tie_weights: false,
            mask_zero: false,
          },
          [
            {
              args: [{ ...kt('ids', ids), config: { shape: ids, dtype: 'int32', keras_history: ['ids', 0, 0] } }],
              kwargs: {},
            },
          ],
        ),
        hub('transformer_encoder', 'TransformerEncoder', blockConfig('encoder', false), [
          { args: [kt('embed', seq)], kwargs: {} },
        ]),
        hub(
          'transformer_decoder',
          options.decoderClass ?? 'TransformerDecoder',
          { ...blockConfig('decoder', true), decoder_sequence_shape: seq, encoder_sequence_shape: seq },
          [{ args: [kt('embed', seq)], kwargs: { encoder_sequence: kt('encoder', seq), use_causal_mask: true } }],
          options.decoderRegisteredAs ?? `keras_hub>${options.decoderClass ?? 'TransformerDecoder'}`,
        ),
      ],
      input_layers: [['ids', 0, 0]],
      output_layers: [['decoder', 0, 0]],
    },
  };
  const e = 'layers/transformer_encoder',
    d = 'layers/transformer_decoder',
    t = 'layers/token_and_position_embedding';
  const groups = {
    'layers/input_layer/vars': [],
    [`${t}/vars`]: [],
    [`${t}/token_embedding/vars`]: [weights.tokens, weights.reverse],
    [`${t}/position_embedding/vars`]: [weights.positions],
    [`${e}/vars`]: [],
    ...mhaVars(`${e}/_self_attention_layer`, weights.encoder.attention),
    ...normVars(`${e}/_self_attention_layer_norm`, weights.encoder.attentionNorm),
    [`${e}/_self_attention_dropout/vars`]: [],
    ...normVars(`${e}/_feedforward_layer_norm`, weights.encoder.ffNorm),
    ...feedforwardVars(e, weights.encoder.ff),
    [`${d}/vars`]: [],
    ...mhaVars(`${d}/_self_attention_layer`, weights.decoder.self),
    ...normVars(`${d}/_self_attention_layer_norm`, weights.decoder.selfNorm),
    ...mhaVars(`${d}/_cross_attention_layer`, weights.decoder.cross),
    ...normVars(`${d}/_cross_attention_layer_norm`, weights.decoder.crossNorm),
    ...normVars(`${d}/_feedforward_layer_norm`, weights.decoder.ffNorm),
    ...feedforwardVars(d, weights.decoder.ff),
  };
  return kerasArchive(config, groups, '3.8.0');
}

// ---- The forward pass by loops, rows of D values ----

const values = (t: Tensor) => Array.from(t.dataSync());
const rows = (flat: number[]) => Array.from({ length: flat.length / D }, (_, r) => flat.slice(r * D, r * D + D));
const asTensor = (r: number[][]) => tensor(new Float64Array(r.flat()), [B, T, D], 'float64');
const addRows = (a: number[][], b: number[][]) => a.map((row, i) => row.map((v, j) => v + b[i][j]));

function layerNorm(r: number[][], n: { gamma: Tensor; beta: Tensor }): number[][] {
  const g = values(n.gamma),
    b = values(n.beta);
  return r.map((row) => {
    const mean = row.reduce((s, v) => s + v, 0) / D;
    const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / D;
    return row.map((v, i) => ((v - mean) / Math.sqrt(variance + 1e-5)) * g[i] + b[i]);
  });
}

function dense(r: number[][], kernel: Tensor, bias: Tensor, relu: boolean): number[][] {
  const k = values(kernel),
    b = values(bias);
  const out = b.length;
  return r.map((row) =>
    Array.from({ length: out }, (_, o) => {
      const s = row.reduce((acc, v, i) => acc + v * k[i * out + o], b[o]);
      return relu ? Math.max(0, s) : s;
    }),
  );
}

const ffn = (r: number[][], f: ReturnType<typeof feedforward>) => dense(dense(r, f.k1, f.b1, true), f.k2, f.b2, false);

const attend = (query: number[][], source: number[][], m: MhaWeights, causal: boolean) =>
  rows(
    referenceAttention(asTensor(query), asTensor(source), asTensor(source), m, (_b, q, k) => !causal || k <= q).output,
  );

function reference(ids: number[]): number[] {
  const E = values(weights.tokens),
    P = values(weights.positions);
  const x = ids.map((id, i) => Array.from({ length: D }, (_, j) => E[id * D + j] + P[(i % T) * D + j]));
  // Encoder, post-norm: norm(x + attention(x)), then norm(h + ffn(h)).
  const enc = weights.encoder;
  const h = layerNorm(addRows(x, attend(x, x, enc.attention, false)), enc.attentionNorm);
  const encoded = layerNorm(addRows(h, ffn(h, enc.ff)), enc.ffNorm);
  // Decoder, pre-norm: x + f(norm(x)) for causal self-attention, cross-attention, feedforward.
  const dec = weights.decoder;
  const s = layerNorm(x, dec.selfNorm);
  const y1 = addRows(x, attend(s, s, dec.self, true));
  const y2 = addRows(y1, attend(layerNorm(y1, dec.crossNorm), encoded, dec.cross, false));
  return addRows(y2, ffn(layerNorm(y2, dec.ffNorm), dec.ff)).flat();
}

describe('KerasHub layers in Keras 3 .keras files', () => {
  it('TokenAndPositionEmbedding, TransformerEncoder and a cross-attending TransformerDecoder load and predict', async () => {
    const model = await loadKerasModel(await kerasHubFile());
    assert.deepEqual(
      model.layers.map((l) => `${l.name}:${l.getClassName()}`),
      ['ids:InputLayer', 'embed:TokenAndPositionEmbedding', 'encoder:TransformerEncoder', 'decoder:TransformerDecoder'],
    );
    const ids = [3, 0, 7, 10, 1, 5, 5, 2, 9, 4];
    const got = (model.predict(tensor(new Int32Array(ids), [B, T], 'int32')) as Tensor).dataSync();
    const want = reference(ids);
    assert.equal(got.length, want.length);
    for (let i = 0; i < want.length; i++)
      assert.ok(Math.abs(got[i] - want[i]) <= 1e-5 * (1 + Math.abs(want[i])), `output ${i}: ${got[i]} vs ${want[i]}`);
    // The untied output table is the token embedding's second variable.
    const embed = model.getLayer('embed');
    const reverse = embed.weights.find((v) => /reverse_embeddings/.test(v.name));
    assert.ok(reverse, 'the reverse table was created');
    assert.deepEqual(
      Array.from(reverse.dataSync(), (v) => Math.fround(v)),
      values(weights.reverse).map(Math.fround),
    );
  });

  it('a class registered by another package under a KerasHub name stays a custom class', async () => {
    await assert.rejects(
      loadKerasModel(await kerasHubFile({ decoderRegisteredAs: 'my_package>TransformerDecoder' })),
      (e: Error) => e instanceof FileFormatError && /custom classes cannot be loaded/.test(e.message),
    );
  });

  it('a KerasHub layer Myelin does not have is named, with the ones it loads', async () => {
    await assert.rejects(
      loadKerasModel(await kerasHubFile({ decoderClass: 'FNetEncoder' })),
      (e: Error) =>
        e instanceof FileFormatError &&
        /KerasHub class 'FNetEncoder' is not one Myelin has; of KerasHub's layers it loads TransformerEncoder, TransformerDecoder/.test(
          e.message,
        ),
    );
  });

  it("Keras 3's ReversibleEmbedding (and KerasHub's) shared by the input and a reverse-called output layer", async () => {
    for (const [module, registered] of [
      ['keras.layers', null],
      ['keras_hub.src.layers.modeling.reversible_embedding', 'keras_hub>ReversibleEmbedding'],
    ]) {
      const ids = [null, 3],
        seq = [null, 3, 4];
      const table = rand64([7, 4], 1),
        reverse = rand64([4, 7], 2),
        kernel = rand64([4, 4], 3),
        bias = rand64([4], 4);
      const config = {
        module: 'keras.src.models.functional',
        class_name: 'Functional',
        registered_name: 'Functional',
        config: {
          name: 'tiny_lm',
          trainable: true,
          layers: [
            k3IdsInput('ids', ids),
            {
              module,
              class_name: 'ReversibleEmbedding',
              config: {
                name: 'tokens',
                trainable: true,
                dtype: policy,
                input_dim: 7,
                output_dim: 4,
                embeddings_initializer: init('RandomUniform', { minval: -0.05, maxval: 0.05, seed: null }),
                embeddings_regularizer: null,
                activity_regularizer: null,
                embeddings_constraint: null,
                mask_zero: false,
                quantization_config: null,
                tie_weights: false,
                reverse_dtype: null,
                logit_soft_cap: 3,
              },
              registered_name: registered,
              name: 'tokens',
              inbound_nodes: [
                {
                  args: [{ ...kt('ids', ids), config: { shape: ids, dtype: 'int32', keras_history: ['ids', 0, 0] } }],
                  kwargs: {},
                },
                { args: [kt('mix', seq)], kwargs: { reverse: true } },
              ],
            },
            {
              module: 'keras.layers',
              class_name: 'Dense',
              config: {
                name: 'mix',
                trainable: true,
                dtype: policy,
                units: 4,
                activation: 'tanh',
                use_bias: true,
                kernel_initializer: init('GlorotUniform', { seed: null }),
                bias_initializer: init('Zeros'),
                kernel_regularizer: null,
                bias_regularizer: null,
                activity_regularizer: null,
                kernel_constraint: null,
                bias_constraint: null,
              },
              registered_name: null,
              name: 'mix',
              inbound_nodes: [{ args: [kt('tokens', seq)], kwargs: {} }],
            },
          ],
          input_layers: [['ids', 0, 0]],
          output_layers: [['tokens', 1, 0]],
        },
      };
      const file = await kerasArchive(
        config,
        {
          'layers/input_layer/vars': [],
          'layers/reversible_embedding/vars': [table, reverse],
          'layers/dense/vars': [kernel, bias],
        },
        '3.12.0',
      );
      const model = await loadKerasModel(file);
      const input = [6, 0, 3, 1, 1, 5];
      const got = (model.predict(tensor(new Int32Array(input), [2, 3], 'int32')) as Tensor).dataSync();
      // tanh(E[id] · K + b) · R, soft-capped at 3.
      const [E, R, K, b] = [table, reverse, kernel, bias].map(values);
      const want = input.flatMap((id) => {
        const h = Array.from({ length: 4 }, (_, o) =>
          Math.tanh(b[o] + [0, 1, 2, 3].reduce((acc, i) => acc + E[id * 4 + i] * K[i * 4 + o], 0)),
        );
        return Array.from({ length: 7 }, (_, v) => {
          const l = h.reduce((acc, x, i) => acc + x * R[i * 7 + v], 0);
          return Math.tanh(l / 3) * 3;
        });
      });
      assert.equal(got.length, want.length);
      for (let i = 0; i < want.length; i++)
        assert.ok(
          Math.abs(got[i] - want[i]) <= 1e-5 * (1 + Math.abs(want[i])),
          `${module} ${i}: ${got[i]} vs ${want[i]}`,
        );
    }
  });
});
