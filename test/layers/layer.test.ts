import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { add, mul, tensor, zeros, type Tensor } from '../../src/index.js';
import type { Config } from '../../src/initializers/index.js';
import {
  InputLayer,
  Layer,
  deserializeLayer,
  input,
  layerClassNames,
  layers,
  registerLayer,
  serializeLayer,
  type Shape,
  type SymbolicTensor,
} from '../../src/layers/index.js';
import type { Variable } from '../../src/core/variable.js';

/** A custom layer as a user would write one: y = x * scale, with one weight per feature. */
class Scale extends Layer {
  static override readonly className = 'Scale';
  scale!: Variable;

  override build(inputShape: Shape | Shape[]): void {
    const shape = inputShape as Shape;
    this.scale = this.addWeight('scale', [shape[shape.length - 1] as number], undefined, 'ones', null, false);
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    return mul(inputs as Tensor, this.scale);
  }
}
registerLayer('Scale', (config: Config) => new Scale(config));

describe('Layer base', () => {
  it('builds on the first call and gives custom layers default names', () => {
    const s = new Scale();
    assert.match(s.name, /^scale(_\d+)?$/);
    assert.equal(s.built, false);
    assert.deepEqual((s.apply(tensor([[1, 2]])) as Tensor).arraySync(), [[1, 2]]);
    assert.equal(s.built, true);
    assert.deepEqual(
      s.weights.map((w) => w.name),
      [`${s.name}/scale`],
    );
    assert.deepEqual(s.trainableWeights, [], 'declared non-trainable');
    assert.equal(s.countParams(), 2);
  });

  it('refuses duplicate weight names and a mix of symbolic and concrete inputs', () => {
    const s = new Scale({ name: 'dup' });
    s.apply(zeros([1, 3]));
    assert.throws(() => s.addWeight('scale', [3]), /Layer 'dup' already has a weight named 'scale'/);
    const merge = new (class extends Layer {
      static override readonly className = 'Sum2';
      call(inputs: Tensor | Tensor[]): Tensor {
        const [a, b] = inputs as Tensor[];
        return add(a, b);
      }
    })({ name: 'sum2' });
    assert.throws(
      () => merge.apply([input({ shape: [2] }), zeros([1, 2])] as never),
      /Layer 'sum2' was called with a mix of symbolic and concrete tensors/,
    );
  });

  it('countParams on an unbuilt layer explains why it cannot count', () => {
    assert.throws(() => layers.dense({ units: 2, name: 'lazy' }).countParams(), /Layer 'lazy' is not built yet/);
  });

  it('records symbolic calls as nodes with inferred shapes', () => {
    const x = input({ shape: [3], name: 'feat' });
    assert.ok(x.sourceLayer instanceof InputLayer);
    assert.equal(x.name, 'feat');
    const d = layers.dense({ units: 2, name: 'recorded' });
    const y = d.apply(x) as SymbolicTensor;
    assert.equal(y.sourceLayer, d);
    assert.deepEqual(y.node.inputs, [x]);
    assert.deepEqual(d.outputShape, [null, 2]);
    assert.equal(d.output, y);
  });

  it('input() and InputLayer validate their arguments', () => {
    assert.throws(() => input({} as never), /input: give 'shape'/);
    assert.throws(
      () => input({ shape: [2], batchShape: [null, 2] }),
      /give only one of 'shape' \[2\] and 'batchShape' \[null, 2\]/,
    );
    assert.deepEqual(input({ shape: [2], batchSize: 8 }).shape, [8, 2]);
    assert.deepEqual(serializeLayer(new InputLayer({ inputShape: [3], name: 'in_cfg' })), {
      className: 'InputLayer',
      config: { batchInputShape: [null, 3], dtype: 'float32', sparse: false, name: 'in_cfg' },
    });
  });

  it('deserializes registered classes only, listing the known ones', () => {
    assert.ok(deserializeLayer({ className: 'Scale', config: { name: 'scale_cfg' } }) instanceof Scale);
    assert.throws(
      () => deserializeLayer({ className: 'Evil', config: {} }),
      /Unknown layer class 'Evil'; expected one of .*'Dense'.*'Scale'.*registerLayer/,
    );
    for (const name of ['Activation', 'Dense', 'Dropout', 'Flatten', 'InputLayer', 'Reshape'])
      assert.ok(layerClassNames().includes(name), name);
  });

  it('Activation layer applies its function and round-trips', () => {
    const a = layers.activation({ activation: 'relu', name: 'act' });
    assert.deepEqual((a.apply(tensor([-1, 2])) as Tensor).arraySync(), [0, 2]);
    assert.deepEqual(deserializeLayer(serializeLayer(a)).getConfig(), {
      name: 'act',
      trainable: true,
      dtype: 'float32',
      activation: 'relu',
    });
  });
});
