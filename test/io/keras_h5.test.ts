import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import '../../src/index.js';
import { H5Reader, writeH5 } from '../../src/io/keras_h5.js';

/** 0, 1, 2, ... as float32. */
const iota = (n: number) => Float32Array.from({ length: n }, (_, i) => i);

type Creator = { create_dataset(args: object): unknown };

describe('H5Reader reads datasets block by block', () => {
  it('compressed chunked datasets of any rank, chunks not dividing the shape, come back exactly', async () => {
    const cases: [number[], number[]][] = [
      [
        [37, 23],
        [8, 5],
      ],
      [
        [5, 7, 9],
        [2, 3, 4],
      ],
      [[1000], [7]],
      [
        [3, 4],
        [3, 4],
      ],
    ];
    const bytes = await writeH5((root) => {
      cases.forEach(([shape, chunks], i) =>
        (root as unknown as Creator).create_dataset({
          name: `d${i}`,
          data: iota(shape.reduce((a, b) => a * b, 1)),
          shape,
          chunks,
          compression: 'gzip',
        }),
      );
    });
    await H5Reader.use(bytes, 'chunks.h5', (h5) => {
      cases.forEach(([shape], i) => {
        const t = h5.readTensor(`d${i}`);
        assert.deepEqual(t.shape, shape);
        assert.deepEqual(t.dataSync(), iota(t.size), `dataset d${i}`);
      });
    });
  });

  it('a contiguous dataset larger than one block, float64 and integer datasets, and a scalar', async () => {
    const bytes = await writeH5((root) => {
      root.create_dataset({ name: 'big', data: iota(1100 * 1000), shape: [1100, 1000] });
      root.create_dataset({ name: 'f64', data: Float64Array.from([0.1, 0.2, 0.3]), shape: [3] });
      root.create_dataset({ name: 'i32', data: Int32Array.from([-3, 0, 7]), shape: [3] });
      root.create_dataset({ name: 'scalar', data: Float32Array.from([2.5]), shape: [] });
    });
    await H5Reader.use(bytes, 'plain.h5', (h5) => {
      const big = h5.readTensor('big');
      assert.deepEqual(big.shape, [1100, 1000]);
      assert.deepEqual(big.dataSync(), iota(1100 * 1000));
      const f64 = h5.readTensor('f64');
      assert.equal(f64.dtype, 'float64');
      assert.deepEqual([...f64.dataSync()], [0.1, 0.2, 0.3]);
      assert.deepEqual([...h5.readTensor('i32').dataSync()], [-3, 0, 7]);
      const scalar = h5.readTensor('scalar');
      assert.deepEqual(scalar.shape, []);
      assert.equal(scalar.dataSync()[0], 2.5);
    });
  });

  it('refuses compressed chunks larger than 16 MiB before reading them', async () => {
    const bytes = await writeH5((root) => {
      (root as unknown as Creator).create_dataset({
        name: 'w',
        data: new Float32Array(16),
        shape: [16],
        maxshape: [null],
        chunks: [2 ** 23],
        compression: 'gzip',
      });
    });
    await assert.rejects(
      H5Reader.use(bytes, 'big-chunks.h5', (h5) => h5.readTensor('w')),
      /compressed dataset 'w' has chunks of 33554432 bytes; at most 16777216 are read/,
    );
  });
});

describe('legacy layer_names split into chunks', () => {
  it('2,000 chunks are read with one listing of the attributes, not one per chunk', async () => {
    const { loadKerasWeights } = await import('../../src/io/keras_format.js');
    const { layers, sequential } = await import('../../src/index.js');
    const { chunkedLayerNamesH5 } = await import('./hostile_files.js');
    const bytes = await chunkedLayerNamesH5(2000);
    const module = (await (
      await import('h5wasm')
    ).default.ready) as unknown as {
      get_attribute_names: (...args: unknown[]) => string[];
    };
    const original = module.get_attribute_names;
    let listings = 0;
    module.get_attribute_names = (...args) => {
      listings++;
      return original(...args);
    };
    const m = sequential({ layers: [layers.dense({ units: 3, inputShape: [4] })] });
    try {
      await loadKerasWeights(m, bytes);
    } finally {
      module.get_attribute_names = original;
    }
    assert.deepEqual([...m.getWeights()[0].dataSync()], [...iota(12)]);
    // The root's list once, then each named layer's (most do not exist and need none).
    assert.ok(listings <= 5, `listed attributes ${listings} times`);
  });
});
