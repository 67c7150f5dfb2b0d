// Custom layers that create weights during their first call, as TF.js and Keras programs write
// them: a weight made by addWeight inside call, and a layer wrapping another layer it makes (or
// was given) and calls. fit trains those weights, and the model counts and saves them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Layer,
  layers,
  matMul,
  sequential,
  setSeed,
  tensor,
  train,
  type Shape,
  type Tensor,
  type Variable,
} from '../../src/index.js';

/** Creates its kernel on the first call, from the input it sees. */
class LateKernel extends Layer {
  static override readonly className = 'LateKernel';
  w: Variable | null = null;
  call(x: Tensor | Tensor[]): Tensor {
    const t = Array.isArray(x) ? x[0] : x;
    this.w ??= this.addWeight('w', [t.shape[1], 2], undefined, 'glorotUniform');
    return matMul(t, this.w);
  }
  override computeOutputShape(shape: Shape | Shape[]): Shape {
    return [(shape as Shape)[0], 2];
  }
}

/** Wraps a Dense layer it makes on its first call. */
class Wrapping extends Layer {
  static override readonly className = 'Wrapping';
  inner: Layer | null = null;
  call(x: Tensor | Tensor[]): Tensor {
    this.inner ??= layers.dense({ units: 3, activation: 'tanh' });
    return this.inner.apply(x) as Tensor;
  }
  override computeOutputShape(shape: Shape | Shape[]): Shape {
    return [(shape as Shape)[0], 3];
  }
}

/** Makes a new weight on every call: a bug in the layer, which fit names. */
class Leaky extends Layer {
  static override readonly className = 'Leaky';
  calls = 0;
  call(x: Tensor | Tensor[]): Tensor {
    const w = this.addWeight(`w${this.calls++}`, [1], undefined, 'ones');
    return (x as Tensor).mul(w);
  }
}

const data = () => {
  const x = tensor(
    Array.from({ length: 64 * 2 }, (_, i) => Math.sin(i * 0.7)),
    [64, 2],
  );
  return { x, y: x.sum(1, true) };
};

describe('weights created during the first call', () => {
  for (const Custom of [LateKernel, Wrapping]) {
    it(`${Custom.className}: fit trains them and the model counts them`, async () => {
      setSeed(1);
      const custom = new Custom({});
      const model = sequential({
        layers: [layers.dense({ units: 4, inputShape: [2] }), custom, layers.dense({ units: 1 })],
      });
      model.compile({ optimizer: train.adam(0.05), loss: 'mse' });
      const { x, y } = data();
      const before = model.trainableWeights.length;
      const history = await model.fit(x, y, { epochs: 30, batchSize: 16, verbose: 0 });
      const late = custom.trainableWeights;
      assert.ok(late.length > 0, 'the layer reports the weights it created');
      assert.equal(model.trainableWeights.length, before + late.length);
      const start = late.map((w) => w.dataSync().slice());
      await model.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0 });
      late.forEach((w, i) => assert.notDeepEqual(w.dataSync(), start[i], `${w.name} is updated by fit`));
      assert.ok(history.history.loss.at(-1)! < history.history.loss[0] / 2, `loss ${history.history.loss}`);
      assert.equal(
        model.countParams(),
        model.weights.reduce((n, w) => n + w.size, 0),
      );
    });
  }

  it('a layer wrapping one it was given counts its weights once, even when the model has it too', () => {
    const shared = layers.dense({ units: 2, inputShape: [2] });
    class Twice extends Layer {
      static override readonly className = 'Twice';
      call(x: Tensor | Tensor[]): Tensor {
        return shared.apply(x) as Tensor;
      }
    }
    const model = sequential({ layers: [shared, new Twice({})] });
    model.predict(tensor([[1, 2]]));
    assert.equal(model.trainableWeights.length, 2);
  });

  it('a layer that makes new weights on every call is an error naming them', async () => {
    const model = sequential({ layers: [layers.dense({ units: 1, inputShape: [2] }), new Leaky({ name: 'leaky' })] });
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    const { x, y } = data();
    await assert.rejects(
      model.fit(x, y, { epochs: 1, verbose: 0 }),
      /created new weights \('leaky\/w1'\) on a second call/,
    );
  });
});
