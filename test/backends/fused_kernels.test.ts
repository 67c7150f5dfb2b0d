// The optional fused kernels (Adam, softmax, im2col/col2im, max pooling) on the wasm backend
// against the reference backend, on odd shapes, strides, dilations and padding, on one and two
// threads, plus the reference versions against the op-by-op definitions they replace.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend, DataHandle, TensorInfo, WindowGeometry } from '../../src/backend/backend.js';
import { RefBackend } from '../../src/backends/ref/index.js';
import { WasmBackend } from '../../src/backends/wasm/index.js';
import { geometry2d } from '../../src/ops/conv_geometry.js';

const ref = new RefBackend();
const wasm = new WasmBackend({ threads: 2 });
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

let seed = 777;
function rand(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}

function values(n: number, scale = 2, integers = false): Float32Array {
  // Small integers make ties (max pooling) and exact sums likely.
  return Float32Array.from({ length: n }, () => (integers ? Math.floor(rand() * 4) : (rand() * 2 - 1) * scale));
}

type Pair = [TensorInfo, TensorInfo];
function pair(shape: readonly number[], v: Float32Array = values(size(shape))): Pair {
  return [ref, wasm].map((b) => ({ handle: b.upload(v, 'float32'), shape, dtype: 'float32' as const })) as Pair;
}

function readBoth(what: string, r: DataHandle, w: DataHandle, shape: readonly number[], tol = 1e-6): void {
  const want = ref.read({ handle: r, shape, dtype: 'float32' });
  const got = wasm.read({ handle: w, shape, dtype: 'float32' });
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const a = want[i],
      b = got[i];
    if (Number.isNaN(a) || !Number.isFinite(a)) {
      assert.ok(Object.is(a, b) || a === b, `${what}[${i}]: expected ${a}, got ${b}`);
      continue;
    }
    assert.ok(Math.abs(a - b) <= tol * (1 + Math.abs(a)), `${what}[${i}]: expected ${a}, got ${b}`);
  }
}

