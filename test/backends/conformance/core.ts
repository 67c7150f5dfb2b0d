// The cases of the required kernels: every op of the op table on edge values, odd and large
// sizes, every broadcast pattern, every dtype each kernel takes.
import { BINARY_OPS, binaryOps, UNARY_OPS, unaryOps, type BinaryOp } from '../../../src/backend/op_table.js';
import type { DType } from '../../../src/core/dtype.js';
import { type Check, size } from './harness.js';

const DTYPES: DType[] = ['float32', 'float64', 'int32', 'bool'];

export async function memory(c: Check): Promise<void> {
  for (const dtype of DTYPES) {
    const v = c.values(37, dtype, { edge: true });
    await c.run(`upload ${dtype}`, 'exact', { shape: [37], dtype }, (b) => b.upload(v, dtype));
    await c.run(`fill ${dtype}`, 'exact', { shape: [41], dtype }, (b) => b.fill(41, -2.5, dtype));
  }
}

export async function cast(c: Check): Promise<void> {
  for (const from of DTYPES) {
    const x = c.input([3, 7], from, { edge: from === 'float32' });
    for (const to of DTYPES)
      await c.run(`cast ${from}->${to}`, 'exact', { shape: [3, 7], dtype: to }, (b, i) => b.cast(i(x), to));
  }
  const big = c.input(
    [2000, 3],
    'float32',
    Float32Array.from({ length: 6000 }, (_, i) => (i % 3 === 0 ? 3e9 : -(2 ** 31) - i)),
  );
  await c.run('cast float32->int32 wraps like ToInt32', 'exact', { shape: [2000, 3], dtype: 'int32' }, (b, i) =>
    b.cast(i(big), 'int32'),
  );
  // Long enough to be split across the wasm backend's threads.
  const n = c.profile.large;
  for (const [from, to] of [
    ['bool', 'float32'],
    ['float32', 'bool'],
  ] as const) {
    const x = c.input([n], from, { edge: true });
    await c.run(`cast ${from}->${to}, ${n} elements`, 'exact', { shape: [n], dtype: to }, (b, i) => b.cast(i(x), to));
  }
  // int32 values a float32 cannot hold round to nearest, ties to even, as typed arrays round
  // them (WGSL lets a GPU round either way, so WebGPU is not held to it).
  if (c.profile.name !== 'wasm') return;
  const wide = c.input(
    [2, 4],
    'int32',
    Int32Array.of(2 ** 24 + 1, 2 ** 24 + 3, -(2 ** 31), 2 ** 31 - 1, 2 ** 25 + 2, -(2 ** 24) - 1, 123456789, 0),
  );
  await c.run('cast int32->float32 rounds to nearest even', 'exact', { shape: [2, 4], dtype: 'float32' }, (b, i) =>
    b.cast(i(wide), 'float32'),
  );
}

export async function unary(c: Check): Promise<void> {
  for (const n of [1, 7, 13, c.profile.large]) {
    const edge = c.input([n], 'float32', { edge: true, scale: 4 });
    for (const op of unaryOps) {
      const range = c.profile.unaryRange[op];
      const x = range ? c.input([n], 'float32', { scale: range }) : edge;
      const dtype = UNARY_OPS[op] === 'bool' ? 'bool' : 'float32';
      await c.run(`unary ${op} n=${n}`, op, { shape: [n], dtype }, (b, i) => b.unary(op, i(x)));
    }
    c.release();
  }
  const xi = c.input([11], 'int32');
  for (const op of ['neg', 'abs', 'square', 'sign', 'exp'] as const)
    await c.run(`unary ${op} int32`, 'int32 unary', { shape: [11], dtype: 'int32' }, (b, i) => b.unary(op, i(xi)));
  const x64 = c.input([9], 'float64', { edge: true, scale: 4 });
  for (const op of unaryOps) {
    const dtype = UNARY_OPS[op] === 'bool' ? 'bool' : 'float64';
    await c.run(`unary ${op} float64`, op, { shape: [9], dtype }, (b, i) => b.unary(op, i(x64)));
  }
}

/** [a, b, out] shapes: equal, scalar, trailing row, column, outer product, rank 4, a long row. */
function broadcasts(large: number): [number[], number[], number[]][] {
  return [
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
    [[large], [1], [large]],
    [[1], [large], [large]],
  ];
}

/** A random rank-0..4 shape with dims drawn from `dims`. */
function randomShape(c: Check, dims: readonly number[], minRank = 0): number[] {
  const rank = minRank + Math.floor(c.rand() * (5 - minRank));
  return Array.from({ length: rank }, () => dims[Math.floor(c.rand() * dims.length)]);
}

