// Packed copies of B for one-row products (src/backends/wasm/thin_copies.ts): the same bits as
// the unpacked product, made only for buffers read repeatedly, freed with their buffer, and
// never read once a weight has a new value.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DataHandle, TensorInfo } from '../../src/backend/backend.js';
import { WasmBackend } from '../../src/backends/wasm/index.js';
import type { WasmHandle } from '../../src/backends/wasm/handles.js';
import { ThinCopies, READS_BEFORE_COPY } from '../../src/backends/wasm/thin_copies.js';
import {
  getBackend,
  layers,
  sequential,
  setBackend,
  setSeed,
  type Sequential,
  type Tensor,
  tensor,
} from '../../src/index.js';
import { lcg } from '../helpers/random.js';

const wasm = new WasmBackend({ threads: 1 });
after(() => wasm.shutdown());

const values = (n: number, seed: number): Float32Array => Float32Array.from({ length: n }, lcg(seed));
const info = (handle: DataHandle, shape: number[]): TensorInfo => ({ handle, shape, dtype: 'float32' });
const readAndFree = (h: DataHandle, shape: number[]): Float32Array => {
  const v = wasm.read(info(h, shape)) as Float32Array;
  wasm.dispose(h);
  return v;
};
const sameBits = (got: Float32Array, want: Float32Array, what: string): void => {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < want.length; i++)
    if (!Object.is(got[i], want[i])) assert.fail(`${what}: element ${i} is ${got[i]}, unpacked gave ${want[i]}`);
};

