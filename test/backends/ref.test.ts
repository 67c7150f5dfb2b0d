import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Backend, TensorInfo } from '../../src/backend/backend.js';
import { RefBackend } from '../../src/backends/ref/index.js';
import { BINARY, UNARY } from '../../src/backends/ref/elementwise.js';
import type { DType } from '../../src/core/dtype.js';
import { Rng } from '../../src/core/rng.js';
import { geometry2d } from '../../src/ops/conv_geometry.js';

const be = new RefBackend();
const info = (values: number[], shape: number[], dtype: DType = 'float64'): TensorInfo => ({
  handle: be.upload(Float64Array.from(values), dtype),
  shape,
  dtype,
});
const read = (handle: object) => Array.from(handle as ArrayLike<number>);

describe('reference kernels', () => {
  it('cast truncates to int32 and maps to bool', () => {
    assert.deepEqual(read(be.cast(info([1.7, -1.7, NaN, 0], [4]), 'int32')), [1, -1, 0, 0]);
    assert.deepEqual(read(be.cast(info([2, 0, -0.5], [3]), 'bool')), [1, 0, 1]);
  });
  it('element-wise edge values', () => {
    assert.equal(UNARY.relu(NaN), NaN);
    assert.equal(UNARY.sigmoid(-800), 0);
    assert.equal(UNARY.sigmoid(800), 1);
    assert.equal(UNARY.softplus(800), 800);
    assert.ok(Math.abs(UNARY.softplus(-800)) < 1e-300);
    assert.equal(BINARY.mod(-1, 3), 2);
    assert.equal(BINARY.mod(1, -3), -2);
    assert.equal(BINARY.floorDiv(-7, 2), -4);
    assert.equal(BINARY.maximum(NaN, 1), NaN);
    assert.deepEqual(read(be.unary('isNaN', info([NaN, 1], [2]))), [1, 0]);
  });
  it('the binary fast paths agree with the general broadcast path', () => {
    const rng = new Rng(5);
    const vals = (n: number) => Array.from({ length: n }, () => rng.uniform());
    const cases: [number[], number[], number[]][] = [
      [[2, 3], [3], [2, 3]],
      [
        [2, 3],
        [1, 3],
        [2, 3],
      ],
      [
        [2, 3],
        [2, 1],
        [2, 3],
      ],
      [[1], [2, 3], [2, 3]],
      [
        [2, 1, 3],
        [4, 1],
        [2, 4, 3],
      ],
    ];
    for (const [sa, sb, out] of cases) {
      const av = vals(sa.reduce((a, b) => a * b, 1)),
        bv = vals(sb.reduce((a, b) => a * b, 1));
      const got = read(be.binary('sub', info(av, sa), info(bv, sb), out, 'float64'));
      const strides = (s: number[]) => s.map((_, i) => s.slice(i + 1).reduce((a, b) => a * b, 1));
      const expected = got.map((_, k) => {
        const coord = out.map((d, i) => Math.floor(k / strides(out)[i]) % d);
        const at = (s: number[], v: number[]) =>
          v[s.reduce((acc, d, i) => acc + (d === 1 ? 0 : coord[coord.length - s.length + i]) * strides(s)[i], 0)];
        return at(sa, av) - at(sb, bv);
      });
      assert.deepEqual(got, expected, `${JSON.stringify(sa)} - ${JSON.stringify(sb)}`);
    }
  });
  it('reduce over leading, middle and trailing axes', () => {
    const x = info([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [2, 3, 2]);
    assert.deepEqual(read(be.reduce('sum', x, [1])), [9, 12, 27, 30]);
    assert.deepEqual(read(be.reduce('max', x, [0, 2])), [8, 10, 12]);
    assert.deepEqual(read(be.reduce('prod', x, [2])), [2, 12, 30, 56, 90, 132]);
    assert.deepEqual(read(be.reduce('min', x, [0, 1, 2])), [1]);
    assert.deepEqual(read(be.reduce('max', info([1, NaN, 3], [3]), [0])), [NaN]);
  });
  it('argReduce takes the first of ties', () => {
    assert.deepEqual(read(be.argReduce('argMax', info([3, 1, 3, 3, 5, 5], [2, 3]), 1)), [0, 1]);
    assert.deepEqual(read(be.argReduce('argMin', info([2, 1, 1, 2], [2, 2]), 0)), [1, 0]);
  });
  it('matmul propagates NaN from B even where A has zeros', () => {
    const a = info([0, 1], [1, 2]),
      b = info([NaN, 2], [2, 1]);
    assert.deepEqual(read(be.matmul(a, b, false, false, [1, 1])), [NaN]);
  });
  it('strided slice, pad, concat, gather and scatterAdd', () => {
    const x = info([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [3, 4]);
    assert.deepEqual(read(be.slice(x, [0, 1], [2, 2], [2, 2])), [1, 3, 9, 11]);
    assert.deepEqual(
      read(
        be.pad(
          info([1, 2], [1, 2]),
          [
            [1, 0],
            [0, 1],
          ],
          7,
        ),
      ),
      [7, 7, 7, 1, 2, 7],
    );
    assert.deepEqual(
      read(be.concat([info([1, 2], [2, 1]), info([3, 4, 5, 6], [2, 2])], 1, [2, 3])),
      [1, 3, 4, 2, 5, 6],
    );
    const idx: TensorInfo = { handle: Int32Array.from([2, 0, 2]), shape: [3], dtype: 'int32' };
    assert.deepEqual(read(be.gather(x, idx, 1)), [2, 0, 2, 6, 4, 6, 10, 8, 10]);
    assert.deepEqual(read(be.scatterAdd(info([1, 1, 1, 2, 2, 2], [2, 3]), idx, 1, [2, 3])), [1, 0, 2, 2, 0, 4]);
  });
  it('transpose of a rank-3 tensor', () => {
    const x = info([0, 1, 2, 3, 4, 5], [1, 2, 3]);
    assert.deepEqual(read(be.transpose(x, [2, 0, 1])), [0, 3, 1, 4, 2, 5]);
  });
  it('transpose agrees with the index definition for every permutation, with and without kept trailing runs', () => {
    const permutations = (n: number): number[][] =>
      n === 1
        ? [[0]]
        : permutations(n - 1).flatMap((p) =>
            Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]),
          );
    const rng = new Rng(5);
    for (const shape of [
      [3, 4],
      [2, 3, 9],
      [4, 1, 3, 8],
      [2, 3, 2, 2, 5],
      [5, 16],
      [3, 2, 1],
    ]) {
      const size = shape.reduce((a, b) => a * b, 1);
      const values = Array.from({ length: size }, () => rng.int(1000));
      const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
      for (const perm of permutations(shape.length)) {
        const outShape = perm.map((p) => shape[p]);
        const expected = Array.from({ length: size }, (_, i) => {
          // Output index i -> output coordinates -> input offset (input axis perm[d] = coordinate d).
          let rest = i,
            off = 0;
          for (let d = outShape.length - 1; d >= 0; d--) {
            off += (rest % outShape[d]) * strides[perm[d]];
            rest = Math.floor(rest / outShape[d]);
          }
          return values[off];
        });
        assert.deepEqual(read(be.transpose(info(values, shape), perm)), expected, `shape [${shape}] perm [${perm}]`);
      }
    }
  });
});

