// Every kernel of the contract, run on the reference backend (the oracle) and on the wasm
// backend, on random shapes (1, primes, odd, large enough to be split across threads) and on
// edge values; results must agree within float32 rounding.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend, BinaryOp, DataHandle, ReduceOp, TensorInfo, UnaryOp } from '../../src/backend/backend.js';
import { allocArray, type DType, type TypedArray } from '../../src/core/dtype.js';
import { RefBackend } from '../../src/backends/ref/index.js';
import { WasmBackend } from '../../src/backends/wasm/index.js';
import { BINARY_CODES, UNARY_CODES } from '../../src/backend/op_table.js';

const ref = new RefBackend();
let wasm = new WasmBackend({ threads: 2 });
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

let seed = 12345;
function rand(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}

const EDGE = [NaN, Infinity, -Infinity, -0, 0, 3.4e38, -3.4e38, 1e-40, 0.5, -0.5, 1.5, 2.5, 1, -1, 88.8, -104];

/** Random values of `dtype`; with `edge`, one in four is an edge value. */
function values(n: number, dtype: DType, edge = false, scale = 2): TypedArray {
  const out = allocArray(dtype, n);
  for (let i = 0; i < n; i++) {
    if (dtype === 'bool') out[i] = rand() < 0.5 ? 1 : 0;
    else if (dtype === 'int32') out[i] = Math.floor(rand() * 21) - 10;
    else out[i] = edge && rand() < 0.25 ? EDGE[Math.floor(rand() * EDGE.length)] : (rand() * 2 - 1) * scale;
  }
  return out;
}

type Pair = [TensorInfo, TensorInfo];
function pair(shape: readonly number[], dtype: DType = 'float32', v: TypedArray = values(size(shape), dtype)): Pair {
  return [ref, wasm].map((b) => ({ handle: b.upload(v, dtype), shape, dtype })) as Pair;
}

/** Asserts two results agree: NaN matches NaN, infinities match exactly, -0 matches 0. */
function assertSame(what: string, want: TypedArray, got: TypedArray, tol: (i: number) => number = () => 0): void {
  assert.equal(got.length, want.length, `${what}: length`);
  assert.equal(got.constructor.name, want.constructor.name, `${what}: dtype`);
  for (let i = 0; i < want.length; i++) {
    const w = want[i],
      g = got[i];
    if (Number.isNaN(w) || Number.isNaN(g)) {
      assert.ok(Number.isNaN(w) && Number.isNaN(g), `${what}[${i}]: expected ${w}, got ${g}`);
    } else if (!Number.isFinite(w) || !Number.isFinite(g)) {
      assert.ok(w === g, `${what}[${i}]: expected ${w}, got ${g}`);
    } else {
      const t = tol(i) + 1e-6 * Math.abs(w) + 1e-37;
      assert.ok(Math.abs(w - g) <= t, `${what}[${i}]: expected ${w}, got ${g} (tolerance ${t})`);
    }
  }
}

function run(
  name: string,
  f: (b: Backend, x: (p: Pair) => TensorInfo) => DataHandle,
  shape: readonly number[],
  dtype: DType,
  tol?: (i: number) => number,
): void {
  const want = ref.read({ handle: f(ref, (p) => p[0]), shape, dtype });
  const got = wasm.read({ handle: f(wasm, (p) => p[1]), shape, dtype });
  assertSame(name, want, got, tol);
}

