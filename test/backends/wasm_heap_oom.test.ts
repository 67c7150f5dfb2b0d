// The wasm heap's out-of-memory error says how much is live and what a program can do about it.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Heap } from '../../src/backends/wasm/heap.js';

it('out of memory names the sizes and says how to free memory in a synchronous loop', () => {
  const heap = new Heap(new WebAssembly.Memory({ initial: 1, maximum: 2 }), 0);
  heap.alloc(60_000);
  assert.throws(
    () => heap.alloc(200_000),
    (e: Error) =>
      e instanceof RangeError &&
      /wasm backend: out of memory: 0 MiB in use by 0 MiB of live tensors, and \d+\.\d MiB more cannot be added/.test(
        e.message,
      ) &&
      /only when the event loop runs.*tidy\(\(\) => \.\.\.\), dispose\(\).*or await between steps/.test(e.message),
  );
  // The failed request changed nothing: a block that fits is still handed out.
  assert.ok(heap.alloc(1000) > 0);
});
