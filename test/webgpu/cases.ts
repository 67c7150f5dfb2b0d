// Kernel conformance of the WebGPU backend against the reference backend (the oracle), written
// without node:test so the same cases run in Node (Dawn) and in a browser page. Every read is
// asynchronous, as WebGPU requires.
import type { Backend, BinaryOp, DataHandle, ReduceOp, TensorInfo, UnaryOp } from '../../src/backend/backend.js';
import { allocArray, type DType, type TypedArray } from '../../src/core/dtype.js';
import { BINARY } from '../../src/backends/ref/elementwise.js';
import { UNARY } from '../../src/backends/ref/elementwise.js';
import { geometry2d } from '../../src/ops/conv_geometry.js';

export interface CaseResult {
  name: string;
  ok: boolean;
  message?: string;
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
// No subnormals (the reference's 1e-40): WGSL lets a GPU flush them to zero, and SwiftShader does.
const EDGE = [NaN, Infinity, -Infinity, -0, 0, 3.4e38, -3.4e38, 1e-30, 0.5, -0.5, 1.5, 2.5, 1, -1, 88.8, -104];
const BOOL_OUT = new Set(['logicalNot', 'isNaN', 'isInf', 'isFinite']);
const COMPARISONS = new Set([
  'equal',
  'notEqual',
  'less',
  'lessEqual',
  'greater',
  'greaterEqual',
  'logicalAnd',
  'logicalOr',
]);
// WGSL bounds the error of its transcendental built-ins loosely (exp/log: 3 + 2|x| ulp; sin/cos:
// 2^-11 absolute on [-pi, pi]); these are the relative and absolute tolerances per op.
const LOOSE: Partial<Record<string, [number, number]>> = {
  exp: [2e-5, 0],
  expm1: [3e-5, 1e-6],
  log: [1e-5, 1e-6],
  log1p: [2e-5, 1e-6],
  sin: [0, 5e-4],
  cos: [0, 5e-4],
  tan: [1e-3, 1e-3],
  asin: [1e-5, 1e-4],
  acos: [1e-5, 1e-4],
  atan: [1e-5, 1e-6],
  sinh: [2e-5, 1e-6],
  cosh: [2e-5, 0],
  tanh: [2e-5, 1e-6],
  asinh: [2e-5, 1e-6],
  acosh: [2e-5, 1e-6],
  atanh: [2e-5, 1e-6],
  sigmoid: [2e-5, 1e-7],
  softplus: [2e-5, 1e-6],
  elu: [3e-5, 1e-6],
  selu: [3e-5, 1e-6],
  erf: [0, 3e-7],
  pow: [1e-4, 0],
  atan2: [1e-5, 1e-6],
  rsqrt: [3e-7, 0],
  sqrt: [3e-7, 0],
  div: [3e-7, 0],
  reciprocal: [3e-7, 0],
  mod: [1e-5, 1e-6],
  floorDiv: [0, 0],
};
// Inputs per unary op where the reference is defined but WGSL's built-ins are not bounded.
const UNARY_RANGE: Partial<Record<string, number>> = { sin: 1000, cos: 1000, tan: 1.5, sinh: 80, cosh: 80 };

export function makeRng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

/** Runs every conformance case of `gpu` against `ref`. */
export async function runConformance(gpu: Backend, ref: Backend): Promise<CaseResult[]> {
  // Uploaded inputs keep CPU copies; the shaders themselves are what is tested here.
  (gpu as { keepIndexDataOnCpu?: boolean }).keepIndexDataOnCpu = false;
  const rand = makeRng(12345);
  const results: CaseResult[] = [];
  const values = (n: number, dtype: DType, edge = false, scale = 2): TypedArray => {
    const out = allocArray(dtype, n);
    for (let i = 0; i < n; i++) {
      if (dtype === 'bool') out[i] = rand() < 0.5 ? 1 : 0;
      else if (dtype === 'int32') out[i] = Math.floor(rand() * 21) - 10;
      else out[i] = edge && rand() < 0.25 ? EDGE[Math.floor(rand() * EDGE.length)] : (rand() * 2 - 1) * scale;
    }
    return out;
  };
  type Pair = [TensorInfo, TensorInfo];
  const pair = (shape: readonly number[], dtype: DType = 'float32', v: TypedArray = values(size(shape), dtype)): Pair =>
    [ref, gpu].map((b) => ({ handle: b.upload(v, dtype), shape, dtype })) as Pair;

  const compare = (
    what: string,
    want: TypedArray,
    got: TypedArray,
    tol: (i: number, w: number) => number,
  ): string | null => {
    if (got.length !== want.length) return `${what}: length ${got.length}, expected ${want.length}`;
    if (got.constructor.name !== want.constructor.name)
      return `${what}: ${got.constructor.name}, expected ${want.constructor.name}`;
    for (let i = 0; i < want.length; i++) {
      const w = want[i],
        g = got[i];
      if (Number.isNaN(w) || Number.isNaN(g)) {
        if (!(Number.isNaN(w) && Number.isNaN(g))) return `${what}[${i}]: expected ${w}, got ${g}`;
        continue;
      }
      if (!Number.isFinite(w) || !Number.isFinite(g)) {
        if (w !== g) return `${what}[${i}]: expected ${w}, got ${g}`;
        continue;
      }
      const t = tol(i, w) + 1e-37;
      if (Math.abs(w - g) > t) return `${what}[${i}]: expected ${w}, got ${g} (tolerance ${t})`;
    }
    return null;
  };
  const rel =
    (r: number, a = 0) =>
    (_i: number, w: number) =>
      a + r * Math.abs(w) + 1e-6 * Math.abs(w);

  async function run(
    name: string,
    f: (b: Backend, x: (p: Pair) => TensorInfo) => DataHandle,
    shape: readonly number[],
    dtype: DType,
    tol: (i: number, w: number) => number = rel(0),
  ): Promise<void> {
    try {
      if ((globalThis as { process?: { env: Record<string, string> } }).process?.env.MYELIN_WEBGPU_TRACE)
        console.error(name);
      const want = ref.read({ handle: f(ref, (p) => p[0]), shape, dtype });
      const got = await gpu.readAsync({ handle: f(gpu, (p) => p[1]), shape, dtype });
      const err = compare(name, want, got, tol);
      results.push(err ? { name, ok: false, message: err } : { name, ok: true });
    } catch (e) {
      results.push({ name, ok: false, message: `${name}: threw ${(e as Error).message}` });
    }
  }

  for (const dtype of ['float32', 'float64', 'int32', 'bool'] as DType[]) {
    const v = values(37, dtype, true);
    await run(`upload ${dtype}`, (b) => b.upload(v, dtype), [37], dtype);
    await run(`fill ${dtype}`, (b) => b.fill(41, -2.5, dtype), [41], dtype);
  }
  for (const from of ['float32', 'float64', 'int32', 'bool'] as DType[]) {
    const x = pair([3, 7], from, values(21, from, from === 'float32'));
    for (const to of ['float32', 'float64', 'int32', 'bool'] as DType[])
      await run(`cast ${from}->${to}`, (b, i) => b.cast(i(x), to), [3, 7], to);
  }
  const big = pair(
    [2000, 3],
    'float32',
    Float32Array.from({ length: 6000 }, (_, i) => (i % 3 === 0 ? 3e9 : -(2 ** 31) - i)),
  );
  await run('cast float32->int32 wraps like ToInt32', (b, i) => b.cast(i(big), 'int32'), [2000, 3], 'int32');

  for (const n of [1, 7, 13, 70_003]) {
    const edge = pair([n], 'float32', values(n, 'float32', true, 4));
    for (const op of Object.keys(UNARY) as UnaryOp[]) {
      const limit = UNARY_RANGE[op];
      const x = limit ? pair([n], 'float32', values(n, 'float32', false, limit)) : edge;
      const [r, a] = LOOSE[op] ?? [1e-7, 0];
      await run(
        `unary ${op} n=${n}`,
        (b, i) => b.unary(op, i(x)),
        [n],
        BOOL_OUT.has(op) ? 'bool' : 'float32',
        rel(r, a),
      );
    }
  }
  const xi = pair([11], 'int32');
  for (const op of ['neg', 'abs', 'square', 'sign', 'exp'] as UnaryOp[])
    await run(`unary ${op} int32`, (b, i) => b.unary(op, i(xi)), [11], 'int32', rel(0, 1));
  const x64 = pair([5], 'float64');
  await run('unary float64 (CPU fallback)', (b, i) => b.unary('exp', i(x64)), [5], 'float64');

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
    [[301, 1031], [1031], [301, 1031]],
    [
      [301, 1031],
      [301, 1],
      [301, 1031],
    ],
    [[1], [70_003], [70_003]],
  ];
  for (const [as, bs, os] of BROADCASTS) {
    const a = pair(as, 'float32', values(size(as), 'float32', true));
    const b = pair(bs, 'float32', values(size(bs), 'float32', true));
    for (const op of Object.keys(BINARY) as BinaryOp[]) {
      // mod of huge by small operands: float32 WGSL has no exact fmod, only a - b*trunc(a/b).
      if (op === 'mod' && size(os) > 1) continue;
      const [r, t] = LOOSE[op] ?? [1e-7, 0];
      await run(
        `binary ${op} ${JSON.stringify(as)} ${JSON.stringify(bs)}`,
        (be, i) => be.binary(op, i(a), i(b), os, COMPARISONS.has(op) ? 'bool' : 'float32'),
        os,
        COMPARISONS.has(op) ? 'bool' : 'float32',
        rel(r, t),
      );
    }
  }
  {
    const a = pair([301], 'float32', values(301, 'float32', false, 50)),
      b = pair([301], 'float32', values(301, 'float32', false, 3));
    await run(
      'binary mod on moderate values',
      (be, i) => be.binary('mod', i(a), i(b), [301], 'float32'),
      [301],
      'float32',
      rel(1e-5, 1e-5),
    );
  }
  {
    const a = pair([4, 5], 'int32'),
      b = pair([5], 'int32', Int32Array.from([3, -4, 0, 7, -1]));
    for (const op of ['add', 'sub', 'mul', 'floorDiv', 'mod', 'maximum', 'minimum'] as BinaryOp[]) {
      await run(`binary ${op} int32`, (be, i) => be.binary(op, i(a), i(b), [4, 5], 'int32'), [4, 5], 'int32');
    }
    await run('binary less int32', (be, i) => be.binary('less', i(a), i(b), [4, 5], 'bool'), [4, 5], 'bool');
    const p = pair([6], 'bool'),
      q = pair([6], 'bool');
    await run('logicalAnd bool', (be, i) => be.binary('logicalAnd', i(p), i(q), [6], 'bool'), [6], 'bool');
    const f = pair([4, 5], 'float32');
    await run('add int32+float32', (be, i) => be.binary('add', i(a), i(f), [4, 5], 'float32'), [4, 5], 'float32');
    const d = pair([3, 4], 'float64'),
      g = pair([4], 'float32');
    await run(
      'add float64+float32 (CPU fallback)',
      (be, i) => be.binary('add', i(d), i(g), [3, 4], 'float64'),
      [3, 4],
      'float64',
    );
  }
  {
    const c = pair([5, 1], 'bool'),
      a = pair([5, 7], 'float32', values(35, 'float32', true)),
      b = pair([7], 'float32');
    await run('where', (be, i) => be.where(i(c), i(a), i(b), [5, 7]), [5, 7], 'float32');
    const ai = pair([5, 7], 'int32'),
      bi = pair([5, 7], 'int32');
    await run('where int32', (be, i) => be.where(i(c), i(ai), i(bi), [5, 7]), [5, 7], 'int32');
  }

