// The cases of the optional fused kernels, one section per kernel of the contract (the suite
// runs each on the targets that provide that kernel). A kernel whose input is another kernel's output (the max
// pool gradient, the LSTM cell gradients) gets the reference backend's output, so it is tested
// on its own.
import type { FusedKernelName, TensorInfo, WindowGeometry } from '../../../src/backend/backend.js';
import type { TypedArray } from '../../../src/core/dtype.js';
import { geometry2d } from '../../../src/ops/conv_geometry.js';
import { type Check, size } from './harness.js';

type Section = (c: Check) => Promise<void>;

/** n, h, w, c, kernel, strides, dilations, padding: odd sizes, strides, dilations, both paddings. */
type Geometry = [
  number,
  number,
  number,
  number,
  [number, number],
  [number, number],
  [number, number],
  'valid' | 'same',
];
const GEOMETRIES: Geometry[] = [
  [1, 1, 1, 1, [1, 1], [1, 1], [1, 1], 'valid'],
  [2, 5, 7, 3, [3, 3], [1, 1], [1, 1], 'valid'],
  [3, 6, 5, 4, [3, 2], [2, 1], [1, 1], 'same'],
  [2, 7, 7, 5, [3, 3], [2, 2], [2, 1], 'same'],
  [1, 9, 4, 1, [2, 2], [2, 2], [1, 1], 'same'],
  // Windows that neither overlap nor leave the image: tiling it exactly (with a channel tail),
  // leaving its last row and column uncovered, and with gaps between them.
  [2, 8, 6, 6, [2, 2], [2, 2], [1, 1], 'valid'],
  [3, 11, 11, 5, [2, 2], [2, 2], [1, 1], 'valid'],
  [1, 7, 8, 4, [2, 3], [3, 3], [1, 1], 'valid'],
];
/** Past the thread-splitting threshold of the wasm window kernels. */
const BIG_GEOMETRY: Geometry = [64, 13, 13, 32, [3, 3], [1, 1], [1, 1], 'valid'];

function geometries(c: Check): { g: WindowGeometry; image: number[]; label: string }[] {
  return (c.profile.bigCases ? [...GEOMETRIES, BIG_GEOMETRY] : GEOMETRIES).map(([n, h, w, ch, k, s, d, pad]) => ({
    g: geometry2d(h, w, k, s, d, pad, 'conformance'),
    image: [n, h, w, ch],
    label: `[${n},${h},${w},${ch}] k${k} s${s} d${d} ${pad}`,
  }));
}

/** Small integers: ties in max pooling are likely. */
const ties = (c: Check, n: number) => Float32Array.from({ length: n }, () => Math.floor(c.rand() * 4));

/** Reads a reference output (to feed a kernel under test the reference's values). */
const refValues = (c: Check, handle: object, shape: number[]): TypedArray =>
  c.ref.read({ handle, shape, dtype: 'float32' });

const adam: Section = async (c) => {
  for (const n of [1, 5, 37, 1037, 4099, ...(c.profile.bigCases ? [300_001] : [])]) {
    const p = c.input([n]),
      g = c.input([n], 'float32', { edge: true }),
      m = c.input([n], 'float32', { scale: 0.1 });
    const v = c.input([n], 'float32', c.values(n, 'float32', { scale: 0.1 }).map(Math.abs));
    const out = { shape: [n], dtype: 'float32' as const };
    await c.run(`adam n=${n}`, 'adam', [out, out, out], (b, i) =>
      b.adam!(i(p), i(g), i(m), i(v), 3e-4, 0.9, 0.999, 1e-7),
    );
    c.release();
  }
  const [p, g, m] = [c.input([9], 'float64'), c.input([9], 'float64'), c.input([9], 'float64')];
  const v = c.input([9], 'float64', c.values(9, 'float64').map(Math.abs));
  const out = { shape: [9], dtype: 'float64' as const };
  await c.run('adam float64', 'adam', [out, out, out], (b, i) =>
    b.adam!(i(p), i(g), i(m), i(v), 1e-3, 0.9, 0.999, 1e-7),
  );
};

