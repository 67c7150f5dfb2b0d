// W7 on ONNX Runtime's WebAssembly build (onnxruntime-web), running Myelin's own ONNX export of
// the same model: what a JavaScript user would deploy a trained model with instead.
import { buildCnn, buildLstm, buildMlp } from './myelin_workloads.js';
import { type BenchCase, inferenceInput, inferenceOutcome, type Outcome, timePredictions } from './workloads.js';

/** Runs one W7 case with `threads` ONNX Runtime threads (1, or 2 where its worker threads start). */
export async function runOrt(c: BenchCase, threads: number, quick: boolean): Promise<Outcome> {
  if (c.workload !== 'W7') return { ok: false, reason: `not available: ONNX Runtime runs inference (W7) only` };
  const ort = await import('onnxruntime-web');
  const my = await import('../src/index.js');
  ort.env.wasm.numThreads = threads;
  const model = c.model === 'mlp' ? buildMlp(my) : c.model === 'cnn' ? buildCnn(my) : buildLstm(my);
  if (!model) return { ok: false, reason: `not available: Myelin cannot build the ${c.model} model` };
  const session = await ort.InferenceSession.create(my.exportOnnx(model), { executionProviders: ['wasm'] });
  const input = inferenceInput(c.model!, c.param!);
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', input.values, input.shape) };
  const output = session.outputNames[0];
  const perCall = await timePredictions(async () => {
    const results = await session.run(feeds);
    const y = results[output];
    (y.data as Float32Array).length;
    y.dispose();
  }, quick);
  const outcome = inferenceOutcome(c.param!, perCall);
  return outcome.ok ? { ...outcome, extra: { threads } } : outcome;
}
