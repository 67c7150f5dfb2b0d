import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { getFloatX, model as functionalModel, setFloatX, tensor, type Tensor } from '../../src/index.js';
import {
  deserializeLayer,
  input,
  layers,
  serializeLayer,
  type Layer,
  type SymbolicTensor,
} from '../../src/layers/index.js';
import { fromTfjsFiles, toTfjsFiles } from '../../src/io/tfjs_format.js';
import { assertClose, checkGradients, rand64 } from '../helpers/gradcheck.js';

await tf.setBackend('cpu');

const A = [
  [1, -2, 3],
  [0.5, 4, -1],
];
const B = [
  [2, 2, -5],
  [-1, 0.25, 3],
];
const C = [
  [0, 1, 1],
  [7, -3, 2],
];
const t = (v: number[][] | number[][][]) => tensor(v);
const run = (layer: Layer, xs: Tensor[]) => layer.apply(xs) as Tensor;
const zip3 = (f: (a: number, b: number, c: number) => number) =>
  A.map((row, i) => row.map((a, j) => f(a, B[i][j], C[i][j])));

function withFloat64<T>(f: () => T): T {
  const saved = getFloatX();
  setFloatX('float64');
  try {
    return f();
  } finally {
    setFloatX(saved);
  }
}

describe('element-wise merge layers', () => {
  it('compute Keras formulas over any number of inputs', () => {
    const xs = [t(A), t(B), t(C)];
    assert.deepEqual(
      run(layers.add(), xs).arraySync(),
      zip3((a, b, c) => a + b + c),
    );
    assert.deepEqual(
      run(layers.multiply(), xs).arraySync(),
      zip3((a, b, c) => a * b * c),
    );
    assertClose(run(layers.average(), xs), tensor(zip3((a, b, c) => (a + b + c) / 3)), 1e-6);
    assert.deepEqual(
      run(layers.maximum(), xs).arraySync(),
      zip3((a, b, c) => Math.max(a, b, c)),
    );
    assert.deepEqual(
      run(layers.minimum(), xs).arraySync(),
      zip3((a, b, c) => Math.min(a, b, c)),
    );
    assert.deepEqual(
      run(layers.subtract(), [t(A), t(B)]).arraySync(),
      zip3((a, b) => a - b),
    );
  });

  it('match TF.js 4.22 on the same inputs', () => {
    const pairs: [Layer, tf.layers.Layer][] = [
      [layers.add(), tf.layers.add({})],
      [layers.multiply(), tf.layers.multiply({})],
      [layers.average(), tf.layers.average({})],
      [layers.maximum(), tf.layers.maximum({})],
      [layers.minimum(), tf.layers.minimum({})],
    ];
    const x = [A, B, C];
    for (const [mine, theirs] of pairs) {
      const want = (theirs.apply(x.map((v) => tf.tensor2d(v))) as tf.Tensor).dataSync();
      assertClose(
        run(
          mine,
          x.map((v) => t(v)),
        ).dataSync(),
        want,
        1e-6,
        mine.getClassName(),
      );
    }
  });

  it('broadcast size-1 axes and give lower-rank inputs axes after the batch axis', () =>
    withFloat64(() => {
      const x = rand64([2, 3, 4], 1);
      const bias = rand64([2, 4], 2); // [batch, 4] becomes [batch, 1, 4]
      const got = run(layers.add(), [x, bias]);
      assert.deepEqual(got.shape, [2, 3, 4]);
      const xv = x.dataSync(),
        bv = bias.dataSync(),
        gv = got.dataSync();
      for (let n = 0; n < 2; n++)
        for (let s = 0; s < 3; s++)
          for (let f = 0; f < 4; f++) assert.equal(gv[n * 12 + s * 4 + f], xv[n * 12 + s * 4 + f] + bv[n * 4 + f]);
      const sym = layers.multiply().apply([input({ shape: [3, 4] }), input({ shape: [1, 4] })]) as SymbolicTensor;
      assert.deepEqual(sym.shape, [null, 3, 4]);
      assert.deepEqual(
        (layers.add().apply([input({ shape: [3, 4] }), input({ shape: [4] })]) as SymbolicTensor).shape,
        [null, 3, 4],
      );
    }));

  it('apply Keras 3 mask rules: masked values count as 1 in a product and yield to the other input in max/min', () => {
    const x = t([[[1], [2], [3]]]);
    const y = t([[[10], [-20], [30]]]);
    const mx = tensor([[true, false, true]], undefined, 'bool');
    const my = tensor([[true, true, false]], undefined, 'bool');
    // A merge layer's masks come one per input, null where an input has none (as a model passes them).
    const call = (layer: Layer, masks: (Tensor | null)[]) =>
      (layer.apply([x, y], { mask: masks as Tensor[] }) as Tensor).dataSync();
    // Both masked: product where either is kept (a masked value counts as 1), 0 where both are masked.
    assert.deepEqual([...call(layers.multiply(), [mx, my])], [10, -20, 3]);
    // Only one masked: its masked values count as 1, and nothing is zeroed.
    assert.deepEqual([...call(layers.multiply(), [mx, null])], [10, -20, 90]);
    assert.deepEqual([...call(layers.maximum(), [mx, my])], [10, -20, 3]);
    assert.deepEqual([...call(layers.minimum(), [mx, my])], [1, -20, 3]);
    assert.deepEqual([...call(layers.add(), [mx, my])], [11, -18, 33]); // Add ignores masks in its values
    const mask = layers.add().computeMask([x, y], [mx, my]) as Tensor;
    assert.deepEqual([...mask.dataSync()], [1, 1, 1]);
    const both = tensor([[false, false, true]], undefined, 'bool');
    assert.deepEqual([...(layers.maximum().computeMask([x, y], [both, both]) as Tensor).dataSync()], [0, 0, 1]);
    assert.equal(layers.add().computeMask([x, y], [mx, null] as Tensor[]), null);
  });

  it('pass masks through a functional model (Embedding maskZero into a merge)', () => {
    const ids = input({ shape: [3] });
    const e1 = layers.embedding({ inputDim: 5, outputDim: 2, maskZero: true }).apply(ids) as SymbolicTensor;
    const e2 = layers.embedding({ inputDim: 5, outputDim: 2 }).apply(ids) as SymbolicTensor;
    const merged = layers.maximum().apply([e1, e2]) as SymbolicTensor;
    const m = functionalModel({ inputs: ids, outputs: merged });
    const x = tensor([[0, 1, 2]]);
    const [w1] = m.layers[1].getWeights();
    const [w2] = m.layers[2].getWeights();
    const v1 = w1.arraySync() as number[][],
      v2 = w2.arraySync() as number[][];
    const got = (m.predict(x) as Tensor).arraySync() as number[][][];
    // Step 0 is masked in the first branch, so it takes the second branch's values.
    assert.deepEqual(
      got[0][0],
      v2[0].map((v) => Math.fround(v)),
    );
    for (const s of [1, 2])
      assert.deepEqual(
        got[0][s],
        v1[s].map((v, k) => Math.max(v, v2[s][k])),
      );
  });

  it('refuse bad calls with the layer name and the shapes', () => {
    assert.throws(() => layers.add({ name: 'sum' }).apply(t(A)), /Add 'sum' must be called on a list of tensors/);
    assert.throws(() => layers.subtract({ name: 'diff' }).apply([t(A), t(B), t(C)]), /exactly 2 inputs, got 3/);
    assert.throws(
      () => layers.add({ name: 'bad' }).apply([input({ shape: [3] }), input({ shape: [4] })]),
      /Add 'bad': inputs have incompatible shapes \[null, 3\], \[null, 4\]/,
    );
    assert.throws(() => layers.add().apply([rand64([2, 3]), rand64([3, 3])]), /different batch sizes/);
  });

  it('have correct gradients (float64)', () => {
    withFloat64(() => {
      const xs = [rand64([2, 3], 1), rand64([2, 3], 2, 0.5, 2), rand64([2, 1], 3)];
      for (const make of [layers.add, layers.multiply, layers.average, layers.maximum, layers.minimum])
        checkGradients((a, b, c) => make().apply([a, b, c]) as Tensor, xs);
      checkGradients((a, b) => layers.subtract().apply([a, b]) as Tensor, xs.slice(0, 2));
    });
  });

  it('round-trip their configs', () => {
    for (const layer of [layers.add({ name: 'a1' }), layers.subtract(), layers.multiply(), layers.average()]) {
      const copy = deserializeLayer(serializeLayer(layer));
      assert.equal(copy.getClassName(), layer.getClassName());
      assert.deepEqual(copy.getConfig(), layer.getConfig());
    }
  });
});

