// The wasm backend's worker threads start only when a kernel is big enough to share, so small
// models never pay for them; after that every thread takes part.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { WasmBackend } from '../../src/backends/wasm/index.js';

const info = (be: WasmBackend, shape: number[], values: Float32Array) => ({
  handle: be.upload(values, 'float32'),
  shape,
  dtype: 'float32' as const,
});

it('small kernels run without starting workers; the first big product starts them', async () => {
  const be = new WasmBackend({ threads: 2 });
  try {
    const small = info(be, [32, 13], new Float32Array(32 * 13).fill(0.5));
    const w = info(be, [13, 10], new Float32Array(130).fill(0.25));
    be.read({ handle: be.matmul(small, w, false, false, [32, 10]), shape: [32, 10], dtype: 'float32' });
    be.unary('relu', small);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(be.readyThreads, 1, 'no worker for a 13->10 layer');

    const n = 256;
    const a = info(be, [n, n], new Float32Array(n * n).fill(1)),
      b = info(be, [n, n], new Float32Array(n * n).fill(2));
    be.matmul(a, b, false, false, [n, n]);
    // Up to a minute of 10 ms waits: a busy machine can take seconds to start a worker thread.
    for (let i = 0; i < 6000 && be.readyThreads < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(be.readyThreads, 2, 'the 256x256 product started the worker');
    const c = be.read({ handle: be.matmul(a, b, false, false, [n, n]), shape: [n, n], dtype: 'float32' });
    assert.ok(
      c.every((v) => v === 2 * n),
      'every element of the shared product is right',
    );
  } finally {
    await be.shutdown();
  }
});

it('a product gives the same bits before its workers are ready and after (seeded runs repeat)', async () => {
  // A small output over a long depth is split by depth into partial sums; the split must not
  // depend on how many workers happen to have started, or one seed gives two training runs.
  const be = new WasmBackend({ threads: 2 });
  try {
    const [m, k, n] = [9, 43264, 32]; // a first convolution's kernel gradient
    const values = (size: number, seed: number) =>
      Float32Array.from({ length: size }, (_, i) => Math.sin(i * 12.9898 + seed) * 0.5);
    const a = info(be, [m, k], values(m * k, 1)),
      b = info(be, [k, n], values(k * n, 2));
    const product = () => be.read({ handle: be.matmul(a, b, false, false, [m, n]), shape: [m, n], dtype: 'float32' });
    const first = product();
    assert.equal(be.readyThreads, 1, 'the first product ran before the worker was ready');
    for (let i = 0; i < 6000 && be.readyThreads < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(be.readyThreads, 2, 'the worker started');
    assert.deepEqual(product(), first);
  } finally {
    await be.shutdown();
  }
});