const softmax: Section = async (c) => {
  const shapes = [[1], [7], [1, 1], [3, 5], [7, 10], [3, 65], [33, 65], [2, 1500]];
  if (c.profile.bigCases) shapes.push([300, 1000]);
  // Rows holding NaN, +Inf, -Inf, only -Inf, and the largest floats.
  const special = c.input(
    [6, 3],
    'float32',
    Float32Array.of(
      1,
      NaN,
      2,
      0,
      3,
      Infinity,
      1,
      2,
      -Infinity,
      -Infinity,
      -Infinity,
      -Infinity,
      3e38,
      -3e38,
      1,
      Infinity,
      0,
      1,
    ),
  );
  const inputs = [
    ...shapes.map((s) => c.input(s, 'float32', { scale: 20 })),
    special,
    c.input([3, 5], 'float64', { scale: 20 }),
  ];
  for (const x of inputs)
    for (const log of [false, true])
      await c.run(
        `${log ? 'logSoftmax' : 'softmax'} ${JSON.stringify(x.shape)} ${x.dtype}${x === special ? ' special values' : ''}`,
        'softmax',
        { shape: x.shape, dtype: x.dtype },
        (b, i) => b.softmax!(i(x), log),
      );
};

const im2col: Section = async (c) => {
  for (const { g, image, label } of geometries(c)) {
    const x = c.input(image, 'float32', { edge: true });
    const cols = { shape: [image[0], g.outH, g.outW, g.kH * g.kW * image[3]], dtype: 'float32' as const };
    for (const pad of [0, -Infinity])
      await c.run(`im2col ${label} padding ${pad}`, 'im2col', cols, (b, i) => b.im2col!(i(x), g, pad));
    c.release();
  }
  const { g, image } = geometries(c)[3];
  const x64 = c.input(image, 'float64');
  const cols = { shape: [image[0], g.outH, g.outW, g.kH * g.kW * image[3]], dtype: 'float64' as const };
  await c.run('im2col float64', 'im2col', cols, (b, i) => b.im2col!(i(x64), g, 0));
};

const col2im: Section = async (c) => {
  for (const { g, image, label } of geometries(c)) {
    const cols = c.input([image[0], g.outH, g.outW, g.kH * g.kW * image[3]]);
    await c.run(`col2im ${label}`, 'col2im', { shape: image, dtype: 'float32' }, (b, i) =>
      b.col2im!(i(cols), g, image),
    );
    c.release();
  }
  const { g, image } = geometries(c)[3];
  const cols64 = c.input([image[0], g.outH, g.outW, g.kH * g.kW * image[3]], 'float64');
  await c.run('col2im float64', 'col2im', { shape: image, dtype: 'float64' }, (b, i) => b.col2im!(i(cols64), g, image));
};

const maxPool: Section = async (c) => {
  for (const { g, image, label } of geometries(c)) {
    const x = c.input(image, 'float32', ties(c, size(image)));
    const y = { shape: [image[0], g.outH, g.outW, image[3]], dtype: 'float32' as const };
    await c.run(`maxPool ${label}, with ties`, 'maxPool', y, (b, i) => b.maxPool!(i(x), g));
    c.release();
  }
  const g = geometry2d(3, 3, [2, 2], [2, 2], [1, 1], 'same', 'conformance');
  const nan = c.input([1, 3, 3, 1], 'float32', Float32Array.of(-5, NaN, -3, -2, -1, -6, -7, -8, -9));
  await c.run(
    'maxPool propagates NaN, never picks padding',
    'maxPool',
    { shape: [1, 2, 2, 1], dtype: 'float32' },
    (b, i) => b.maxPool!(i(nan), g),
  );
  const x64 = c.input([1, 3, 3, 1], 'float64');
  await c.run('maxPool float64', 'maxPool', { shape: [1, 2, 2, 1], dtype: 'float64' }, (b, i) => b.maxPool!(i(x64), g));
};

const maxPoolGrad: Section = async (c) => {
  for (const { g, image, label } of geometries(c)) {
    const xv = ties(c, size(image));
    const yShape = [image[0], g.outH, g.outW, image[3]];
    const x = c.input(image, 'float32', xv);
    const info: TensorInfo = { handle: c.ref.upload(xv, 'float32'), shape: image, dtype: 'float32' };
    const y = c.input(yShape, 'float32', refValues(c, c.ref.maxPool!(info, g), yShape));
    const dy = c.input(yShape);
    await c.run(`maxPoolGrad ${label}, with ties`, 'maxPoolGrad', { shape: image, dtype: 'float32' }, (b, i) =>
      b.maxPoolGrad!(i(x), i(y), i(dy), g),
    );
    c.release();
  }
};