function checkMatmulCases(): void {
  const cases: [number[], number[], number, number, number][] = [
    [[], [], 1, 1, 1],
    [[], [], 1, 13, 7],
    [[], [], 13, 1, 7],
    [[], [], 3, 5, 0],
    [[], [], 17, 31, 29],
    [[], [], 64, 64, 64],
    [[], [], 131, 257, 300],
    [[], [], 5, 1031, 263],
    [[], [], 520, 9, 33],
    [[3], [3], 7, 5, 11],
    [[2, 1], [3], 9, 6, 4],
    [[1], [4], 65, 70, 40],
    [[6], [1], 40, 41, 42],
    [[5], [5], 48, 64, 96],
    // Small outputs with a long depth: split by depth across threads.
    [[], [], 9, 32, 43264],
    [[], [], 13, 37, 30011],
  ];
  for (const [ab, bb, m, n, k] of cases)
    for (const tA of [false, true])
      for (const tB of [false, true]) {
        const as = [...ab, ...(tA ? [k, m] : [m, k])],
          bs = [...bb, ...(tB ? [n, k] : [k, n])];
        const batch =
          ab.length >= bb.length
            ? ab.map((d, i) => Math.max(d, bb[i - ab.length + bb.length] ?? 1))
            : bb.map((d, i) => Math.max(d, ab[i - bb.length + ab.length] ?? 1));
        const os = [...batch, m, n];
        const av = values(size(as), 'float32'),
          bv = values(size(bs), 'float32');
        const a = pair(as, 'float32', av),
          b = pair(bs, 'float32', bv);
        const absA = ref.upload(av.map(Math.abs), 'float32'),
          absB = ref.upload(bv.map(Math.abs), 'float32');
        const mag = ref.matmul(
          { handle: absA, shape: as, dtype: 'float32' },
          { handle: absB, shape: bs, dtype: 'float32' },
          tA,
          tB,
          os,
        ) as Float32Array;
        run(
          `matmul ${JSON.stringify(as)}x${JSON.stringify(bs)} tA=${tA} tB=${tB}`,
          (be, i) => be.matmul(i(a), i(b), tA, tB, os),
          os,
          'float32',
          (j) => 1.2e-7 * k * mag[j],
        );
      }
}