  for (const shape of [[1], [13], [3, 5, 7], [2, 1, 11], [64, 3001], [3001, 64]]) {
    const x = pair(shape, 'float32', values(size(shape), 'float32'));
    const xe = pair(shape, 'float32', values(size(shape), 'float32', true));
    const bx = pair(shape, 'bool');
    const rank = shape.length;
    for (let mask = 1; mask < 1 << rank; mask++) {
      const axes = [...Array(rank).keys()].filter((d) => mask & (1 << d));
      const outShape = shape.filter((_, d) => !axes.includes(d));
      const red = size(axes.map((d) => shape[d]));
      const tag = `${JSON.stringify(shape)} axes ${axes}`;
      await run(
        `reduce sum ${tag}`,
        (b, i) => b.reduce('sum', i(x), axes),
        outShape,
        'float32',
        () => 4e-7 * red * 2,
      );
      for (const op of ['max', 'min'] as ReduceOp[]) {
        await run(`reduce ${op} ${tag}`, (b, i) => b.reduce(op, i(x), axes), outShape, 'float32');
        await run(`reduce ${op} edge ${tag}`, (b, i) => b.reduce(op, i(xe), axes), outShape, 'float32');
      }
      if (size(shape) < 100)
        await run(`reduce prod ${tag}`, (b, i) => b.reduce('prod', i(x), axes), outShape, 'float32', rel(1e-6));
      for (const op of ['any', 'all'] as ReduceOp[])
        await run(`reduce ${op} ${tag}`, (b, i) => b.reduce(op, i(bx), axes), outShape, 'bool');
    }
  }
  {
    const xi2 = pair([6, 9], 'int32');
    await run('reduce sum int32', (b, i) => b.reduce('sum', i(xi2), [1]), [6], 'int32');
    const x = pair([4, 9, 5], 'float32', values(180, 'float32', true));
    for (const op of ['argMax', 'argMin'] as const)
      for (const axis of [0, 1, 2]) {
        await run(
          `${op} axis ${axis}`,
          (b, i) => b.argReduce(op, i(x), axis),
          [4, 9, 5].filter((_, d) => d !== axis),
          'int32',
        );
      }
  }