/** batch, units, scale of the pre-activations: a scalar tail (units 5, 7), saturated gates (60, 100). */
const LSTM_CELLS = [
  [1, 1, 4],
  [3, 5, 4],
  [32, 128, 4],
  [2, 7, 60],
  [2, 7, 100],
];

const lstmCell: Section = async (c) => {
  for (const [batch, units, scale] of LSTM_CELLS) {
    const z = c.input([batch, 4 * units], 'float32', { scale }),
      state = c.input([batch, units]);
    const outs = [
      [batch, 4 * units],
      [batch, units],
      [batch, units],
    ].map((shape) => ({ shape, dtype: 'float32' as const }));
    await c.run(`lstmCell batch ${batch} units ${units} scale ${scale}`, 'lstmCell', outs, (b, i) =>
      b.lstmCell!(i(z), i(state)),
    );
    c.release();
  }
  const z = c.input([2, 12], 'float64', { scale: 4 }),
    state = c.input([2, 3], 'float64');
  const outs = [
    [2, 12],
    [2, 3],
    [2, 3],
  ].map((shape) => ({ shape, dtype: 'float64' as const }));
  await c.run('lstmCell float64', 'lstmCell', outs, (b, i) => b.lstmCell!(i(z), i(state)));
};

const lstmCellGrad: Section = async (c) => {
  for (const [batch, units, scale] of LSTM_CELLS) {
    const zv = c.values(batch * 4 * units, 'float32', { scale }),
      cv = c.values(batch * units);
    const info = (v: TypedArray, shape: number[]): TensorInfo => ({
      handle: c.ref.upload(v, 'float32'),
      shape,
      dtype: 'float32',
    });
    const [gatesH, cNewH] = c.ref.lstmCell!(info(zv, [batch, 4 * units]), info(cv, [batch, units]));
    const gates = c.input([batch, 4 * units], 'float32', refValues(c, gatesH, [batch, 4 * units]));
    const states = {
      cell: c.input([batch, units], 'float32', cv),
      hidden: c.input([batch, units], 'float32', refValues(c, cNewH, [batch, units])),
    };
    const dy = c.input([batch, units]);
    const outs = [
      [batch, 4 * units],
      [batch, units],
    ].map((shape) => ({ shape, dtype: 'float32' as const }));
    for (const which of ['cell', 'hidden'] as const)
      await c.run(`lstmCellGrad ${which} batch ${batch} units ${units} scale ${scale}`, 'lstmCellGrad', outs, (b, i) =>
        b.lstmCellGrad!(which, i(gates), i(states[which]), i(dy)),
      );
    c.release();
  }
};

/**
 * steps, batch, units: one step, one row (the thin product), units past a multiple of 4, and
 * W4's layer (32 rows split across threads, the packed product).
 */
const LSTM_SEQUENCES = [
  [1, 1, 1],
  [3, 2, 5],
  [4, 1, 9],
  [5, 6, 7],
  [6, 32, 128],
];

/** Inputs of an LSTM sequence: projected steps z, recurrent kernel u (small, as trained), h0, c0. */
function lstmSequenceInputs(c: Check, steps: number, batch: number, units: number, dtype: 'float32' | 'float64') {
  return {
    z: c.input([steps, batch, 4 * units], dtype, { scale: 2 }),
    u: c.input([units, 4 * units], dtype, { scale: 1 / Math.sqrt(units) }),
    h0: c.input([batch, units], dtype, { scale: 1 }),
    c0: c.input([batch, units], dtype, { scale: 1 }),
  };
}

