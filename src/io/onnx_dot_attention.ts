import { ValueError } from '../core/errors.js';
import type { Config } from '../core/config.js';
import type { Tensor } from '../core/tensor.js';
import { AdditiveAttention, Attention } from '../layers/dot_attention.js';
import type { Layer } from '../layers/layer.js';
import type { OnnxGraphBuilder } from './onnx_builder.js';
import { maskBias } from './onnx_attention.js';
import type { MergeEmitter } from './onnx_merge_layers.js';

const value = (t: Tensor | null) => (t ? (t.dataSync() as ArrayLike<number>) : null);

/** Broadcast sums q_i + k_j of every query and key step: [batch, Tq, Tv, features]. */
function pairSums(b: OnnxGraphBuilder, s: string, q: string, k: string): string {
  return b.op(
    'Add',
    [
      b.op('Unsqueeze', [q, b.int64(`${s}/query_axis`, [2])], s),
      b.op('Unsqueeze', [k, b.int64(`${s}/key_axis`, [1])], s),
    ],
    s,
  );
}

const sumFeatures = (b: OnnxGraphBuilder, s: string, x: string) =>
  b.op('ReduceSum', [x, b.int64(`${s}/features`, [-1])], s, { keepdims: { int: 0 } });

/** Attention's scores [batch, Tq, Tv]: q·kᵀ (scaled), or with scoreMode 'concat' w·Σ tanh(scale·(q + k)). */
function attentionScores(b: OnnxGraphBuilder, a: Attention, q: string, k: string): string {
  const s = a.name;
  const scale = value(a.scale);
  const scaled = (x: string) => (scale ? b.op('Mul', [x, b.constant(`${s}/scale`, [scale[0]], [])], s) : x);
  if (a.scoreMode === 'dot')
    return scaled(b.op('MatMul', [q, b.op('Transpose', [k], s, { perm: { ints: [0, 2, 1] } })], s));
  const weight = (value(a.concatScoreWeight) as ArrayLike<number>)[0];
  const summed = sumFeatures(b, s, b.op('Tanh', [scaled(pairSums(b, s, q, k))], s));
  return b.op('Mul', [summed, b.constant(`${s}/concat_score_weight`, [weight], [])], s);
}

/** AdditiveAttention's scores: Σ scale·tanh(q + k) over the features. */
function additiveScores(b: OnnxGraphBuilder, a: AdditiveAttention, q: string, k: string): string {
  const s = a.name;
  const t = b.op('Tanh', [pairSums(b, s, q, k)], s);
  return sumFeatures(b, s, a.scale ? b.op('Mul', [t, b.constant(`${s}/scale`, a.scale)], s) : t);
}

/**
 * Attention over [query, value] or [query, value, key]: softmax of the scores (causally
 * masked when called so) times the value. Dropout is an identity at inference; masks are
 * not exported.
 */
const dotAttention: MergeEmitter = (b, layer, xs, shapes, callArgs: Config = {}) => {
  const a = layer as Attention;
  const who = `exportOnnx: ${a.getClassName()} '${a.name}'`;
  if (callArgs.returnAttentionScores) throw new ValueError(`${who}: returnAttentionScores is not exported`);
  const [q, v, k = v] = xs;
  let scores = a instanceof AdditiveAttention ? additiveScores(b, a, q, k) : attentionScores(b, a, q, k);
  if (callArgs.useCausalMask) {
    const bias = maskBias(b, a.name, { query: q, value: v }, [shapes[0][1], shapes[1][1]], {
      causal: true,
      window: null,
    });
    scores = b.op('Add', [scores, bias], a.name);
  }
  const weights = b.op('Softmax', [scores], a.name, { axis: { int: -1 } });
  return b.op('MatMul', [weights, v], a.name);
};

/** The dot-product and additive attention layers, called on [query, value(, key)]. */
export const ONNX_DOT_ATTENTION_EMITTERS: [abstract new (...args: never[]) => Layer, MergeEmitter][] = [
  [Attention, dotAttention],
  [AdditiveAttention, dotAttention],
];
