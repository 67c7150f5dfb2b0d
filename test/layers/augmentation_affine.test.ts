import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { affineTransform, getFloatX, setFloatX, tensor, type Tensor } from '../../src/index.js';
import { layers } from '../../src/layers/index.js';
import { assertClose, checkGradients, rand64 } from '../helpers/gradcheck.js';

await tf.setBackend('cpu');

const grid = (h: number, w: number) =>
  tensor(
    Array.from({ length: h * w }, (_, i) => i),
    [1, h, w, 1],
  );
const rows = (t: Tensor) => (t.arraySync() as number[][][][])[0].map((r) => r.map((p) => p[0]));

describe('affineTransform (TensorFlow ImageProjectiveTransformV3 sampling)', () => {
  it('matches TF.js 4.22 tf.image.transform in every fill mode and interpolation', () => {
    const [h, w, c] = [5, 6, 2];
    const values = Array.from({ length: h * w * c }, (_, i) => Math.sin(i * 1.7));
    const transforms = [
      [0.9, 0.3, -1.7, -0.2, 1.1, 2.3, 0, 0],
      [1.3, -0.4, 4.2, 0.5, 0.8, -3.1, 0.01, -0.02],
      [1, 0, -13.5, 0, 1, 17.25, 0, 0],
      [-1, 0, 30, 0, -1, -21, 0, 0],
    ];
    for (const fillMode of ['reflect', 'wrap', 'constant', 'nearest'] as const)
      for (const interpolation of ['bilinear', 'nearest'] as const)
        for (const t of transforms) {
          // TF.js 4.22 transforms only the first image of a batch, so one image at a time.
          const want = tf.image.transform(
            tf.tensor4d(values, [1, h, w, c]),
            tf.tensor2d(t, [1, 8]),
            interpolation,
            fillMode,
            0.5,
          );
          const got = affineTransform(tensor(values, [1, h, w, c]), [t], interpolation, fillMode, 0.5);
          assertClose(got, want.dataSync(), 1e-5, `${fillMode} ${interpolation} ${t}`);
        }
  });
  it('is differentiable with respect to the images', () => {
    const saved = getFloatX();
    setFloatX('float64');
    try {
      checkGradients(
        (x) => affineTransform(x, [[0.9, 0.2, 0.3, -0.1, 1.2, 0.4, 0, 0]], 'bilinear', 'reflect'),
        [rand64([1, 3, 4, 2], 3)],
      );
    } finally {
      setFloatX(saved);
    }
  });
});

describe('random geometric augmentation while training (Keras 3 transforms)', () => {
  it('RandomRotation by a quarter turn about the centre', () => {
    const y = layers.randomRotation({ factor: [0.25, 0.25] }).apply(grid(3, 3), { training: true }) as Tensor;
    assert.deepEqual(
      rows(y).map((r) => r.map((v) => Math.round(v * 1e4) / 1e4)),
      [
        [2, 5, 8],
        [1, 4, 7],
        [0, 3, 6],
      ],
    );
  });
  it('RandomTranslation by a fixed half height, constant fill', () => {
    const layer = layers.randomTranslation({
      heightFactor: [0.5, 0.5],
      widthFactor: 0,
      fillMode: 'constant',
      fillValue: -1,
    });
    assert.deepEqual(rows(layer.apply(grid(4, 1), { training: true }) as Tensor), [[-1], [-1], [0], [1]]);
  });
  it('RandomZoom by a fixed factor follows Keras zoom matrix', () => {
    const img = grid(4, 4);
    const y = layers.randomZoom({ heightFactor: [-0.5, -0.5] }).apply(img, { training: true }) as Tensor;
    // Scale 0.5 about the centre (1.5, 1.5): offsets (4 - 1) / 2 · (1 - 0.5).
    assertClose(y, affineTransform(img, [[0.5, 0, 0.75, 0, 0.5, 0.75, 0, 0]], 'bilinear', 'reflect'));
  });
  it('RandomContrast keeps each image mean and scales deviations by one factor per image', () => {
    const x = tensor(
      Array.from({ length: 2 * 3 * 3 }, (_, i) => 100 + 10 * Math.sin(i)),
      [2, 3, 3, 1],
    );
    const y = layers.randomContrast({ factor: [0.5, 0.5], seed: 3 }).apply(x, { training: true }) as Tensor;
    const xv = x.dataSync(),
      yv = y.dataSync();
    for (let b = 0; b < 2; b++) {
      const xs = Array.from(xv.slice(b * 9, b * 9 + 9)),
        ys = Array.from(yv.slice(b * 9, b * 9 + 9));
      const mx = xs.reduce((a, c) => a + c) / 9,
        my = ys.reduce((a, c) => a + c) / 9;
      assert.ok(Math.abs(mx - my) < 1e-3);
      const ratio = (ys[0] - my) / (xs[0] - mx);
      assert.ok(ratio >= 0.5 && ratio <= 1.5, `factor ${ratio}`);
      for (let i = 1; i < 9; i++) assert.ok(Math.abs(ys[i] - my - ratio * (xs[i] - mx)) < 1e-3);
    }
    assert.throws(
      () => layers.randomContrast({ factor: 1.5 }),
      /'factor' must be a number or a pair \[lower, upper\] within \[0, 1\], got 1.5/,
    );
  });
});