const lstmSequence: Section = async (c) => {
  for (const [steps, batch, units] of LSTM_SEQUENCES) {
    const { z, u, h0, c0 } = lstmSequenceInputs(c, steps, batch, units, 'float32');
    const state = { shape: [steps, batch, units], dtype: 'float32' as const };
    const gates = { shape: [steps, batch, 4 * units], dtype: 'float32' as const };
    const name = `lstmSequence steps ${steps} batch ${batch} units ${units}`;
    await c.run(`${name} with gates`, 'lstmSequence', [state, state, gates], (b, i) =>
      b.lstmSequence!(i(z), i(u), i(h0), i(c0), true).map((h) => h as object),
    );
    await c.run(name, 'lstmSequence', [state, state], (b, i) =>
      b.lstmSequence!(i(z), i(u), i(h0), i(c0), false)
        .slice(0, 2)
        .map((h) => h as object),
    );
    c.release();
  }
  const { z, u, h0, c0 } = lstmSequenceInputs(c, 3, 2, 3, 'float64');
  const state = { shape: [3, 2, 3], dtype: 'float64' as const };
  await c.run('lstmSequence float64', 'lstmSequence', [state, state], (b, i) =>
    b.lstmSequence!(i(z), i(u), i(h0), i(c0), false)
      .slice(0, 2)
      .map((h) => h as object),
  );
};

const lstmSequenceGrad: Section = async (c) => {
  for (const [steps, batch, units] of LSTM_SEQUENCES) {
    const values = (shape: number[], scale = 1) => c.values(size(shape), 'float32', { scale });
    const info = (v: TypedArray, shape: number[]): TensorInfo => ({
      handle: c.ref.upload(v, 'float32'),
      shape,
      dtype: 'float32',
    });
    const zv = values([steps, batch, 4 * units], 2),
      uv = values([units, 4 * units], 1 / Math.sqrt(units));
    const h0v = values([batch, units]),
      c0v = values([batch, units]);
    // The kernel under test reads the reference forward pass's gates and cell states.
    const [, csH, gatesH] = c.ref.lstmSequence!(
      info(zv, [steps, batch, 4 * units]),
      info(uv, [units, 4 * units]),
      info(h0v, [batch, units]),
      info(c0v, [batch, units]),
      true,
    );
    const gates = c.input([steps, batch, 4 * units], 'float32', refValues(c, gatesH!, [steps, batch, 4 * units]));
    const cs = c.input([steps, batch, units], 'float32', refValues(c, csH, [steps, batch, units]));
    const c0 = c.input([batch, units], 'float32', c0v),
      u = c.input([units, 4 * units], 'float32', uv);
    const dhs = c.input([steps, batch, units]),
      dcs = c.input([steps, batch, units]);
    const outs = [
      [steps, batch, 4 * units],
      [batch, units],
      [batch, units],
    ].map((shape) => ({ shape, dtype: 'float32' as const }));
    const name = `lstmSequenceGrad steps ${steps} batch ${batch} units ${units}`;
    await c.run(name, 'lstmSequenceGrad', outs, (b, i) =>
      b.lstmSequenceGrad!(i(gates), i(cs), i(c0), i(u), i(dhs), null),
    );
    await c.run(`${name} with dcs`, 'lstmSequenceGrad', outs, (b, i) =>
      b.lstmSequenceGrad!(i(gates), i(cs), i(c0), i(u), i(dhs), i(dcs)),
    );
    c.release();
  }
};

/**
 * m, k, n of a dense layer: one sample (the thin product, its 24-column blocks and tails), a few
 * rows, odd sizes, and a batch big enough to split across threads.
 */
const LINEARS = [
  [1, 7, 5],
  [1, 130, 525],
  [1, 64, 49],
  [3, 77, 200],
  [17, 31, 29],
  [128, 300, 256],
];

const linear: Section = async (c) => {
  for (const [m, k, n] of LINEARS)
    for (const withBias of [true, false])
      for (const activation of ['linear', 'relu'] as const) {
        const xv = c.values(m * k),
          wv = c.values(k * n),
          bv = c.values(n);
        const x = c.input([m, k], 'float32', xv),
          w = c.input([k, n], 'float32', wv),
          bias = c.input([n], 'float32', bv);
        // Allowance as for matmul: per term, times Σ|x||w| of the element (from the reference), plus the bias.
        const abs = (v: TypedArray, shape: number[]): TensorInfo => ({
          handle: c.ref.upload(v.map(Math.abs), 'float32'),
          shape,
          dtype: 'float32',
        });
        const mag = refValues(c, c.ref.matmul(abs(xv, [m, k]), abs(wv, [k, n]), false, false, [m, n]), [m, n]);
        const perTerm = c.profile.perTerm.matmul * k;
        await c.run(
          `linear ${m}x${k}x${n} ${withBias ? 'bias' : 'no bias'} ${activation}`,
          'linear',
          { shape: [m, n], dtype: 'float32' },
          (b, i) => b.linear!(i(x), i(w), withBias ? i(bias) : null, activation),
          (j) => perTerm * (mag[j] + Math.abs(bv[j % n])),
        );
        c.release();
      }
  const x = c.input([2, 3], 'float64'),
    w = c.input([3, 4], 'float64'),
    bias = c.input([4], 'float64');
  await c.run('linear float64', 'linear', { shape: [2, 4], dtype: 'float64' }, (b, i) =>
    b.linear!(i(x), i(w), i(bias), 'relu'),
  );
};