before(async () => {
  // Workers start in the background; wait so the big cases really run on two threads.
  wasm.startWorkers();
  for (let i = 0; i < 200 && wasm.readyThreads < 2; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(wasm.readyThreads, 2, 'the worker thread started');
});
after(() => wasm.shutdown());

describe('conformance: ref vs wasm', () => {
  it('upload/read round-trips every dtype, fill fills', () => {
    for (const dtype of ['float32', 'float64', 'int32', 'bool'] as DType[]) {
      const v = values(37, dtype, true);
      assertSame(`upload ${dtype}`, v, wasm.read({ handle: wasm.upload(v, dtype), shape: [37], dtype }));
      run(`fill ${dtype}`, (b) => b.fill(41, -2.5, dtype), [41], dtype);
    }
  });

  it('cast between every pair of dtypes', () => {
    for (const from of ['float32', 'float64', 'int32', 'bool'] as DType[]) {
      const x = pair([3, 7], from, values(21, from, from === 'float32'));
      for (const to of ['float32', 'float64', 'int32', 'bool'] as DType[])
        run(`cast ${from}->${to}`, (b, i) => b.cast(i(x), to), [3, 7], to);
    }
  });

  it('every unary op on float32 edge values, small and large', () => {
    const ops = Object.keys(UNARY_CODES) as UnaryOp[];
    for (const n of [1, 7, 13, 200_003]) {
      const x = pair([n], 'float32', values(n, 'float32', true, 4));
      for (const op of ops) {
        const outDtype = ['logicalNot', 'isNaN', 'isInf', 'isFinite'].includes(op) ? 'bool' : 'float32';
        run(`unary ${op} n=${n}`, (b, i) => b.unary(op, i(x)), [n], outDtype);
      }
    }
    const xi = pair([11], 'int32');
    for (const op of ['neg', 'abs', 'square', 'sign'] as UnaryOp[])
      run(`unary ${op} int32`, (b, i) => b.unary(op, i(xi)), [11], 'int32');
  });

  const BROADCASTS: [number[], number[], number[]][] = [
    [[1], [1], [1]],
    [[13], [13], [13]],
    [
      [5, 7],
      [5, 7],
      [5, 7],
    ],
    [[5, 7], [], [5, 7]],
    [[], [5, 7], [5, 7]],
    [[5, 7], [7], [5, 7]],
    [[7], [5, 7], [5, 7]],
    [
      [5, 7],
      [5, 1],
      [5, 7],
    ],
    [
      [5, 1],
      [1, 7],
      [5, 7],
    ],
    [
      [2, 3, 5, 7],
      [3, 1, 7],
      [2, 3, 5, 7],
    ],
    [
      [1, 3, 1, 7],
      [2, 1, 5, 1],
      [2, 3, 5, 7],
    ],
    [
      [4, 1, 6],
      [4, 3, 1],
      [4, 3, 6],
    ],
    [
      [301, 1031],
      [301, 1031],
      [301, 1031],
    ],
    [[301, 1031], [1031], [301, 1031]],
    [
      [301, 1031],
      [301, 1],
      [301, 1031],
    ],
    [[200_003], [1], [200_003]],
    [[1], [200_003], [200_003]],
  ];

  it('every binary op, every broadcast case', () => {
    for (const [as, bs, os] of BROADCASTS) {
      const a = pair(as, 'float32', values(size(as), 'float32', true));
      const b = pair(bs, 'float32', values(size(bs), 'float32', true));
      for (const op of Object.keys(BINARY_CODES) as BinaryOp[]) {
        const outDtype = (BINARY_CODES[op] as number) >= 11 ? 'bool' : 'float32';
        run(
          `binary ${op} ${JSON.stringify(as)} ${JSON.stringify(bs)}`,
          (be, i) => be.binary(op, i(a), i(b), os, outDtype),
          os,
          outDtype,
        );
      }
    }
  });

  it('binary ops on int32, bool and mixed float64', () => {
    const a = pair([4, 5], 'int32'),
      b = pair([5], 'int32');
    for (const op of ['add', 'mul', 'floorDiv', 'mod', 'maximum'] as BinaryOp[])
      run(`binary ${op} int32`, (be, i) => be.binary(op, i(a), i(b), [4, 5], 'int32'), [4, 5], 'int32');
    const p = pair([6], 'bool'),
      q = pair([6], 'bool');
    run('logicalAnd bool', (be, i) => be.binary('logicalAnd', i(p), i(q), [6], 'bool'), [6], 'bool');
    const d = pair([3, 4], 'float64'),
      f = pair([4], 'float32');
    run('add float64+float32', (be, i) => be.binary('add', i(d), i(f), [3, 4], 'float64'), [3, 4], 'float64');
  });

  it('where with broadcasting', () => {
    const c = pair([5, 1], 'bool'),
      a = pair([5, 7], 'float32', values(35, 'float32', true)),
      b = pair([7], 'float32');
    run('where', (be, i) => be.where(i(c), i(a), i(b), [5, 7]), [5, 7], 'float32');
  });

  it('where with a full condition and full or scalar values (a gradient mask), odd and split lengths', () => {
    for (const n of [2, 37, 200_003]) {
      const c = pair([n], 'bool'),
        a = pair([n], 'float32', values(n, 'float32', true)),
        b = pair([n], 'float32', values(n, 'float32', true));
      const sa = pair([], 'float32', Float32Array.of(-0)),
        sb = pair([1], 'float32', Float32Array.of(2.5));
      run(`where full/full n=${n}`, (be, i) => be.where(i(c), i(a), i(b), [n]), [n], 'float32');
      run(`where full/scalar n=${n}`, (be, i) => be.where(i(c), i(a), i(sb), [n]), [n], 'float32');
      run(`where scalar/full n=${n}`, (be, i) => be.where(i(c), i(sa), i(b), [n]), [n], 'float32');
    }
  });

  it('every reduce op over every axis combination', () => {
    const shapes = [[1], [13], [3, 5, 7], [2, 1, 11], [64, 3001], [3001, 64]];
    for (const shape of shapes) {
      const x = pair(shape, 'float32', values(size(shape), 'float32', false));
      const xe = pair(shape, 'float32', values(size(shape), 'float32', true));
      const rank = shape.length;
      for (let mask = 1; mask < 1 << rank; mask++) {
        const axes = [...Array(rank).keys()].filter((d) => mask & (1 << d));
        const outShape = shape.filter((_, d) => !axes.includes(d));
        const red = size(axes.map((d) => shape[d]));
        for (const op of ['sum', 'prod', 'max', 'min'] as ReduceOp[]) {
          const tol = op === 'sum' ? () => 4e-7 * red * 2 : () => 0;
          if (op !== 'prod')
            run(
              `reduce ${op} ${JSON.stringify(shape)} axes ${axes}`,
              (b, i) => b.reduce(op, i(x), axes),
              outShape,
              'float32',
              tol,
            );
          if (op === 'max' || op === 'min')
            run(
              `reduce ${op} edge ${JSON.stringify(shape)} axes ${axes}`,
              (b, i) => b.reduce(op, i(xe), axes),
              outShape,
              'float32',
            );
        }
        if (size(shape) < 100)
          run(`reduce prod ${JSON.stringify(shape)}`, (b, i) => b.reduce('prod', i(x), axes), outShape, 'float32');
        const bx = pair(shape, 'bool');
        for (const op of ['any', 'all'] as ReduceOp[])
          run(`reduce ${op}`, (b, i) => b.reduce(op, i(bx), axes), outShape, 'bool');
      }
    }
  });

  it('argMax and argMin', () => {
    const x = pair([4, 9, 5], 'float32', values(180, 'float32', true));
    for (const op of ['argMax', 'argMin'] as const)
      for (const axis of [0, 1, 2]) {
        const out = [4, 9, 5].filter((_, d) => d !== axis);
        run(`${op} axis ${axis}`, (b, i) => b.argReduce(op, i(x), axis), out, 'int32');
      }
  });

  it('matmul: every transpose, sizes 1/prime/large, broadcast batches, within 1.2e-7*k*sum|a||b|', () => {
    checkMatmulCases();
  });

  it('products big enough to share packed panels between threads agree, every transpose', () => {
    // 517 x 523 x 530: 143M multiply-adds, past the shared-panel threshold; odd sizes leave edge strips.
    const [m, n, k] = [517, 523, 530];
    for (const [tA, tB] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ]) {
      const as = tA ? [k, m] : [m, k],
        bs = tB ? [n, k] : [k, n];
      const av = values(m * k, 'float32'),
        bv = values(k * n, 'float32');
      const a = pair(as, 'float32', av),
        b = pair(bs, 'float32', bv);
      run(
        `shared-panel matmul tA=${tA} tB=${tB}`,
        (be, i) => be.matmul(i(a), i(b), tA, tB, [m, n]),
        [m, n],
        'float32',
        () => 1.2e-7 * k * 4,
      );
    }
  });

  it('the build without fused multiply-add agrees on every matmul case too', () => {
    if (process.env.MYELIN_WASM_FMA !== '0')
      assert.equal(wasm.flavor, 'threads-fma', 'Node 20+ runs the relaxed-SIMD build');
    const fused = wasm;
    wasm = new WasmBackend({ threads: 2, fusedMultiplyAdd: false });
    try {
      assert.equal(wasm.flavor, 'threads');
      checkMatmulCases();
    } finally {
      wasm.shutdown();
      wasm = fused;
    }
  });

  it('matmul propagates NaN and Infinity like the reference', () => {
    // No huge finite values here: their products overflow float32 sums but not the float64 reference's.
    const special = (n: number) =>
      Float32Array.from(values(n, 'float32'), (v, i) => (i % 7 === 3 ? [NaN, Infinity, -Infinity, -0, 0][i % 5] : v));
    const av = special(6 * 9),
      bv = special(9 * 300);
    const a = pair([6, 9], 'float32', av),
      b = pair([9, 300], 'float32', bv);
    const want = ref.read({
      handle: ref.matmul(a[0], b[0], false, false, [6, 300]),
      shape: [6, 300],
      dtype: 'float32',
    });
    const got = wasm.read({
      handle: wasm.matmul(a[1], b[1], false, false, [6, 300]),
      shape: [6, 300],
      dtype: 'float32',
    });
    for (let i = 0; i < want.length; i++) {
      assert.equal(Number.isNaN(got[i]), Number.isNaN(want[i]), `NaN at ${i}`);
      if (!Number.isFinite(want[i]) && !Number.isNaN(want[i])) assert.equal(got[i], want[i]);
    }
  });

  it('matmul on float64 and int32 uses the reference kernels', () => {
    for (const dtype of ['float64', 'int32'] as DType[]) {
      const a = pair([3, 4], dtype),
        b = pair([4, 5], dtype);
      run(`matmul ${dtype}`, (be, i) => be.matmul(i(a), i(b), false, false, [3, 5]), [3, 5], dtype);
    }
  });

  it('transpose, slice, pad, concat on every dtype', () => {
    for (const dtype of ['float32', 'float64', 'int32', 'bool'] as DType[]) {
      const x = pair([2, 3, 5], dtype, values(30, dtype, dtype === 'float32'));
      for (const perm of [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
      ]) {
        run(
          `transpose ${perm} ${dtype}`,
          (b, i) => b.transpose(i(x), perm),
          perm.map((p) => [2, 3, 5][p]),
          dtype,
        );
      }
      run(`slice ${dtype}`, (b, i) => b.slice(i(x), [1, 0, 1], [1, 2, 2], [1, 2, 3]), [1, 2, 2], dtype);
      // Unit steps copy contiguous runs: whole trailing dims, a cut last dim, a cut middle dim, empty.
      const boxes: [number[], number[]][] = [
        [
          [0, 0, 0],
          [2, 3, 5],
        ],
        [
          [1, 0, 0],
          [1, 3, 5],
        ],
        [
          [0, 1, 0],
          [2, 2, 5],
        ],
        [
          [0, 1, 2],
          [2, 2, 3],
        ],
        [
          [1, 2, 4],
          [1, 1, 1],
        ],
        [
          [0, 0, 3],
          [2, 3, 2],
        ],
        [
          [0, 3, 0],
          [2, 0, 5],
        ],
      ];
      for (const [begin, size] of boxes)
        run(`slice ${begin}+${size} ${dtype}`, (b, i) => b.slice(i(x), begin, size), size, dtype);
      const s0 = pair([], dtype);
      run(`slice of a scalar ${dtype}`, (b, i) => b.slice(i(s0), [], []), [], dtype);
      run(
        `pad ${dtype}`,
        (b, i) =>
          b.pad(
            i(x),
            [
              [1, 0],
              [0, 2],
              [1, 1],
            ],
            7,
          ),
        [3, 5, 7],
        dtype,
      );
      const y = pair([2, 1, 5], dtype);
      run(`concat ${dtype}`, (b, i) => b.concat([i(x), i(y), i(x)], 1, [2, 7, 5]), [2, 7, 5], dtype);
    }
  });

  it('gather and scatterAdd along each axis, with repeated indices', () => {
    const x = pair([4, 6, 3], 'float32');
    const idx = pair([5], 'int32', Int32Array.from([3, 0, 3, 1, 2]));
    for (const axis of [0, 1, 2]) {
      const shape = [4, 6, 3];
      if (shape[axis] < 4) continue;
      const out = [...shape.slice(0, axis), 5, ...shape.slice(axis + 1)];
      run(`gather axis ${axis}`, (b, i) => b.gather(i(x), i(idx), axis), out, 'float32');
      const upd = pair(out, 'float32');
      run(
        `scatterAdd axis ${axis}`,
        (b, i) => b.scatterAdd(i(upd), i(idx), axis, shape),
        shape,
        'float32',
        () => 1e-6,
      );
    }
  });
});