describe('Concatenate', () => {
  it('joins along the axis and checks the other dimensions', () => {
    const x = rand64([2, 3, 4], 1),
      y = rand64([2, 5, 4], 2);
    const got = run(layers.concatenate({ axis: 1 }), [x, y]);
    assert.deepEqual(got.shape, [2, 8, 4]);
    assert.deepEqual(
      got.arraySync(),
      tf.concat([tf.tensor(x.arraySync() as number[][][]), tf.tensor(y.arraySync() as number[][][])], 1).arraySync(),
    );
    assert.deepEqual(run(layers.concatenate(), [t(A), t(B)]).shape, [2, 6]);
    assert.deepEqual(
      (layers.concatenate().apply([input({ shape: [3, 2] }), input({ shape: [3, 5] })]) as SymbolicTensor).shape,
      [null, 3, 7],
    );
    assert.throws(
      () => layers.concatenate({ axis: 1, name: 'cat' }).apply([input({ shape: [3, 2] }), input({ shape: [3, 5] })]),
      /Concatenate 'cat' needs inputs whose shapes match except along axis 1; got \[null, 3, 2\], \[null, 3, 5\]/,
    );
    assert.throws(() => layers.concatenate({ axis: 0 }).apply([t(A), t(B)]), /batch axis 0 cannot be joined/);
  });

  it('joins masks as Keras 3 does', () => {
    const x = rand64([1, 3, 2], 1),
      y = rand64([1, 2, 2], 2);
    const mx = tensor([[true, false, true]], undefined, 'bool');
    const time = layers.concatenate({ axis: 1 }).computeMask([x, y], [mx, null] as Tensor[]) as Tensor;
    assert.deepEqual([...time.dataSync()], [1, 0, 1, 1, 1]);
    const z = rand64([1, 3, 2], 3);
    const mz = tensor([[false, false, true]], undefined, 'bool');
    const features = layers.concatenate().computeMask([x, z], [mx, mz]) as Tensor;
    assert.deepEqual([...features.dataSync()], [1, 0, 1]);
    assert.equal(layers.concatenate().computeMask([x, z], [null, null] as unknown as Tensor[]), null);
  });

  it('has correct gradients and round-trips its config', () => {
    withFloat64(() =>
      checkGradients(
        (a, b) => layers.concatenate({ axis: 1 }).apply([a, b]) as Tensor,
        [rand64([2, 2, 3], 1), rand64([2, 1, 3], 2)],
      ),
    );
    const copy = deserializeLayer(serializeLayer(layers.concatenate({ axis: 2 })));
    assert.equal((copy as unknown as { axis: number }).axis, 2);
  });
});

