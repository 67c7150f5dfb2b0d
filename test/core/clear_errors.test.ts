import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  StateError,
  ValueError,
  cast,
  input,
  layers,
  memory,
  ones,
  sequential,
  setFloatX,
  tensor,
  zeros,
  type Tensor,
} from '../../src/index.js';

describe('clear errors instead of raw internal ones', () => {
  it('tensor() refuses 64-bit integer arrays, saying how to convert', () => {
    for (const values of [new BigInt64Array([1n, 2n]), new BigUint64Array([1n])]) {
      assert.throws(
        () => tensor(values as never),
        (e: unknown) =>
          e instanceof ValueError &&
          /^tensor: Big(Ui|I)nt64Array holds 64-bit integers, which Myelin tensors do not \(they hold float32, float64, int32 or bool\); convert first, e\.g\. Int32Array\.from\(values, Number\)/.test(
            e.message,
          ),
      );
    }
    assert.throws(
      () => tensor([1n, 2n] as never),
      /tensor: element at \[0\] is bigint \(1n\); expected a number or boolean/,
    );
    assert.deepEqual(tensor(Int32Array.from(new BigInt64Array([3n]), Number)).arraySync(), [3]);
  });

  it("dtype 'float16' is refused by name wherever a dtype is given", () => {
    const message =
      /unsupported dtype 'float16'; expected one of float32, float64, int32, bool \(float16 is not supported: compute in float32/;
    assert.throws(() => tensor([1, 2], [2], 'float16' as never), new RegExp(`^ValueError: tensor: ${message.source}`));
    assert.throws(() => zeros([2], 'float16' as never), new RegExp(`fill: ${message.source}`));
    assert.throws(() => cast(tensor([1]), 'float16' as never), new RegExp(`cast: ${message.source}`));
    assert.throws(
      () => layers.dense({ units: 2, dtype: 'float16' as never }),
      new RegExp(`Dense 'dense(_\\d+)?': ${message.source}`),
    );
    assert.throws(
      () => tensor([1], [1], 'int64' as never),
      /unsupported dtype 'int64'.*64-bit integers are not supported/,
    );
    assert.throws(
      () => setFloatX('float16' as never),
      (e: unknown) =>
        e instanceof ValueError && /setFloatX: expected 'float32' or 'float64', got "float16"/.test(e.message),
    );
  });

  it('inputShape: 13 (a number, not a list) names the argument and the fix', () => {
    assert.throws(
      () => layers.dense({ units: 2, inputShape: 13 as never }),
      /^ValueError: Dense 'dense(_\d+)?': 'inputShape' must be a list of dimensions such as \[13\], got 13 \(for samples of 13 features write \[13\]\)$/,
    );
    assert.throws(
      () => layers.dense({ units: 2, batchInputShape: 13 as never }),
      /'batchInputShape' must be a list of dimensions such as \[null, 13\], got 13 \(for samples of 13 features write \[null, 13\]\)/,
    );
    assert.throws(
      () => input({ shape: 13 as never }),
      /^ValueError: input: 'shape' must be a list of dimensions such as \[13\], got 13/,
    );
    assert.throws(() => layers.inputLayer({ inputShape: 13 as never }), /InputLayer: 'inputShape' must be a list/);
  });

  it('units: 1e9 says how much memory the weights would take, before allocating anything', () => {
    const before = memory().numBytes;
    assert.throws(
      () => sequential({ layers: [layers.dense({ units: 1e9, inputShape: [13] })] }),
      (e: unknown) =>
        e instanceof ValueError &&
        e.message ===
          "Dense 'dense_big': weight 'kernel' of shape [13, 1000000000] would take 48.4 GiB (13,000,000,000 float32 values), more than the 4 GiB one weight may take; check the layer's size arguments (units, filters, inputDim, ...)".replace(
            'dense_big',
            /Dense '([^']+)'/.exec(e.message)?.[1] ?? '',
          ),
    );
    assert.ok(memory().numBytes - before < 1e6, 'nothing large was allocated');
    assert.throws(
      () => layers.embedding({ inputDim: 2e9, outputDim: 8, inputShape: [3] }).apply(ones([1, 3])),
      /weight 'embeddings' of shape \[2000000000, 8\] would take 59\.6 GiB/,
    );
  });

  it('model.dispose() frees the weights and the optimizer state, then the model refuses to run', async () => {
    const model = sequential({ layers: [layers.dense({ units: 4, inputShape: [3] }), layers.dense({ units: 1 })] });
    model.compile({ optimizer: 'adam', loss: 'mse' });
    await model.fit(ones([2, 3]), ones([2, 1]), { epochs: 1, verbose: 0 });
    const weights = model.weights;
    const slots =
      model.compiled?.optimizer
        .getWeights()
        .slice(1)
        .map((w) => w.tensor) ?? [];
    assert.equal(slots.length, 8, 'Adam keeps two slots per weight');
    const result = model.dispose();
    assert.deepEqual(result, { refCountAfterDispose: 0, numDisposedVariables: 4 });
    assert.ok(weights.every((w) => w.isDisposed));
    assert.ok(slots.every((s) => s.isDisposed));
    assert.equal(model.compiled?.optimizer.iterations, 0);
    assert.throws(
      () => model.predict(ones([1, 3])),
      (e: unknown) =>
        e instanceof StateError &&
        /predict: model '.*' was disposed \(model\.dispose\(\)\); its weights are freed/.test(e.message),
    );
    await assert.rejects(model.fit(ones([2, 3]), ones([2, 1])), /fit: model '.*' was disposed/);
    assert.throws(() => model.dispose(), /is already disposed/);
    assert.throws(
      () => (model.layers[0].apply(ones([1, 3])) as Tensor).shape,
      /Dense '.*' was disposed; its weights are freed/,
    );
  });
});
