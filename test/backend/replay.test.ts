import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kernelNames } from '../../src/backend/backend.js';
import { checkedRead, recordCalls, uploadDrawn } from '../../src/backend/capture.js';
import { backend, withBackend } from '../../src/backend/registry.js';
import { compileReplay } from '../../src/backend/replay.js';
import type { Trace } from '../../src/backend/trace.js';
import { RefBackend } from '../../src/backends/ref/index.js';
import { Rng } from '../../src/core/rng.js';
import type { Tensor } from '../../src/core/tensor.js';
import { add, exp, matMul, mul, sum, tensor } from '../../src/index.js';
import { wrap } from '../../src/ops/convert.js';

/** Records `f` on inputs `xs` (kept alive by the caller) as a trace whose outputs are f's results. */
function trace(xs: Tensor[], f: (xs: Tensor[]) => Tensor[]): { trace: Trace; results: Tensor[] } {
  const { result, recording } = recordCalls(backend(), () => f(xs));
  return { trace: { recording, inputs: xs.map((x) => x.handle), outputs: result }, results: result };
}

const read = (h: object, shape: number[]) => Array.from(wrap(h, shape, 'float32').dataSync());

describe('capture and replay at the backend-call level', () => {
  for (const name of ['ref', 'wasm']) {
    it(`replays recorded kernels on new inputs as the code would compute them (${name})`, () =>
      withBackend(name, () => {
        const w = tensor([
          [1, 2],
          [3, 4],
        ]);
        // w is a constant of the program (made outside it); x is its input.
        const f = ([x]: Tensor[]) => [add(exp(matMul(x, w)), mul(sum(w), 0.5)), mul(x, 2)];
        const inputs = [tensor([[0.1, 0.2]]), tensor([[0.3, -0.4]]), tensor([[-1, 0.5]])];
        f(inputs); // the first call makes the scalar constants (0.5, 2) that later calls share
        const first = trace([inputs[0]], f),
          second = trace([inputs[1]], f);
        const program = compileReplay(backend(), first.trace, second.trace);
        assert.ok(typeof program !== 'string', String(program));
        // sum(w) * 0.5 reads constants only: it is computed once, not at every run.
        assert.ok(program.length < second.trace.recording.calls.length);
        const out = program.run([inputs[2].handle]);
        assert.ok(out);
        const expected = f([inputs[2]]);
        assert.deepEqual(read(out[0], [1, 2]), Array.from(expected[0].dataSync()));
        assert.deepEqual(read(out[1], [1, 2]), Array.from(expected[1].dataSync()));
        program.release();
        assert.throws(() => program.run([inputs[2].handle]), /released/);
      }));
  }

  it('redraws random uploads in the recorded order, and repeats value checks', () => {
    const rng = new Rng(3);
    const be = backend();
    const checked: number[] = [];
    const f = ([x]: Tensor[]) => {
      checkedRead(be, x, (v) => {
        checked.push(v[0]);
        if (v[0] < 0) throw new Error(`negative: ${v[0]}`);
      });
      const noise = wrap(
        uploadDrawn(be, 'float32', () => Float32Array.of(rng.uniform())),
        [1],
        'float32',
      );
      return [add(x, noise)];
    };
    const xs = [tensor([1]), tensor([2]), tensor([3])];
    const a = trace([xs[0]], f),
      b = trace([xs[1]], f);
    const program = compileReplay(be, a.trace, b.trace);
    assert.ok(typeof program !== 'string', String(program));
    const expectedDraw = new Rng(3);
    expectedDraw.uniform();
    expectedDraw.uniform();
    const third = Math.fround(3 + Math.fround(expectedDraw.uniform()));
    const out = program.run([xs[2].handle]);
    assert.deepEqual(read(out![0], [1]), [third]);
    assert.deepEqual(checked, [1, 2, 3]);
    assert.throws(() => program.run([tensor([-5]).handle]), /negative: -5/);
  });

  it('says why two recordings cannot be replayed', () => {
    const be = backend();
    const xs = [tensor([1]), tensor([2])];
    const reads = ([x]: Tensor[]) => [mul(x, x.dataSync()[0] > 0 ? 1 : 2)];
    assert.match(
      compileReplay(be, trace([xs[0]], reads).trace, trace([xs[1]], reads).trace) as string,
      /it reads tensor values back during the step \(backend 'read'\)/,
    );
    let n = 0;
    const uploads = ([x]: Tensor[]) => [add(x, tensor([++n]))];
    assert.match(
      compileReplay(be, trace([xs[0]], uploads).trace, trace([xs[1]], uploads).trace) as string,
      /backend call 1 \(upload\) uploads host values that change from step to step/,
    );
    let m = 0;
    const branches = ([x]: Tensor[]) => [++m === 1 ? exp(x) : mul(exp(x), 1)];
    assert.match(
      compileReplay(be, trace([xs[0]], branches).trace, trace([xs[1]], branches).trace) as string,
      /it ran 1 backend calls in one step and 2 in the next/,
    );
    const rng = new Rng(1);
    const draws = ([x]: Tensor[]) => [mul(x, rng.uniform() < 2 ? 1 : 0)];
    assert.match(
      compileReplay(be, trace([xs[0]], draws).trace, trace([xs[1]], draws).trace) as string,
      /it draws random numbers outside random tensors/,
    );
  });

  it('refuses a run whose inputs share buffers otherwise than when recorded', () => {
    const x = tensor([1, 2]),
      y = tensor([3, 4]);
    const f = ([a, b]: Tensor[]) => [add(a, b)];
    const program = compileReplay(backend(), trace([x, x], f).trace, trace([y, y], f).trace);
    assert.ok(typeof program !== 'string');
    assert.equal(program.run([x.handle, y.handle]), null);
    assert.deepEqual(read(program.run([y.handle, y.handle])![0], [2]), [6, 8]);
  });

  it('knows every kernel of the reference backend by name', () => {
    const memory = new Set(['upload', 'read', 'readAsync', 'dispose']);
    const methods = Object.getOwnPropertyNames(RefBackend.prototype).filter(
      (k) =>
        k !== 'constructor' && typeof (RefBackend.prototype as unknown as Record<string, unknown>)[k] === 'function',
    );
    for (const k of methods)
      assert.ok(memory.has(k) || kernelNames.includes(k), `'${k}' is neither memory nor a kernel`);
  });
});
