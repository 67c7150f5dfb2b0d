import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { dispose, keep, memory, tidy } from '../../src/core/memory.js';
import {
  add,
  matMul,
  mean,
  mul,
  randomNormal,
  reshape,
  setSeed,
  square,
  sub,
  tensor,
  variable,
  variableGrads,
  zeros,
} from '../../src/index.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Collects garbage until finalizers have run and the live tensor count stops changing. */
async function settle(): Promise<void> {
  // Finalizers can cascade (a tensor, then its backend handle), so one quiet round is not enough.
  let last = -1;
  for (let i = 0, quiet = 0; i < 20 && quiet < 2; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 1));
    quiet = memory().numTensors === last ? quiet + 1 : 0;
    last = memory().numTensors;
  }
}

describe('memory()', () => {
  it('counts tensors and bytes, and shared buffers once', async () => {
    await settle();
    const before = memory();
    const a = zeros([10], 'float64');
    const view = reshape(a, [2, 5]);
    const b = zeros([3], 'int32');
    const now = memory();
    assert.equal(now.numTensors - before.numTensors, 3);
    assert.equal(now.numDataBuffers - before.numDataBuffers, 2);
    assert.equal(now.numBytes - before.numBytes, 80 + 12);
    dispose([a, { b }]);
    assert.equal(memory().numTensors - before.numTensors, 1);
    assert.equal(memory().numBytes - before.numBytes, 80, 'the view still holds the buffer');
    assert.deepEqual(view.arraySync(), [
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
    ]);
    assert.throws(() => b.dataSync(), /was disposed/);
    view.dispose();
    assert.equal(memory().numBytes, before.numBytes);
  });
  it('forgets tensors the garbage collector reclaims', async () => {
    await settle();
    const before = memory().numTensors;
    (() => {
      for (let i = 0; i < 1000; i++) add(tensor([i]), 1);
    })();
    assert.ok(memory().numTensors >= before + 1000);
    await settle();
    assert.ok(memory().numTensors <= before + 5, `${memory().numTensors} vs ${before}`);
  });
  it('follows a variable to its new buffer on assign', async () => {
    const init = zeros([4]);
    const before = memory();
    const v = variable(init);
    assert.equal(memory().numDataBuffers - before.numDataBuffers, 1, 'a variable owns a copy');
    const value = tensor([1, 2, 3, 4]);
    v.assign(value);
    assert.equal(
      memory().numDataBuffers - before.numDataBuffers,
      1,
      'after assign, variable and value share one buffer and the copy is freed',
    );
    assert.equal(memory().numTensors - before.numTensors, 2);
    assert.deepEqual(v.arraySync(), [1, 2, 3, 4]);
  });
});

describe('tidy, keep, dispose', () => {
  it('tidy returns the result and disposes nothing the caller holds', () => {
    const held = tensor([1, 2]);
    const out = tidy(() => mul(held, 2));
    assert.deepEqual(out.arraySync(), [2, 4]);
    assert.deepEqual(held.arraySync(), [1, 2]);
    assert.deepEqual(tidy('named', () => ({ y: add(held, 1) })).y.arraySync(), [2, 3]);
    assert.equal(keep(held), held);
    assert.throws(() => tidy((async () => held) as never), /tidy: the function must not return a Promise/);
    assert.throws(() => tidy('name' as never), /tidy: expected a function/);
  });
});

describe('tidy scopes', () => {
  it('disposes what the function created except its result, and honours keep', () => {
    const held = tensor([1, 2]);
    let inner: ReturnType<typeof tensor> | undefined;
    let kept: ReturnType<typeof tensor> | undefined;
    const out = tidy(() => {
      inner = mul(held, 3);
      kept = keep(add(held, 10));
      return { result: add(inner, 1) };
    });
    assert.deepEqual(out.result.arraySync(), [4, 7]);
    assert.ok(inner!.isDisposed, 'an intermediate is freed');
    assert.deepEqual(kept!.arraySync(), [11, 12]);
    assert.ok(!held.isDisposed);
  });
  it('nested tidy hands its result to the enclosing scope', () => {
    let middle: ReturnType<typeof tensor> | undefined;
    const out = tidy(() => {
      middle = tidy(() => mul(tensor([2]), 2));
      return add(middle, 1);
    });
    assert.deepEqual(out.arraySync(), [5]);
    assert.ok(middle!.isDisposed, 'freed by the outer scope');
  });
  it('gradient calls free their intermediates but keep the value and gradients', () => {
    const w = variable(tensor([1, 2]), true, 'tidy_w');
    const before = memory().numTensors;
    for (let i = 0; i < 100; i++) variableGrads(() => mean(square(mul(w, 3))), [w]);
    assert.ok(memory().numTensors - before <= 200 + 5, `${before} -> ${memory().numTensors}`); // value + grad per call
    const { value, grads } = variableGrads(() => mean(square(mul(w, 3))), [w]);
    assert.ok(!value.isDisposed && !grads.tidy_w.isDisposed);
    assert.ok(Math.abs(value.item() - 22.5) < 1e-6);
  });
});

describe('a custom training loop keeps memory flat', () => {
  it('3000 SGD steps: heap and live tensors at step 3000 are within a small bound of step 500', async () => {
    setSeed(0);
    const x = randomNormal([64, 3]);
    const y = add(matMul(x, tensor([[1], [-2], [0.5]])), 0.3);
    const w = variable(zeros([3, 1]), true, 'mem_w');
    const b = variable(zeros([1]), true, 'mem_b');
    const loss = () => mean(square(sub(add(matMul(x, w), b), y)));
    const snapshots: Record<number, { heap: number; tensors: number; loss: number }> = {};
    const firstLoss = loss().item();
    for (let step = 1; step <= 3000; step++) {
      const { value, grads } = variableGrads(loss, [w, b]);
      w.assign(sub(w, mul(grads.mem_w, 0.05)));
      b.assign(sub(b, mul(grads.mem_b, 0.05)));
      if (step === 500 || step === 3000) {
        await settle();
        const usage = process.memoryUsage();
        snapshots[step] = {
          heap: usage.heapUsed + usage.arrayBuffers,
          tensors: memory().numTensors,
          loss: value.item(),
        };
      }
    }
    const [early, late] = [snapshots[500], snapshots[3000]];
    assert.ok(late.loss < firstLoss / 100, `loss went from ${firstLoss} to ${late.loss}`);
    // A leak of one small tensor per step would add 2500 tensors; one tape per step, megabytes.
    assert.ok(Math.abs(late.tensors - early.tensors) <= 20, `live tensors ${early.tensors} -> ${late.tensors}`);
    assert.ok(
      late.heap - early.heap < 8 * 2 ** 20,
      `heap grew by ${((late.heap - early.heap) / 2 ** 20).toFixed(1)} MiB`,
    );
  });
});