/** Two operands of a random shape, each dropping some leading axes and setting some axes to 1; and their broadcast. */
function randomBroadcast(c: Check): [number[], number[], number[]] {
  const base = randomShape(c, [2, 3, 5, 8, 13]);
  const operand = () => base.slice(Math.floor(c.rand() * (base.length + 1))).map((d) => (c.rand() < 0.3 ? 1 : d));
  const a = operand(),
    b = operand();
  const rank = Math.max(a.length, b.length);
  const dim = (s: number[], d: number) => s[d - rank + s.length] ?? 1;
  return [a, b, Array.from({ length: rank }, (_, d) => Math.max(dim(a, d), dim(b, d)))];
}

export async function binary(c: Check): Promise<void> {
  const random = Array.from({ length: 6 }, () => randomBroadcast(c));
  for (const [as, bs, os] of [...broadcasts(c.profile.large), ...random]) {
    const a = c.input(as, 'float32', { edge: true });
    const b = c.input(bs, 'float32', { edge: true });
    for (const op of binaryOps) {
      if (op === 'mod' && !c.profile.exactMod && size(os) > 1) continue;
      const dtype = BINARY_OPS[op] === 'bool' ? 'bool' : 'float32';
      await c.run(`binary ${op} ${JSON.stringify(as)} ${JSON.stringify(bs)}`, op, { shape: os, dtype }, (be, i) =>
        be.binary(op, i(a), i(b), os, dtype),
      );
    }
    c.release();
  }
  {
    const a = c.input([301], 'float32', { scale: 50 }),
      b = c.input([301], 'float32', { scale: 3 });
    await c.run('binary mod on moderate values', 'mod', { shape: [301], dtype: 'float32' }, (be, i) =>
      be.binary('mod', i(a), i(b), [301], 'float32'),
    );
  }
  const a = c.input([4, 5], 'int32'),
    b = c.input([5], 'int32', Int32Array.of(3, -4, 0, 7, -1));
  const same = { shape: [4, 5], dtype: 'int32' as const };
  for (const op of ['add', 'sub', 'mul', 'floorDiv', 'mod', 'maximum', 'minimum'] as BinaryOp[])
    await c.run(`binary ${op} int32`, op, same, (be, i) => be.binary(op, i(a), i(b), [4, 5], 'int32'));
  await c.run('binary less int32', 'less', { shape: [4, 5], dtype: 'bool' }, (be, i) =>
    be.binary('less', i(a), i(b), [4, 5], 'bool'),
  );
  const p = c.input([6], 'bool'),
    q = c.input([6], 'bool');
  await c.run('binary logicalAnd bool', 'logicalAnd', { shape: [6], dtype: 'bool' }, (be, i) =>
    be.binary('logicalAnd', i(p), i(q), [6], 'bool'),
  );
  const f = c.input([4, 5], 'float32');
  await c.run('binary add int32+float32', 'add', { shape: [4, 5], dtype: 'float32' }, (be, i) =>
    be.binary('add', i(a), i(f), [4, 5], 'float32'),
  );
  const d = c.input([3, 4], 'float64', { edge: true }),
    g = c.input([4], 'float32');
  for (const op of binaryOps) {
    const dtype = BINARY_OPS[op] === 'bool' ? 'bool' : 'float64';
    await c.run(`binary ${op} float64+float32`, op, { shape: [3, 4], dtype }, (be, i) =>
      be.binary(op, i(d), i(g), [3, 4], dtype),
    );
  }
}

export async function where(c: Check): Promise<void> {
  const cond = c.input([5, 1], 'bool');
  const a = c.input([5, 7], 'float32', { edge: true }),
    b = c.input([7], 'float32');
  await c.run('where broadcast', 'exact', { shape: [5, 7], dtype: 'float32' }, (be, i) =>
    be.where(i(cond), i(a), i(b), [5, 7]),
  );
  const ai = c.input([5, 7], 'int32'),
    bi = c.input([5, 7], 'int32');
  await c.run('where int32', 'exact', { shape: [5, 7], dtype: 'int32' }, (be, i) =>
    be.where(i(cond), i(ai), i(bi), [5, 7]),
  );
  const a64 = c.input([5, 7], 'float64');
  await c.run('where float64', 'exact', { shape: [5, 7], dtype: 'float64' }, (be, i) =>
    be.where(i(cond), i(a64), i(b), [5, 7]),
  );
  // A full condition with full or scalar values: a gradient mask, up to lengths split across threads.
  const scalars = [c.input([], 'float32', Float32Array.of(-0)), c.input([1], 'float32', Float32Array.of(2.5))];
  for (const n of [2, 7, 37, 1001, c.profile.large]) {
    const full = c.input([n], 'bool');
    const x = c.input([n], 'float32', { edge: true }),
      y = c.input([n], 'float32', { edge: true });
    const pairs = [
      ['full/full', x, y],
      ['full/scalar', x, scalars[1]],
      ['scalar/full', scalars[0], y],
      ['scalar/scalar', scalars[0], scalars[1]],
    ] as const;
    for (const [label, u, v] of pairs)
      await c.run(`where ${label} n=${n}`, 'exact', { shape: [n], dtype: 'float32' }, (be, i) =>
        be.where(i(full), i(u), i(v), [n]),
      );
  }
}

