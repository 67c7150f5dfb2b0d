// The wasm backend's heap: tensors survive the memory growing under them, and disposed blocks
// are reused.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DataHandle, TensorInfo } from '../../src/backend/backend.js';
import { WasmBackend } from '../../src/backends/wasm/index.js';

const wasm = new WasmBackend({ threads: 1 });
after(() => wasm.shutdown());

describe('wasm backend memory', () => {
  it('tensors keep their values when the heap grows under them', () => {
    const v = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 3);
    const h = wasm.upload(v, 'float32');
    const big: DataHandle[] = [];
    const before = wasm.heap.memory.buffer.byteLength;
    for (let i = 0; i < 8; i++) big.push(wasm.fill(4_000_000, i, 'float32'));
    assert.ok(wasm.heap.memory.buffer.byteLength > before, 'the memory grew');
    assert.deepEqual(wasm.read({ handle: h, shape: [1000], dtype: 'float32' }), v);
    const x: TensorInfo = { handle: h, shape: [1000], dtype: 'float32' };
    assert.deepEqual(
      wasm.read({ handle: wasm.binary('add', x, x, [1000], 'float32'), shape: [1000], dtype: 'float32' }),
      Float32Array.from(v, (e) => e * 2),
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
