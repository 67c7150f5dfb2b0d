import { ValueError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { Config } from '../core/config.js';
import type { Dense } from '../layers/dense.js';
import { EinsumDense } from '../layers/einsum_dense.js';
import { GroupedQueryAttention } from '../layers/grouped_query_attention.js';
import type { Layer } from '../layers/layer.js';
import { MultiHeadAttention } from '../layers/multi_head_attention.js';
import type { LayerNormalization } from '../layers/normalization.js';
import { PositionEmbedding, RotaryEmbedding, SinePositionEncoding } from '../layers/position.js';
import type { Shape } from '../layers/symbolic.js';
import { TokenAndPositionEmbedding } from '../layers/token_position_embedding.js';
import { TransformerDecoder } from '../layers/transformer_decoder.js';
import { TransformerEncoder } from '../layers/transformer_encoder.js';
import { zeros } from '../ops/creation.js';
import type { OnnxGraphBuilder } from './onnx_builder.js';
import { activation, dense, layerNorm, type Emitter } from './onnx_layers.js';
import { attentionKeep, maskedSoftmax } from './onnx_masks.js';
import type { MergeEmitter } from './onnx_merge_layers.js';

const who = (layer: Layer) => `exportOnnx: ${layer.getClassName()} '${layer.name}'`;

/** A dimension the export needs fixed (sequence lengths for position tables and causal masks). */
function known(layer: Layer, shape: Shape, axis: number, what: string): number {
  const d = shape[axis];
  if (d === null)
    throw new ValueError(
      `${who(layer)}: the ${what} (axis ${axis}) must be fixed in the model's input shape to export it`,
    );
  return d;
}

function einsumDense(b: OnnxGraphBuilder, layer: Layer, x: string): string {
  const e = layer as EinsumDense;
  let y = b.op('Einsum', [x, b.constant(`${e.name}/kernel`, e.kernel as Tensor)], e.name, { equation: e.equation });
  if (e.bias) y = b.op('Add', [y, b.constant(`${e.name}/bias`, e.bias)], e.name);
  return activation(b, e.activation.name, y, e);
}

/** Keys and values of a grouped-query layer repeated per query head: the same kernel layout as MHA. */
function repeatHeads(t: Tensor, axis: number, repeats: number): Float32Array {
  const shape = t.shape,
    v = t.dataSync();
  const outer = shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const heads = shape[axis];
  const inner = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const out = new Float32Array(v.length * repeats);
  let o = 0;
  for (let a = 0; a < outer; a++)
    for (let h = 0; h < heads; h++)
      for (let r = 0; r < repeats; r++) for (let i = 0; i < inner; i++) out[o++] = v[(a * heads + h) * inner + i];
  return out;
}

/** What attention reads: the query, value and key tensors (one tensor for self-attention) and their shapes. */
interface AttentionSources {
  query: string;
  value: string;
  key: string;
  queryShape: Shape;
  valueShape: Shape;
}

const selfSources = (x: string, shape: Shape): AttentionSources => ({
  query: x,
  value: x,
  key: x,
  queryShape: shape,
  valueShape: shape,
});

/**
 * Attention: the projections as Einsum nodes, scores scaled and (causally) masked, Softmax,
 * the weighted sum and the output projection.
 */
function attention(
  b: OnnxGraphBuilder,
  layer: Layer,
  sources: AttentionSources,
  callArgs: Config,
  padding: { query: string | null; value: string } | null,
): string {
  const s = layer.name;
  const { query: x, queryShape: shape } = sources;
  let q: string, k: string, v: string, out: EinsumDense, scale: number, dot: string, combine: string;
  if (layer instanceof GroupedQueryAttention) {
    const g = layer,
      r = g.numRepeats;
    q = einsumDense(b, g.queryDense as EinsumDense, x);
    const kv = (d: EinsumDense, name: string) => {
      const kernel = d.kernel as Tensor;
      let y = b.op(
        'Einsum',
        [
          name === 'key' ? sources.key : sources.value,
          b.constant(`${s}/${name}/kernel`, repeatHeads(kernel, 1, r), [
            kernel.shape[0],
            kernel.shape[1] * r,
            kernel.shape[2],
          ]),
        ],
        s,
        { equation: 'bkm,mvh->bkvh' },
      );
      if (d.bias)
        y = b.op(
          'Add',
          [y, b.constant(`${s}/${name}/bias`, repeatHeads(d.bias, 0, r), [d.bias.shape[0] * r, d.bias.shape[1]])],
          s,
        );
      return y;
    };
    k = kv(g.keyDense as EinsumDense, 'key');
    v = kv(g.valueDense as EinsumDense, 'value');
    out = g.outputDense as EinsumDense;
    scale = 1 / Math.sqrt(g.headDim);
    dot = 'bquh,bkuh->buqk';
    combine = 'buqk,bkuh->bquh';
  } else {
    const m = layer as MultiHeadAttention;
    if ((m.attentionAxes as number[]).length !== 1 && (callArgs.useCausalMask || m.slidingWindow))
      throw new ValueError(
        `${who(layer)}: a causal or sliding-window mask over several attention axes is not exported`,
      );
    q = einsumDense(b, m.queryDense as EinsumDense, x);
    k = einsumDense(b, m.keyDense as EinsumDense, sources.key);
    v = einsumDense(b, m.valueDense as EinsumDense, sources.value);
    out = m.outputDense as EinsumDense;
    scale = 1 / Math.sqrt(m.keyDim);
    // Keras' equations take (key, query) for the scores.
    [dot, combine] = [m.dotProductEquation, m.combineEquation];
    if ((m.attentionAxes as number[]).length > 1) {
      if (padding) throw new ValueError(`${who(layer)}: a padding mask over several attention axes is not exported`);
      const logits = b.op('Einsum', [k, b.op('Mul', [q, b.constant(`${s}/scale`, [scale], [])], s)], s, {
        equation: dot,
      });
      // A softmax over several trailing axes: flatten them, normalize, restore the shape.
      // The scores have rank (input rank + attention axes); the key axes are the last ones.
      const flat = b.op('Flatten', [logits], s, { axis: { int: shape.length } });
      const probs = b.op('Reshape', [b.op('Softmax', [flat], s, { axis: { int: -1 } }), b.op('Shape', [logits], s)], s);
      return project(b, layer, out, b.op('Einsum', [probs, v], s, { equation: combine }), x);
    }
  }
  const gqa = layer instanceof GroupedQueryAttention;
  const scaled = b.op('Mul', [q, b.constant(`${s}/scale`, [scale], [])], s);
  let logits = b.op('Einsum', gqa ? [scaled, k] : [k, scaled], s, { equation: dot });
  const window = (layer as MultiHeadAttention | GroupedQueryAttention).slidingWindow;
  const bias =
    callArgs.useCausalMask || window
      ? maskBias(b, s, { query: x, value: sources.value }, [shape[1], sources.valueShape[1]], {
          causal: Boolean(callArgs.useCausalMask),
          window,
        })
      : null;
  let probs: string;
  if (padding) {
    // One keep mask for padding and causality: with two separate ones, a row whose every
    // allowed position is padding would spread its probability over the future.
    let keep = attentionKeep(b, s, padding.query, padding.value);
    if (bias)
      keep = b.op(
        'Mul',
        [keep, b.op('Cast', [b.op('Equal', [bias, b.constant(`${s}/zero`, [0], [])], s)], s, { to: { int: 1 } })],
        s,
      );
    probs = maskedSoftmax(b, s, logits, keep);
  } else {
    if (bias) logits = b.op('Add', [logits, bias], s);
    probs = b.op('Softmax', [logits], s, { axis: { int: -1 } });
  }
  return project(b, layer, out, b.op('Einsum', [probs, v], s, { equation: combine }), x);
}

/**
 * The [T, S] bias of a causal and/or sliding-window mask between T query and S value positions:
 * -1e9 where query position i may not see value position j (exp(-1e9 - max) is 0, as with
 * Keras' replacement). A constant when both lengths are fixed; otherwise computed from the
 * inputs' shapes, so the model takes any length.
 */
export function maskBias(
  b: OnnxGraphBuilder,
  s: string,
  inputs: { query: string; value: string },
  [queryLength, valueLength]: [number | null, number | null],
  { causal, window }: { causal: boolean; window: number | null },
): string {
  if (queryLength !== null && valueLength !== null) {
    const bias = new Float32Array(queryLength * valueLength);
    for (let i = 0; i < queryLength; i++)
      for (let j = 0; j < valueLength; j++)
        if ((causal && j > i) || (window && Math.abs(i - j) >= window)) bias[i * valueLength + j] = -1e9;
    return b.constant(`${s}/mask`, bias, [queryLength, valueLength]);
  }
  const axis0 = b.int64(`${s}/axis0`, [0]);
  const scalar = (t: string) => b.op('Squeeze', [t, axis0], s);
  const positions = (x: string) =>
    b.op(
      'Range',
      [scalar(b.int64(`${s}/zero`, [0])), scalar(sequenceLength(b, s, x)), scalar(b.int64(`${s}/one`, [1]))],
      s,
    );
  const queryPositions = positions(inputs.query);
  const valuePositions = inputs.value === inputs.query ? queryPositions : positions(inputs.value);
  const rows = b.op('Unsqueeze', [queryPositions, b.int64(`${s}/axis1`, [1])], s);
  const cols = b.op('Unsqueeze', [valuePositions, axis0], s);
  const masked: string[] = [];
  if (causal) masked.push(b.op('Greater', [cols, rows], s));
  if (window)
    masked.push(
      b.op('GreaterOrEqual', [b.op('Abs', [b.op('Sub', [cols, rows], s)], s), b.int64(`${s}/window`, [window])], s),
    );
  const any = masked.length === 2 ? b.op('Or', masked, s) : masked[0];
  return b.op('Mul', [b.op('Cast', [any], s, { to: { int: 1 } }), b.constant(`${s}/minus_inf`, [-1e9], [])], s);
}

/** The input's sequence length (axis 1 of its shape), as a 1-element int64 tensor. */
function sequenceLength(b: OnnxGraphBuilder, s: string, x: string): string {
  return b.op('Gather', [b.op('Shape', [x], s), b.int64(`${s}/axis1`, [1])], s, { axis: { int: 0 } });
}

/** The output projection, after gating the heads by sigmoid(gate projection of the query) with useGate. */
function project(b: OnnxGraphBuilder, layer: Layer, out: EinsumDense, heads: string, query: string): string {
  const gate = (layer as MultiHeadAttention | GroupedQueryAttention).gateDense;
  const gated = gate ? b.op('Mul', [heads, einsumDense(b, gate, query)], layer.name) : heads;
  return einsumDense(b, out, gated);
}

function checkAttentionCall(layer: Layer, shape: Shape, callArgs: Config): void {
  if (callArgs.returnAttentionScores) throw new ValueError(`${who(layer)}: returnAttentionScores is not exported`);
  if (callArgs.hasAttentionMask) throw new ValueError(`${who(layer)}: an attention mask input is not exported`);
  if (layer instanceof MultiHeadAttention && shape.length !== 3 && callArgs.useCausalMask)
    throw new ValueError(`${who(layer)}: a causal mask is exported for [batch, length, features] inputs only`);
}

function attentionLayer(
  b: OnnxGraphBuilder,
  layer: Layer,
  x: string,
  shape: Shape,
  callArgs: Config,
  mask: string | null,
): string {
  checkAttentionCall(layer, shape, callArgs);
  // Self-attention: the input's padding mask is both the query's and the value's.
  return attention(b, layer, selfSources(x, shape), callArgs, mask ? { query: mask, value: mask } : null);
}

/** Attention called on [query, value] or [query, value, key] (cross-attention). */
const crossAttentionLayer: MergeEmitter = (b, layer, xs, shapes, callArgs: Config = {}) => {
  checkAttentionCall(layer, shapes[0], callArgs);
  const [query, value, key = value] = xs;
  return attention(b, layer, { query, value, key, queryShape: shapes[0], valueShape: shapes[1] }, callArgs, null);
};

/** The residual pattern of KerasHub's blocks, pre-norm or post-norm. */
function residual(
  b: OnnxGraphBuilder,
  block: TransformerEncoder | TransformerDecoder,
  x: string,
  shape: Shape,
  norm: LayerNormalization,
  f: (h: string) => string,
): string {
  const h = f(block.normalizeFirst ? layerNorm(b, norm, x, shape) : x);
  const y = b.op('Add', [h, x], block.name);
  return block.normalizeFirst ? y : layerNorm(b, norm, y, shape);
}

/** The sublayers of a block, by the names KerasHub gives them. */
function sublayer<T extends Layer>(block: Layer, name: string): T {
  const found = (block as unknown as Record<string, unknown>)[name];
  return found as T;
}

function transformerBlock(
  b: OnnxGraphBuilder,
  layer: Layer,
  x: string,
  shape: Shape,
  callArgs: Config,
  mask: string | null,
  encoder: { x: string; shape: Shape } | null = null,
): string {
  const block = layer as TransformerEncoder | TransformerDecoder;
  if (callArgs.returnAttentionScores) throw new ValueError(`${who(layer)}: returnAttentionScores is not exported`);
  const causal = layer instanceof TransformerDecoder ? callArgs.useCausalMask !== false : false;
  const attn = block.selfAttention as MultiHeadAttention;
  // KerasHub's padding mask hides padded keys; the encoder's attention also gets the input's
  // mask as its query mask (a padded position attends to nothing), the decoder's does not.
  const padding = mask ? { query: layer instanceof TransformerEncoder ? mask : null, value: mask } : null;
  let h = residual(b, block, x, shape, sublayer(block, 'selfAttentionNorm'), (y) =>
    attention(b, attn, selfSources(y, shape), { useCausalMask: causal }, padding),
  );
  if (encoder) {
    const cross = (block as TransformerDecoder).crossAttention as MultiHeadAttention;
    h = residual(b, block, h, shape, sublayer(block, 'crossAttentionNorm'), (y) =>
      attention(
        b,
        cross,
        { query: y, value: encoder.x, key: encoder.x, queryShape: shape, valueShape: encoder.shape },
        {},
        null,
      ),
    );
  }
  h = residual(b, block, h, shape, sublayer(block, 'feedforwardNorm'), (y) =>
    dense(b, sublayer<Dense>(block, 'output_'), dense(b, sublayer<Dense>(block, 'intermediate'), y)),
  );
  return h;
}

/** A [length, features] constant broadcast to the input's shape. */
function positionTable(b: OnnxGraphBuilder, layer: Layer, x: string, values: Float32Array, dims: number[]): string {
  return b.op('Expand', [b.constant(`${layer.name}/table`, values, dims), b.op('Shape', [x], layer.name)], layer.name);
}

function positionEmbedding(b: OnnxGraphBuilder, layer: Layer, x: string, shape: Shape): string {
  const p = layer as PositionEmbedding;
  const length = known(p, shape, shape.length - 2, 'sequence length');
  const d = shape[shape.length - 1] as number;
  const table = Float32Array.from((p.embeddings as Tensor).dataSync() as ArrayLike<number>).slice(0, length * d);
  return positionTable(b, p, x, table, [length, d]);
}

function sineEncoding(b: OnnxGraphBuilder, layer: Layer, x: string, shape: Shape): string {
  const length = known(layer, shape, shape.length - 2, 'sequence length');
  const d = shape[shape.length - 1] as number;
  const values = (layer.apply(zeros([length, d])) as Tensor).dataSync() as ArrayLike<number>;
  return positionTable(b, layer, x, Float32Array.from(values), [length, d]);
}

function rotary(b: OnnxGraphBuilder, layer: Layer, x: string, shape: Shape): string {
  const r = layer as RotaryEmbedding;
  const norm = (a: number) => (a < 0 ? a + shape.length : a);
  const seqAxis = norm(r.sequenceAxis),
    featAxis = norm(r.featureAxis);
  const length = known(r, shape, seqAxis, 'sequence length');
  const dim = known(r, shape, featAxis, 'feature size');
  const { cos, sin } = r.tables(length, dim);
  const view = shape.map((d, a) => (a === seqAxis || a === featAxis ? (d as number) : 1));
  const table = (v: Float64Array, name: string) => {
    // [length, dim] in the input's axis order.
    const data =
      seqAxis < featAxis
        ? Float32Array.from(v)
        : Float32Array.from({ length: v.length }, (_, i) => v[(i % length) * dim + Math.floor(i / length)]);
    return b.constant(`${r.name}/${name}`, data, view);
  };
  const [x1, x2] = b.opMulti('Split', [x, b.int64(`${r.name}/halves`, [dim / 2, dim / 2])], r.name, 2, {
    axis: { int: featAxis },
  });
  const rotated = b.op('Concat', [b.op('Neg', [x2], r.name), x1], r.name, { axis: { int: featAxis } });
  return b.op(
    'Add',
    [b.op('Mul', [x, table(cos, 'cos')], r.name), b.op('Mul', [rotated, table(sin, 'sin')], r.name)],
    r.name,
  );
}

function tokenAndPosition(b: OnnxGraphBuilder, layer: Layer, x: string, shape: Shape, callArgs: Config): string {
  const e = layer as TokenAndPositionEmbedding;
  if (callArgs.reverse) {
    // Logits: hidden states times the token table's transpose (or reverse_embeddings).
    const table = e.reverseEmbeddings ?? (e.tokenEmbedding.embeddings as Tensor).transpose();
    return b.op('MatMul', [x, b.constant(`${e.name}/reverse`, table)], e.name);
  }
  const tokens = b.op(
    'Gather',
    [
      b.constant(`${e.name}/token_embeddings`, e.tokenEmbedding.embeddings as Tensor),
      b.op('Cast', [x], e.name, { to: { int: 7 } }),
    ],
    e.name,
    { axis: { int: 0 } },
  );
  const positions = e.positionEmbedding.embeddings as Tensor;
  const length = shape[1];
  if (length === null) {
    // Any length up to the table's: the first rows of the whole table.
    const rows = b.op(
      'Slice',
      [
        b.constant(`${e.name}/positions`, positions),
        b.int64(`${e.name}/zero`, [0]),
        sequenceLength(b, e.name, x),
        b.int64(`${e.name}/axis0`, [0]),
      ],
      e.name,
    );
    return b.op('Add', [tokens, rows], e.name);
  }
  const table = Float32Array.from(positions.dataSync() as ArrayLike<number>).slice(0, length * e.embeddingDim);
  return b.op('Add', [tokens, b.constant(`${e.name}/positions`, table, [length, e.embeddingDim])], e.name);
}

/** A decoder called on [decoder sequence, encoder sequence]: self-attention, cross-attention, feedforward. */
const encoderDecoderBlock: MergeEmitter = (b, layer, xs, shapes, callArgs: Config = {}) => {
  if (xs.length !== 2)
    throw new ValueError(`${who(layer)}: expected [decoder sequence, encoder sequence], got ${xs.length} inputs`);
  return transformerBlock(b, layer, xs[0], shapes[0], callArgs, null, { x: xs[1], shape: shapes[1] });
};

/** The Transformer layers called on several inputs (cross-attention; padding masks are not exported there). */
export const TRANSFORMER_MERGE_EMITTERS: [abstract new (...args: never[]) => Layer, MergeEmitter][] = [
  [MultiHeadAttention, crossAttentionLayer],
  [GroupedQueryAttention, crossAttentionLayer],
  [TransformerDecoder, encoderDecoderBlock],
];

/** The Transformer layers `exportOnnx` translates on a single input (self-attention). */
export const TRANSFORMER_EMITTERS: [abstract new (...args: never[]) => Layer, Emitter][] = [
  [EinsumDense, (b, l, x) => einsumDense(b, l, x)],
  [MultiHeadAttention, attentionLayer],
  [GroupedQueryAttention, attentionLayer],
  [TransformerEncoder, transformerBlock],
  [TransformerDecoder, transformerBlock],
  [PositionEmbedding, positionEmbedding],
  [SinePositionEncoding, sineEncoding],
  [RotaryEmbedding, rotary],
  [TokenAndPositionEmbedding, tokenAndPosition],
];