export async function reduce(c: Check): Promise<void> {
  const random = Array.from({ length: 4 }, () => randomShape(c, [1, 2, 3, 5, 7, 16], 1));
  for (const shape of [[1], [13], [3, 5, 7], [2, 1, 11], [64, 3001], [3001, 64], ...random]) {
    const x = c.input(shape),
      xe = c.input(shape, 'float32', { edge: true }),
      bx = c.input(shape, 'bool');
    const rank = shape.length;
    for (let mask = 1; mask < 1 << rank; mask++) {
      const axes = [...Array(rank).keys()].filter((d) => mask & (1 << d));
      const outShape = shape.filter((_, d) => !axes.includes(d));
      const terms = size(axes.map((d) => shape[d]));
      const tag = `${JSON.stringify(shape)} axes ${axes}`;
      const f32 = { shape: outShape, dtype: 'float32' as const };
      await c.run(
        `reduce sum ${tag}`,
        'sum',
        f32,
        (b, i) => b.reduce('sum', i(x), axes),
        () => c.profile.perTerm.sum * terms,
      );
      for (const op of ['max', 'min'] as const) {
        await c.run(`reduce ${op} ${tag}`, op, f32, (b, i) => b.reduce(op, i(x), axes));
        await c.run(`reduce ${op} edge ${tag}`, op, f32, (b, i) => b.reduce(op, i(xe), axes));
      }
      if (size(shape) < 100) await c.run(`reduce prod ${tag}`, 'prod', f32, (b, i) => b.reduce('prod', i(x), axes));
      for (const op of ['any', 'all'] as const)
        await c.run(`reduce ${op} ${tag}`, op, { shape: outShape, dtype: 'bool' }, (b, i) => b.reduce(op, i(bx), axes));
    }
    c.release();
  }
  const xi = c.input([6, 9], 'int32');
  await c.run('reduce sum int32', 'sum', { shape: [6], dtype: 'int32' }, (b, i) => b.reduce('sum', i(xi), [1]));
  const x64 = c.input([6, 9], 'float64', { edge: true });
  await c.run('reduce max float64', 'max', { shape: [9], dtype: 'float64' }, (b, i) => b.reduce('max', i(x64), [0]));
  const x = c.input([4, 9, 5], 'float32', { edge: true });
  for (const op of ['argMax', 'argMin'] as const)
    for (const axis of [0, 1, 2]) {
      const out = { shape: [4, 9, 5].filter((_, d) => d !== axis), dtype: 'int32' as const };
      await c.run(`${op} axis ${axis}`, 'exact', out, (b, i) => b.argReduce(op, i(x), axis));
    }
}

/** Leading batch dims of a and b, m, n, k: sizes 1, primes, odd, past the packing thresholds. */
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
  // A convolution's shapes in small: a depth of 9 (3x3, one channel) and one just past 256
  // (one depth block up to 320), each with a depth tail of 1-3 past the 4-wide packing.
  [[], [], 130, 33, 9],
  [[], [], 97, 19, 291],
  [[3], [3], 7, 5, 11],
  [[2, 1], [3], 9, 6, 4],
  [[1], [4], 65, 70, 40],
  [[6], [1], 40, 41, 42],
  [[5], [5], 48, 64, 96],
  // Fewer than 4 rows (one sample, an LSTM step at batch 1): B streamed unpacked, 24-column blocks plus tails.
  [[], [], 1, 525, 130],
  [[], [], 1, 49, 97],
  [[], [], 1, 300, 28],
  [[], [], 3, 77, 200],
  [[2], [1], 2, 45, 31],
];

/** Products with a small output and a long depth: the wasm backend splits them by depth. */
const DEEP_MATMULS: [number[], number[], number, number, number][] = [
  [[], [], 9, 32, 43264],
  [[], [], 13, 37, 30011],
  // A thin product big enough to split its columns across threads.
  [[], [], 2, 4101, 1100],
];

