// Padding masks in exported graphs. A mask is a bool [batch, length] ONNX tensor that travels
// beside a layer's output, as Keras' `_keras_mask` travels beside a tensor: made by
// Embedding/TokenAndPositionEmbedding with maskZero and by Masking, passed on by the layers whose
// computeMask passes it on, dropped by the others, and read by the layers translated with it
// (self-attention, the Transformer blocks, GlobalAveragePooling1D). A mask reaching any other
// layer that reads masks (recurrent layers, merges, Softmax, wrappers) is refused by name.
import { ValueError } from '../core/errors.js';
import type { Config } from '../core/config.js';
import { Softmax } from '../layers/activation_layers.js';
import { Embedding } from '../layers/embedding.js';
import { Layer } from '../layers/layer.js';
import { GroupedQueryAttention } from '../layers/grouped_query_attention.js';
import { Masking } from '../layers/masking.js';
import { MultiHeadAttention } from '../layers/multi_head_attention.js';
import { GlobalAveragePooling1D, GlobalMaxPooling1D } from '../layers/pooling_1d.js';
import { TokenAndPositionEmbedding } from '../layers/token_position_embedding.js';
import { TransformerDecoder } from '../layers/transformer_decoder.js';
import { TransformerEncoder } from '../layers/transformer_encoder.js';
import type { OnnxGraphBuilder } from './onnx_builder.js';

const TO_FLOAT = { to: { int: 1 } };

/**
 * Layers translated with the padding mask they receive (their emitters read it), and whether
 * their output keeps it: attention and the blocks keep the query's, pooling consumes it.
 */
const MASK_READERS = new Map<abstract new (...args: never[]) => Layer, boolean>([
  [MultiHeadAttention, true],
  [GroupedQueryAttention, true],
  [TransformerEncoder, true],
  [TransformerDecoder, true],
  [GlobalAveragePooling1D, false],
  [GlobalMaxPooling1D, false], // as in Keras, the maximum ignores the mask
]);

/**
 * The mask a layer's output carries in the exported graph (its computeMask), or null;
 * `inputMask` is its input's. A mask reaching a layer that would read it without a translation
 * that does is an error naming the layer.
 */
export function outputMask(
  b: OnnxGraphBuilder,
  layer: Layer,
  x: string,
  inputMask: string | null,
  callArgs: Config,
): string | null {
  const s = layer.name;
  if (layer instanceof Embedding) return layer.maskZero ? notEqualTo(b, s, x, 0) : null;
  if (layer instanceof TokenAndPositionEmbedding)
    return layer.maskZero && !callArgs.reverse ? notEqualTo(b, s, x, 0) : null;
  if (layer instanceof Masking) {
    // Keras' any(x != maskValue, axis=-1), through floats: opset 17's ReduceMax takes no bools.
    const differs = b.op('Not', [b.op('Equal', [x, b.constant(`${s}/mask_value`, [layer.maskValue], [])], s)], s);
    const any = b.op('ReduceMax', [b.op('Cast', [differs], s, TO_FLOAT)], s, {
      axes: { ints: [-1] },
      keepdims: { int: 0 },
    });
    return b.op('Cast', [any], s, { to: { int: 9 } });
  }
  if (inputMask === null) return null;
  const keeps = MASK_READERS.get(layer.constructor as abstract new (...args: never[]) => Layer);
  if (keeps !== undefined) return keeps ? inputMask : null;
  if (layer.computeMask !== Layer.prototype.computeMask || layer instanceof Softmax)
    throw new ValueError(
      `exportOnnx: ${layer.getClassName()} '${layer.name}' receives a padding mask (from maskZero or Masking); masks are exported into ${[...MASK_READERS.keys()].map((c) => (c as unknown as { className: string }).className).join(', ')} only`,
    );
  // As Keras: a layer that supports masking passes it on, any other drops it.
  return layer.supportsMasking ? inputMask : null;
}

/** ids != value as a bool tensor of the ids' shape. */
function notEqualTo(b: OnnxGraphBuilder, s: string, x: string, value: number): string {
  return b.op('Not', [b.op('Equal', [x, b.constant(`${s}/mask_zero`, [value], [])], s)], s);
}

/** Masking's output: the features of masked steps set to zero. */
export function maskingOutput(b: OnnxGraphBuilder, layer: Layer, x: string, mask: string): string {
  const keep = b.op('Cast', [mask], layer.name, TO_FLOAT);
  return b.op('Mul', [x, b.op('Unsqueeze', [keep, b.int64(`${layer.name}/last`, [-1])], layer.name)], layer.name);
}

/**
 * The attention's 0/1 keep mask [batch, 1, query, key] from padding masks: the query's [batch, T]
 * as rows (when given) and the value's as columns, combined with a logical and as Keras'
 * `_compute_attention_mask` does.
 */
export function attentionKeep(b: OnnxGraphBuilder, s: string, queryMask: string | null, valueMask: string): string {
  let keep = b.op('Unsqueeze', [valueMask, b.int64(`${s}/rows`, [1])], s); // [B, 1, S]
  if (queryMask) keep = b.op('And', [b.op('Unsqueeze', [queryMask, b.int64(`${s}/cols`, [2])], s), keep], s);
  return b.op('Unsqueeze', [b.op('Cast', [keep], s, TO_FLOAT), b.int64(`${s}/heads`, [1])], s);
}

/**
 * Keras' masked softmax over the last axis with a 0/1 `keep`: masked scores pushed down by 1e9
 * before it, their probabilities multiplied by 0 after it (a fully masked row gives zeros).
 */
export function maskedSoftmax(b: OnnxGraphBuilder, s: string, logits: string, keep: string): string {
  const push = b.op(
    'Mul',
    [b.op('Sub', [keep, b.constant(`${s}/one`, [1], [])], s), b.constant(`${s}/big`, [1e9], [])],
    s,
  );
  const probs = b.op('Softmax', [b.op('Add', [logits, push], s)], s, { axis: { int: -1 } });
  return b.op('Mul', [probs, keep], s);
}

/** GlobalAveragePooling1D over the unmasked steps: sum(x * m) / sum(m) along the steps axis. */
export function maskedMean(
  b: OnnxGraphBuilder,
  s: string,
  x: string,
  mask: string,
  stepAxis: number,
  keepdims: boolean,
): string {
  const featureAxis = stepAxis === 1 ? 2 : 1;
  const m = b.op('Unsqueeze', [b.op('Cast', [mask], s, TO_FLOAT), b.int64(`${s}/feature_axis`, [featureAxis])], s);
  const axes = b.int64(`${s}/steps`, [stepAxis]);
  const sum = (t: string) => b.op('ReduceSum', [t, axes], s, { keepdims: { int: keepdims ? 1 : 0 } });
  return b.op('Div', [sum(b.op('Mul', [x, m], s)), sum(m)], s);
}
