import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Tensor } from '../../src/core/tensor.js';
import { conv2d, conv2dTranspose, depthwiseConv2d, geometry2d, mul, sum, tensor } from '../../src/index.js';
import { grads } from '../../src/autograd/gradients.js';
import { assertClose, checkGradients, rand64 } from '../helpers/gradcheck.js';

/** Direct loops over the definition, with TF's same-padding arithmetic: the oracle. */
function naiveConv(
  x: Tensor,
  k: Tensor,
  s: [number, number],
  d: [number, number],
  padding: 'valid' | 'same',
  groups = 1,
): number[] {
  const [n, h, w, c] = x.shape;
  const [kh, kw, kin, outC] = k.shape;
  const g = geometry2d(h, w, [kh, kw], s, d, padding, 'oracle');
  const xv = x.dataSync(),
    kv = k.dataSync();
  const out: number[] = [];
  const perOut = outC / groups;
  for (let b = 0; b < n; b++)
    for (let oh = 0; oh < g.outH; oh++)
      for (let ow = 0; ow < g.outW; ow++)
        for (let o = 0; o < outC; o++) {
          const grp = Math.floor(o / perOut);
          let acc = 0;
          for (let i = 0; i < kh; i++)
            for (let j = 0; j < kw; j++) {
              const y = oh * s[0] + i * d[0] - g.padTop,
                z = ow * s[1] + j * d[1] - g.padLeft;
              if (y < 0 || y >= h || z < 0 || z >= w) continue;
              for (let ci = 0; ci < kin; ci++)
                acc += xv[((b * h + y) * w + z) * c + grp * kin + ci] * kv[((i * kw + j) * kin + ci) * outC + o];
            }
          out.push(acc);
        }
  return out;
}

describe('conv2d', () => {
  it('matches a 3x3 convolution computed by hand', () => {
    const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    const k = tensor([1, 0, 0, -1], [2, 2, 1, 1]);
    // Each output is top-left minus bottom-right of its 2x2 window: 1-5, 2-6, 4-8, 5-9.
    assert.deepEqual(conv2d(x, k).arraySync(), [
      [
        [[-4], [-4]],
        [[-4], [-4]],
      ],
    ]);
    // 'same' pads one row/column after (bottom/right), as TensorFlow does.
    assert.deepEqual(conv2d(x, k, { padding: 'same' }).dataSync(), new Float32Array([-4, -4, 3, -4, -4, 6, 7, 8, 9]));
  });

  const cases: {
    s: [number, number];
    d: [number, number];
    p: 'valid' | 'same';
    h: number;
    w: number;
    k: [number, number];
  }[] = [];
  for (const p of ['valid', 'same'] as const)
    for (const s of [
      [1, 1],
      [2, 2],
      [2, 3],
    ] as [number, number][])
      for (const d of [
        [1, 1],
        [2, 1],
      ] as [number, number][]) {
        cases.push({ s, d, p, h: 7, w: 6, k: [3, 2] });
      }
  for (const { s, d, p, h, w, k } of cases) {
    it(`agrees with direct loops: ${p}, strides ${s}, dilation ${d}`, () => {
      const x = rand64([2, h, w, 3], 1),
        kernel = rand64([k[0], k[1], 3, 4], 2);
      const y = conv2d(x, kernel, { strides: s, dilations: d, padding: p });
      const g = geometry2d(h, w, k, s, d, p, 't');
      assert.deepEqual(y.shape, [2, g.outH, g.outW, 4]);
      assertClose(y, naiveConv(x, kernel, s, d, p), 1e-12);
    });
  }

  it('computes output shapes with TF arithmetic for every padding and stride', () => {
    for (const [size, k, s, p, want] of [
      [28, 3, 1, 'valid', 26],
      [28, 3, 1, 'same', 28],
      [28, 3, 2, 'valid', 13],
      [28, 3, 2, 'same', 14],
      [7, 2, 3, 'valid', 2],
      [7, 2, 3, 'same', 3],
      [5, 5, 1, 'valid', 1],
      [1, 3, 2, 'same', 1],
    ] as const) {
      const g = geometry2d(size, size, [k, k], [s, s], [1, 1], p, 't');
      assert.equal(g.outH, want, `size ${size} kernel ${k} stride ${s} ${p}`);
      assert.equal(
        conv2d(
          tensor(new Float32Array(size * size), [1, size, size, 1]),
          tensor(new Float32Array(k * k), [k, k, 1, 1]),
          { strides: s, padding: p },
        ).shape[1],
        want,
      );
    }
  });

  it('splits channels into groups', () => {
    const x = rand64([1, 5, 5, 4], 3),
      k = rand64([3, 3, 2, 6], 4);
    assertClose(conv2d(x, k, { padding: 'same' }, 2), naiveConv(x, k, [1, 1], [1, 1], 'same', 2), 1e-12);
  });

  it('gradient-checks with odd sizes, strides, dilation, padding and groups', () => {
    checkGradients(
      (x, k) => conv2d(x, k, { strides: 2, padding: 'same' }),
      [rand64([2, 5, 4, 2], 5), rand64([3, 2, 2, 3], 6)],
    );
    checkGradients((x, k) => conv2d(x, k, { dilations: [2, 1] }), [rand64([1, 6, 5, 2], 7), rand64([2, 3, 2, 2], 8)]);
    checkGradients(
      (x, k) => conv2d(x, k, { strides: [1, 2], padding: 'same' }, 2),
      [rand64([1, 4, 5, 4], 9), rand64([3, 3, 2, 2], 10)],
    );
  });

  it('names the kernel, the images and the padding when they do not fit', () => {
    assert.throws(
      () => conv2d(rand64([1, 2, 2, 1]), rand64([3, 3, 1, 1])),
      /conv2d: the window of 3x3 is larger than the valid-padded input of 2x2/,
    );
    assert.throws(
      () => conv2d(rand64([1, 4, 4, 2]), rand64([3, 3, 1, 1])),
      /conv2d: the kernel \[3, 3, 1, 1\] expects 1 input channels, but the images \[1, 4, 4, 2\] have 2/,
    );
    assert.throws(
      () => conv2d(rand64([4, 4, 2]), rand64([3, 3, 2, 1])),
      /conv2d: 'x' must be a rank-4 batch of images \[batch, height, width, channels\], got shape \[4, 4, 2\]/,
    );
    assert.throws(
      () => conv2d(rand64([1, 4, 4, 2]), rand64([1, 1, 2, 2]), { padding: 'full' as 'same' }),
      /'padding' must be 'valid' or 'same', got "full"/,
    );
  });
});