/**
 * Runs a product of `av` and `bv`, allowing per element `perTerm · k · bound`, where `bound` is
 * Σ|a||b| of that element (computed on the reference backend) unless given.
 */
async function product(
  c: Check,
  name: string,
  [as, bs]: [number[], number[]],
  [av, bv]: [Float32Array, Float32Array],
  [tA, tB]: [boolean, boolean],
  os: number[],
  bound?: number,
): Promise<void> {
  const a = c.input(as, 'float32', av),
    b = c.input(bs, 'float32', bv);
  const k = tA ? as[as.length - 2] : as[as.length - 1];
  let mag: ArrayLike<number> | undefined;
  if (bound === undefined) {
    const abs = (v: Float32Array, shape: number[]) => ({
      handle: c.ref.upload(v.map(Math.abs), 'float32'),
      shape,
      dtype: 'float32' as const,
    });
    mag = c.ref.read({ handle: c.ref.matmul(abs(av, as), abs(bv, bs), tA, tB, os), shape: os, dtype: 'float32' });
  }
  const perTerm = c.profile.perTerm.matmul * k;
  await c.run(
    name,
    'matmul',
    { shape: os, dtype: 'float32' },
    (be, i) => be.matmul(i(a), i(b), tA, tB, os),
    (j) => (mag ? perTerm * mag[j] : perTerm * (bound as number)),
  );
}

export async function matmul(c: Check): Promise<void> {
  // Random sizes, batch dims broadcast between the operands.
  const dim = () => 1 + Math.floor(c.rand() * 40);
  const random = Array.from({ length: 4 }, (): [number[], number[], number, number, number] => {
    const batch = randomShape(c, [1, 2, 3], 0).slice(0, 2);
    const drop = () => batch.slice(Math.floor(c.rand() * (batch.length + 1))).map((d) => (c.rand() < 0.3 ? 1 : d));
    return [drop(), drop(), dim(), dim(), dim()];
  });
  const cases = [...MATMULS, ...random, ...(c.profile.bigCases ? DEEP_MATMULS : [])];
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
        const values = [c.values(size(as)), c.values(size(bs))] as [Float32Array, Float32Array];
        await product(
          c,
          `matmul ${JSON.stringify(as)}x${JSON.stringify(bs)} tA=${tA} tB=${tB}`,
          [as, bs],
          values,
          [tA, tB],
          os,
        );
        c.release();
      }
  if (c.profile.bigCases) {
    // 517 x 523 x 530: past the threshold where threads share packed panels; odd sizes leave edge strips.
    const [m, n, k] = [517, 523, 530];
    for (const [tA, tB] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ]) {
      const values = [c.values(m * k), c.values(k * n)] as [Float32Array, Float32Array];
      const shapes: [number[], number[]] = [tA ? [k, m] : [m, k], tB ? [n, k] : [k, n]];
      // Operands within [-2, 2]: each term is at most 4 (the reference's |a||b| product would double the time).
      await product(c, `matmul shared panels tA=${tA} tB=${tB}`, shapes, values, [tA, tB], [m, n], 4);
      c.release();
    }
  }
  // NaN and infinities among the operands propagate as in the reference. No huge finite values
  // here: their products overflow float32 sums but not the float64 reference's.
  const special = (n: number) =>
    Float32Array.from(c.values(n), (v, i) => (i % 7 === 3 ? [NaN, Infinity, -Infinity, -0, 0][i % 5] : v));
  await product(
    c,
    'matmul with NaN and infinities',
    [
      [6, 9],
      [9, 300],
    ],
    [special(54), special(2700)],
    [false, false],
    [6, 300],
  );
  for (const dtype of ['float64', 'int32'] as const) {
    const a = c.input([3, 4], dtype),
      b = c.input([4, 5], dtype);
    await c.run(`matmul ${dtype}`, 'matmul', { shape: [3, 5], dtype }, (be, i) =>
      be.matmul(i(a), i(b), false, false, [3, 5]),
    );
  }
}

