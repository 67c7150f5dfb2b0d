/**
 * A Keras 3 `.keras` file holding KerasHub's RotaryEmbedding with YaRN scaling, its config as
 * KerasHub's `get_config` writes it (every key, snake_case). It must load into a layer with the
 * same options that computes what the layer built directly computes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { layers, loadKerasModel, type Tensor } from '../../src/index.js';
import type { RotaryEmbedding } from '../../src/layers/rotary_embedding.js';
import { assertClose, rand64 } from '../helpers/gradcheck.js';
import { k3Input, k3Sequential, kerasArchive } from './keras_fixtures.js';

const policy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };

function rotaryFile(config: Record<string, unknown>): Promise<Uint8Array> {
  const rope = {
    module: 'keras_hub.src.layers.modeling.rotary_embedding',
    class_name: 'RotaryEmbedding',
    config: { name: 'rope', trainable: true, dtype: policy, ...config },
    registered_name: 'keras_hub>RotaryEmbedding',
  };
  return kerasArchive(k3Sequential('s', [k3Input('input_layer', [null, 5, 2, 8]), rope]), {
    'layers/input_layer/vars': [],
    'layers/rotary_embedding/vars': [],
  });
}

describe("KerasHub's RotaryEmbedding in a .keras file", () => {
  it('a yarn config with all of KerasHub get_config keys loads into the same layer', async () => {
    const model = await loadKerasModel(
      await rotaryFile({
        max_wavelength: 100,
        scaling_factor: 4.0,
        rope_type: 'yarn',
        beta_fast: 2.0,
        beta_slow: 0.5,
        original_max_position_embeddings: 3,
        truncate: true,
        sequence_axis: 1,
        feature_axis: -1,
        denominator_dim: null,
      }),
    );
    const loaded = model.layers.at(-1) as RotaryEmbedding;
    assert.equal(loaded.getClassName(), 'RotaryEmbedding');
    const options = {
      maxWavelength: 100,
      scalingFactor: 4,
      ropeType: 'yarn' as const,
      betaFast: 2,
      betaSlow: 0.5,
      originalMaxPositionEmbeddings: 3,
      truncate: true,
      sequenceAxis: 1,
      featureAxis: -1,
      denominatorDim: null,
    };
    const config = loaded.getConfig();
    for (const [key, value] of Object.entries(options)) assert.deepEqual(config[key], value, key);
    const x = rand64([2, 5, 2, 8], 21).cast('float32');
    assertClose(model.predict(x) as Tensor, layers.rotaryEmbedding(options).apply(x) as Tensor, 1e-6);
  });

  it('an older KerasHub config without the YaRN keys gets their defaults', async () => {
    const model = await loadKerasModel(
      await rotaryFile({ max_wavelength: 10000, scaling_factor: 2.0, sequence_axis: 1, feature_axis: -1 }),
    );
    const config = (model.layers.at(-1) as RotaryEmbedding).getConfig();
    assert.deepEqual(
      [config.ropeType, config.betaFast, config.betaSlow, config.originalMaxPositionEmbeddings, config.truncate],
      ['linear', 32, 1, 4096, false],
    );
    assert.equal(config.denominatorDim, null);
  });
});