  const MATMULS: [number[], number[], number, number, number][] = [
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
  ];
  for (const [ab, bb, m, n, k] of MATMULS)
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
        const mag = ref.matmul(
          { handle: ref.upload(av.map(Math.abs), 'float32'), shape: as, dtype: 'float32' },
          { handle: ref.upload(bv.map(Math.abs), 'float32'), shape: bs, dtype: 'float32' },
          tA,
          tB,
          os,
        ) as Float32Array;
        await run(
          `matmul ${JSON.stringify(as)}x${JSON.stringify(bs)} tA=${tA} tB=${tB}`,
          (be, i) => be.matmul(i(a), i(b), tA, tB, os),
          os,
          'float32',
          (j) => 1.2e-7 * k * mag[j],
        );
      }
  {
    const a = pair([3, 4], 'int32'),
      b = pair([4, 5], 'int32');
    await run('matmul int32', (be, i) => be.matmul(i(a), i(b), false, false, [3, 5]), [3, 5], 'int32');
    const c = pair([3, 4], 'float64'),
      d = pair([4, 5], 'float64');
    await run(
      'matmul float64 (CPU fallback)',
      (be, i) => be.matmul(i(c), i(d), false, false, [3, 5]),
      [3, 5],
      'float64',
    );
  }

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
      await run(
        `transpose ${perm} ${dtype}`,
        (b, i) => b.transpose(i(x), perm),
        perm.map((p) => [2, 3, 5][p]),
        dtype,
      );
    }
    await run(`slice ${dtype}`, (b, i) => b.slice(i(x), [1, 0, 1], [1, 2, 2], [1, 2, 3]), [1, 2, 2], dtype);
    await run(`slice reversed ${dtype}`, (b, i) => b.slice(i(x), [1, 2, 4], [2, 3, 5], [-1, -1, -1]), [2, 3, 5], dtype);
    await run(
      `pad ${dtype}`,
      (b, i) =>
        b.pad(
          i(x),
          [
            [1, 0],
            [0, 2],
            [1, 1],
          ],
          1,
        ),
      [3, 5, 7],
      dtype,
    );
    const y = pair([2, 1, 5], dtype);
    await run(`concat ${dtype}`, (b, i) => b.concat([i(x), i(y), i(x)], 1, [2, 7, 5]), [2, 7, 5], dtype);
  }
  {
    const x = pair([4, 6, 3], 'float32');
    const idx = pair([5], 'int32', Int32Array.from([3, 0, 3, 1, 2]));
    for (const axis of [0, 1]) {
      const shape = [4, 6, 3];
      const out = [...shape.slice(0, axis), 5, ...shape.slice(axis + 1)];
      await run(`gather axis ${axis}`, (b, i) => b.gather(i(x), i(idx), axis), out, 'float32');
      const upd = pair(out, 'float32');
      await run(
        `scatterAdd axis ${axis}`,
        (b, i) => b.scatterAdd(i(upd), i(idx), axis, shape),
        shape,
        'float32',
        () => 1e-6,
      );
    }
    const idx2 = pair([2, 3], 'int32', Int32Array.from([5, 0, 5, 2, 2, 1]));
    await run('gather 2-d indices', (b, i) => b.gather(i(x), i(idx2), 1), [4, 2, 3, 3], 'float32');
  }
  {
    // Fused kernels: Adam (three outputs, float64 through the CPU) and softmax / log-softmax.
    const n = 1037;
    const p = pair([n], 'float32'),
      g = pair([n], 'float32'),
      m = pair([n], 'float32', values(n, 'float32', false, 0.1));
    const v = pair([n], 'float32', values(n, 'float32').map(Math.abs));
    for (const k of [0, 1, 2]) {
      await run(
        `adam output ${k}`,
        (b, i) => b.adam!(i(p), i(g), i(m), i(v), 1e-3, 0.9, 0.999, 1e-7)[k],
        [n],
        'float32',
        rel(2e-6, 1e-9),
      );
    }
    const p64 = pair([9], 'float64'),
      g64 = pair([9], 'float64'),
      m64 = pair([9], 'float64'),
      v64 = pair([9], 'float64', values(9, 'float64').map(Math.abs));
    await run(
      'adam float64 (CPU fallback)',
      (b, i) => b.adam!(i(p64), i(g64), i(m64), i(v64), 1e-3, 0.9, 0.999, 1e-7)[0],
      [9],
      'float64',
    );
    for (const [rows, cols] of [
      [1, 1],
      [7, 10],
      [3, 65],
      [2, 1500],
    ]) {
      const x = pair([rows, cols], 'float32', values(rows * cols, 'float32', false, 20));
      for (const log of [false, true]) {
        await run(
          `${log ? 'logSoftmax' : 'softmax'} ${rows}x${cols}`,
          (b, i) => b.softmax!(i(x), log),
          [rows, cols],
          'float32',
          rel(1e-5, 1e-6),
        );
      }
    }
    // Rows holding NaN, +Inf, -Inf, only -Inf, and the largest floats.
    const special = pair(
      [5, 3],
      'float32',
      Float32Array.from([1, NaN, 2, 0, 3, Infinity, 1, 2, -Infinity, -Infinity, -Infinity, -Infinity, 3e38, -3e38, 1]),
    );
    for (const log of [false, true]) {
      await run(
        `${log ? 'logSoftmax' : 'softmax'} special values`,
        (b, i) => b.softmax!(i(special), log),
        [5, 3],
        'float32',
        rel(1e-5, 1e-6),
      );
    }
  }
  {
    // Window kernels of convolution and pooling: odd sizes, strides, dilations, both paddings.
    const geometries: [
      number,
      number,
      number,
      number,
      [number, number],
      [number, number],
      [number, number],
      'valid' | 'same',
    ][] = [
      [1, 1, 1, 1, [1, 1], [1, 1], [1, 1], 'valid'],
      [2, 5, 7, 3, [3, 3], [1, 1], [1, 1], 'valid'],
      [3, 6, 5, 4, [3, 2], [2, 1], [1, 1], 'same'],
      [2, 7, 7, 5, [3, 3], [2, 2], [2, 1], 'same'],
      [1, 9, 4, 1, [2, 2], [2, 2], [1, 1], 'same'],
    ];
    for (const [n, h, w, c, k, st, d, padding] of geometries) {
      const g = geometry2d(h, w, k, st, d, padding, 'test');
      const label = `[${n},${h},${w},${c}] k${k} s${st} d${d} ${padding}`;
      const x = pair([n, h, w, c]);
      const colsShape = [n, g.outH, g.outW, g.kH * g.kW * c];
      await run(`im2col ${label}`, (b, i) => b.im2col!(i(x), g, 0), colsShape, 'float32');
      await run(`im2col -inf padding ${label}`, (b, i) => b.im2col!(i(x), g, -Infinity), colsShape, 'float32');
      const cols = pair(colsShape);
      await run(
        `col2im ${label}`,
        (b, i) => b.col2im!(i(cols), g, [n, h, w, c]),
        [n, h, w, c],
        'float32',
        rel(1e-6, 1e-6),
      );
      // Small integers make ties likely: the gradient splits dy between them.
      const ties = pair(
        [n, h, w, c],
        'float32',
        Float32Array.from({ length: n * h * w * c }, () => Math.floor(rand() * 4)),
      );
      const yShape = [n, g.outH, g.outW, c];
      await run(`maxPool ${label}`, (b, i) => b.maxPool!(i(ties), g), yShape, 'float32');
      const y = [ref, gpu].map((b, k2) => ({
        handle: b.maxPool!(k2 === 0 ? ties[0] : ties[1], g),
        shape: yShape,
        dtype: 'float32' as const,
      }));
      const dy = pair(yShape);
      await run(
        `maxPoolGrad ${label}`,
        (b, i) => b.maxPoolGrad!(i(ties), b === ref ? y[0] : y[1], i(dy), g),
        [n, h, w, c],
        'float32',
        rel(1e-6, 1e-6),
      );
    }
    const g = geometry2d(3, 3, [2, 2], [2, 2], [1, 1], 'same', 'test');
    const nan = pair([1, 3, 3, 1], 'float32', Float32Array.of(-5, NaN, -3, -2, -1, -6, -7, -8, -9));
    await run('maxPool propagates NaN, never picks padding', (b, i) => b.maxPool!(i(nan), g), [1, 2, 2, 1], 'float32');
  }
  for (const [batch, units, scale] of [
    [1, 1, 4],
    [3, 5, 4],
    [32, 128, 4],
    [2, 7, 60],
  ]) {
    // The LSTM cell and both its gradients; scale 60 saturates the gates.
    const z = pair([batch, 4 * units], 'float32', values(batch * 4 * units, 'float32', false, scale)),
      c = pair([batch, units]);
    const shapes = [
      [batch, 4 * units],
      [batch, units],
      [batch, units],
    ];
    const label = `batch ${batch} units ${units} scale ${scale}`;
    for (const k of [0, 1, 2])
      await run(
        `lstmCell output ${k} ${label}`,
        (b, i) => b.lstmCell!(i(z), i(c))[k],
        shapes[k],
        'float32',
        rel(2e-5, 2e-6),
      );
    const [gr, cr] = ref.lstmCell!(z[0], c[0]);
    const [gg, cg] = gpu.lstmCell!(z[1], c[1]);
    const gates = [
      { handle: gr, shape: shapes[0], dtype: 'float32' as const },
      { handle: gg, shape: shapes[0], dtype: 'float32' as const },
    ];
    const cNew = [
      { handle: cr, shape: shapes[1], dtype: 'float32' as const },
      { handle: cg, shape: shapes[1], dtype: 'float32' as const },
    ];
    const dy = pair([batch, units]);
    for (const [which, state] of [
      ['cell', c],
      ['hidden', cNew],
    ] as const) {
      for (const k of [0, 1]) {
        await run(
          `lstmCellGrad ${which} output ${k} ${label}`,
          (b, i) => b.lstmCellGrad!(which, b === ref ? gates[0] : gates[1], b === ref ? state[0] : state[1], i(dy))[k],
          shapes[k],
          'float32',
          rel(2e-5, 2e-6),
        );
      }
    }
  }
  (gpu as { keepIndexDataOnCpu?: boolean }).keepIndexDataOnCpu = true;
  return results;
}