describe('wasm packed copies for one-row products', () => {
  // n = 83 = 28 + 24 + 16 + 8 + 4 + 3: every block width of the packed layout and single columns.
  const shapes: [number, number, number][] = [
    [1, 784, 256],
    [2, 37, 83],
    [3, 5, 10],
    [1, 64, 1],
    [1, 1, 56],
  ];
  for (const [m, k, n] of shapes)
    for (const activation of ['linear', 'relu'] as const)
      it(`linear ${m}x${k}x${n} ${activation}: the copy's results are the unpacked ones, bit for bit`, () => {
        const x = info(wasm.upload(values(m * k, 1), 'float32'), [m, k]);
        const w = info(wasm.upload(values(k * n, 2), 'float32'), [k, n]);
        const bias = info(wasm.upload(values(n, 3), 'float32'), [n]);
        const results: Float32Array[] = [];
        for (let r = 0; r < READS_BEFORE_COPY + 2; r++) {
          results.push(readAndFree(wasm.linear(x, w, bias, activation), [m, n]));
          const copy = (w.handle as WasmHandle).thinCopy;
          assert.equal(copy !== null, r + 1 >= READS_BEFORE_COPY, `a copy after ${r + 1} reads`);
        }
        for (const r of results.slice(1)) sameBits(r, results[0], `${m}x${k}x${n}`);
        // Without bias, and through matmul (a batch of one-row products sharing B).
        const plain = readAndFree(wasm.matmul(x, w, false, false, [m, n]), [m, n]);
        const fresh = wasm.upload(values(k * n, 2), 'float32');
        sameBits(plain, readAndFree(wasm.matmul(x, info(fresh, [k, n]), false, false, [m, n]), [m, n]), 'matmul');
        const x3 = info(wasm.upload(values(2 * m * k, 4), 'float32'), [2, m, k]);
        sameBits(
          readAndFree(wasm.matmul(x3, w, false, false, [2, m, n]), [2, m, n]),
          readAndFree(wasm.matmul(x3, info(fresh, [k, n]), false, false, [2, m, n]), [2, m, n]),
          'batched matmul',
        );
        for (const t of [x, w, bias, x3, info(fresh, [k, n])]) wasm.dispose(t.handle);
      });

  for (const batch of [1, 3])
    it(`lstmSequence at batch ${batch}: the recurrent kernel's copy gives the unpacked results, bit for bit`, () => {
      const [steps, units] = [5, 13];
      const width = 4 * units;
      const z = info(wasm.upload(values(steps * batch * width, 1), 'float32'), [steps, batch, width]);
      const u = info(wasm.upload(values(units * width, 2), 'float32'), [units, width]);
      const h0 = info(wasm.upload(values(batch * units, 3), 'float32'), [batch, units]);
      const c0 = info(wasm.upload(values(batch * units, 4), 'float32'), [batch, units]);
      const runs = Array.from({ length: READS_BEFORE_COPY + 1 }, () => {
        const [hs, cs, gates] = wasm.lstmSequence(z, u, h0, c0, true);
        const shape = [steps, batch, units];
        return [
          readAndFree(hs, shape),
          readAndFree(cs, shape),
          readAndFree(gates as DataHandle, [steps, batch, width]),
        ];
      });
      assert.ok((u.handle as WasmHandle).thinCopy, 'the recurrent kernel has a packed copy');
      for (const run of runs.slice(1)) run.forEach((v, i) => sameBits(v, runs[0][i], `output ${i}`));
      for (const t of [z, u, h0, c0]) wasm.dispose(t.handle);
    });

  it('column ranges of the packed kernel (a split across threads) give the whole product', () => {
    const [k, n] = [19, 140];
    const K = wasm.kernels,
      heap = wasm.heap;
    const a = heap.alloc(k * 4),
      b = heap.alloc(k * n * 4),
      packed = heap.alloc(k * n * 4),
      whole = heap.alloc(n * 4),
      split = heap.alloc(n * 4);
    heap.f32.set(values(k, 5), a / 4);
    heap.f32.set(values(k * n, 6), b / 4);
    K.packThin(b, n, k, n, packed);
    K.gemmThinPacked(a, k, 1, packed, whole, n, k, 0, 1, 0, n, 0, 1);
    for (const [c0, c1] of [
      [0, 56],
      [56, 112],
      [112, 140],
    ])
      K.gemmThinPacked(a, k, 1, packed, split, n, k, 0, 1, c0, c1, 0, 1);
    sameBits(heap.f32.slice(split / 4, split / 4 + n), heap.f32.slice(whole / 4, whole / 4 + n), 'split');
    K.gemmThin(a, k, 1, b, n, split, n, k, 0, 1, 0, n, 0, 1);
    sameBits(heap.f32.slice(split / 4, split / 4 + n), heap.f32.slice(whole / 4, whole / 4 + n), 'gemmThin');
    for (const p of [a, whole, split]) heap.free(p, p === a ? k * 4 : n * 4);
    heap.free(b, k * n * 4);
    heap.free(packed, k * n * 4);
  });

  it('a copy is freed with its buffer', () => {
    const x = info(wasm.upload(values(300, 1), 'float32'), [1, 300]);
    const live = wasm.heap.liveBytes;
    const w = wasm.upload(values(300 * 200, 2), 'float32');
    for (let r = 0; r < READS_BEFORE_COPY; r++)
      wasm.dispose(wasm.matmul(x, info(w, [300, 200]), false, false, [1, 200]));
    assert.ok(wasm.heap.liveBytes >= live + 2 * 300 * 200 * 4, 'the buffer and its copy take heap bytes');
    wasm.dispose(w);
    assert.equal((w as WasmHandle).thinCopy, null);
    assert.equal(wasm.heap.liveBytes, live);
    wasm.dispose(w); // a second dispose is harmless
    wasm.dispose(x.handle);
  });

  it('the same buffer read as another shape is not served the copy', () => {
    const v = values(24 * 40, 7);
    const w = wasm.upload(v, 'float32');
    const x = info(wasm.upload(values(48, 8), 'float32'), [1, 48]);
    const x24 = info(wasm.upload(values(24, 8), 'float32'), [1, 24]);
    for (let r = 0; r < READS_BEFORE_COPY; r++)
      wasm.dispose(wasm.matmul(x24, info(w, [24, 40]), false, false, [1, 40]));
    assert.ok((w as WasmHandle).thinCopy);
    const reshaped = readAndFree(wasm.matmul(x, info(w, [48, 20]), false, false, [1, 20]), [1, 20]);
    const other = wasm.upload(v, 'float32');
    sameBits(reshaped, readAndFree(wasm.matmul(x, info(other, [48, 20]), false, false, [1, 20]), [1, 20]), 'reshaped');
    for (const h of [w, other, x.handle, x24.handle]) wasm.dispose(h);
  });

  it('no copy is made past the byte budget', () => {
    const copies = new ThinCopies(wasm.heap, wasm.kernels, 1000 * 4);
    const small = wasm.upload(values(10 * 100, 1), 'float32');
    const big = wasm.upload(values(10 * 20, 2), 'float32');
    for (let r = 0; r < READS_BEFORE_COPY; r++) copies.of(info(small, [10, 100]), 10, 100);
    assert.equal(copies.bytes, 4000);
    for (let r = 0; r < READS_BEFORE_COPY + 1; r++) assert.equal(copies.of(info(big, [10, 20]), 10, 20), 0);
    copies.release(small as WasmHandle);
    assert.equal(copies.bytes, 0);
    for (const h of [small, big]) wasm.dispose(h);
  });
});