describe('depthwiseConv2d', () => {
  it('convolves each channel with its own filters (channel-major outputs)', () => {
    const x = rand64([2, 5, 6, 3], 11),
      k = rand64([3, 3, 3, 2], 12);
    const y = depthwiseConv2d(x, k, { strides: 2, padding: 'same' });
    const xs = x.arraySync() as number[][][][];
    for (let c = 0; c < 3; c++)
      for (let m = 0; m < 2; m++) {
        const xc = tensor(
          xs.map((img) => img.map((row) => row.map((px) => [px[c]]))),
          undefined,
          'float64',
        );
        const kc = tensor(
          (k.arraySync() as number[][][][]).map((r) => r.map((col) => [[col[c][m]]])),
          undefined,
          'float64',
        );
        const want = conv2d(xc, kc, { strides: 2, padding: 'same' }).dataSync();
        const got = (y.arraySync() as number[][][][]).flat(2).map((px) => px[c * 2 + m]);
        assertClose(got, want, 1e-12);
      }
  });
  it('gradient-checks', () => {
    checkGradients(
      (x, k) => depthwiseConv2d(x, k, { strides: [2, 1], padding: 'same', dilations: 1 }),
      [rand64([1, 5, 4, 2], 13), rand64([2, 3, 2, 2], 14)],
    );
  });
});

describe('conv2dTranspose', () => {
  for (const p of ['valid', 'same'] as const)
    for (const s of [1, 2, 3]) {
      it(`is the adjoint of conv2d (${p}, stride ${s})`, () => {
        // <conv2d(a, k), b> = <a, conv2dTranspose(b, k)> for every a, b.
        const k = rand64([3, 2, 2, 3], 15);
        const b = rand64([2, 3, 4, 3], 16);
        const y = conv2dTranspose(b, k, { strides: s, padding: p });
        const a = rand64(y.shape, 17);
        const fwd = conv2d(a, k, { strides: s, padding: p });
        assert.deepEqual(fwd.shape, b.shape);
        assertClose([sum(mul(fwd, b)).item()], [sum(mul(a, y)).item()], 1e-10);
        // And it equals the gradient of conv2d with respect to its input.
        const [dx] = grads((t: Tensor) => sum(mul(conv2d(t, k, { strides: s, padding: p }), b)))([a]);
        assertClose(y, dx, 1e-10);
      });
    }
  it('has Keras output sizes', () => {
    assert.deepEqual(
      conv2dTranspose(rand64([1, 7, 7, 2]), rand64([3, 3, 4, 2]), { strides: 2, padding: 'same' }).shape,
      [1, 14, 14, 4],
    );
    assert.deepEqual(
      conv2dTranspose(rand64([1, 7, 7, 2]), rand64([3, 3, 4, 2]), { strides: 2, padding: 'valid' }).shape,
      [1, 15, 15, 4],
    );
    assert.deepEqual(
      conv2dTranspose(rand64([1, 3, 3, 2]), rand64([2, 2, 1, 2]), { strides: 3, padding: 'valid' }).shape,
      [1, 9, 9, 1],
    );
  });
  it('gradient-checks', () => {
    checkGradients(
      (x, k) => conv2dTranspose(x, k, { strides: 2, padding: 'same' }),
      [rand64([1, 3, 2, 2], 18), rand64([3, 3, 2, 2], 19)],
    );
    checkGradients(
      (x, k) => conv2dTranspose(x, k, { strides: [1, 2], dilations: [2, 1] }),
      [rand64([1, 2, 3, 1], 20), rand64([2, 2, 2, 1], 21)],
    );
  });
});