const biasActivation: Section = async (c) => {
  for (const shape of [[5], [3, 7], [2, 3, 4, 9], ...(c.profile.bigCases ? [[40000, 33]] : [])])
    for (const withBias of [true, false])
      for (const activation of ['linear', 'relu'] as const) {
        const x = c.input(shape, 'float32', { edge: true }),
          bias = c.input([shape[shape.length - 1]]);
        await c.run(
          `biasActivation ${JSON.stringify(shape)} ${withBias ? 'bias' : 'no bias'} ${activation}`,
          'biasActivation',
          { shape, dtype: 'float32' },
          (b, i) => b.biasActivation!(i(x), withBias ? i(bias) : null, activation),
        );
        c.release();
      }
};

const activationGrad: Section = async (c) => {
  for (const n of [1, 7, 1037, ...(c.profile.bigCases ? [1_300_001] : [])]) {
    // ReLU outputs: zeros (ties at the kink), positives, and edge values.
    const y = c.input(
      [n],
      'float32',
      Float32Array.from(c.values(n, 'float32', { edge: true }), (v, i) => (i % 3 === 0 ? 0 : v)),
    );
    const dy = c.input([n], 'float32', { edge: true });
    await c.run(`activationGrad relu n=${n}`, 'activationGrad', { shape: [n], dtype: 'float32' }, (b, i) =>
      b.activationGrad!('relu', i(y), i(dy)),
    );
    c.release();
  }
};

const ELEMENTWISE_SIZES = [1, 3, 4, 7, 1037];

const gelu: Section = async (c) => {
  const sizes = [...ELEMENTWISE_SIZES, ...(c.profile.bigCases ? [c.profile.large] : [])];
  for (const n of sizes) {
    const x = c.input([n], 'float32', { edge: true, scale: 6 });
    for (const approximate of [false, true])
      await c.run(`gelu n=${n}${approximate ? ' tanh form' : ''}`, 'gelu', { shape: [n], dtype: 'float32' }, (b, i) =>
        b.gelu!(i(x), approximate),
      );
    c.release();
  }
  // The tails, where 1 + erf(x/√2) would cancel: gelu(-9) is about -1e-18.
  const tails = c.input([8], 'float32', Float32Array.of(-3, -5, -7, -9, -12, -20, 9, 30));
  for (const approximate of [false, true])
    await c.run(`gelu tails${approximate ? ' tanh form' : ''}`, 'gelu', { shape: [8], dtype: 'float32' }, (b, i) =>
      b.gelu!(i(tails), approximate),
    );
  const x64 = c.input([9], 'float64', { scale: 6 });
  await c.run('gelu float64', 'gelu', { shape: [9], dtype: 'float64' }, (b, i) => b.gelu!(i(x64), false));
};

const geluWithDerivative: Section = async (c) => {
  const sizes = [...ELEMENTWISE_SIZES, ...(c.profile.bigCases ? [c.profile.large] : [])];
  for (const n of sizes) {
    const x = c.input([n], 'float32', { edge: true, scale: 6 });
    const outs = [0, 1].map(() => ({ shape: [n], dtype: 'float32' as const }));
    for (const approximate of [false, true])
      await c.run(`geluWithDerivative n=${n}${approximate ? ' tanh form' : ''}`, 'geluWithDerivative', outs, (b, i) =>
        b.geluWithDerivative!(i(x), approximate),
      );
    c.release();
  }
  const x64 = c.input([9], 'float64', { scale: 6 });
  const outs = [0, 1].map(() => ({ shape: [9], dtype: 'float64' as const }));
  await c.run('geluWithDerivative float64', 'geluWithDerivative', outs, (b, i) => b.geluWithDerivative!(i(x64), true));
};