before(async () => {
  wasm.startWorkers();
  for (let i = 0; i < 200 && wasm.readyThreads < 2; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(wasm.readyThreads, 2, 'the worker thread started');
});
after(() => wasm.shutdown());

const GEOMETRIES: [
  number,
  number,
  number,
  number,
  [number, number],
  [number, number],
  [number, number],
  'valid' | 'same',
][] = [
  // n, h, w, c, kernel, strides, dilations, padding
  [1, 1, 1, 1, [1, 1], [1, 1], [1, 1], 'valid'],
  [2, 5, 7, 3, [3, 3], [1, 1], [1, 1], 'valid'],
  [3, 6, 5, 4, [3, 2], [2, 1], [1, 1], 'same'],
  [2, 7, 7, 5, [3, 3], [2, 2], [2, 1], 'same'],
  [1, 9, 4, 1, [2, 2], [2, 2], [1, 1], 'same'],
  [64, 13, 13, 32, [3, 3], [1, 1], [1, 1], 'valid'],
];

describe('fused kernels: ref vs wasm', () => {
  for (const [n, h, w, c, k, s, d, pad] of GEOMETRIES) {
    const g: WindowGeometry = geometry2d(h, w, k, s, d, pad, 'test');
    const label = `[${n},${h},${w},${c}] k${k} s${s} d${d} ${pad}`;
    it(`im2col and col2im ${label}`, () => {
      const x = pair([n, h, w, c]);
      const colsShape = [n, g.outH, g.outW, g.kH * g.kW * c];
      readBoth('im2col', ref.im2col!(x[0], g, 0), wasm.im2col!(x[1], g, 0), colsShape);
      readBoth('im2col -inf', ref.im2col!(x[0], g, -Infinity), wasm.im2col!(x[1], g, -Infinity), colsShape);
      const cols = pair(colsShape);
      readBoth(
        'col2im',
        ref.col2im!(cols[0], g, [n, h, w, c]),
        wasm.col2im!(cols[1], g, [n, h, w, c]),
        [n, h, w, c],
        1e-5,
      );
    });
    it(`maxPool and its gradient ${label}, with ties`, () => {
      const x = pair([n, h, w, c], values(n * h * w * c, 2, true));
      const yShape = [n, g.outH, g.outW, c];
      const yr = ref.maxPool!(x[0], g),
        yw = wasm.maxPool!(x[1], g);
      readBoth('maxPool', yr, yw, yShape, 0);
      const dy = pair(yShape);
      const y: Pair = [
        { handle: yr, shape: yShape, dtype: 'float32' },
        { handle: yw, shape: yShape, dtype: 'float32' },
      ];
      readBoth(
        'maxPoolGrad',
        ref.maxPoolGrad!(x[0], y[0], dy[0], g),
        wasm.maxPoolGrad!(x[1], y[1], dy[1], g),
        [n, h, w, c],
        1e-5,
      );
    });
  }

  it('maxPool propagates NaN and never picks padding', () => {
    const g = geometry2d(3, 3, [2, 2], [2, 2], [1, 1], 'same', 'test');
    const x = pair([1, 3, 3, 1], Float32Array.of(-5, NaN, -3, -2, -1, -6, -7, -8, -9));
    readBoth('maxPool', ref.maxPool!(x[0], g), wasm.maxPool!(x[1], g), [1, 2, 2, 1], 0);
    assert.deepEqual([...wasm.read({ handle: wasm.maxPool!(x[1], g), shape: [4], dtype: 'float32' })].map(String), [
      'NaN',
      '-3',
      '-7',
      '-9',
    ]);
  });

  for (const shape of [[1], [7], [3, 5], [33, 65], [300, 1000]]) {
    it(`softmax and logSoftmax of ${JSON.stringify(shape)}`, () => {
      const x = pair(shape, values(size(shape), 30));
      for (const log of [false, true])
        readBoth(`softmax log=${log}`, ref.softmax!(x[0], log), wasm.softmax!(x[1], log), shape, 1e-6);
    });
  }

  it('softmax rows with infinities and NaN', () => {
    const x = pair([3, 3], Float32Array.of(Infinity, 0, 1, -Infinity, -Infinity, -Infinity, NaN, 1, 2));
    for (const log of [false, true])
      readBoth(`softmax log=${log}`, ref.softmax!(x[0], log), wasm.softmax!(x[1], log), [3, 3], 1e-6);
  });

  for (const n of [1, 5, 37, 4099, 300_001]) {
    it(`adam over ${n} parameters agrees to the last bit`, () => {
      const p = pair([n]),
        g = pair([n]),
        m = pair([n], values(n, 0.1)),
        v = pair([n], values(n, 0.1).map(Math.abs));
      const [rp, rm, rv] = ref.adam!(p[0], g[0], m[0], v[0], 1e-3 * 0.3, 0.9, 0.999, 1e-7);
      const [wp, wm, wv] = wasm.adam!(p[1], g[1], m[1], v[1], 1e-3 * 0.3, 0.9, 0.999, 1e-7);
      readBoth('p', rp, wp, [n], 0);
      readBoth('m', rm, wm, [n], 0);
      readBoth('v', rv, wv, [n], 0);
    });
  }

  // Scale 100 saturates every gate (the exponential's clamp); units 5 and 7 leave a scalar tail.
  for (const [batch, units, scale] of [
    [1, 1, 4],
    [3, 5, 4],
    [32, 128, 4],
    [2, 7, 100],
  ]) {
    it(`lstmCell and both its gradients, batch ${batch}, units ${units}, pre-activations up to ${scale}`, () => {
      const z = pair([batch, 4 * units], values(batch * 4 * units, scale)),
        c = pair([batch, units]);
      const r = ref.lstmCell!(z[0], c[0]),
        w = wasm.lstmCell!(z[1], c[1]);
      const shapes = [
        [batch, 4 * units],
        [batch, units],
        [batch, units],
      ];
      r.forEach((h, i) => readBoth(`lstmCell output ${i}`, h, w[i], shapes[i], 1e-6));
      const gates: Pair = [
        { handle: r[0], shape: shapes[0], dtype: 'float32' },
        { handle: w[0], shape: shapes[0], dtype: 'float32' },
      ];
      const cNew: Pair = [
        { handle: r[1], shape: shapes[1], dtype: 'float32' },
        { handle: w[1], shape: shapes[1], dtype: 'float32' },
      ];
      const dy = pair([batch, units]);
      for (const [which, state] of [
        ['cell', c],
        ['hidden', cNew],
      ] as const) {
        const gr = ref.lstmCellGrad!(which, gates[0], state[0], dy[0]),
          gw = wasm.lstmCellGrad!(which, gates[1], state[1], dy[1]);
        readBoth(`${which} dz`, gr[0], gw[0], shapes[0], 1e-6);
        readBoth(`${which} dstate`, gr[1], gw[1], shapes[1], 1e-6);
      }
    });
  }
});

describe('wasm fast paths against the reference', () => {
  for (const n of [2, 7, 1001, 1_500_001]) {
    it(`where over ${n} elements, full and scalar values`, () => {
      const cond = Uint8Array.from({ length: n }, () => (rand() < 0.5 ? 1 : 0));
      const c: Pair = [ref, wasm].map((b) => ({
        handle: b.upload(cond, 'bool'),
        shape: [n],
        dtype: 'bool' as const,
      })) as unknown as Pair;
      const a = pair([n]),
        b = pair([n]),
        s = pair([1]);
      for (const [x, y] of [
        [a, b],
        [a, s],
        [s, b],
        [s, s],
      ]) {
        readBoth('where', ref.where(c[0], x[0], y[0], [n]), wasm.where(c[1], x[1], y[1], [n]), [n], 0);
      }
    });
  }

  it('2000 products split across threads in a row all finish and agree (no lost chunks)', () => {
    const [m, k, n] = [160, 200, 300]; // 9.6 M multiply-adds: split into tiles across both threads
    const a = pair([m, k]),
      b = pair([k, n]);
    const want = ref.read({ handle: ref.matmul(a[0], b[0], false, false, [m, n]), shape: [m, n], dtype: 'float32' });
    for (let i = 0; i < 2000; i++) {
      const h = wasm.matmul(a[1], b[1], false, false, [m, n]);
      if (i % 500 === 0) {
        const got = wasm.read({ handle: h, shape: [m, n], dtype: 'float32' });
        for (let j = 0; j < want.length; j += 97)
          assert.ok(Math.abs(want[j] - got[j]) <= 1e-4 * (1 + Math.abs(want[j])), `product ${i}[${j}]`);
      }
      wasm.dispose(h);
    }
  });
});

describe('reference fused kernels match the ops they replace', () => {
  const be: Backend = ref;
  it('adam equals the op-by-op float32 update', () => {
    const n = 50;
    const [p, g, m] = [values(n), values(n), values(n, 0.1)];
    const v = values(n, 0.1).map(Math.abs);
    const info = (a: Float32Array): TensorInfo => ({ handle: a, shape: [n], dtype: 'float32' });
    const [p1, m1, v1] = be.adam!(info(p), info(g), info(m), info(v), 0.01, 0.9, 0.999, 1e-7) as Float32Array[];
    const f = Math.fround;
    for (let i = 0; i < n; i++) {
      const mi = f(m[i] + f(f(g[i] - m[i]) * f(1 - 0.9)));
      const vi = f(v[i] + f(f(f(g[i] * g[i]) - v[i]) * f(1 - 0.999)));
      assert.equal(m1[i], mi);
      assert.equal(v1[i], vi);
      assert.equal(p1[i], f(p[i] - f(f(mi * f(0.01)) / f(f(Math.sqrt(vi)) + f(1e-7)))));
    }
  });
  it('lstmCell matches the gate formulas', () => {
    const z = Float64Array.of(0.5, -1, 2, 0.25),
      c = Float64Array.of(0.3);
    const [gates, cNew, h] = be.lstmCell!(
      { handle: z, shape: [1, 4], dtype: 'float64' },
      { handle: c, shape: [1, 1], dtype: 'float64' },
    ) as Float64Array[];
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    const want = [sig(0.5), sig(-1), Math.tanh(2), sig(0.25)];
    want.forEach((g, i) => assert.ok(Math.abs(gates[i] - g) < 1e-15));
    const cn = want[1] * 0.3 + want[0] * want[2];
    assert.ok(Math.abs(cNew[0] - cn) < 1e-15);
    assert.ok(Math.abs(h[0] - want[3] * Math.tanh(cn)) < 1e-15);
  });
  it('im2col of a 3x3 image with a 2x2 window, and col2im as its adjoint', () => {
    const g = geometry2d(3, 3, [2, 2], [1, 1], [1, 1], 'valid', 'test');
    const x: TensorInfo = { handle: Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9), shape: [1, 3, 3, 1], dtype: 'float32' };
    assert.deepEqual(be.im2col!(x, g, 0), Float32Array.of(1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9));
    const ones: TensorInfo = { handle: new Float32Array(16).fill(1), shape: [1, 2, 2, 4], dtype: 'float32' };
    // Each pixel is counted once per window that covers it.
    assert.deepEqual(be.col2im!(ones, g, [1, 3, 3, 1]), Float32Array.of(1, 2, 1, 2, 4, 2, 1, 2, 1));
  });
});
