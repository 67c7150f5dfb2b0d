// The wasm heap is reclaimed without user action: 10,000 training steps of a small network,
// no dispose anywhere, and the heap must stop growing once the garbage collector has run.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import * as my from '../../src/index.js';
import { backend } from '../../src/backend/registry.js';
import { WasmBackend } from '../../src/backends/wasm/index.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

async function collect(): Promise<void> {
  // Finalizers run in a later task than the collection that finds their objects.
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
}

it('10,000 steps of a custom training loop keep the wasm heap flat', async () => {
  const previous = my.getBackend();
  my.setBackend('wasm');
  try {
    const be = backend();
    assert.ok(be instanceof WasmBackend);
    my.setSeed(1);
    const x = my.randomNormal([32, 13]),
      y = my.randomNormal([32, 1]);
    const w1 = my.variable(my.mul(my.randomNormal([13, 10]), 0.3), true, 'w1');
    const b1 = my.variable(my.zeros([10]), true, 'b1');
    const w2 = my.variable(my.mul(my.randomNormal([10, 1]), 0.3), true, 'w2');
    const vars = [w1, b1, w2];
    const loss = () => my.mean(my.square(my.sub(my.matMul(my.relu(my.add(my.matMul(x, w1), b1)), w2), y)));
    const reserved: number[] = [],
      live: number[] = [];
    let first = Infinity,
      last = 0;
    for (let step = 0; step < 10_000; step++) {
      const { value, grads } = my.variableGrads(loss, vars);
      for (const v of vars) v.assign(my.sub(v, my.mul(grads[v.name], 0.01)));
      if (step === 0) first = value.item();
      if (step === 9_999) last = value.item();
      if (step % 1000 === 999) {
        await collect();
        reserved.push(be.heap.reservedBytes);
        live.push(be.heap.liveBytes);
      }
    }
    assert.ok(last < first, `the loss went down (${first} -> ${last})`);
    // After the first collections the heap has every block size it needs: no more growth.
    assert.equal(reserved[reserved.length - 1], reserved[2], `heap bytes per 1000 steps: ${reserved.join(', ')}`);
    // Live bytes (tensors plus the matmul threads' fixed scratch) do not creep up either.
    assert.ok(live[live.length - 1] <= live[2] + 4096, `live bytes per 1000 steps: ${live.join(', ')}`);
  } finally {
    my.setBackend(previous);
  }
});
