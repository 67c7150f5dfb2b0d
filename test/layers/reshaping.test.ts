import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getFloatX, setFloatX, tensor, type Tensor } from '../../src/index.js';
import { deserializeLayer, input, layers, serializeLayer, type SymbolicTensor } from '../../src/layers/index.js';
import { checkGradients, rand64 } from '../helpers/gradcheck.js';

describe('Flatten', () => {
  it('flattens each sample', () => {
    const y = layers.flatten().apply(rand64([2, 3, 4])) as Tensor;
    assert.deepEqual(y.shape, [2, 12]);
    assert.deepEqual((layers.flatten().apply(input({ shape: [3, 4] })) as SymbolicTensor).shape, [null, 12]);
    assert.deepEqual((layers.flatten().apply(input({ shape: [null, 4] })) as SymbolicTensor).shape, [null, null]);
    assert.deepEqual((layers.flatten().apply(tensor([1, 2])) as Tensor).shape, [2, 1]);
  });
  it('moves channels last first for channels_first data', () => {
    const x = tensor([
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
    ]); // [batch 1, channels 3, width 2]
    assert.deepEqual((layers.flatten({ dataFormat: 'channels_first' }).apply(x) as Tensor).arraySync(), [
      [1, 3, 5, 2, 4, 6],
    ]);
    assert.deepEqual((layers.flatten().apply(x) as Tensor).arraySync(), [[1, 2, 3, 4, 5, 6]]);
  });
  it('passes gradients through', () => {
    const saved = getFloatX();
    setFloatX('float64');
    try {
      checkGradients((x) => layers.flatten().apply(x) as Tensor, [rand64([2, 3, 2], 4)]);
    } finally {
      setFloatX(saved);
    }
  });
});

describe('Reshape', () => {
  it('reshapes each sample, resolving -1', () => {
    const r = layers.reshape({ targetShape: [3, -1] });
    assert.deepEqual((r.apply(rand64([2, 12])) as Tensor).shape, [2, 3, 4]);
    assert.deepEqual(
      (layers.reshape({ targetShape: [2, 6] }).apply(input({ shape: [3, 4] })) as SymbolicTensor).shape,
      [null, 2, 6],
    );
    assert.deepEqual(
      (layers.reshape({ targetShape: [-1, 2] }).apply(input({ shape: [null, 4] })) as SymbolicTensor).shape,
      [null, null, 2],
    );
  });
  it('keeps element order', () => {
    const x = tensor([[0, 1, 2, 3, 4, 5]]);
    assert.deepEqual((layers.reshape({ targetShape: [2, 3] }).apply(x) as Tensor).arraySync(), [
      [
        [0, 1, 2],
        [3, 4, 5],
      ],
    ]);
  });
  it('names the layer when sizes disagree', () => {
    const r = layers.reshape({ targetShape: [5, -1], name: 'to_fives' });
    assert.throws(
      () => r.apply(input({ shape: [12] })),
      /Reshape 'to_fives': cannot reshape an input of shape \[null, 12\] \(12 elements per sample\) to target shape \[5, -1\]/,
    );
    assert.throws(() => layers.reshape({ targetShape: [5, 2] }).apply(rand64([1, 12])), /\(10 elements\)/);
    assert.throws(() => layers.reshape({ targetShape: [-1, -1] }), /at most one -1/);
  });
  it('round-trips its config', () => {
    const r = layers.reshape({ targetShape: [4, -1], name: 'rs' });
    assert.deepEqual(deserializeLayer(JSON.parse(JSON.stringify(serializeLayer(r)))).getConfig(), r.getConfig());
  });
});