/** Rows x columns of the layer normalization cases: one column, a scalar tail, GPT widths. */
const NORM_SHAPES = [
  [1, 1],
  [3, 5],
  [2, 4, 7],
  [12, 64, 128],
  [33, 65],
];

const layerNorm: Section = async (c) => {
  const shapes = [...NORM_SHAPES, ...(c.profile.bigCases ? [[1200, 1300]] : [])];
  for (const shape of shapes) {
    const cols = shape[shape.length - 1];
    const x = c.input(shape, 'float32', { edge: shape.length === 2 && cols === 5, scale: 3 });
    const gamma = c.input([cols]),
      beta = c.input([cols]);
    const outs = [shape, shape.slice(0, -1), shape.slice(0, -1)].map((s) => ({ shape: s, dtype: 'float32' as const }));
    for (const [g, bt, label] of [
      [gamma, beta, 'gamma and beta'],
      [null, null, 'no gamma, no beta'],
      [gamma, null, 'gamma only'],
    ] as const)
      await c.run(`layerNorm ${JSON.stringify(shape)} ${label}`, 'layerNorm', outs, (b, i) =>
        b.layerNorm!(i(x), g && i(g), bt && i(bt), 1e-5),
      );
    c.release();
  }
  // A constant row (variance 0: rstd is 1/sqrt(epsilon)) and a row offset by 1e4.
  const flat = c.input([2, 4], 'float32', Float32Array.of(3, 3, 3, 3, 1e4, 1e4 + 1, 1e4 - 1, 1e4 + 0.5));
  await c.run(
    'layerNorm constant and offset rows',
    'layerNorm',
    [
      { shape: [2, 4], dtype: 'float32' },
      { shape: [2], dtype: 'float32' },
      { shape: [2], dtype: 'float32' },
    ],
    (b, i) => b.layerNorm!(i(flat), null, null, 1e-3),
  );
  const x64 = c.input([3, 6], 'float64'),
    g64 = c.input([6], 'float64');
  await c.run(
    'layerNorm float64',
    'layerNorm',
    [
      { shape: [3, 6], dtype: 'float64' },
      { shape: [3], dtype: 'float64' },
      { shape: [3], dtype: 'float64' },
    ],
    (b, i) => b.layerNorm!(i(x64), i(g64), null, 1e-5),
  );
};

const layerNormGrad: Section = async (c) => {
  const shapes = [...NORM_SHAPES, ...(c.profile.bigCases ? [[1200, 1300]] : [])];
  for (const shape of shapes) {
    const cols = shape[shape.length - 1],
      rows = shape.slice(0, -1);
    const xv = c.values(size(shape), 'float32', { scale: 3 });
    const info = (v: TypedArray, s: number[]): TensorInfo => ({
      handle: c.ref.upload(v, 'float32'),
      shape: s,
      dtype: 'float32',
    });
    const [, meanH, rstdH] = c.ref.layerNorm!(info(xv, shape), null, null, 1e-5);
    const x = c.input(shape, 'float32', xv);
    const mean = c.input(rows, 'float32', refValues(c, meanH, rows)),
      rstd = c.input(rows, 'float32', refValues(c, rstdH, rows));
    const gamma = c.input([cols]),
      dy = c.input(shape);
    const outs = [shape, [cols], [cols]].map((s) => ({ shape: s, dtype: 'float32' as const }));
    for (const g of [gamma, null])
      await c.run(
        `layerNormGrad ${JSON.stringify(shape)}${g ? '' : ' no gamma'}`,
        'layerNormGrad',
        outs,
        (b, i) => b.layerNormGrad!(i(x), i(mean), i(rstd), g && i(g), i(dy)),
        // Σ over rows of dy·x̂: the float32 error of a sum grows with its terms.
        (k) => (k < size(shape) ? 0 : c.profile.perTerm.sum * size(rows) * 8),
      );
    c.release();
  }
};

