/**
 * Builds Keras files the way Keras writes them (no Python here): Keras 3 `.keras` zips with
 * config.json / metadata.json / model.weights.h5 in `saving_lib`'s H5IOStore layout
 * (`layers/<class>/vars/<i>`), and legacy `.h5` files in `legacy_h5_format`'s layout
 * (`model_weights/<layer>/<weight path>` named by `weight_names`).
 */
import { zipSync } from 'fflate';
import type { Tensor } from '../../src/index.js';
import type { MhaWeights } from '../layers/attention_reference.js';
import { writeH5, type H5WritableGroup } from '../../src/io/keras_h5.js';

export type Json = Record<string, unknown>;

const policy = (name = 'float32'): Json => ({
  module: 'keras',
  class_name: 'DTypePolicy',
  config: { name },
  registered_name: null,
});
export const init = (cls: string, config: Json = {}): Json => ({
  module: 'keras.initializers',
  class_name: cls,
  config,
  registered_name: null,
});

/** A Keras 3 layer entry, with the settings every Keras 3 layer config carries. */
export function k3(className: string, config: Json, extra: Json = {}): Json {
  return {
    module: 'keras.layers',
    class_name: className,
    config: { name: config.name, trainable: true, dtype: policy(), ...config },
    registered_name: null,
    ...extra,
  };
}

/** A Keras 3 InputLayer entry. */
export function k3Input(name: string, batchShape: (number | null)[]): Json {
  return {
    module: 'keras.layers',
    class_name: 'InputLayer',
    config: { batch_shape: batchShape, dtype: 'float32', sparse: false, name },
    registered_name: null,
  };
}

/** Dense as Keras 3 writes it. */
export function k3Dense(name: string, units: number, activation = 'linear'): Json {
  return k3(
    'Dense',
    {
      name,
      units,
      activation,
      use_bias: true,
      kernel_initializer: init('GlorotUniform', { seed: null }),
      bias_initializer: init('Zeros'),
      kernel_regularizer: null,
      bias_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
    },
    { build_config: { input_shape: [null, 4] } },
  );
}

/** The keras tensor reference of a Keras 3 functional inbound node. */
export function kt(layer: string, shape: (number | null)[]): Json {
  return { class_name: '__keras_tensor__', config: { shape, dtype: 'float32', keras_history: [layer, 0, 0] } };
}

export function k3Sequential(name: string, layers: Json[]): Json {
  return {
    module: 'keras',
    class_name: 'Sequential',
    config: { name, trainable: true, dtype: policy(), layers },
    registered_name: null,
    build_config: {},
    compile_config: null,
  };
}

/** `{ 'layers/dense/vars': [kernel, bias], ... }`: groups and their numbered datasets. */
export type VarGroups = Record<string, Tensor[]>;

/** A Keras 3 weights file: the model's own `vars`, each listed group, and optimizer state Myelin ignores. */
export async function k3WeightsH5(groups: VarGroups): Promise<Uint8Array> {
  return writeH5((root) => {
    root.create_group('vars');
    for (const [path, tensors] of Object.entries(groups)) {
      const g = makeGroups(root, path);
      tensors.forEach((t, i) =>
        g.create_dataset({ name: String(i), data: t.dataSync() as Float32Array, shape: [...t.shape] }),
      );
    }
    makeGroups(root, 'optimizer/vars').create_dataset({ name: '0', data: new Int32Array([7]), shape: [] });
  });
}

/** A `.keras` archive, stored uncompressed as Keras' zipfile does (`kerasVersion` goes into metadata.json). */
export async function kerasArchive(config: Json, groups: VarGroups, kerasVersion = '3.5.0'): Promise<Uint8Array> {
  const enc = new TextEncoder();
  return zipSync(
    {
      'metadata.json': enc.encode(JSON.stringify({ keras_version: kerasVersion, date_saved: '2024-09-01@12:00:00' })),
      'config.json': enc.encode(JSON.stringify(config)),
      'model.weights.h5': await k3WeightsH5(groups),
    },
    { level: 0 },
  );
}

/**
 * A legacy `.h5`: `model_config` (when given) at the root and the weights under
 * `model_weights` (or the root, for a weights-only file), each layer's datasets at the paths
 * its `weight_names` attribute lists.
 */
export async function legacyH5(
  layers: { name: string; weights: [string, Tensor][] }[],
  modelConfig?: Json,
  extra: { kerasVersion?: string; trainingConfig?: Json } = {},
): Promise<Uint8Array> {
  return writeH5((root) => {
    let top = root;
    if (modelConfig) {
      root.create_attribute('model_config', JSON.stringify(modelConfig));
      if (extra.trainingConfig) root.create_attribute('training_config', JSON.stringify(extra.trainingConfig));
      root.create_attribute('keras_version', extra.kerasVersion ?? '2.15.0');
      root.create_attribute('backend', 'tensorflow');
      top = root.create_group('model_weights');
    }
    top.create_attribute(
      'layer_names',
      layers.map((l) => l.name),
    );
    top.create_attribute('backend', 'tensorflow');
    top.create_attribute('keras_version', '2.15.0');
    for (const layer of layers) {
      const g = top.create_group(layer.name);
      // h5py writes an empty list for weightless layers; h5wasm cannot, and a missing list reads the same.
      if (layer.weights.length)
        g.create_attribute(
          'weight_names',
          layer.weights.map(([n]) => n),
        );
      for (const [n, t] of layer.weights) {
        const parts = n.split('/');
        const parent = parts.length > 1 ? makeGroups(g, parts.slice(0, -1).join('/')) : g;
        parent.create_dataset({
          name: parts[parts.length - 1],
          data: t.dataSync() as Float32Array,
          shape: [...t.shape],
        });
      }
    }
  });
}

function makeGroups(root: H5WritableGroup, path: string): H5WritableGroup {
  let g = root;
  for (const part of path.split('/')) g = (g.get(part) as H5WritableGroup | null) ?? g.create_group(part);
  return g;
}

/**
 * A Keras 3 MultiHeadAttention's weight groups under `path`, as saving_lib writes them: the
 * projections under MultiHeadAttention's public properties (`query_dense`, ...), and the empty
 * groups of its own, softmax and dropout layer.
 */
export function mhaVars(path: string, m: MhaWeights): VarGroups {
  return {
    [`${path}/vars`]: [],
    [`${path}/query_dense/vars`]: [m.wq, m.bq as Tensor],
    [`${path}/key_dense/vars`]: [m.wk, m.bk as Tensor],
    [`${path}/value_dense/vars`]: [m.wv, m.bv as Tensor],
    [`${path}/output_dense/vars`]: [m.wo, m.bo as Tensor],
    [`${path}/_softmax/vars`]: [],
    [`${path}/_dropout_layer/vars`]: [],
  };
}

/** A Keras 3 functional InputLayer entry for integer token ids. */
export function k3IdsInput(name: string, batchShape: (number | null)[]): Json {
  return {
    module: 'keras.layers',
    class_name: 'InputLayer',
    config: { batch_shape: batchShape, dtype: 'int32', sparse: false, name },
    registered_name: null,
    name,
    inbound_nodes: [],
  };
}