describe('predict at batch 1 after the weights change', () => {
  const previous = getBackend();
  after(() => setBackend(previous));

  function mlp(seed: number): Sequential {
    setSeed(seed);
    const model = sequential({
      layers: [
        layers.dense({ units: 40, activation: 'relu', inputShape: [30] }),
        layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    return model;
  }
  const x = (): Tensor => tensor(Array.from(values(30, 9)), [1, 30]);
  const predictions = (model: Sequential, times: number): Float32Array[] =>
    Array.from({ length: times }, () => {
      const y = model.predict(x(), { batchSize: 1 }) as Tensor;
      const v = y.dataSync() as Float32Array;
      y.dispose();
      return v;
    });
  /** What a model sharing nothing with `model`, given its weights, predicts (its first, unpacked call). */
  function twin(model: Sequential): Float32Array {
    const other = mlp(99);
    other.setWeights(model.getWeights());
    const [first] = predictions(other, 1);
    other.dispose();
    return first;
  }

  it('setWeights, fit, assign and a disposed model never leave a stale copy in use', async () => {
    setBackend('wasm');
    const model = mlp(1);
    const before = predictions(model, READS_BEFORE_COPY + 2);
    assert.ok((model.layers[0].weights[0].handle as WasmHandle).thinCopy, 'the kernel has a packed copy');
    sameBits(before.at(-1) as Float32Array, twin(model), 'before any change');

    model.setWeights(mlp(2).getWeights());
    const afterSet = predictions(model, READS_BEFORE_COPY + 2);
    assert.notDeepEqual(afterSet[0], before[0]);
    for (const p of afterSet) sameBits(p, twin(model), 'after setWeights');

    const xs = tensor(Array.from(values(8 * 30, 10)), [8, 30]);
    const ys = tensor(
      Array.from({ length: 24 }, (_, i) => (i % 3 === i % 2 ? 1 : 0)),
      [8, 3],
    );
    await model.fit(xs, ys, { epochs: 2, batchSize: 4, verbose: 0 });
    const afterFit = predictions(model, READS_BEFORE_COPY + 2);
    assert.notDeepEqual(afterFit[0], afterSet[0]);
    for (const p of afterFit) sameBits(p, twin(model), 'after fit');

    const kernel = model.layers[0].weights[0];
    kernel.assign(tensor(Array.from(values(30 * 40, 11)), [30, 40]));
    const afterAssign = predictions(model, READS_BEFORE_COPY + 2);
    assert.notDeepEqual(afterAssign[0], afterFit[0]);
    for (const p of afterAssign) sameBits(p, twin(model), 'after assign');

    // A model made after this one is disposed (its buffers reuse the freed heap blocks).
    model.dispose();
    const next = mlp(3);
    const fresh = predictions(next, READS_BEFORE_COPY + 2);
    for (const p of fresh) sameBits(p, twin(next), 'a new model');
    next.dispose();
  });
});