describe('Dot', () => {
  /** Keras' batch_dot by plain loops: contracts axis i of x with axis j of y per sample. */
  function batchDot(x: Tensor, y: Tensor, i: number, j: number, normalize = false): number[] {
    const xs = x.shape,
      ys = y.shape;
    const norm = (v: Tensor, axis: number) => {
      if (!normalize) return v.dataSync();
      const d = v.dataSync(),
        s = v.shape,
        out = new Float64Array(d.length);
      const stride = s.slice(axis + 1).reduce((p, q) => p * q, 1);
      for (let k = 0; k < d.length; k++) {
        const base = k - (Math.floor(k / stride) % s[axis]) * stride;
        let ss = 0;
        for (let a = 0; a < s[axis]; a++) ss += d[base + a * stride] ** 2;
        out[k] = d[k] / Math.max(Math.sqrt(ss), 1e-7);
      }
      return out;
    };
    const xd = norm(x, i),
      yd = norm(y, j);
    const idx = (shape: number[], pos: number[]) => pos.reduce((acc, p, k) => acc * shape[k] + p, 0);
    const others = (shape: number[], skip: number) =>
      shape.map((d, k) => [d, k]).filter(([, k]) => k !== 0 && k !== skip);
    const xo = others(xs, i),
      yo = others(ys, j);
    const out: number[] = [];
    const iterate = (dims: number[][], f: (pos: number[]) => void, pos: number[] = []) => {
      if (pos.length === dims.length) return f(pos);
      for (let p = 0; p < dims[pos.length][0]; p++) iterate(dims, f, [...pos, p]);
    };
    for (let n = 0; n < xs[0]; n++)
      iterate([...xo, ...yo], (pos) => {
        let acc = 0;
        for (let k = 0; k < xs[i]; k++) {
          const px = new Array(xs.length).fill(0),
            py = new Array(ys.length).fill(0);
          px[0] = n;
          py[0] = n;
          px[i] = k;
          py[j] = k;
          xo.forEach(([, a], q) => (px[a] = pos[q]));
          yo.forEach(([, a], q) => (py[a] = pos[xo.length + q]));
          acc += xd[idx(xs, px)] * yd[idx(ys, py)];
        }
        out.push(acc);
      });
    return out;
  }

  it('contracts the chosen axes per sample, with Keras output shapes', () =>
    withFloat64(() => {
      const cases: [number[], number[], number | [number, number], number[]][] = [
        [[2, 4], [2, 4], -1, [2, 1]],
        [[2, 3, 4], [2, 5, 4], 2, [2, 3, 5]],
        [
          [2, 3, 4],
          [2, 3, 5],
          [1, 1],
          [2, 4, 5],
        ],
        [
          [2, 3, 4],
          [2, 4],
          [2, 1],
          [2, 3],
        ],
        [
          [2, 3, 4, 2],
          [2, 2, 5],
          [3, 1],
          [2, 3, 4, 5],
        ],
      ];
      cases.forEach(([sa, sb, axes, want], k) => {
        const x = rand64(sa, 10 + k),
          y = rand64(sb, 20 + k);
        const layer = layers.dot({ axes });
        const got = run(layer, [x, y]);
        assert.deepEqual(got.shape, want, `case ${k}`);
        const rank = (s: number[], a: number) => (a < 0 ? a + s.length : a);
        const [i, j] = Array.isArray(axes) ? [rank(sa, axes[0]), rank(sb, axes[1])] : [rank(sa, axes), rank(sb, axes)];
        assertClose(got.dataSync(), batchDot(x, y, i, j), 1e-12, `case ${k}`);
        const sym = layers.dot({ axes }).apply([input({ shape: sa.slice(1) }), input({ shape: sb.slice(1) })]);
        assert.deepEqual((sym as SymbolicTensor).shape, [null, ...want.slice(1)]);
      });
    }));

  it('normalize gives cosine similarities, as TF.js 4.22 does', () => {
    const got = run(layers.dot({ axes: 1, normalize: true }), [t(A), t(B)]);
    assertClose(got.dataSync(), batchDot(t(A), t(B), 1, 1, true), 1e-6);
    const want = (
      tf.layers.dot({ axes: 1, normalize: true }).apply([tf.tensor2d(A), tf.tensor2d(B)]) as tf.Tensor
    ).dataSync();
    assertClose(got.dataSync(), want, 1e-6);
    assert.deepEqual(
      [...run(layers.dot({ axes: 1, normalize: true }), [tensor([[0, 0]]), tensor([[1, 2]])]).dataSync()],
      [0],
    );
  });

  it('refuses bad axes and mismatched sizes', () => {
    assert.throws(
      () => layers.dot({ axes: [1, 2, 3] as unknown as [number, number], name: 'd' }),
      /Dot 'd': 'axes' must be an integer or a pair/,
    );
    assert.throws(
      () => layers.dot({ axes: 1, name: 'd2' }).apply([input({ shape: [3] }), input({ shape: [4] })]),
      /Dot 'd2': axis 1 of \[null, 3\] \(size 3\) and axis 1 of \[null, 4\] \(size 4\) must have the same size/,
    );
    assert.throws(() => layers.dot({ axes: 0 }).apply([t(A), t(B)]), /batch axis 0 cannot be contracted/);
  });

  it('has correct gradients, also normalized, and round-trips its config', () => {
    withFloat64(() => {
      checkGradients(
        (a, b) => layers.dot({ axes: [2, 1] }).apply([a, b]) as Tensor,
        [rand64([2, 3, 4], 1), rand64([2, 4, 2], 2)],
      );
      checkGradients(
        (a, b) => layers.dot({ axes: -1, normalize: true }).apply([a, b]) as Tensor,
        [rand64([2, 3], 3), rand64([2, 3], 4)],
      );
    });
    const copy = deserializeLayer(serializeLayer(layers.dot({ axes: [1, 2], normalize: true })));
    assert.deepEqual([copy.getConfig().axes, copy.getConfig().normalize], [[1, 2], true]);
  });
});

