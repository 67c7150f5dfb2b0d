// The wasm backend's thread pool under a long run of split products: every chunk of every
// product is claimed and run exactly once.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { WasmBackend } from '../../src/backends/wasm/index.js';

const info = (be: WasmBackend, shape: number[], values: Float32Array) => ({
  handle: be.upload(values, 'float32'),
  shape,
  dtype: 'float32' as const,
});

it('2000 products split across threads in a row all finish and agree (no lost chunks)', async () => {
  const be = new WasmBackend({ threads: 2 });
  try {
    be.startWorkers();
    // Up to a minute of 10 ms waits: a busy machine can take seconds to start a worker thread.
    for (let i = 0; i < 6000 && be.readyThreads < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(be.readyThreads, 2, 'the worker started');
    // 9.6 M multiply-adds: split into tiles across both threads. Integer operands keep every sum exact.
    const [m, k, n] = [160, 200, 300];
    const av = Float32Array.from({ length: m * k }, (_, i) => (i % 7) - 3);
    const bv = Float32Array.from({ length: k * n }, (_, i) => (i % 5) - 2);
    const a = info(be, [m, k], av),
      b = info(be, [k, n], bv);
    const want = new Float32Array(m * n);
    for (let r = 0; r < m; r++)
      for (let d = 0; d < k; d++)
        for (let col = 0; col < n; col++) want[r * n + col] += av[r * k + d] * bv[d * n + col];
    for (let i = 0; i < 2000; i++) {
      const h = be.matmul(a, b, false, false, [m, n]);
      if (i % 500 === 0)
        assert.deepEqual(be.read({ handle: h, shape: [m, n], dtype: 'float32' }), want, `product ${i}`);
      be.dispose(h);
    }
  } finally {
    await be.shutdown();
  }
});
