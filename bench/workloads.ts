/**
 * The benchmark workloads, defined once for every contender: sizes, step counts and the random
 * data (seeded, so every contender sees the same numbers). bench/torch_workloads.py repeats
 * them for PyTorch, generator included.
 */
export type WorkloadId = 'W1' | 'W2' | 'W3' | 'W4' | 'W5' | 'W7';

/** W7's models: the W2 MLP, the W5 CNN and the W4 LSTM, run for inference. */
export type InferenceModel = 'mlp' | 'cnn' | 'lstm';

/** One measured case: a workload plus its parameter (W1: the matrix size; W7: the batch) and W7's model. */
export interface BenchCase {
  workload: WorkloadId;
  param?: number;
  model?: InferenceModel;
}

/** What a child process prints: a measurement, or why the contender cannot run the case. */
export type Outcome =
  | { ok: true; value: number; unit: string; higherIsBetter: boolean; extra?: Record<string, number> }
  | { ok: false; reason: string };

export const W1_SIZES = [256, 512, 1024, 2048];
export const W1_QUICK_SIZES = [256, 512];

/** W7: one sample (latency) and a batch of 256 (throughput) for each model. */
export const W7_CASES: BenchCase[] = (['mlp', 'cnn', 'lstm'] as const).flatMap((model) =>
  [1, 256].map((param): BenchCase => ({ workload: 'W7', model, param })),
);

/**
 * W7's input for `model` at `batch`, seeded: pixels in [0, 1) shaped [batch, 784] or
 * [batch, 28, 28, 1], or token ids [batch, 64] of the 65-symbol vocabulary (as floats).
 */
export function inferenceInput(model: InferenceModel, batch: number): { values: Float32Array; shape: number[] } {
  if (model === 'mlp') return { values: uniform(batch * 784, 10, 0, 1), shape: [batch, 784] };
  if (model === 'cnn') return { values: uniform(batch * 28 * 28, 11, 0, 1), shape: [batch, 28, 28, 1] };
  return { values: Float32Array.from(randomLabels(batch * 64, 65, 12)), shape: [batch, 64] };
}

/**
 * Median seconds per call of `predict` after five warm-up calls, over at most 1 s (0.2 s in
 * quick mode) or 2000 calls: the W7 measurement every contender shares.
 */
export async function timePredictions(predict: () => unknown, quick: boolean): Promise<number> {
  // Awaited only when it returns a promise (ONNX Runtime), so synchronous predictions pay no microtask.
  const call = async () => {
    const r = predict();
    if (r instanceof Promise) await r;
  };
  for (let i = 0; i < 5; i++) await call();
  const budget = quick ? 200 : 1000;
  const times: number[] = [];
  const t0 = performance.now();
  while (performance.now() - t0 < budget && times.length < 2000) {
    const t = performance.now();
    const r = predict();
    if (r instanceof Promise) await r;
    times.push(performance.now() - t);
  }
  const s = times.sort((a, b) => a - b);
  const mid = s.length >> 1;
  return (s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2) / 1000;
}

/** W7's result: latency for one sample, throughput for a batch. */
export function inferenceOutcome(batch: number, perCall: number): Outcome {
  return batch === 1
    ? { ok: true, value: perCall * 1000, unit: 'ms/sample', higherIsBetter: false }
    : { ok: true, value: batch / perCall, unit: 'samples/s', higherIsBetter: true };
}

/** Step counts; quick mode shrinks them for a smoke test. */
export function settings(quick: boolean) {
  return {
    w2Samples: quick ? 1024 : 8192,
    w2TimedEpochs: quick ? 1 : 3,
    w4w5Warmup: quick ? 1 : 3,
    w4w5Timed: quick ? 2 : 20,
  };
}

/** A small seeded generator (mulberry32), so data does not depend on a library's RNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function uniform(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * r();
  return out;
}

export function oneHot(labels: Int32Array, classes: number): Float32Array {
  const out = new Float32Array(labels.length * classes);
  labels.forEach((c, i) => (out[i * classes + c] = 1));
  return out;
}

export function randomLabels(n: number, classes: number, seed: number): Int32Array {
  const r = rng(seed);
  return Int32Array.from({ length: n }, () => Math.floor(r() * classes));
}

/** W3's data: standardised synthetic rows with a noisy linear target (the seed example's shape). */
export function w3Data(): { xTrain: Float32Array; yTrain: Float32Array; xTest: Float32Array; yTest: Float32Array } {
  const r = rng(3);
  const w = Array.from({ length: 13 }, () => r() * 2 - 1);
  const make = (rows: number) => {
    const x = new Float32Array(rows * 13),
      y = new Float32Array(rows);
    for (let i = 0; i < rows; i++) {
      let s = 22;
      for (let j = 0; j < 13; j++) {
        // Sum of three uniforms: roughly normal with mean 0, then scaled to unit variance.
        const v = (r() + r() + r() - 1.5) * 2;
        x[i * 13 + j] = v;
        s += 3 * w[j] * v;
      }
      y[i] = s + (r() - 0.5);
    }
    return { x, y };
  };
  const tr = make(404),
    te = make(102);
  return { xTrain: tr.x, yTrain: tr.y, xTest: te.x, yTest: te.y };
}