describe('merge layers in the TF.js format', () => {
  it('a model with every merge class TF.js has loads in TF.js 4.22 and back with the same numbers', async () => {
    const a = input({ shape: [3] }),
      b = input({ shape: [3] });
    const h = layers.dense({ units: 3, activation: 'tanh' }).apply(a) as SymbolicTensor;
    const branches = [
      layers.add().apply([h, b]),
      layers.multiply().apply([h, b]),
      layers.average().apply([h, b]),
      layers.maximum().apply([h, b]),
      layers.minimum().apply([h, b]),
      layers.dot({ axes: 1, normalize: true }).apply([h, b]),
    ] as SymbolicTensor[];
    const out = layers.concatenate({ axis: -1 }).apply(branches) as SymbolicTensor;
    const mine = functionalModel({ inputs: [a, b], outputs: out });
    const xs = [tensor(A), tensor(B)];
    const expected = (mine.predict(xs) as Tensor).dataSync();
    const { modelJson, shards } = toTfjsFiles(mine);
    const parsed = JSON.parse(JSON.stringify(modelJson));
    const loaded = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: parsed.modelTopology,
        weightSpecs: parsed.weightsManifest[0].weights,
        weightData: shards['weights.bin'].slice().buffer,
      }),
    );
    assertClose((loaded.predict([tf.tensor2d(A), tf.tensor2d(B)]) as tf.Tensor).dataSync(), expected, 1e-5);
    assertClose((fromTfjsFiles(parsed, shards).predict(xs) as Tensor).dataSync(), expected, 0);
  });
});
