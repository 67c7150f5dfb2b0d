// What Myelin knows of KerasHub's files: which of its layer classes Myelin builds with the same
// semantics, and where Keras' saving_lib puts their sublayers' weights.
import type { Layer } from '../layers/layer.js';
import { LayerWithSublayers } from '../layers/sublayers.js';
import { checkFormat } from './format_error.js';

/** KerasHub layers Myelin implements under the same name, arguments and weight layout. */
export const KERAS_HUB_CLASSES: ReadonlySet<string> = new Set([
  'TransformerEncoder',
  'TransformerDecoder',
  'TokenAndPositionEmbedding',
  'ReversibleEmbedding',
  'PositionEmbedding',
  'SinePositionEncoding',
  'RotaryEmbedding',
]);

/**
 * Whether a config entry is one of those classes as KerasHub (or KerasNLP, its earlier name)
 * writes it: module `keras_hub.src.layers.modeling.<file>` (or `keras_hub.layers`) and
 * registered name `keras_hub>ClassName`. Any other package's class stays a custom class.
 * @example isKerasHubClass({ module: 'keras_hub.src.layers.modeling.transformer_encoder', className: 'TransformerEncoder', registeredName: 'keras_hub>TransformerEncoder' }) // true
 */
export function isKerasHubClass(entry: { module?: unknown; className?: unknown; registeredName?: unknown }): boolean {
  const { module, className, registeredName } = entry;
  if (typeof className !== 'string' || !KERAS_HUB_CLASSES.has(className)) return false;
  return (
    isKerasHubModule(module) &&
    (registeredName === undefined ||
      registeredName === null ||
      registeredName === className ||
      registeredName === `keras_hub>${className}` ||
      registeredName === `keras_nlp>${className}`)
  );
}

/** Whether a config's module is KerasHub's (or KerasNLP's, its earlier name). */
export function isKerasHubModule(module: unknown): boolean {
  return typeof module === 'string' && /^keras_(hub|nlp)(\.|$)/.test(module);
}

/**
 * The attribute each KerasHub layer keeps a sublayer in, by the sublayer's own name (KerasHub's
 * `name=` argument, which Myelin gives its sublayer as `<layer>/<name>`). Keras saves a sublayer's
 * weights under the attribute's name: the blocks' private `_self_attention_layer`, ...,
 * TokenAndPositionEmbedding's public `token_embedding` and `position_embedding`.
 */
const SUBLAYER_ATTRIBUTES: Record<string, Record<string, string>> = {
  TransformerEncoder: {
    self_attention_layer: '_self_attention_layer',
    self_attention_layer_norm: '_self_attention_layer_norm',
    feedforward_layer_norm: '_feedforward_layer_norm',
    feedforward_intermediate_dense: '_feedforward_intermediate_dense',
    feedforward_output_dense: '_feedforward_output_dense',
  },
  TransformerDecoder: {
    self_attention: '_self_attention_layer',
    self_attention_layer_norm: '_self_attention_layer_norm',
    cross_attention: '_cross_attention_layer',
    cross_attention_layer_norm: '_cross_attention_layer_norm',
    feedforward_intermediate_dense: '_feedforward_intermediate_dense',
    feedforward_output_dense: '_feedforward_output_dense',
    feedforward_layer_norm: '_feedforward_layer_norm',
  },
  TokenAndPositionEmbedding: { token_embedding: 'token_embedding', position_embedding: 'position_embedding' },
};

/**
 * A KerasHub composite layer's sublayers with the H5 path of each (under `path`), in the order
 * of the layer's weights; null for any other layer.
 * @example kerasHubSublayerPaths(encoder, 'layers/transformer_encoder') // [[attention, 'layers/transformer_encoder/_self_attention_layer'], ...]
 */
export function kerasHubSublayerPaths(layer: Layer, path: string): [Layer, string][] | null {
  const attributes = SUBLAYER_ATTRIBUTES[layer.getClassName()];
  if (!attributes || !(layer instanceof LayerWithSublayers)) return null;
  return layer.trackedLayers.map((sub) => {
    const local = sub.name.slice(sub.name.lastIndexOf('/') + 1);
    const attribute = attributes[local];
    checkFormat(
      attribute !== undefined,
      () => `layer '${layer.name}' (${layer.getClassName()}) has a sublayer '${local}' that KerasHub's layer does not`,
    );
    return [sub, `${path}/${attribute}`];
  });
}