/** [scores shape, mask shape]: a causal mask repeated over batch and heads, per batch, full, key padding, whole rows. */
const MASKED_SOFTMAX = [
  [
    [2, 3, 5, 7],
    [1, 1, 5, 7],
  ],
  [
    [2, 3, 5, 7],
    [2, 1, 5, 7],
  ],
  [
    [2, 3, 5, 7],
    [2, 3, 5, 7],
  ],
  [
    [2, 3, 5, 7],
    [2, 1, 1, 7],
  ],
  [
    [3, 4, 9],
    [3, 4, 1],
  ],
  [
    [12, 4, 64, 64],
    [1, 1, 64, 64],
  ],
];

const maskedSoftmax: Section = async (c) => {
  const cases = [
    ...MASKED_SOFTMAX,
    ...(c.profile.bigCases
      ? [
          [
            [8, 200, 1000],
            [8, 200, 1000],
          ],
        ]
      : []),
  ];
  for (const [shape, maskShape] of cases) {
    const x = c.input(shape, 'float32', { edge: size(shape) < 1000, scale: 20 });
    // One mask entry in three is false, so some short rows are wholly masked.
    const m = c.input(
      maskShape,
      'bool',
      Uint8Array.from({ length: size(maskShape) }, () => (c.rand() < 0.33 ? 0 : 1)),
    );
    await c.run(
      `maskedSoftmax ${JSON.stringify(shape)} mask ${JSON.stringify(maskShape)}`,
      'maskedSoftmax',
      { shape, dtype: 'float32' },
      (b, i) => b.maskedSoftmax!(i(x), i(m)),
    );
    c.release();
  }
  // A causal mask (attention's): whole runs of masked entries, which the kernel may skip.
  for (const t of [37, 64]) {
    const x = c.input([2, 3, t, t], 'float32', { scale: 20 });
    const m = c.input(
      [t, t],
      'bool',
      Uint8Array.from({ length: t * t }, (_, i) => (i % t <= Math.floor(i / t) ? 1 : 0)),
    );
    await c.run(`maskedSoftmax causal ${t}x${t}`, 'maskedSoftmax', { shape: [2, 3, t, t], dtype: 'float32' }, (b, i) =>
      b.maskedSoftmax!(i(x), i(m)),
    );
    c.release();
  }
  const x64 = c.input([3, 5], 'float64', { scale: 20 }),
    m64 = c.input([1, 5], 'bool', Uint8Array.of(1, 0, 1, 1, 0));
  await c.run('maskedSoftmax float64', 'maskedSoftmax', { shape: [3, 5], dtype: 'float64' }, (b, i) =>
    b.maskedSoftmax!(i(x64), i(m64)),
  );
};

const softmaxGrad: Section = async (c) => {
  const shapes = [[1], [7], [3, 5], [33, 65], [48, 64, 64], ...(c.profile.bigCases ? [[300, 5000]] : [])];
  for (const shape of shapes)
    for (const log of [false, true]) {
      const xv = c.values(size(shape), 'float32', { scale: 5 });
      const y = c.input(
        shape,
        'float32',
        refValues(c, c.ref.softmax!({ handle: c.ref.upload(xv, 'float32'), shape, dtype: 'float32' }, log), shape),
      );
      const dy = c.input(shape, 'float32', { edge: size(shape) < 100 });
      await c.run(
        `softmaxGrad ${JSON.stringify(shape)}${log ? ' log' : ''}`,
        'softmaxGrad',
        { shape, dtype: 'float32' },
        (b, i) => b.softmaxGrad!(i(y), i(dy), log),
      );
      c.release();
    }
  const y64 = c.input([2, 3], 'float64', Float64Array.of(0.2, 0.3, 0.5, 0.1, 0.1, 0.8)),
    dy64 = c.input([2, 3], 'float64');
  await c.run('softmaxGrad float64', 'softmaxGrad', { shape: [2, 3], dtype: 'float64' }, (b, i) =>
    b.softmaxGrad!(i(y64), i(dy64), false),
  );
};

/** The sections of the optional kernels: one per kernel of the contract (the type keeps it complete). */
export const FUSED: Record<FusedKernelName, Section> = {
  adam,
  softmax,
  maskedSoftmax,
  softmaxGrad,
  gelu,
  geluWithDerivative,
  layerNorm,
  layerNormGrad,
  im2col,
  col2im,
  maxPool,
  maxPoolGrad,
  lstmCell,
  lstmCellGrad,
  lstmSequence,
  lstmSequenceGrad,
  linear,
  biasActivation,
  activationGrad,
};
