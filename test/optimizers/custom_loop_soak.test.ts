// Soak: the documented custom training loop (variableGrads, then applyGradients) runs 20,000
// steps without tidy or dispose, synchronously, on every backend, and memory stays flat.
// Nothing here may rely on the garbage collector's finalizers during the loop: they only run
// once the event loop turns, which a synchronous loop never lets happen.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import * as my from '../../src/index.js';
import { backend } from '../../src/backend/registry.js';
import { WasmBackend } from '../../src/backends/wasm/index.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

async function settle(): Promise<void> {
  // Finalizers run in a later task than the collection that finds their objects, and cascade.
  let last = -1;
  for (let i = 0, quiet = 0; i < 20 && quiet < 2; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 1));
    quiet = my.memory().numTensors === last ? quiet + 1 : 0;
    last = my.memory().numTensors;
  }
}

const STEPS = 20_000;
const MiB = 2 ** 20;

for (const name of ['ref', 'wasm']) {
  describe(`custom training loop soak on ${name}`, () => {
    it(`${STEPS} synchronous steps of variableGrads + applyGradients (32-64-1, Adam) stay flat`, async () => {
      const previous = my.getBackend();
      my.setBackend(name);
      try {
        my.setSeed(3);
        const model = my.sequential({
          layers: [my.layers.dense({ units: 64, activation: 'relu', inputShape: [32] }), my.layers.dense({ units: 1 })],
        });
        const x = my.randomNormal([16, 32]);
        const y = my.randomNormal([16, 1]);
        const vars = model.trainableWeights;
        const optimizer = my.optimizers.adam({ learningRate: 1e-3 });
        const loss = () =>
          my
            .sub(model.apply(x, { training: true }) as my.Tensor, y)
            .square()
            .mean();
        const step = () => {
          const { value, grads } = my.variableGrads(loss, vars);
          optimizer.applyGradients(grads, vars);
          return value;
        };
        const first = step().item();
        for (let i = 0; i < 200; i++) step(); // slots, free lists and caches settle
        await settle();
        const heap = () => (backend() instanceof WasmBackend ? (backend() as WasmBackend).heap.reservedBytes : 0);
        const start = { tensors: my.memory().numTensors, bytes: my.memory().numBytes };
        const startHeap = heap();

        // gc() collects synchronously (its finalizers still wait for the event loop), so the JS
        // heap and RSS it leaves show what the loop retains rather than garbage not yet collected.
        const retained: { heap: number; rss: number }[] = [];
        let last = first;
        for (let i = 1; i <= STEPS; i++) {
          const value = step();
          if (i === STEPS) last = value.item();
          if (i % 5000 === 0) {
            gc();
            const usage = process.memoryUsage();
            retained.push({ heap: usage.heapUsed, rss: usage.rss });
          }
        }
        // During the loop only each step's loss value, which the program holds, is left to the
        // garbage collector: the gradients are freed by the update that applies them.
        const during = my.memory();
        const grown = during.numTensors - start.tensors;
        assert.ok(grown <= STEPS + 10, `live tensors grew by ${grown} over ${STEPS} steps (more than the loss values)`);
        assert.ok(
          during.numBytes - start.bytes <= (STEPS + 10) * 4,
          `live bytes grew by ${during.numBytes - start.bytes} over ${STEPS} steps`,
        );
        // The wasm heap holds at most the scalar loss values (16-byte blocks), not gradients.
        assert.ok(heap() - startHeap <= STEPS * 16 + MiB, `wasm heap grew by ${(heap() - startHeap) / MiB} MiB`);
        // From the first checkpoint (the JS heap has sized itself by then) to the last.
        const [early, late] = [retained[0], retained[retained.length - 1]];
        const fmt = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
        assert.ok(late.heap - early.heap < 12 * MiB, `JS heap grew by ${fmt(late.heap - early.heap)} in 15,000 steps`);
        assert.ok(late.rss - early.rss < 32 * MiB, `RSS grew by ${fmt(late.rss - early.rss)} in 15,000 steps`);

        await settle();
        const end = my.memory();
        assert.ok(
          Math.abs(end.numTensors - start.tensors) <= 10,
          `live tensors ${start.tensors} -> ${end.numTensors} once the loop has yielded`,
        );
        assert.ok(Math.abs(end.numBytes - start.bytes) <= 1024, `live bytes ${start.bytes} -> ${end.numBytes}`);
        assert.ok(last < first, `the loss went down (${first} -> ${last})`);
      } finally {
        my.setBackend(previous);
      }
    });
  });
}