export async function movement(c: Check): Promise<void> {
  for (const dtype of DTYPES) {
    const x = c.input([2, 3, 5], dtype, { edge: dtype === 'float32' });
    const out = (shape: number[]) => ({ shape, dtype });
    for (const perm of [
      [0, 1, 2],
      [0, 2, 1],
      [1, 0, 2],
      [1, 2, 0],
      [2, 0, 1],
      [2, 1, 0],
    ])
      await c.run(`transpose ${perm} ${dtype}`, 'exact', out(perm.map((p) => [2, 3, 5][p])), (b, i) =>
        b.transpose(i(x), perm),
      );
    await c.run(`slice strided ${dtype}`, 'exact', out([1, 2, 2]), (b, i) =>
      b.slice(i(x), [1, 0, 1], [1, 2, 2], [1, 2, 3]),
    );
    await c.run(`slice reversed ${dtype}`, 'exact', out([2, 3, 5]), (b, i) =>
      b.slice(i(x), [1, 2, 4], [2, 3, 5], [-1, -1, -1]),
    );
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
    for (const [begin, box] of boxes)
      await c.run(`slice ${begin}+${box} ${dtype}`, 'exact', out(box), (b, i) => b.slice(i(x), begin, box));
    const s0 = c.input([], dtype);
    await c.run(`slice of a scalar ${dtype}`, 'exact', out([]), (b, i) => b.slice(i(s0), [], []));
    const paddings: [number, number][] = [
      [1, 0],
      [0, 2],
      [1, 1],
    ];
    await c.run(`pad ${dtype}`, 'exact', out([3, 5, 7]), (b, i) => b.pad(i(x), paddings, 7));
    const y = c.input([2, 1, 5], dtype);
    await c.run(`concat ${dtype}`, 'exact', out([2, 7, 5]), (b, i) => b.concat([i(x), i(y), i(x)], 1, [2, 7, 5]));
  }
}

export async function gather(c: Check): Promise<void> {
  const shape = [4, 6, 3];
  const x = c.input(shape, 'float32', { edge: true });
  const idx = c.input([5], 'int32', Int32Array.of(3, 0, 3, 1, 2));
  for (const axis of [0, 1]) {
    const out = [...shape.slice(0, axis), 5, ...shape.slice(axis + 1)];
    await c.run(`gather axis ${axis}`, 'exact', { shape: out, dtype: 'float32' }, (b, i) =>
      b.gather(i(x), i(idx), axis),
    );
    const upd = c.input(out);
    await c.run(`scatterAdd axis ${axis}`, 'scatterAdd', { shape, dtype: 'float32' }, (b, i) =>
      b.scatterAdd(i(upd), i(idx), axis, shape),
    );
  }
  const idx2 = c.input([2, 3], 'int32', Int32Array.of(5, 0, 5, 2, 2, 1));
  await c.run('gather 2-d indices', 'exact', { shape: [4, 2, 3, 3], dtype: 'float32' }, (b, i) =>
    b.gather(i(x), i(idx2), 1),
  );
  const xi = c.input([6, 4], 'int32');
  await c.run('gather int32', 'exact', { shape: [5, 4], dtype: 'int32' }, (b, i) => b.gather(i(xi), i(idx), 0));
  const x64 = c.input([6, 4], 'float64');
  await c.run('gather float64', 'exact', { shape: [5, 4], dtype: 'float64' }, (b, i) => b.gather(i(x64), i(idx), 0));
  const xb = c.input([6, 3], 'bool');
  await c.run('gather bool', 'exact', { shape: [5, 3], dtype: 'bool' }, (b, i) => b.gather(i(xb), i(idx), 0));
  const lastIdx = c.input([5], 'int32', Int32Array.of(2, 0, 2, 1, 1));
  await c.run('gather bool last axis', 'exact', { shape: [6, 5], dtype: 'bool' }, (b, i) =>
    b.gather(i(xb), i(lastIdx), 1),
  );
  await c.run('gather last axis', 'exact', { shape: [4, 6, 5], dtype: 'float32' }, (b, i) =>
    b.gather(i(x), i(lastIdx), 2),
  );
  const none = c.input([0], 'int32', new Int32Array(0));
  await c.run('gather no indices', 'exact', { shape: [4, 0, 3], dtype: 'float32' }, (b, i) =>
    b.gather(i(x), i(none), 1),
  );
  // A shuffled batch of rows from a larger set, as fit takes them.
  const rows = c.input([300, 37], 'float32');
  const picks = c.input(
    [64],
    'int32',
    Int32Array.from({ length: 64 }, (_, k) => (k * 113 + 7) % 300),
  );
  await c.run('gather a batch of rows', 'exact', { shape: [64, 37], dtype: 'float32' }, (b, i) =>
    b.gather(i(rows), i(picks), 0),
  );
}

/** The sections of the required kernels, by name. */
export const CORE: Record<string, (c: Check) => Promise<void>> = {
  'upload, read and fill': memory,
  cast,
  unary,
  binary,
  where,
  'reduce and argReduce': reduce,
  matmul,
  'transpose, slice, pad and concat': movement,
  'gather and scatterAdd': gather,
};