describe('wasm backend memory', () => {
  it('tensors keep their values when the heap grows under them', () => {
    const v = values(1000, 'float32');
    const h = wasm.upload(v, 'float32');
    const big: DataHandle[] = [];
    const before = wasm.heap.memory.buffer.byteLength;
    for (let i = 0; i < 8; i++) big.push(wasm.fill(4_000_000, i, 'float32'));
    assert.ok(wasm.heap.memory.buffer.byteLength > before, 'the memory grew');
    assertSame('after growth', v, wasm.read({ handle: h, shape: [1000], dtype: 'float32' }));
    const x: TensorInfo = { handle: h, shape: [1000], dtype: 'float32' };
    assertSame(
      'kernel after growth',
      Float32Array.from(v, (e) => e * 2),
      wasm.read({ handle: wasm.binary('add', x, x, [1000], 'float32'), shape: [1000], dtype: 'float32' }),
    );
    for (const b of big) wasm.dispose(b);
  });

  it('dispose returns blocks for reuse, and a second dispose is harmless', () => {
    const h = wasm.fill(1234, 1, 'float32');
    const live = wasm.heap.liveBytes;
    wasm.dispose(h);
    wasm.dispose(h);
    assert.ok(wasm.heap.liveBytes < live);
    const reserved = wasm.heap.reservedBytes;
    for (let i = 0; i < 100; i++) wasm.dispose(wasm.fill(1234, 1, 'float32'));
    assert.equal(wasm.heap.reservedBytes, reserved);
    assert.throws(() => wasm.read({ handle: h, shape: [1234], dtype: 'float32' }), /disposed/);
  });
});