describe('reference fused kernels match the ops they replace', () => {
  const ref: Backend = be;
  const rng = new Rng(9);
  const values = (n: number, scale = 2) => Float32Array.from({ length: n }, () => (rng.uniform() * 2 - 1) * scale);
  it('adam equals the op-by-op float32 update', () => {
    const n = 50;
    const [p, g, m] = [values(n), values(n), values(n, 0.1)];
    const v = values(n, 0.1).map(Math.abs);
    const f32 = (a: Float32Array): TensorInfo => ({ handle: a, shape: [n], dtype: 'float32' });
    const [p1, m1, v1] = ref.adam!(f32(p), f32(g), f32(m), f32(v), 0.01, 0.9, 0.999, 1e-7) as Float32Array[];
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
    const [gates, cNew, h] = ref.lstmCell!(
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
    assert.deepEqual(ref.im2col!(x, g, 0), Float32Array.of(1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9));
    const ones: TensorInfo = { handle: new Float32Array(16).fill(1), shape: [1, 2, 2, 4], dtype: 'float32' };
    // Each pixel is counted once per window that covers it.
    assert.deepEqual(ref.col2im!(ones, g, [1, 3, 3, 1]), Float32Array.of(1, 2, 1, 2, 4, 2, 1, 2, 1));
  });
  it('maxPool never picks padding and propagates NaN', () => {
    const g = geometry2d(3, 3, [2, 2], [2, 2], [1, 1], 'same', 'test');
    const x: TensorInfo = {
      handle: Float32Array.of(-5, NaN, -3, -2, -1, -6, -7, -8, -9),
      shape: [1, 3, 3, 1],
      dtype: 'float32',
    };
    assert.deepEqual([...(ref.maxPool!(x, g) as Float32Array)].map(String), ['NaN', '-3', '-7', '-9']);
  });
});
