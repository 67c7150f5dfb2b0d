// TF.js' layer spellings and custom-layer API on Myelin: tf.layers.Layer subclasses written as
// TF.js programs write them (static get className, call(inputs, kwargs), getConfig), registered
// with tf.serialization.registerClass, trained, saved and loaded; the TF.js-only factory names.
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '../../src/index.js';

class TimesTwo extends tf.layers.Layer {
  constructor(config?: tf.LayerArgs) {
    super(config ?? {});
  }
  static override get className() {
    return 'TimesTwo';
  }
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]) {
    return inputShape;
  }
  call(inputs: tf.Tensor | tf.Tensor[]) {
    return tf.tidy(() => (Array.isArray(inputs) ? inputs[0] : inputs).mul(2));
  }
}
tf.serialization.registerClass(TimesTwo);

describe('tf.layers.Layer custom layers', () => {
  it('train in a model, and save and load once registered', async () => {
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 2, inputShape: [3] }));
    model.add(new TimesTwo());
    model.add(tf.layers.dense({ units: 1 }));
    model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
    const x = tf.tensor2d([
      [1, 2, 3],
      [0, 1, 0],
    ]);
    await model.fit(x, tf.tensor2d([[1], [0]]), { epochs: 2, verbose: 0 });
    const dir = await mkdtemp(join(tmpdir(), 'myelin-custom-'));
    await model.save(`file://${dir}`);
    const loaded = await tf.loadLayersModel(`file://${dir}/model.json`);
    assert.equal(loaded.layers[1].getClassName(), 'TimesTwo');
    assert.deepEqual((loaded.predict(x) as tf.Tensor).arraySync(), (model.predict(x) as tf.Tensor).arraySync());
  });
});

describe("TF.js' layer names", () => {
  it('maxPool2d, avgPool2d, globalMaxPool1d, ... build the same layers as the Keras names', () => {
    const pairs: [tf.Layer, string][] = [
      [tf.layers.maxPool2d({ poolSize: 2 }), 'MaxPooling2D'],
      [tf.layers.avgPool2d({ poolSize: 2 }), 'AveragePooling2D'],
      [tf.layers.avgPooling2d({ poolSize: 2 }), 'AveragePooling2D'],
      [tf.layers.maxPool1d({ poolSize: 2 }), 'MaxPooling1D'],
      [tf.layers.avgPool1d({ poolSize: 2 }), 'AveragePooling1D'],
      [tf.layers.globalMaxPool1d({}), 'GlobalMaxPooling1D'],
      [tf.layers.globalMaxPool2d({}), 'GlobalMaxPooling2D'],
      [tf.layers.globalAvgPool1d({}), 'GlobalAveragePooling1D'],
      [tf.layers.globalAvgPool2d({}), 'GlobalAveragePooling2D'],
      [tf.layers.cropping2D({ cropping: 1 }), 'Cropping2D'],
    ];
    for (const [layer, className] of pairs) assert.equal(layer.getClassName(), className);
    assert.equal(tf.layers.input({ shape: [3] }).shape[1], 3);
    assert.throws(
      () => tf.layers.maxPool2d({ poolSise: 2 } as never),
      /layers\.maxPooling2d: unknown option 'poolSise' \(did you mean 'poolSize'\?\)/,
    );
  });
});
