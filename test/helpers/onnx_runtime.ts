import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-web';
import type { LayersModel, Tensor } from '../../src/index.js';
import { exportOnnx } from '../../src/io/onnx_export.js';

ort.env.wasm.numThreads = 1;

/** Runs the exported model in ONNX Runtime on `xs` (one per model input) and compares every output with Myelin's predict. */
export async function checkAgainstOrt(m: LayersModel, x: Tensor | Tensor[], tol = 1e-4): Promise<void> {
  const xs = Array.isArray(x) ? x : [x];
  const session = await ort.InferenceSession.create(exportOnnx(m));
  const feeds = Object.fromEntries(
    xs.map((t, i) => [
      session.inputNames[i],
      new ort.Tensor('float32', Float32Array.from(t.dataSync() as ArrayLike<number>), [...t.shape]),
    ]),
  );
  const results = await session.run(feeds);
  const expected = m.predict(xs.length === 1 ? xs[0] : xs);
  const list = Array.isArray(expected) ? expected : [expected];
  assert.equal(session.outputNames.length, list.length);
  list.forEach((e, k) => {
    const got = results[session.outputNames[k]];
    assert.deepEqual([...got.dims], [...e.shape], `output ${k} shape`);
    const want = e.dataSync(),
      have = got.data as Float32Array;
    for (let i = 0; i < want.length; i++)
      assert.ok(
        Math.abs(have[i] - want[i]) <= tol * (1 + Math.abs(want[i])),
        `output ${k} index ${i}: onnx ${have[i]} vs myelin ${want[i]}`,
      );
  });
}
