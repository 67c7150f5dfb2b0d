import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tensor, type Tensor } from '../../src/index.js';
import { layers } from '../../src/layers/index.js';
import { assertClose } from '../helpers/gradcheck.js';

const run = (layer: { apply: (x: Tensor, k?: object) => unknown }, x: number[] | number[][] | number[][][], kw = {}) =>
  layer.apply(tensor(x), kw) as Tensor;

describe('activation layers (Keras 3 formulas)', () => {
  it("ReLU: Keras' documented example, and threshold, slope and ceiling together", () => {
    const x = [-10, -5, 0, 5, 10];
    assertClose(run(layers.reLU({ maxValue: 10, negativeSlope: 0.5 }), x), [-5, -2.5, 0, 5, 10]);
    assertClose(run(layers.reLU(), x), [0, 0, 0, 5, 10]);
    // x > 1 passes (clipped at 3); below, 0.5·(x − 1).
    assertClose(
      run(layers.reLU({ threshold: 1, negativeSlope: 0.5, maxValue: 3 }), [-1, 0.5, 1, 2, 5]),
      [-1, -0.25, 0, 2, 3],
    );
    assert.throws(
      () => layers.reLU({ maxValue: -1 }),
      /ReLU 're_lu(_\d+)?': 'maxValue' must be a number >= 0 or null, got -1/,
    );
  });

  it('LeakyReLU: default slope 0.3, and the TF.js/Keras 2 name alpha', () => {
    assertClose(run(layers.leakyReLU({ negativeSlope: 0.5 }), [-10, -5, 0, 5, 10]), [-5, -2.5, 0, 5, 10]);
    assertClose(run(layers.leakyReLU(), [-1, 2]), [-0.3, 2]);
    const fromAlpha = layers.leakyReLU({ alpha: 0.1 });
    assert.equal(fromAlpha.negativeSlope, 0.1);
    assert.equal(fromAlpha.getConfig().negativeSlope, 0.1);
  });

  it('PReLU: a learned slope per element, shared along sharedAxes', () => {
    const p = layers.pReLU({ alphaInitializer: { className: 'Constant', config: { value: 0.25 } } });
    assertClose(run(p, [[-2, 3]]), [-0.5, 3]);
    const shared = layers.pReLU({ sharedAxes: [1, 2] });
    shared.apply(tensor(new Float32Array(2 * 3 * 3 * 4), [2, 3, 3, 4]));
    assert.deepEqual(shared.alpha?.shape, [1, 1, 4]);
  });

  it('ELU and ThresholdedReLU', () => {
    assertClose(run(layers.eLU({ alpha: 0.5 }), [-1, 2]), [0.5 * (Math.exp(-1) - 1), 2]);
    assertClose(run(layers.thresholdedReLU({ theta: 1 }), [0.5, 1, 2]), [0, 0, 2]);
  });

  it("Softmax: Keras' documented example, several axes, and masks", () => {
    assertClose(run(layers.softmax(), [1, 2, 1]), [0.21194157, 0.5761169, 0.21194157]);
    const both = run(layers.softmax({ axis: [1, 2] }), [
      [
        [0, 1],
        [2, 3],
      ],
    ]);
    const z = 1 + Math.E + Math.E ** 2 + Math.E ** 3;
    assertClose(both, [1 / z, Math.E / z, Math.E ** 2 / z, Math.E ** 3 / z]);
    // Masked positions get nothing; a fully masked row gives zeros (not a uniform spread).
    const mask = tensor(
      [
        [true, false, true],
        [false, false, false],
      ],
      undefined,
      'bool',
    );
    const y = run(
      layers.softmax(),
      [
        [1, 2, 3],
        [1, 2, 3],
      ],
      { mask },
    );
    const e = Math.exp(2);
    assertClose(y, [1 / (1 + e), 0, e / (1 + e), 0, 0, 0]);
    // A [1, 3] mask broadcasts over the batch; a numeric one keeps values above 0.5.
    assertClose(run(layers.softmax(), [[1, 2, 3]], { mask: tensor([[0.9, 0.2, 1]]) }), [1 / (1 + e), 0, e / (1 + e)]);
    assert.throws(
      () => run(layers.softmax(), [[1, 2, 3]], { mask: tensor([[true, false]], undefined, 'bool') }),
      /the mask must broadcast against the input from the right .*got mask \[1, 2\] for input \[1, 3\]/,
    );
  });
});
